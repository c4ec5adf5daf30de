package gitlab

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/attest/sigstoretest"
	"github.com/cemark/cemark/evidence/failure"
)

// TestComponentSignsKeylesslyWithBaseline: the component's job on
// gitlab.com, with the ID token its id_tokens entry asks for
// (SIGSTORE_ID_TOKEN) and the signing inputs pointing at a private
// Sigstore instance (sigstoretest), signs for the pipeline's identity, and
// the baseline input keeps the existing findings from failing the job.
func TestComponentSignsKeylesslyWithBaseline(t *testing.T) {
	dir := checkout(t, bareRemote(t))
	fake := sigstoretest.New(t)
	fake.WriteTrustedRoot(t, dir)
	const configRef = "gitlab.com/acme/widget//.gitlab-ci.yml@refs/heads/main"
	token := fake.Token(t, map[string]any{"iss": "https://gitlab.com", "ci_config_ref_uri": configRef, "sub": "project_path:acme/widget:ref_type:branch:ref:main"})
	base := map[string]string{"CI_SERVER_URL": "https://gitlab.com", "CI_PROJECT_VISIBILITY": "public", "CEMARK_DOCS": "off", "CEMARK_FAIL_ON": "high"}

	var log bytes.Buffer
	first := map[string]string{"CEMARK_SIGNING": "none"}
	for k, v := range base {
		first[k] = v
	}
	if err := Run(context.Background(), Deps{Getenv: ciEnv(dir, first), Log: &log}); failure.KindOf(err) != failure.ErrNotConformant {
		t.Fatalf("first run: exit %v (%v), want 3\n%s", failure.KindOf(err), err, log.String())
	}
	report, err := os.ReadFile(filepath.Join(dir, ".cemark", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main-report.json"), report, 0o644); err != nil {
		t.Fatal(err)
	}

	env := map[string]string{"SIGSTORE_ID_TOKEN": token, "CEMARK_SIGNING": "keyless", "CEMARK_FULCIO_URL": fake.Fulcio.URL,
		"CEMARK_REKOR_URL": fake.Rekor.URL, "CEMARK_TRUSTED_ROOT": "trusted_root.json", "CEMARK_BASELINE": "main-report.json"}
	for k, v := range base {
		env[k] = v
	}
	log.Reset()
	if err := Run(context.Background(), Deps{Getenv: ciEnv(dir, env), Log: &log}); err != nil {
		t.Fatalf("keyless run with the baseline: exit %v (%v)\n%s", failure.KindOf(err), err, log.String())
	}
	if want := "signed keylessly by https://" + configRef + " (issuer https://gitlab.com)"; !strings.Contains(log.String(), want) {
		t.Errorf("the job log lacks %q:\n%s", want, log.String())
	}
	if fake.Certificates != 1 {
		t.Errorf("Fulcio issued %d certificates", fake.Certificates)
	}
	if strings.Contains(log.String(), token) {
		t.Error("the ID token reached the job log")
	}
}

// TestComponentSigningSettings: what the job's variables become in the
// pipeline's options, and the default on a self-managed GitLab, whose
// issuer public-good Fulcio does not trust.
func TestComponentSigningSettings(t *testing.T) {
	dir := t.TempDir()
	stop := errors.New("captured")
	capture := func(env map[string]string) (evidence.Options, string, error) {
		var got evidence.Options
		var log bytes.Buffer
		err := Run(context.Background(), Deps{Getenv: ciEnv(dir, env), Log: &log,
			Run: func(_ context.Context, o evidence.Options) (*evidence.Evidence, error) { got = o; return nil, stop }})
		return got, log.String(), err
	}
	o, _, err := capture(map[string]string{"CEMARK_SIGNING": "Keyless", "CEMARK_FULCIO_URL": "https://fulcio.internal", "CEMARK_REKOR_URL": "https://rekor.internal",
		"CEMARK_TRUSTED_ROOT": "sigstore/trusted_root.json", "CEMARK_BASELINE": "baseline/report.json", "SIGSTORE_ID_TOKEN": "tok"})
	if !errors.Is(err, stop) || o.Sign != "keyless" || o.FulcioURL != "https://fulcio.internal" || o.RekorURL != "https://rekor.internal" ||
		o.TrustedRoot != filepath.Join(dir, "sigstore", "trusted_root.json") || o.Baseline != filepath.Join(dir, "baseline", "report.json") ||
		o.Getenv("SIGSTORE_ID_TOKEN") != "tok" {
		t.Errorf("options %+v (%v)", o, err)
	}

	// The default on gitlab.com offers the token; on a self-managed GitLab
	// (ciEnv's gitlab.example.com) it does not, and says why.
	_, log, _ := capture(map[string]string{"CI_SERVER_URL": "https://gitlab.com", "SIGSTORE_ID_TOKEN": "tok"})
	if strings.Contains(log, "self-managed") {
		t.Errorf("gitlab.com: %s", log)
	}
	o, log, _ = capture(map[string]string{"SIGSTORE_ID_TOKEN": "tok"})
	if o.Getenv("SIGSTORE_ID_TOKEN") != "" || !strings.Contains(log, "https://gitlab.example.com is a self-managed GitLab") || !strings.Contains(log, "CEMARK_SIGNING_KEY") {
		t.Errorf("self-managed default: token offered %v\n%s", o.Getenv("SIGSTORE_ID_TOKEN") != "", log)
	}
	for name, env := range map[string]map[string]string{
		"asked for keyless":  {"SIGSTORE_ID_TOKEN": "tok", "CEMARK_SIGNING": "keyless"},
		"a private Sigstore": {"SIGSTORE_ID_TOKEN": "tok", "CEMARK_FULCIO_URL": "https://fulcio.internal"},
		"a key signs anyway": {"SIGSTORE_ID_TOKEN": "tok", "CEMARK_SIGNING_KEY": "pem"},
	} {
		if o, log, _ := capture(env); o.Getenv("SIGSTORE_ID_TOKEN") != "tok" || strings.Contains(log, "self-managed") {
			t.Errorf("%s: token hidden\n%s", name, log)
		}
	}

	for name, env := range map[string]map[string]string{
		"unknown signing mode": {"CEMARK_SIGNING": "cosign"},
		"trusted root outside": {"CEMARK_TRUSTED_ROOT": "../trusted_root.json"},
		"baseline outside":     {"CEMARK_BASELINE": "/etc/passwd"},
	} {
		if _, _, err := capture(env); failure.KindOf(err) != failure.ErrUsage {
			t.Errorf("%s: exit %v (%v), want 2", name, failure.KindOf(err), err)
		}
	}
}
