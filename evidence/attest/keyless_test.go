package attest

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cemark/cemark/evidence/attest/sigstoretest"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/evidencedir"
)

// The keyless tests sign with real sigstore-go clients (sign.Fulcio,
// sign.Rekor) against sigstoretest: a Fulcio, Rekor and GitHub OIDC
// endpoint behind local HTTP servers, on sigstore-go's virtual Sigstore.

const testWorkflow = "acme/widget/.github/workflows/cemark.yml@refs/heads/main"

var testIdentity = sigstoretest.GitHubIdentity(testWorkflow)

// githubRunner is the environment of a GitHub Actions job with
// `permissions: id-token: write`, whose OIDC endpoint is oidc.
func githubRunner(oidcURL string, extra map[string]string) func(string) string {
	env := map[string]string{
		"GITHUB_ACTIONS":                 "true",
		"GITHUB_REPOSITORY":              "acme/widget",
		"GITHUB_EVENT_NAME":              "push",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   oidcURL + "/token?api-version=2.0",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "runner-request-token-0123456789",
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// keylessOptions signs against fake with the trusted root written to dir.
func keylessOptions(t *testing.T, fake *sigstoretest.Sigstore, dir string, getenv func(string) string) SigningOptions {
	t.Helper()
	return SigningOptions{Mode: SignKeyless, FulcioURL: fake.Fulcio.URL, RekorURL: fake.Rekor.URL,
		TrustedRoot: fake.WriteTrustedRoot(t, dir), Getenv: getenv}
}

// signKeyless signs sts through the GitHub OIDC endpoint and writes each
// bundle to dir; it returns the bundle paths.
func signKeyless(t *testing.T, fake *sigstoretest.Sigstore, dir string, sts []Statement) ([]string, Signing) {
	t.Helper()
	ctx := context.Background()
	oidc := fake.GitHubOIDC(t, "runner-request-token-0123456789", testWorkflow, http.StatusOK)
	plan, err := PrepareSigning(ctx, keylessOptions(t, fake, dir, githubRunner(oidc.URL, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if plan.Method != SignKeyless {
		t.Fatalf("method %s, want keyless", plan.Method)
	}
	signed, desc, err := plan.Sign(ctx, sts)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, s := range signed {
		paths = append(paths, writeFile(t, filepath.Join(dir, s.Name+evidencedir.BundleSuffix), s.Bundle))
	}
	return paths, desc
}

func pinned(identity, issuer string) []config.KeylessIdentity {
	return []config.KeylessIdentity{{Identity: identity, Issuer: issuer}}
}

func TestKeylessSignVerify(t *testing.T) {
	fake := sigstoretest.New(t)
	dir := t.TempDir()
	sts, art := sampleBundle(t, dir)
	paths, desc := signKeyless(t, fake, dir, sts)

	// One certificate for the run, one Rekor entry per statement.
	if fake.Certificates != 1 || fake.Entries != len(sts) {
		t.Errorf("Fulcio issued %d certificates and Rekor logged %d entries; want 1 and %d", fake.Certificates, fake.Entries, len(sts))
	}
	if desc.Method != SignKeyless || desc.Identity != testIdentity || desc.Issuer != sigstoretest.GitHubIssuer || len(desc.LogEntries) != len(sts) {
		t.Errorf("signing description = %+v", desc)
	}
	if got := desc.Describe(); !strings.Contains(got, testIdentity) || !strings.Contains(got, "Rekor log index 7000, 7001") {
		t.Errorf("Describe() = %q", got)
	}
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		b, err := ParseBundle(data)
		if err != nil {
			t.Fatalf("%s: sigstore-go's loader rejects the bundle: %v", p, err)
		}
		if b.GetMediaType() != BundleMediaType || b.GetVerificationMaterial().GetCertificate() == nil || len(b.GetVerificationMaterial().GetTlogEntries()) != 1 {
			t.Errorf("%s: not a v0.3 bundle with a certificate and one log entry", p)
		}
	}

	rep, err := Verify(context.Background(), VerifyOptions{
		Attestations: paths, Subjects: []string{art},
		Identities:  pinned(testIdentity, sigstoretest.GitHubIssuer),
		TrustedRoot: filepath.Join(dir, "trusted_root.json"),
		Require:     []string{PredicateConformity},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Verified {
		t.Fatalf("not verified: %v", rep.Failures)
	}
	a := rep.Attestations[0]
	if a.Identity != testIdentity || a.Issuer != sigstoretest.GitHubIssuer || a.LogIndex == nil || *a.LogIndex != 7000 {
		t.Errorf("attestation result = %+v", a)
	}
	var text strings.Builder
	_ = rep.WriteText(&text)
	if !strings.Contains(text.String(), "signed by "+testIdentity+" (issuer "+sigstoretest.GitHubIssuer+"), Rekor log index 7000") {
		t.Errorf("report:\n%s", text.String())
	}

	// An identity regexp (anchored) verifies too; a policy file can pin it.
	policy := writeFile(t, filepath.Join(dir, "policy.yaml"), []byte("version: 1\nidentities:\n  - issuer: "+sigstoretest.GitHubIssuer+
		"\n    identity_regexp: 'https://github\\.com/acme/widget/\\.github/workflows/.+@refs/heads/main'\n"))
	rep, err = Verify(context.Background(), VerifyOptions{Attestations: paths, PolicyFile: policy, TrustedRoot: filepath.Join(dir, "trusted_root.json")})
	if err != nil || !rep.Verified {
		t.Fatalf("policy identity: %v %+v", err, rep)
	}
}

func TestKeylessVerifyRejects(t *testing.T) {
	fake := sigstoretest.New(t)
	dir := t.TempDir()
	sts, art := sampleBundle(t, dir)
	paths, _ := signKeyless(t, fake, dir, sts[len(sts)-1:])
	good, _ := os.ReadFile(paths[0])
	rootPath := filepath.Join(dir, "trusted_root.json")

	tampered := strings.Replace(string(good), `"payload":"`, `"payload":"ICAg`, 1)
	noProof := dropKey(t, good, "inclusionProof")

	// A bundle whose certificate expired before Rekor logged the signature:
	// signed without sigstore-go's post-signing check, as a broken or
	// malicious signer would.
	late := sigstoretest.New(t)
	late.IntegratedTime = func() time.Time { return time.Now().Add(20 * time.Minute) }
	lateDir := t.TempDir()
	lateOpts := keylessOptions(t, late, lateDir, func(k string) string {
		if k == EnvSigstoreIDToken {
			return late.Token(t, sigstoretest.GitHubClaims(testWorkflow))
		}
		return ""
	})
	plan, err := PrepareSigning(context.Background(), lateOpts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := plan.Sign(context.Background(), sts[len(sts)-1:]); err == nil || !strings.Contains(err.Error(), "verify the new bundle against the trusted root") {
		t.Errorf("signing with a certificate expired at the log time: %v, want sigstore-go's post-signing check to refuse", err)
	}
	plan.keyless.trusted = nil
	lateSigned, _, err := plan.Sign(context.Background(), sts[len(sts)-1:])
	if err != nil {
		t.Fatal(err)
	}

	noSCT := sigstoretest.New(t)
	noSCT.OmitSCT = true
	noSCTDir := t.TempDir()
	noSCTPaths, _ := signKeyless(t, noSCT, noSCTDir, sts[len(sts)-1:])
	noSCTBundle, _ := os.ReadFile(noSCTPaths[0])

	stranger := sigstoretest.New(t)
	strangerPaths, _ := signKeyless(t, stranger, t.TempDir(), sts[len(sts)-1:])
	strangerBundle, _ := os.ReadFile(strangerPaths[0])

	for _, tc := range []struct {
		name       string
		bundle     []byte
		root       string
		identities []config.KeylessIdentity
		want       string
	}{
		{"wrong identity", good, rootPath, pinned("https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main", sigstoretest.GitHubIssuer),
			"an identity that is not pinned"},
		{"identity regexp must match the whole identity", good, rootPath,
			[]config.KeylessIdentity{{IdentityRegexp: `https://github\.com/acme/widget/`, Issuer: sigstoretest.GitHubIssuer}}, "an identity that is not pinned"},
		{"wrong issuer", good, rootPath, pinned(testIdentity, sigstoretest.GitLabIssuer),
			"that identity is pinned with issuer " + sigstoretest.GitLabIssuer},
		{"tampered statement", []byte(tampered), rootPath, pinned(testIdentity, sigstoretest.GitHubIssuer), "the statement was changed after signing"},
		{"missing inclusion proof", noProof, rootPath, pinned(testIdentity, sigstoretest.GitHubIssuer), "inclusion proof missing"},
		{"certificate expired at the log's time", lateSigned[0].Bundle, late.WriteTrustedRoot(t, lateDir), pinned(testIdentity, sigstoretest.GitHubIssuer), "the certificate was not valid when Rekor logged the signature"},
		{"another Sigstore instance", strangerBundle, rootPath, pinned(testIdentity, sigstoretest.GitHubIssuer), "no entry from a Rekor log of this trusted root"},
		{"certificate without SCT", noSCTBundle, filepath.Join(noSCTDir, "trusted_root.json"), pinned(testIdentity, sigstoretest.GitHubIssuer), "no SCT"},
		{"no identity pinned", good, rootPath, nil, "cemark never accepts any identity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(t.TempDir(), "conformity.sigstore.json"), tc.bundle)
			opts := VerifyOptions{Attestations: []string{p}, Subjects: []string{art}, Identities: tc.identities, TrustedRoot: tc.root}
			if tc.identities == nil {
				// Something must be trusted for Verify to run at all.
				s, _ := newTestSigner(t, KeyTypeEd25519)
				opts.KeyFiles = []string{writePub(t, t.TempDir(), "other.pub", s.Public())}
			}
			rep, err := Verify(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verified {
				t.Fatal("verified")
			}
			if got := strings.Join(rep.Failures, "\n"); !strings.Contains(got, tc.want) {
				t.Errorf("failures:\n%s\nwant %q", got, tc.want)
			}
		})
	}
}

func TestVerifyNeedsTrust(t *testing.T) {
	_, err := Verify(context.Background(), VerifyOptions{Attestations: []string{"x.sigstore.json"}})
	if !errors.Is(err, ErrNoTrust) {
		t.Errorf("err = %v, want ErrNoTrust", err)
	}
	_, err = Verify(context.Background(), VerifyOptions{Attestations: []string{"x.sigstore.json"}, Identities: []config.KeylessIdentity{{Identity: "a@example.com"}}})
	if !errors.Is(err, ErrNoTrust) || !strings.Contains(err.Error(), "issuer is missing") {
		t.Errorf("err = %v, want the missing issuer named", err)
	}
}

// dropKey removes every member named key from a JSON document.
func dropKey(t *testing.T, doc []byte, key string) []byte {
	t.Helper()
	v, err := decodeJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(x any) {
		switch m := x.(type) {
		case map[string]any:
			delete(m, key)
			for _, c := range m {
				walk(c)
			}
		case []any:
			for _, c := range m {
				walk(c)
			}
		}
	}
	walk(v)
	out, err := canonicalMarshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
