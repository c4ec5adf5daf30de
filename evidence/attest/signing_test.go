package attest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/attest/sigstoretest"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestSigningModes pins which mode each environment gets and what a
// person is told, without signing.
func TestSigningModes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, _ := newTestSigner(t, KeyTypeECDSAP256)
	keyPEM := encodePrivatePEM(t, s)
	keyFile := writeFile(t, filepath.Join(dir, "release.key"), keyPEM)
	fork := writeFile(t, filepath.Join(dir, "fork.json"), []byte(`{"pull_request":{"head":{"repo":{"full_name":"mallory/widget"}}},"repository":{"full_name":"acme/widget"}}`))
	samerepo := writeFile(t, filepath.Join(dir, "pr.json"), []byte(`{"pull_request":{"head":{"repo":{"full_name":"acme/widget"}}},"repository":{"full_name":"acme/widget"}}`))
	private := writeFile(t, filepath.Join(dir, "private.json"), []byte(`{"repository":{"full_name":"acme/widget","private":true,"visibility":"private"}}`))
	gh := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/widget", "GITHUB_EVENT_NAME": "push"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}

	for _, tc := range []struct {
		name    string
		opts    SigningOptions
		env     map[string]string
		method  string
		notice  string // substring of the plan's notice
		errWant string // substring of the error; "" for none
		setup   bool   // the error is a user's to fix (exit 2)
	}{
		{name: "default without key or token is unsigned", env: map[string]string{}, method: SignNone, notice: "UNSIGNED"},
		{name: "default with a key file signs with the key", opts: SigningOptions{KeyPath: keyFile}, method: SignKey},
		{name: "default with CEMARK_SIGNING_KEY signs with the key", env: map[string]string{EnvSigningKey: string(keyPEM)}, method: SignKey},
		{name: "--sign none", opts: SigningOptions{Mode: SignNone}, method: SignNone, notice: "--sign none"},
		{name: "--sign key without a key", opts: SigningOptions{Mode: SignKey}, errWant: "no signing key configured", setup: true},
		{name: "unknown mode", opts: SigningOptions{Mode: "sigstore"}, errWant: `--sign "sigstore": want keyless, key, none`, setup: true},
		{name: "--sign keyless with --key", opts: SigningOptions{Mode: SignKeyless, KeyPath: keyFile}, errWant: "drop --key", setup: true},
		{name: "--fulcio-url without keyless", opts: SigningOptions{Mode: SignKey, KeyPath: keyFile, FulcioURL: "https://fulcio.example"}, errWant: "are for --sign keyless", setup: true},
		{name: "private instance without its trusted root", opts: SigningOptions{Mode: SignKeyless, FulcioURL: "https://fulcio.example"}, env: with(gh, EnvGitHubTokenURL, "http://127.0.0.1:1/", EnvGitHubTokenRequest, "x"),
			errWant: "needs its trusted root: --trusted-root", setup: true},
		{name: "token absent on GitHub: permission named", opts: SigningOptions{Mode: SignKeyless}, env: gh,
			errWant: "`permissions: id-token: write`", setup: true},
		{name: "token absent on GitLab: id_tokens named", opts: SigningOptions{Mode: SignKeyless}, env: map[string]string{"GITLAB_CI": "true"},
			errWant: "id_tokens:\n    SIGSTORE_ID_TOKEN:\n      aud: sigstore", setup: true},
		{name: "token absent locally", opts: SigningOptions{Mode: SignKeyless}, errWant: "keyless signing runs in CI", setup: true},
		{name: "fork pull request falls back to unsigned", opts: SigningOptions{Mode: SignKeyless},
			env: with(gh, "GITHUB_EVENT_NAME", "pull_request", "GITHUB_EVENT_PATH", fork), method: SignNone, notice: "comes from a fork"},
		{name: "pull request from the repository itself needs the permission", opts: SigningOptions{Mode: SignKeyless},
			env: with(gh, "GITHUB_EVENT_NAME", "pull_request", "GITHUB_EVENT_PATH", samerepo), errWant: "id-token: write", setup: true},
		{name: "default on a fork pull request is unsigned", env: with(gh, "GITHUB_EVENT_NAME", "pull_request", "GITHUB_EVENT_PATH", fork), method: SignNone, notice: "UNSIGNED"},
		{name: "default in a private GitHub repository stays off the public log", env: with(gh, EnvGitHubTokenURL, "http://127.0.0.1:1/", EnvGitHubTokenRequest, "x", "GITHUB_EVENT_PATH", private),
			method: SignNone, notice: "GitHub repository acme/widget is private: the statements are written UNSIGNED rather than signed keylessly"},
		{name: "default in an internal GitLab project stays off the public log", env: map[string]string{"GITLAB_CI": "true", "CI_PROJECT_PATH": "acme/widget", "CI_PROJECT_VISIBILITY": "internal", EnvSigstoreIDToken: testJWT(`{"aud":"sigstore"}`)},
			method: SignNone, notice: "GitLab project acme/widget is internal"},
		{name: "SIGSTORE_ID_TOKEN that is no JWT", opts: SigningOptions{Mode: SignKeyless}, env: map[string]string{EnvSigstoreIDToken: "not-a-jwt"},
			errWant: "does not hold a JWT", setup: true},
		{name: "expired SIGSTORE_ID_TOKEN", opts: SigningOptions{Mode: SignKeyless}, env: map[string]string{EnvSigstoreIDToken: testJWT(`{"iss":"https://gitlab.com","aud":"sigstore","exp":1000}`)},
			errWant: "expired at 1970-01-01T00:16:40Z", setup: true},
		{name: "SIGSTORE_ID_TOKEN for another audience", opts: SigningOptions{Mode: SignKeyless}, env: map[string]string{EnvSigstoreIDToken: testJWT(`{"iss":"https://gitlab.com","aud":"https://gitlab.com"}`)},
			errWant: "is for audience https://gitlab.com", setup: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Getenv = envOf(tc.env)
			plan, err := PrepareSigning(ctx, tc.opts)
			if tc.errWant != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errWant) {
					t.Fatalf("err = %v, want %q", err, tc.errWant)
				}
				if errors.Is(err, ErrSigningSetup) != tc.setup {
					t.Errorf("errors.Is(ErrSigningSetup) = %v", !tc.setup)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if plan.Method != tc.method || !strings.Contains(plan.Notice, tc.notice) {
				t.Errorf("plan = %s %q, want %s %q", plan.Method, plan.Notice, tc.method, tc.notice)
			}
		})
	}
}

func testJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"ES256"}`)) + "." + enc([]byte(claims)) + "." + enc([]byte("signature"))
}

func encodePrivatePEM(t *testing.T, s Signer) []byte {
	t.Helper()
	dir := t.TempDir()
	files, err := WriteKeyPair(context.Background(), filepath.Join(dir, "k"), KeyTypeECDSAP256, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(files.Key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKeylessDefaultOnGitHub: with `id-token: write` and no key, the
// default mode signs keylessly.
func TestKeylessDefaultOnGitHub(t *testing.T) {
	fake := sigstoretest.New(t)
	dir := t.TempDir()
	oidc := fake.GitHubOIDC(t, "runner-request-token-0123456789", testWorkflow, http.StatusOK)
	opts := keylessOptions(t, fake, dir, githubRunner(oidc.URL, nil))
	opts.Mode = SignAuto
	plan, err := PrepareSigning(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Method != SignKeyless || plan.Notice != "" {
		t.Errorf("default mode with an OIDC token = %s %q, want keyless", plan.Method, plan.Notice)
	}

	// Asked for explicitly in a private repository, it signs and says
	// what becomes public.
	private := writeFile(t, filepath.Join(dir, "event.json"), []byte(`{"repository":{"full_name":"acme/widget","private":true}}`))
	opts = keylessOptions(t, fake, dir, githubRunner(oidc.URL, map[string]string{"GITHUB_EVENT_PATH": private}))
	opts.FulcioURL, opts.RekorURL = "", "" // public-good Sigstore (nothing is signed here)
	plan, err = PrepareSigning(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Method != SignKeyless || !strings.Contains(plan.Notice, "public Rekor log") {
		t.Errorf("explicit keyless in a private repository = %s %q", plan.Method, plan.Notice)
	}
}

// TestKeylessPermissionRefused: the runner's OIDC endpoint answers 403
// (the job lacks `permissions: id-token: write`): the run fails before its
// long stages with the fix named, not with a stack of HTTP errors.
func TestKeylessPermissionRefused(t *testing.T) {
	fake := sigstoretest.New(t)
	dir := t.TempDir()
	for _, status := range []int{http.StatusForbidden, http.StatusUnauthorized} {
		oidc := fake.GitHubOIDC(t, "runner-request-token-0123456789", testWorkflow, status)
		_, err := PrepareSigning(context.Background(), keylessOptions(t, fake, dir, githubRunner(oidc.URL, nil)))
		want := fmt.Sprintf("GitHub refused the OIDC token request (HTTP %d): add `permissions: id-token: write` to the job", status)
		if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, ErrSigningSetup) {
			t.Errorf("HTTP %d: err = %v, want %q", status, err, want)
		}
		if strings.Contains(fmt.Sprint(err), "runner-request-token") {
			t.Errorf("the runner's request token leaked into the error: %v", err)
		}
	}
	if fake.Certificates != 0 {
		t.Errorf("Fulcio was asked for %d certificates", fake.Certificates)
	}
}

// TestKeylessGitLabToken signs with SIGSTORE_ID_TOKEN, as a GitLab job's
// `id_tokens:` entry provides it, and checks the token reaches no output.
func TestKeylessGitLabToken(t *testing.T) {
	fake := sigstoretest.New(t)
	dir := t.TempDir()
	sts, _ := sampleBundle(t, dir)
	tok := fake.Token(t, map[string]any{"iss": sigstoretest.GitLabIssuer, "sub": "project_path:acme/widget:ref_type:branch:ref:main",
		"ci_config_ref_uri": "gitlab.com/acme/widget//.gitlab-ci.yml@refs/heads/main"})
	env := map[string]string{"GITLAB_CI": "true", EnvSigstoreIDToken: tok}
	plan, err := PrepareSigning(context.Background(), keylessOptions(t, fake, dir, envOf(env)))
	if err != nil {
		t.Fatal(err)
	}
	signed, desc, err := plan.Sign(context.Background(), sts)
	if err != nil {
		t.Fatal(err)
	}
	if desc.Identity != "https://gitlab.com/acme/widget//.gitlab-ci.yml@refs/heads/main" || desc.Issuer != sigstoretest.GitLabIssuer {
		t.Errorf("signing = %+v", desc)
	}
	parts := strings.Split(tok, ".")
	for _, s := range signed {
		for _, out := range [][]byte{s.Bundle, s.Envelope.JSON(), []byte(desc.Describe()), []byte(sprintAll(desc)), []byte(sprintAll(plan)), []byte(sprintAll(*plan)), []byte(sprintAll(plan.keyless))} {
			if bytes.Contains(out, []byte(tok)) || bytes.Contains(out, []byte(parts[2])) {
				t.Fatalf("the OIDC token reached an output of %s: %s", s.Name, out)
			}
		}
	}
}

// TestKeylessServiceFailures: when Fulcio or Rekor fails, signing stops
// with an error that names the service, and never the token. A Rekor
// answer without an inclusion proof is such a failure (sigstore-go would
// panic on it).
func TestKeylessServiceFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(fake *sigstoretest.Sigstore) (token string)
		want  []string
	}{
		{"Rekor answers without an inclusion proof", func(fake *sigstoretest.Sigstore) string {
			fake.OmitInclusionProof = true
			return fake.Token(t, sigstoretest.GitHubClaims(testWorkflow))
		}, []string{"record the signature in Rekor at ", "no inclusion proof"}},
		{"Fulcio refuses a token it did not issue", func(*sigstoretest.Sigstore) string {
			return sigstoretest.New(t).Token(t, sigstoretest.GitHubClaims(testWorkflow))
		}, []string{"get a signing certificate from Fulcio at ", "401"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := sigstoretest.New(t)
			dir := t.TempDir()
			sts, _ := sampleBundle(t, dir)
			tok := tc.setup(fake)
			plan, err := PrepareSigning(context.Background(), keylessOptions(t, fake, dir, envOf(map[string]string{EnvSigstoreIDToken: tok})))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = plan.Sign(context.Background(), sts)
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want %q", err, w)
				}
			}
			if strings.Contains(fmt.Sprint(err), tok) {
				t.Error("the token leaked into the error")
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tok := testJWT(`{"sub":"x"}`)
	err := redact(fmt.Errorf("fulcio said: bad token %s", tok), tok)
	if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), strings.Split(tok, ".")[1]) || errors.Unwrap(err) != nil {
		t.Errorf("redact: %v", err)
	}
	plain := errors.New("nothing secret")
	if redact(plain, tok) != plain {
		t.Error("an error without the token was changed")
	}
}
