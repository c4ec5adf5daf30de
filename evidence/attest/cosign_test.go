package attest

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/attest/sigstoretest"
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

// cosignBin returns the cosign binary or skips with a notice.
func cosignBin(t *testing.T) string {
	t.Helper()
	cosign, err := exec.LookPath("cosign")
	if err != nil {
		t.Skip("cosign is not on PATH: install it (go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5) to run this interop test")
	}
	return cosign
}

// runCosign runs cosign offline: no TUF cache of the machine is read or
// written.
func runCosign(t *testing.T, dir string, env []string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), cosignBin(t), args...)
	cmd.Env = append(append(cmd.Environ(), "SIGSTORE_NO_CACHE=1", "TUF_ROOT="+filepath.Join(dir, "tuf")), env...)
	return cmd.CombinedOutput()
}

// TestInteropCosignVerifiesKeyBundles: `cosign verify-blob-attestation
// --new-bundle-format --bundle` accepts cemark's key-based bundles, and
// rejects them for an artefact that is not a subject. cosign wants a
// trusted root with the new bundle format even for a key; any valid one
// does (the key is the trust anchor), here a test instance's.
func TestInteropCosignVerifiesKeyBundles(t *testing.T) {
	cosignBin(t)
	ctx := context.Background()
	for _, kt := range []string{KeyTypeECDSAP256, KeyTypeEd25519} {
		t.Run(kt, func(t *testing.T) {
			dir := t.TempDir()
			sts, art := sampleBundle(t, dir)
			s, _ := newTestSigner(t, kt)
			pub := writePub(t, dir, "cemark.pub", s.Public())
			root := sigstoretest.New(t).WriteTrustedRoot(t, dir)
			other := writeFile(t, filepath.Join(dir, "other.bin"), []byte("not a subject"))
			signed, err := SignWithKey(ctx, s, []Statement{sts[0], sts[len(sts)-1]})
			if err != nil {
				t.Fatal(err)
			}
			for i, sg := range signed {
				p := writeFile(t, filepath.Join(dir, sg.Name+BundleFileSuffix), sg.Bundle)
				args := []string{"verify-blob-attestation", "--new-bundle-format", "--bundle", p, "--key", pub, "--insecure-ignore-tlog",
					"--trusted-root", root, "--type", []Statement{sts[0], sts[len(sts)-1]}[i].PredicateType}
				if out, err := runCosign(t, dir, nil, append(args, art)...); err != nil || !strings.Contains(string(out), "Verified OK") {
					t.Errorf("cosign rejects cemark's %s bundle: %v\n%s", sg.Name, err, out)
				}
				if out, err := runCosign(t, dir, nil, append(args, other)...); err == nil {
					t.Errorf("cosign accepted %s for an artefact that is not a subject:\n%s", sg.Name, out)
				}
			}
		})
	}
}

// TestInteropCemarkVerifiesCosignBundles: cemark verifies the bundles
// `cosign attest-blob --new-bundle-format --bundle` makes with a key
// `cemark keygen` wrote: with --statement (an in-toto Statement v1, as
// cemark writes) the bundle verifies; with --predicate cosign 2.x writes
// Statement v0.1, whose signature verifies and whose statement cemark
// rejects.
func TestInteropCemarkVerifiesCosignBundles(t *testing.T) {
	cosignBin(t)
	ctx := context.Background()
	dir := t.TempDir()
	sts, art := sampleBundle(t, dir)
	files, err := WriteKeyPair(ctx, filepath.Join(dir, "k"), KeyTypeECDSAP256, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	st := sts[len(sts)-1]
	stPath := writeFile(t, filepath.Join(dir, "statement.json"), st.Payload)
	pred := writeFile(t, filepath.Join(dir, "p.json"), []byte(`{"a":1}`))
	env := []string{"COSIGN_PASSWORD=pw"}
	common := []string{"attest-blob", "--key", files.Key, "--new-bundle-format", "--tlog-upload=false", "--yes"}

	v1 := filepath.Join(dir, "cosign-v1"+BundleFileSuffix)
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

	v01 := filepath.Join(dir, "cosign-v01"+BundleFileSuffix)
	if out, err := runCosign(t, dir, env, append(common, "--bundle", v01, "--predicate", pred, "--type", "https://example.com/p/v1", art)...); err != nil {
		t.Fatalf("cosign attest-blob --predicate: %v\n%s", err, out)
	}
	rep, err = Verify(ctx, VerifyOptions{Attestations: []string{v01}, KeyFiles: []string{files.Pub}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verified || rep.Attestations[0].Error != ErrStatementV01.Error() {
		t.Errorf("cosign's v0.1 bundle: verified=%v error=%q, want only the v0.1 statement rejected", rep.Verified, rep.Attestations[0].Error)
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
