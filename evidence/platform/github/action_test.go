package github

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cemark/cemark/evidence/failure"
)

// runner simulates a GitHub-hosted runner for one docker-action step.
type runner struct {
	t         *testing.T
	workspace string
	env       map[string]string
	stdout    bytes.Buffer
}

const sourceDateEpoch = "1780000000" // 2026-05-28

// fixtureDir is the widget product, shared with the GitLab tests.
const fixtureDir = "../../../testdata/products/widget"

// fixtureRepo copies the widget fixture into a fresh git repository.
func fixtureRepo(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	err := filepath.WalkDir(fixtureDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(fixtureDir, p)
		dst := filepath.Join(ws, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	git(t, ws, "init", "-q", "-b", "main")
	git(t, ws, "add", ".")
	git(t, ws, "commit", "-q", "-m", "widget 2.0.0")
	return ws
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Acme", "GIT_AUTHOR_EMAIL=dev@acme.example",
		"GIT_COMMITTER_NAME=Acme", "GIT_COMMITTER_EMAIL=dev@acme.example",
		"GIT_AUTHOR_DATE=@"+sourceDateEpoch+" +0000", "GIT_COMMITTER_DATE=@"+sourceDateEpoch+" +0000",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func newRunner(t *testing.T, ws, apiURL, event string, inputs map[string]string) *runner {
	t.Helper()
	files := t.TempDir()
	r := &runner{t: t, workspace: ws, env: map[string]string{
		"CI":                  "true",
		"GITHUB_ACTIONS":      "true",
		"GITHUB_WORKSPACE":    ws,
		"GITHUB_REPOSITORY":   "acme/widget",
		"GITHUB_SHA":          baseSHA,
		"GITHUB_SERVER_URL":   "https://github.example",
		"GITHUB_API_URL":      apiURL,
		"GITHUB_RUN_ID":       "4242",
		"GITHUB_RUN_ATTEMPT":  "1",
		"GITHUB_JOB":          "cemark",
		"GITHUB_WORKFLOW_REF": "acme/widget/.github/workflows/cemark.yml@refs/heads/main",
		"RUNNER_OS":           "Linux",
		"RUNNER_ENVIRONMENT":  "github-hosted",
		"GITHUB_OUTPUT":       filepath.Join(files, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(files, "summary"),
		"SOURCE_DATE_EPOCH":   sourceDateEpoch,
		// Tests run offline: no database download.
		"INPUT_VULN_DB_UPDATE": "false",
	}}
	switch event {
	case "push":
		r.env["GITHUB_REF"] = "refs/heads/main"
	case "pull_request", "pull_request_fork":
		r.env["GITHUB_REF"] = "refs/pull/12/merge"
		r.env["GITHUB_SHA"] = "3333333333333333333333333333333333333333" // the merge commit
	case "release":
		r.env["GITHUB_REF"] = "refs/tags/v2.0.0"
	}
	r.env["GITHUB_EVENT_NAME"] = strings.TrimSuffix(event, "_fork")
	r.env["GITHUB_EVENT_PATH"], _ = filepath.Abs(filepath.Join("testdata", "events", event+".json"))
	for k, v := range inputs {
		// Docker actions receive INPUT_<NAME> upper-cased, hyphens kept.
		r.env["INPUT_"+strings.ToUpper(k)] = v
	}
	for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		if err := os.WriteFile(r.env[f], nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func (r *runner) getenv(k string) string { return r.env[k] }

func (r *runner) run() error {
	r.stdout.Reset()
	for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		_ = os.WriteFile(r.env[f], nil, 0o644)
	}
	return Run(context.Background(), Deps{
		Actions: NewActions(&r.stdout, r.getenv),
		Getenv:  r.getenv,
		Sleep:   func(context.Context, time.Duration) error { return nil },
	})
}

// outputs parses the GITHUB_OUTPUT file (name<<DELIM / value / DELIM).
func (r *runner) outputs() map[string]string {
	b, err := os.ReadFile(r.env["GITHUB_OUTPUT"])
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(b), "\n")
	for i := 0; i+2 < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		j := i + 1
		for ; j < len(lines) && lines[j] != delim; j++ {
			val = append(val, lines[j])
		}
		out[name] = strings.Join(val, "\n")
		i = j
	}
	return out
}

func (r *runner) summary() string {
	b, err := os.ReadFile(r.env["GITHUB_STEP_SUMMARY"])
	if err != nil {
		r.t.Fatal(err)
	}
	return string(b)
}

func testKeyPEM(t *testing.T) string {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestActionEndToEndPullRequestMode(t *testing.T) {
	ws := fixtureRepo(t)
	f, srv := newFakeGitHub(t)
	key := testKeyPEM(t)
	r := newRunner(t, ws, srv.URL+apiPrefix, "push", map[string]string{
		"path": ".", "signing-key": key, "fail-on": "high", "docs": "pr", "github-token": "ghs_faketoken123",
	})

	err := r.run()
	if code := failure.KindOf(err); code != failure.ErrNotConformant {
		t.Fatalf("exit code %d (%v), want 3: the fixture's Dockerfile has failing findings", code, err)
	}
	out := r.outputs()
	want := map[string]string{
		"conformity":       FailingFindings,
		"sbom-cyclonedx":   ".cemark/sbom.cdx.json",
		"sbom-spdx":        ".cemark/sbom.spdx.json",
		"report":           ".cemark/report.json",
		"sarif":            ".cemark/report.sarif",
		"attestations":     ".cemark/attestations.intoto.jsonl",
		"docs-changed":     "true",
		"pull-request-url": "https://github.example/acme/widget/pull/7",
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("output %s = %q, want %q", k, out[k], v)
		}
	}
	for _, k := range []string{"sbom-cyclonedx", "sarif", "attestations"} {
		if _, err := os.Stat(filepath.Join(ws, out[k])); err != nil {
			t.Errorf("output %s: %v", k, err)
		}
	}
	stdout := r.stdout.String()
	for _, line := range strings.Split(strings.TrimSpace(key), "\n") {
		if !strings.Contains(stdout, "::add-mask::"+line+"\n") {
			t.Errorf("key line %q not masked", line)
		}
	}
	if !strings.Contains(stdout, "::add-mask::ghs_faketoken123\n") {
		t.Error("token not masked")
	}
	if !strings.Contains(stdout, "::error file=Dockerfile,line=") {
		t.Errorf("no error annotation on the Dockerfile:\n%s", stdout)
	}
	sum := r.summary()
	for _, s := range []string{"## cemark: Widget 2.0.0", "`failing-findings`", "### Annex I", "Annex I Part I (2)(a)",
		"### Findings", "### Network interfaces", "| 23 | tcp", "### SBOM", "Attestations signed by key"} {
		if !strings.Contains(sum, s) {
			t.Errorf("summary lacks %q:\n%s", s, sum)
		}
	}
	// The key must appear nowhere but in the mask commands.
	var logged []string
	for _, l := range strings.Split(stdout, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			logged = append(logged, l)
		}
	}
	body := strings.Split(strings.TrimSpace(key), "\n")[1]
	for _, kl := range strings.Split(strings.TrimSpace(key), "\n")[1:3] {
		if strings.Contains(strings.Join(logged, "\n"), kl) || strings.Contains(sum, kl) {
			t.Errorf("the signing key line %q leaked into the log or summary", kl)
		}
	}
	_ = filepath.WalkDir(ws, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(body)) {
				t.Errorf("the signing key was written to %s", p)
			}
		}
		return nil
	})
	calls := f.Calls()
	if !contains(calls, "POST /repos/acme/widget/pulls") || !contains(calls, "POST /repos/acme/widget/git/refs") {
		t.Errorf("first run did not open the pull request: %v", calls)
	}
	if got := f.refFiles("heads/" + DocsBranch); got["docs/cra/README.md"] == "" {
		t.Errorf("docs branch has no docs/cra/README.md: %v", got)
	}

	// A second run with nothing changed makes no commit and no PR.
	if err := r.run(); failure.KindOf(err) != failure.ErrNotConformant {
		t.Fatalf("second run: %v", err)
	}
	calls = f.Calls()
	for _, c := range calls {
		if c == "POST /repos/acme/widget/git/commits" || strings.HasPrefix(c, "PATCH") || c == "POST /repos/acme/widget/pulls" {
			t.Errorf("second run made %s; calls %v", c, calls)
		}
	}
	if out := r.outputs(); out["docs-changed"] != "false" || out["pull-request-url"] != "https://github.example/acme/widget/pull/7" {
		t.Errorf("second run outputs: %v", out)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestActionEvents(t *testing.T) {
	tests := []struct {
		name, event string
		inputs      map[string]string
		// wantKind is the error's kind (failure.ErrUsage …); wantBroke an
		// error of no kind (the tool broke, exit 1).
		wantKind    error
		wantBroke   bool
		wantOutputs map[string]string
		wantStdout  string
		wantCalls   func(t *testing.T, calls []string, f *fakeGitHub)
		// setup changes the checked-out repository before the step runs.
		setup func(t *testing.T, ws string)
	}{
		{
			name: "fork pull request skips the docs update", event: "pull_request_fork",
			inputs:      map[string]string{"docs": "pr", "github-token": "ghs_faketoken123"},
			wantOutputs: map[string]string{"conformity": FailingFindings, "docs-changed": "false", "pull-request-url": ""},
			wantStdout:  "::notice::this pull request comes from a fork",
			wantCalls: func(t *testing.T, calls []string, _ *fakeGitHub) {
				if len(calls) != 0 {
					t.Errorf("a fork's run called the API: %v", calls)
				}
			},
		},
		{
			name: "pull request from the same repository targets its head branch", event: "pull_request",
			inputs:      map[string]string{"docs": "pr", "github-token": "ghs_faketoken123"},
			wantOutputs: map[string]string{"docs-changed": "true", "pull-request-url": "https://github.example/acme/widget/pull/7"},
			wantCalls: func(t *testing.T, _ []string, f *fakeGitHub) {
				if len(f.pulls) != 1 || f.pulls[0].Base != "feature/tls" {
					t.Errorf("pulls = %+v, want one into feature/tls", f.pulls)
				}
			},
		},
		{
			name: "release with the check gate fails on a stale technical file", event: "release",
			inputs:      map[string]string{"docs": "check", "fail-on": "none"},
			wantKind:    failure.ErrNotConformant,
			wantOutputs: map[string]string{"docs-changed": "true"},
			wantStdout:  "::error::cemark: the technical file in docs/cra is stale",
			setup: func(t *testing.T, ws string) {
				// A technical file was committed once; the product moved on.
				if err := os.MkdirAll(filepath.Join(ws, "docs", "cra"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(ws, "docs", "cra", "README.md"), []byte("# Technical file of an older release\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				git(t, ws, "add", ".")
				git(t, ws, "commit", "-q", "-m", "technical file")
			},
		},
		{
			name: "the first run with the check gate passes with a notice (no technical file yet)", event: "push",
			inputs:      map[string]string{"fail-on": "none"}, // docs: check is the default
			wantOutputs: map[string]string{"docs-changed": "false"},
			wantStdout:  "::notice::technical file not in the repository yet: run `cemark docs` and commit docs/cra",
		},
		{
			name: "commit mode on a pull request only leaves a notice", event: "pull_request",
			inputs:      map[string]string{"docs": "commit", "github-token": "ghs_faketoken123", "fail-on": "none"},
			wantOutputs: map[string]string{"docs-changed": "false"},
			wantStdout:  "::notice::`docs: commit` commits on pushes to a branch only",
		},
		{
			name: "commit mode on a push commits to the branch", event: "push",
			inputs:      map[string]string{"docs": "commit", "github-token": "ghs_faketoken123", "fail-on": "none", "checks": "CEM-DEF-001, CEM-PORT-001"},
			wantOutputs: map[string]string{"docs-changed": "true", "pull-request-url": ""},
			wantCalls: func(t *testing.T, calls []string, f *fakeGitHub) {
				if !contains(calls, "PATCH /repos/acme/widget/git/refs/heads/main") {
					t.Errorf("calls %v", calls)
				}
				if f.refFiles("heads/main")["docs/cra/README.md"] == "" {
					t.Error("main has no technical file")
				}
			},
		},
		{
			name: "docs pr without permissions names the missing one", event: "push",
			inputs:     map[string]string{"docs": "pr", "github-token": "ghs_faketoken123", "fail-on": "none"},
			wantBroke:  true,
			wantStdout: "lacks `contents: write`",
		},
		{
			name: "bad input is a usage error", event: "push",
			inputs:   map[string]string{"docs": "sometimes"},
			wantKind: failure.ErrUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := fixtureRepo(t)
			f, srv := newFakeGitHub(t)
			if tt.setup != nil {
				tt.setup(t, ws)
			}
			if strings.Contains(tt.name, "without permissions") {
				f.failNext("POST /repos/acme/widget/git/blobs", 403, "Resource not accessible by integration", 1, nil)
			}
			r := newRunner(t, ws, srv.URL+apiPrefix, tt.event, tt.inputs)
			err := r.run()
			if kind := failure.KindOf(err); kind != tt.wantKind || (err != nil) != (tt.wantBroke || tt.wantKind != nil) {
				t.Fatalf("error %v of kind %v, want kind %v (broke %v)\n%s", err, kind, tt.wantKind, tt.wantBroke, r.stdout.String())
			}
			if tt.wantKind == failure.ErrUsage {
				return
			}
			out := r.outputs()
			for k, v := range tt.wantOutputs {
				if out[k] != v {
					t.Errorf("output %s = %q, want %q", k, out[k], v)
				}
			}
			if tt.wantStdout != "" && !strings.Contains(r.stdout.String(), tt.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, r.stdout.String())
			}
			if tt.wantCalls != nil {
				tt.wantCalls(t, f.Calls(), f)
			}
		})
	}
}
