package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/attest/sigstoretest"
)

const (
	keylessWorkflow = "acme/gateway/.github/workflows/cemark.yml@refs/heads/main"
	requestToken    = "runner-request-token-5f1e2d3c4b5a"
	// jwtHeader starts every token the test Sigstore issues: no file or
	// output may contain one.
	jwtHeader = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9."
)

// githubJob is a GitHub-hosted runner's environment for a push to main,
// with `permissions: id-token: write` when oidcURL is set.
func githubJob(oidcURL string) map[string]string {
	env := map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/gateway", "GITHUB_EVENT_NAME": "push",
		"GITHUB_REF": "refs/heads/main", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "77",
		"GITHUB_WORKFLOW_REF": keylessWorkflow, "RUNNER_ENVIRONMENT": "github-hosted",
	}
	if oidcURL != "" {
		env["ACTIONS_ID_TOKEN_REQUEST_URL"] = oidcURL + "/token?api-version=2.0"
		env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = requestToken
	}
	return env
}

// TestRunKeylessThenVerify is the keyless workflow end to end: `cemark run
// --sign keyless` in a simulated GitHub Actions job signs through the
// runner's OIDC endpoint, Fulcio and Rekor (sigstoretest), writes a bundle
// per statement, and `cemark verify` accepts them for the workflow's
// identity only. No token reaches an output or a file.
func TestRunKeylessThenVerify(t *testing.T) {
	dir := product(t)
	fake := sigstoretest.New(t)
	oidc := fake.GitHubOIDC(t, requestToken, keylessWorkflow, http.StatusOK)
	root := fake.WriteTrustedRoot(t, t.TempDir())
	identity := sigstoretest.GitHubIdentity(keylessWorkflow)

	artefact := filepath.Join(dir, "dist", "gateway.bin")
	os.MkdirAll(filepath.Dir(artefact), 0o755)
	os.WriteFile(artefact, []byte("the gateway release binary\n"), 0o644)

	code, stdout, stderr := cli(t, githubJob(oidc.URL), "run", dir, "--json", "--sign", "keyless", "--subject", "dist/*",
		"--fulcio-url", fake.Fulcio.URL, "--rekor-url", fake.Rekor.URL, "--trusted-root", root)
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	if fake.Certificates != 1 {
		t.Errorf("Fulcio issued %d certificates for one run, want 1", fake.Certificates)
	}
	if !strings.Contains(stderr, "signed keylessly by "+identity) {
		t.Errorf("the summary does not name the signer:\n%s", stderr)
	}
	var summary struct {
		Signing struct {
			Method, Identity, Issuer string
			LogEntries               []struct{ Statement string } `json:"log_entries"`
		} `json:"signing"`
	}
	if err := json.Unmarshal([]byte(stdout), &summary); err != nil || summary.Signing.Method != "keyless" || summary.Signing.Identity != identity || summary.Signing.Issuer != sigstoretest.GitHubIssuer {
		t.Errorf("--json signing: %+v %v", summary.Signing, err)
	}
	ev := filepath.Join(dir, ".cemark")
	bundles, _ := filepath.Glob(filepath.Join(ev, "*.sigstore.json"))
	envelopes, _ := filepath.Glob(filepath.Join(ev, "*.dsse.json"))
	if len(bundles) == 0 || len(bundles) != len(envelopes) || len(summary.Signing.LogEntries) != len(bundles) || fake.Entries != len(bundles) {
		t.Fatalf("%d bundles, %d envelopes, %d log entries in the summary, %d in Rekor", len(bundles), len(envelopes), len(summary.Signing.LogEntries), fake.Entries)
	}
	var record struct {
		Signing struct{ Method string } `json:"signing"`
	}
	if b, err := os.ReadFile(filepath.Join(ev, "run.json")); err != nil || json.Unmarshal(b, &record) != nil || record.Signing.Method != "keyless" {
		t.Errorf("run.json does not record the signing: %v", err)
	}

	verify := func(want int, extra ...string) string {
		t.Helper()
		args := append([]string{"verify", "--trusted-root", root, "--certificate-oidc-issuer", sigstoretest.GitHubIssuer,
			"--require", "https://cemark.dev/conformity/v2", "--subject", artefact}, extra...)
		code, out, errs := cli(t, nil, append(args, bundles...)...)
		if code != want {
			t.Fatalf("verify %v: exit %d, want %d\n%s%s", extra, code, want, out, errs)
		}
		return out + errs
	}
	if out := verify(exitOK, "--certificate-identity", identity); !strings.Contains(out, "Rekor log index") {
		t.Errorf("verify output does not name the log entries:\n%s", out)
	}
	verify(exitOK, "--certificate-identity-regexp", `https://github\.com/acme/gateway/\.github/workflows/[^/]+@refs/heads/main`)
	if out := verify(exitVerification, "--certificate-identity", "https://github.com/acme/gateway/.github/workflows/other.yml@refs/heads/main"); !strings.Contains(out, "an identity that is not pinned") {
		t.Errorf("wrong identity:\n%s", out)
	}
	// An envelope alone carries no certificate.
	code, out, _ := cli(t, nil, "verify", "--certificate-identity", identity, "--certificate-oidc-issuer", sigstoretest.GitHubIssuer,
		"--trusted-root", root, filepath.Join(ev, "attestations.intoto.jsonl"))
	if code != exitVerification || !strings.Contains(out, "sigstore.json") {
		t.Errorf("keyless envelopes: exit %d\n%s", code, out)
	}
	for _, tc := range [][]string{
		{"--certificate-identity", identity},                     // no issuer
		{"--certificate-oidc-issuer", sigstoretest.GitHubIssuer}, // no identity
		{"--certificate-identity", identity, "--certificate-identity-regexp", ".*", "--certificate-oidc-issuer", "x"},
		{}, // nothing trusted
		{"--certificate-identity", identity, "--certificate-oidc-issuer", sigstoretest.GitHubIssuer, "--trusted-root", filepath.Join(dir, "missing.json")},
	} {
		if code, _, errs := cli(t, nil, append(append([]string{"verify"}, tc...), bundles[0])...); code != exitUsage {
			t.Errorf("verify %v: exit %d, want 2\n%s", tc, code, errs)
		}
	}

	twoStepAttestWorkflow(t, dir, filepath.Join(ev, "conformity.sigstore.json"), artefact)

	for name, b := range readDir(t, dir) {
		if bytes.Contains(b, []byte(jwtHeader)) || bytes.Contains(b, []byte(requestToken)) {
			t.Errorf("%s holds an OIDC token", name)
		}
	}
	if strings.Contains(stdout+stderr, jwtHeader) || strings.Contains(stdout+stderr, requestToken) {
		t.Error("an OIDC token reached the output")
	}
}

// TestRunKeylessWithoutToken: a job without `permissions: id-token: write`
// (no token endpoint, or one that answers 403) fails at once with the fix;
// a pull request from a fork falls back to unsigned with a notice.
func TestRunKeylessWithoutToken(t *testing.T) {
	fake := sigstoretest.New(t)
	refused := fake.GitHubOIDC(t, requestToken, keylessWorkflow, http.StatusForbidden)
	dir := product(t)
	for name, env := range map[string]map[string]string{
		"env unset": githubJob(""),
		"HTTP 403":  githubJob(refused.URL),
	} {
		code, _, stderr := cli(t, env, "run", dir, "--sign", "keyless")
		if code != exitUsage || !strings.Contains(stderr, "`permissions: id-token: write`") {
			t.Errorf("%s: exit %d, want 2 with the permission named\n%s", name, code, stderr)
		}
		if strings.Count(stderr, "\n") > 8 || strings.Contains(stderr, "sbom") {
			t.Errorf("%s: the run went on or the message is long:\n%s", name, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, ".cemark")); err == nil {
			t.Errorf("%s: evidence written", name)
		}
	}

	event := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(event, []byte(`{"pull_request":{"head":{"repo":{"full_name":"mallory/gateway"}}},"repository":{"full_name":"acme/gateway"}}`), 0o644)
	env := githubJob("")
	env["GITHUB_EVENT_NAME"], env["GITHUB_EVENT_PATH"] = "pull_request", event
	code, _, stderr := cli(t, env, "run", dir, "--sign", "keyless")
	if code != exitOK || !strings.Contains(stderr, "comes from a fork") || !strings.Contains(stderr, "UNSIGNED") {
		t.Fatalf("fork: exit %d\n%s", code, stderr)
	}
	if b, _ := filepath.Glob(filepath.Join(dir, ".cemark", "*.sigstore.json")); len(b) != 0 {
		t.Errorf("fork run wrote bundles: %v", b)
	}
}

// extractPredicate is the shell step of the documented two-step workflow
// (docs/attestations.md, "GitHub's attestation store") that hands cemark's
// conformity predicate to actions/attest. Keep the two equal.
const extractPredicate = `jq -r .payload .cemark/conformity.dsse.json | base64 -d | jq .predicate > "$RUNNER_TEMP/conformity.predicate.json"`

// twoStepAttestWorkflow runs the workflow's extraction step as the runner
// would (bash, jq, base64 on the PATH) and checks that what actions/attest
// would sign is what cemark signed: the same predicate, over the same
// artefacts (subject-path dist/*).
func twoStepAttestWorkflow(t *testing.T, dir, bundlePath, artefact string) {
	t.Helper()
	for _, tool := range []string{"sh", "jq", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("%s is not on PATH: the two-step workflow's extraction step is not exercised here", tool)
			return
		}
	}
	tmp := t.TempDir()
	cmd := exec.Command("sh", "-c", extractPredicate)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RUNNER_TEMP="+tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("extraction step: %v\n%s", err, out)
	}
	extracted, err := os.ReadFile(filepath.Join(tmp, "conformity.predicate.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		DSSEEnvelope struct {
			Payload []byte `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	b, _ := os.ReadFile(bundlePath)
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	var statement struct {
		PredicateType string          `json:"predicateType"`
		Predicate     json.RawMessage `json:"predicate"`
		Subject       []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if err := json.Unmarshal(bundle.DSSEEnvelope.Payload, &statement); err != nil {
		t.Fatal(err)
	}
	var got, want any
	if json.Unmarshal(extracted, &got) != nil || json.Unmarshal(statement.Predicate, &want) != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("the extracted predicate is not the one cemark signed")
	}
	sum := sha256.Sum256([]byte("the gateway release binary\n"))
	if statement.PredicateType != "https://cemark.dev/conformity/v2" || len(statement.Subject) != 1 ||
		statement.Subject[0].Name != "dist/gateway.bin" || statement.Subject[0].Digest["sha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("the statement is not about subject-path dist/*: %+v (%s)", statement.Subject, artefact)
	}
}
