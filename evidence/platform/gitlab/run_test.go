package gitlab

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/failure"
)

func ciEnv(dir string, extra map[string]string) func(string) string {
	env := map[string]string{
		"CI":                 "true",
		"GITLAB_CI":          "true",
		"CI_PROJECT_DIR":     dir,
		"CI_SERVER_URL":      "https://gitlab.example.com",
		"CI_SERVER_HOST":     "gitlab.example.com",
		"CI_PROJECT_PATH":    "acme/widget",
		"CI_DEFAULT_BRANCH":  "main",
		"CI_COMMIT_REF_NAME": "main",
		"CI_COMMIT_BRANCH":   "main",
		"CI_COMMIT_SHA":      "0123456789abcdef0123456789abcdef01234567",
		"CI_PIPELINE_SOURCE": "push",
		"CI_PIPELINE_ID":     "99",
		"CI_JOB_NAME":        "cemark",
		"CI_JOB_URL":         "https://gitlab.example.com/acme/widget/-/jobs/1",
		"SOURCE_DATE_EPOCH":  sourceDateEpoch,
		"CEMARK_OUTPUT_DIR":  ".cemark",
		// Tests run offline: no database download.
		"CEMARK_VULN_DB_UPDATE": "false",
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

func TestRunInGitLabJob(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantKind   error
		wantPushed bool
		wantLog    string
		// staleDocs commits a technical file the product has moved past.
		staleDocs bool
	}{
		{name: "mr on the default branch pushes the docs branch",
			env: map[string]string{"CEMARK_DOCS": "mr", "CEMARK_GITLAB_TOKEN": "glpat-secret"}, wantPushed: true,
			wantLog: "technical file pushed to cemark/technical-file"},
		{name: "mr on a feature branch only says why",
			env:     map[string]string{"CEMARK_DOCS": "mr", "CI_COMMIT_BRANCH": "feature", "CI_COMMIT_REF_NAME": "feature"},
			wantLog: "opens merge requests from pipelines on the default branch"},
		{name: "mr from a fork is skipped",
			env: map[string]string{"CEMARK_DOCS": "mr", "CI_PIPELINE_SOURCE": "merge_request_event",
				"CI_MERGE_REQUEST_SOURCE_PROJECT_PATH": "mallory/widget"},
			wantLog: "from a fork cannot push"},
		{name: "check gate fails on a stale technical file", staleDocs: true,
			env: map[string]string{"CEMARK_DOCS": "check"}, wantKind: failure.ErrNotConformant, wantLog: "+++ b/docs/cra/01-general-description.md"},
		{name: "check gate before the first technical file passes with a notice",
			env:     map[string]string{"CEMARK_DOCS": "check"},
			wantLog: "cemark: technical file not in the repository yet: run `cemark docs` and commit docs/cra"},
		{name: "fail-on high fails on the Dockerfile's findings",
			env: map[string]string{"CEMARK_DOCS": "off", "CEMARK_FAIL_ON": "high"}, wantKind: failure.ErrNotConformant},
		{name: "bad docs mode", env: map[string]string{"CEMARK_DOCS": "pr"}, wantKind: failure.ErrUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bare := bareRemote(t)
			dir := checkout(t, bare)
			if tt.staleDocs {
				if err := os.MkdirAll(filepath.Join(dir, "docs", "cra"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "docs", "cra", "README.md"), []byte("# An older technical file\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				git(t, dir, "add", ".")
				git(t, dir, "commit", "-q", "-m", "technical file")
			}
			var log bytes.Buffer
			err := Run(context.Background(), Deps{Getenv: ciEnv(dir, tt.env), Log: &log, Remote: bare})
			if kind := failure.KindOf(err); kind != tt.wantKind || (err == nil) != (tt.wantKind == nil) {
				t.Fatalf("error %v of kind %v, want kind %v\n%s", err, kind, tt.wantKind, log.String())
			}
			if tt.wantLog != "" && !strings.Contains(log.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, log.String())
			}
			_, statErr := os.Stat(filepath.Join(bare, "refs", "heads", DocsBranch))
			if pushed := statErr == nil; pushed != tt.wantPushed {
				t.Errorf("pushed = %v, want %v", pushed, tt.wantPushed)
			}
			if tt.wantPushed {
				opts := strings.Join(pushOptions(t, bare), "\n")
				if !strings.Contains(opts, "merge_request.create") || !strings.Contains(opts, "merge_request.target=main") {
					t.Errorf("push options: %s", opts)
				}
				git(t, bare, "cat-file", "-e", DocsBranch+":docs/cra/README.md")
			}
			if tt.wantKind != failure.ErrUsage {
				for _, f := range []string{"codequality.json", "sbom.cdx.json"} {
					if _, err := os.Stat(filepath.Join(dir, ".cemark", f)); err != nil {
						t.Errorf("component artefact %s: %v", f, err)
					}
				}
			}
		})
	}
}
