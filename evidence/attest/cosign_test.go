package attest

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestInteropCosign verifies cemark's envelopes with cosign, a client we
// did not write: `cosign verify-blob-attestation --key PUB --type TYPE
// --signature ENVELOPE ARTEFACT --insecure-ignore-tlog`. It runs only when
// cosign is on PATH (offline: no transparency log is consulted).
func TestInteropCosign(t *testing.T) {
	cosign, err := exec.LookPath("cosign")
	if err != nil {
		t.Skip("cosign is not on PATH: install it (go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5) to run this interop test")
	}
	ctx := context.Background()
	for _, kt := range []string{KeyTypeECDSAP256, KeyTypeEd25519} {
		t.Run(kt, func(t *testing.T) {
			dir := t.TempDir()
			sts, art := sampleBundle(t, dir)
			s, _ := newTestSigner(t, kt)
			pub := writePub(t, dir, "cemark.pub", s.Public())
			for _, st := range []Statement{sts[0], sts[len(sts)-1]} {
				env, err := Sign(ctx, s, st)
				if err != nil {
					t.Fatal(err)
				}
				envPath := writeFile(t, filepath.Join(dir, st.Name+".dsse.json"), env.JSON())
				cmd := exec.CommandContext(ctx, cosign, "verify-blob-attestation", "--key", pub, "--type", st.PredicateType,
					"--signature", envPath, "--insecure-ignore-tlog", art)
				cmd.Env = append(cmd.Environ(), "SIGSTORE_NO_CACHE=1", "TUF_ROOT="+filepath.Join(dir, "tuf"))
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Errorf("cosign rejects %s signed with %s: %v\n%s", st.Name, kt, err, out)
				}
				// And cosign rejects it for an artefact that is not a subject.
				other := writeFile(t, filepath.Join(dir, "other.bin"), []byte("not a subject"))
				cmd = exec.CommandContext(ctx, cosign, "verify-blob-attestation", "--key", pub, "--type", st.PredicateType,
					"--signature", envPath, "--insecure-ignore-tlog", other)
				if out, err := cmd.CombinedOutput(); err == nil {
					t.Errorf("cosign accepted %s for an artefact that is not a subject:\n%s", st.Name, out)
				}
			}
		})
	}
}

// TestInteropCosignSignsWithCemarkKey goes the other way: cosign signs with
// a key cemark keygen wrote in cosign's encrypted format. cemark verify
// accepts cosign's signature and then rejects the statement only because
// cosign writes in-toto Statement v0.1.
func TestInteropCosignSignsWithCemarkKey(t *testing.T) {
	cosign, err := exec.LookPath("cosign")
	if err != nil {
		t.Skip("cosign is not on PATH: install it (go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5) to run this interop test")
	}
	ctx := context.Background()
	dir := t.TempDir()
	files, err := WriteKeyPair(ctx, filepath.Join(dir, "k"), KeyTypeECDSAP256, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	art := writeFile(t, filepath.Join(dir, "app"), []byte("app\n"))
	pred := writeFile(t, filepath.Join(dir, "p.json"), []byte(`{"a":1}`))
	envPath := filepath.Join(dir, "cosign.dsse.json")
	cmd := exec.CommandContext(ctx, cosign, "attest-blob", "--key", files.Key, "--predicate", pred, "--type", "https://example.com/p/v1",
		"--output-signature", envPath, "--tlog-upload=false", "--yes", art)
	cmd.Env = append(cmd.Environ(), "COSIGN_PASSWORD=pw", "TUF_ROOT="+filepath.Join(dir, "tuf"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cosign cannot sign with cemark's key: %v\n%s", err, out)
	}
	rep, err := Verify(ctx, VerifyOptions{Attestations: []string{envPath}, KeyFiles: []string{files.Pub}, Subjects: []string{art}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verified || len(rep.Attestations) != 1 || rep.Attestations[0].KeyID != "" && rep.Attestations[0].KeyID != files.KeyID {
		t.Fatalf("report = %+v", rep)
	}
	if got := rep.Attestations[0].Error; got != ErrStatementV01.Error() {
		t.Errorf("cosign's envelope rejected for %q, want only the v0.1 statement", got)
	}
}
