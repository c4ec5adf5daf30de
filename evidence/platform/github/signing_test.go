package github

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/attest/sigstoretest"
	"github.com/cemark/cemark/evidence/failure"
)

// TestActionSignsKeylesslyWithBaseline runs `cemark action` as the
// composite's last step sees it: the job has `permissions: id-token:
// write` (the runner's ACTIONS_ID_TOKEN_REQUEST_* variables), the inputs
// sign keylessly on a private Sigstore instance (sigstoretest: Fulcio,
// Rekor and GitHub's OIDC endpoint on local servers) and take the previous
// run's report as the baseline. The statements are signed for the
// workflow's identity, the summary names it, and with every failing
// finding existing, fail-on high passes.
func TestActionSignsKeylesslyWithBaseline(t *testing.T) {
	ws := fixtureRepo(t)
	fake := sigstoretest.New(t)
	const workflow = "acme/widget/.github/workflows/cemark.yml@refs/heads/main"
	const requestToken = "runner-request-token-0a1b2c"
	oidc := fake.GitHubOIDC(t, requestToken, workflow, http.StatusOK)
	if err := os.MkdirAll(filepath.Join(ws, "sigstore"), 0o755); err != nil {
		t.Fatal(err)
	}
	fake.WriteTrustedRoot(t, filepath.Join(ws, "sigstore"))
	_, srv := newFakeGitHub(t)

	// The target branch's run: its report becomes the baseline.
	first := newRunner(t, ws, srv.URL+apiPrefix, "push", map[string]string{"fail-on": "high", "docs": "off", "signing": "none"})
	if err := first.run(); failure.KindOf(err) != failure.ErrNotConformant {
		t.Fatalf("first run: exit %v (%v), want 3: the widget's Dockerfile fails", failure.KindOf(err), err)
	}
	if !strings.Contains(first.summary(), "Attestations are **unsigned**: signing is switched off") {
		t.Errorf("signing: none is not in the summary:\n%s", first.summary())
	}
	report, err := os.ReadFile(filepath.Join(ws, ".cemark", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(ws, "baseline"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "baseline", "report.json"), report, 0o644); err != nil {
		t.Fatal(err)
	}

	r := newRunner(t, ws, srv.URL+apiPrefix, "push", map[string]string{
		"fail-on": "high", "docs": "off", "signing": "keyless", "fulcio-url": fake.Fulcio.URL, "rekor-url": fake.Rekor.URL,
		"trusted-root": "sigstore/trusted_root.json", "baseline": "baseline/report.json",
	})
	r.env["ACTIONS_ID_TOKEN_REQUEST_URL"] = oidc.URL + "/token?api-version=2.0"
	r.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = requestToken
	if err := r.run(); err != nil {
		t.Fatalf("keyless run with the baseline: exit %v (%v)\n%s", failure.KindOf(err), err, r.stdout.String())
	}
	identity := sigstoretest.GitHubIdentity(workflow)
	if fake.Certificates != 1 || fake.Entries == 0 {
		t.Errorf("Fulcio issued %d certificates, Rekor logged %d entries", fake.Certificates, fake.Entries)
	}
	sum := r.summary()
	for _, want := range []string{"Attestations signed keylessly by " + identity, "issuer " + sigstoretest.GitHubIssuer,
		"`cemark verify --certificate-identity " + identity + " --certificate-oidc-issuer " + sigstoretest.GitHubIssuer + "`"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	var rec struct {
		Signing struct{ Method, Identity string } `json:"signing"`
		Inputs  []struct{ Name, Kind string }     `json:"inputs"`
	}
	b, err := os.ReadFile(filepath.Join(ws, ".cemark", "run.json"))
	if err != nil || json.Unmarshal(b, &rec) != nil {
		t.Fatalf("run.json: %v", err)
	}
	baseline := false
	for _, in := range rec.Inputs {
		baseline = baseline || in.Kind == "baseline"
	}
	if rec.Signing.Method != "keyless" || rec.Signing.Identity != identity || !baseline {
		t.Errorf("run.json: signing %+v, baseline recorded %v", rec.Signing, baseline)
	}
	if strings.Contains(r.stdout.String()+sum, requestToken) {
		t.Error("the runner's request token reached the log or the summary")
	}

	// Inputs that cannot work stop the step before any work (exit 2).
	for name, in := range map[string]map[string]string{
		"unknown signing mode":         {"signing": "sigstore"},
		"trusted root outside":         {"signing": "keyless", "trusted-root": "../trusted_root.json"},
		"baseline outside":             {"baseline": "/etc/passwd"},
		"a private instance, no root":  {"signing": "keyless", "fulcio-url": fake.Fulcio.URL, "rekor-url": fake.Rekor.URL},
		"keyless without id-token":     {"signing": "keyless"},
		"a baseline that is no report": {"baseline": "README.md"},
	} {
		t.Run(name, func(t *testing.T) {
			in["docs"] = "off"
			r := newRunner(t, ws, srv.URL+apiPrefix, "push", in)
			if err := r.run(); failure.KindOf(err) != failure.ErrUsage {
				t.Errorf("exit %v (%v), want 2", failure.KindOf(err), err)
			}
		})
	}
}
