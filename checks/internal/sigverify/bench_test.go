package sigverify

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	svt "github.com/cemark/cemark/checks/internal/sigverify/sigverifytest"
)

// BenchmarkVerifyArtifact measures offline verification of a 16 MiB
// artefact: digests plus a cosign blob signature, and plus a minisign
// signature of a signed checksums file.
func BenchmarkVerifyArtifact(b *testing.B) {
	key := svt.NewCosignKey(b)
	mini := svt.NewMinisignKey(b)
	data := make([]byte, 16<<20)
	if _, err := rand.Read(data); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"cosign-blob", "minisign-checksums"} {
		b.Run(mode, func(b *testing.B) {
			root := b.TempDir()
			app := svt.Write(b, root, "dist/app", data)
			if mode == "cosign-blob" {
				svt.Write(b, root, "dist/app.sig", key.Sign(b, data))
			} else {
				sums := []byte(svt.SHA256Hex(data) + "  app\n")
				svt.Write(b, root, "dist/SHA256SUMS", sums)
				svt.Write(b, root, "dist/SHA256SUMS.minisig", mini.SignHashed(sums))
			}
			keys := LoadKeys(root, nil, []string{svt.Write(b, root, "k.pub", key.PubPEM), svt.Write(b, root, "m.pub", mini.Pub)})
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				v := &Verifier{Keys: keys, Root: root, Now: time.Now()}
				if got := v.VerifyArtifacts(context.Background(), []string{app}); got[0].Verdict != VerdictVerified {
					b.Fatalf("%+v", got[0])
				}
			}
		})
	}
}
