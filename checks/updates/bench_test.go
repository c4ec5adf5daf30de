package updates

import (
	"context"
	"crypto/rand"
	"testing"
	"time"
)

// BenchmarkVerifyArtifact measures offline verification of a 16 MiB
// artefact: digests plus a cosign blob signature, and plus a minisign
// signature of a signed checksums file.
func BenchmarkVerifyArtifact(b *testing.B) {
	key := newCosignKey(b)
	mini := newMinisignKey(b)
	data := make([]byte, 16<<20)
	if _, err := rand.Read(data); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"cosign-blob", "minisign-checksums"} {
		b.Run(mode, func(b *testing.B) {
			root := b.TempDir()
			app := write(b, root, "dist/app", data)
			if mode == "cosign-blob" {
				write(b, root, "dist/app.sig", key.sign(b, data))
			} else {
				sums := []byte(sha256hex(data) + "  app\n")
				write(b, root, "dist/SHA256SUMS", sums)
				write(b, root, "dist/SHA256SUMS.minisig", mini.signHashed(sums))
			}
			keys := LoadKeys(root, nil, []string{write(b, root, "k.pub", key.pubPEM), write(b, root, "m.pub", mini.pub)})
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
