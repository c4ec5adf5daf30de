package attest

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/attest/sigstoretest"
	"github.com/cemark/cemark/evidence/evidencedir"
)

// The interop tests run the cosign binary, a client we did not write, in
// both directions. They run only when cosign is on PATH (.ci/run installs
// v2.6.5), offline: no machine-wide TUF cache is read or written.

// cosignBin returns the cosign binary or skips with a notice.
func cosignBin(t *testing.T) string {
	t.Helper()
	cosign, err := exec.LookPath("cosign")
	if err != nil {
		t.Skip("cosign is not on PATH: install it (go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5) to run this interop test")
	}
	return cosign
}

func runCosign(t *testing.T, dir string, env []string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), cosignBin(t), args...)
	cmd.Env = append(append(cmd.Environ(), "SIGSTORE_NO_CACHE=1", "TUF_ROOT="+filepath.Join(dir, "tuf")), env...)
	return cmd.CombinedOutput()
}

// TestInteropCosignVerifiesKeySigned: `cosign verify-blob-attestation`
// accepts cemark's key-signed envelopes (--signature, --insecure-ignore-tlog)
// and bundles (--new-bundle-format --bundle), and rejects both for an
// artefact that is not a subject. With the new bundle format cosign wants a
// trusted root even for a key; any valid one does (the key is the trust
// anchor), here a test instance's.
func TestInteropCosignVerifiesKeySigned(t *testing.T) {
	cosignBin(t)
	forEachKeyType(t, func(t *testing.T, f keyFixture) {
		root := sigstoretest.New(t).WriteTrustedRoot(t, f.dir)
		other := writeFile(t, filepath.Join(f.dir, "other.bin"), []byte("not a subject"))
		sts := []Statement{f.sts[0], f.sts[len(f.sts)-1]}
		signed, err := SignWithKey(context.Background(), f.signer, sts)
		if err != nil {
			t.Fatal(err)
		}
		for i, sg := range signed {
			envPath := writeFile(t, filepath.Join(f.dir, sg.Name+".dsse.json"), sg.Envelope.JSON())
			bundlePath := writeFile(t, filepath.Join(f.dir, sg.Name+evidencedir.BundleSuffix), sg.Bundle)
			for form, args := range map[string][]string{
				"envelope": {"--signature", envPath},
				"bundle":   {"--new-bundle-format", "--bundle", bundlePath, "--trusted-root", root},
			} {
				args = append([]string{"verify-blob-attestation", "--key", f.pub, "--insecure-ignore-tlog", "--type", sts[i].PredicateType}, args...)
				if out, err := runCosign(t, f.dir, nil, append(args, f.artefact)...); err != nil || !strings.Contains(string(out), "Verified OK") {
					t.Errorf("cosign rejects cemark's %s %s: %v\n%s", sg.Name, form, err, out)
				}
				if out, err := runCosign(t, f.dir, nil, append(args, other)...); err == nil {
					t.Errorf("cosign accepted the %s %s for an artefact that is not a subject:\n%s", sg.Name, form, out)
				}
			}
		}
	})
}

// TestInteropCemarkVerifiesCosignSigned goes the other way, with a key
// `cemark keygen` wrote in cosign's encrypted format: cemark verifies the
// bundles `cosign attest-blob --new-bundle-format --bundle` makes. With
// --statement (an in-toto Statement v1, as cemark writes) the bundle
// verifies; with --predicate cosign 2.x writes Statement v0.1, whose
// signature cemark accepts — in the bundle and in the plain envelope — and
// whose statement it rejects.
func TestInteropCemarkVerifiesCosignSigned(t *testing.T) {
	cosignBin(t)
	ctx := context.Background()
	dir := t.TempDir()
	sts, art := sampleBundle(t, dir)
	files, err := WriteKeyPair(ctx, filepath.Join(dir, "k"), KeyTypeECDSAP256, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	stPath := writeFile(t, filepath.Join(dir, "statement.json"), sts[len(sts)-1].Payload)
	pred := writeFile(t, filepath.Join(dir, "p.json"), []byte(`{"a":1}`))
	env := []string{"COSIGN_PASSWORD=pw"}
	common := []string{"attest-blob", "--key", files.Key, "--new-bundle-format", "--tlog-upload=false", "--yes"}

	v1 := filepath.Join(dir, "cosign-v1"+evidencedir.BundleSuffix)
	if out, err := runCosign(t, dir, env, append(common, "--bundle", v1, "--statement", stPath, art)...); err != nil {
		t.Fatalf("cosign attest-blob --statement: %v\n%s", err, out)
	}
	rep, err := Verify(ctx, VerifyOptions{Attestations: []string{v1}, KeyFiles: []string{files.Pub}, Subjects: []string{art}, Require: []string{PredicateConformity}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Verified || rep.Attestations[0].KeyID != files.KeyID {
		t.Fatalf("cemark rejects cosign's bundle: %v", rep.Failures)
	}

	v01 := filepath.Join(dir, "cosign-v01"+evidencedir.BundleSuffix)
	envPath := filepath.Join(dir, "cosign.dsse.json")
	if out, err := runCosign(t, dir, env, append(common, "--bundle", v01, "--output-signature", envPath,
		"--predicate", pred, "--type", "https://example.com/p/v1", art)...); err != nil {
		t.Fatalf("cosign attest-blob --predicate: %v\n%s", err, out)
	}
	rep, err = Verify(ctx, VerifyOptions{Attestations: []string{v01, envPath}, KeyFiles: []string{files.Pub}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range rep.Attestations {
		if a.OK || a.Error != ErrStatementV01.Error() {
			t.Errorf("%s: ok=%v error=%q, want only the v0.1 statement rejected", a.Source, a.OK, a.Error)
		}
	}
}

// TestInteropCosignVerifiesKeylessBundles: cosign verifies cemark's keyless
// bundles against the test instance's trusted_root.json (SCT, Rekor entry,
// certificate identity), and refuses another identity.
func TestInteropCosignVerifiesKeylessBundles(t *testing.T) {
	cosignBin(t)
	fake := sigstoretest.New(t)
	dir := t.TempDir()
	sts, art := sampleBundle(t, dir)
	paths, _ := signKeyless(t, fake, dir, []Statement{sts[len(sts)-1]})
	root := filepath.Join(dir, "trusted_root.json")
	args := []string{"verify-blob-attestation", "--new-bundle-format", "--bundle", paths[0], "--trusted-root", root,
		"--certificate-oidc-issuer", sigstoretest.GitHubIssuer, "--type", PredicateConformity}
	if out, err := runCosign(t, dir, nil, append(args, "--certificate-identity", testIdentity, art)...); err != nil || !strings.Contains(string(out), "Verified OK") {
		t.Errorf("cosign rejects cemark's keyless bundle: %v\n%s", err, out)
	}
	if out, err := runCosign(t, dir, nil, append(args, "--certificate-identity", "https://github.com/acme/widget/.github/workflows/other.yml@refs/heads/main", art)...); err == nil {
		t.Errorf("cosign accepted another identity:\n%s", out)
	}
}
