package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

// TestChecksWarmIsByteIdentical: the checks' tree work done beside the
// SBOM gives the evidence, the technical file and run.json's stage list a
// run doing it in the checks stage gives — for every check and for a
// selection without the surface family, and one of the updates and
// vulnerability-handling families alone (the work done early is each
// family's: the report's file errors must not list files a selection never
// reads). The tree holds what every family reads early — the parsers'
// files, a bcrypt hash of a default password, a security policy, a
// signing release pipeline, code verifying signatures — and a binary
// Dockerfile and compose file (file errors).
func TestChecksWarmIsByteIdentical(t *testing.T) {
	db := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	hash, err := bcrypt.GenerateFromPassword([]byte("password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, sel := range [][]string{nil, {"CEM-DEF-001", "CEM-DEF-007"}, {"CEM-UPD-001", "CEM-VH-001"}} {
		dir := cacheProduct(t, "")
		for rel, content := range map[string]string{
			"application.yaml":              "users:\n  admin:\n    hash: \"" + string(hash) + "\"\n",
			"SECURITY.md":                   "# Security\n\nReport vulnerabilities to security@example.com. We answer within 5 days.\n",
			".github/workflows/release.yml": "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cosign sign-blob --yes dist/app.tar.gz\n",
			"update/verify.go":              "package update\n\nimport \"crypto/ed25519\"\n\nfunc ok(pub, msg, sig []byte) bool { return ed25519.Verify(pub, msg, sig) }\n",
			"compose.yaml":                  "services:\n  web:\n    build: .\n    ports:\n      - \"8081:80\"\n",
			"deploy/app.yaml":               "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - port: 80\n",
			"app/server.py":                 "import uvicorn\nuvicorn.run(app, host='0.0.0.0', port=5000)\n",
			"web/server.js":                 "app.listen(3000)\n",
			"units/app.socket":              "[Socket]\nListenStream=7000\n",
			"bad/Dockerfile":                "FROM alpine\x00\n",
			"bad/docker-compose.yml":        "services:\x00\n",
		} {
			writeFile(t, filepath.Join(dir, filepath.FromSlash(rel)), content)
		}
		opts := Options{Root: dir, Getenv: cacheEnv(t, db), NoCache: true, Checks: sel}
		mustRunOpts(t, opts) // the technical file exists from here on: the runs compared find it alike
		seqOpts := opts
		seqOpts.sequentialChecks = true
		seq := mustRunOpts(t, seqOpts)
		want := evidenceAndDocs(t, dir)
		warm := mustRunOpts(t, opts)
		got := evidenceAndDocs(t, dir)
		sameFiles(t, fmt.Sprintf("checks %v: the warmed run against the sequential one", sel), want, got)
		names := func(ev *Evidence) (out []string) {
			for _, s := range ev.Record.Stages {
				out = append(out, s.Name+" "+s.Status+" "+s.Summary)
			}
			return out
		}
		if !slices.Equal(names(seq), names(warm)) {
			t.Errorf("checks %v: run.json's stages differ:\n%v\n%v", sel, names(seq), names(warm))
		}
		a, _ := json.Marshal(seq.Report.FileErrors)
		b, _ := json.Marshal(warm.Report.FileErrors)
		if !bytes.Equal(a, b) {
			t.Errorf("checks %v: file errors differ:\n%s\n%s", sel, a, b)
		}
		if sel == nil && len(warm.Report.FileErrors) == 0 {
			t.Error("the binary files gave no file error: the test tree does not test them")
		}
		if sel == nil {
			found := false
			for _, r := range warm.Report.Results {
				for _, f := range r.Findings {
					found = found || r.ID == "CEM-DEF-008" && strings.Contains(f.Message, "bcrypt")
				}
			}
			if !found {
				t.Error("no finding names the bcrypt hash: the test tree does not test the hashes tested early")
			}
			if fs := warm.Report.Facts; fs.VulnHandling == nil || fs.VulnHandling.SecurityPolicy != "SECURITY.md" ||
				fs.UpdateSigning == nil || len(fs.UpdateSigning.Pipeline) == 0 || len(fs.UpdateSigning.Client) == 0 {
				t.Errorf("facts %+v %+v: want the policy, the pipeline's signing step and the verifying code the tree holds", fs.VulnHandling, fs.UpdateSigning)
			}
		}
		if seq.target.Files.DiskReads() != warm.target.Files.DiskReads() {
			t.Errorf("checks %v: %d files read warmed, %d sequentially", sel, warm.target.Files.DiskReads(), seq.target.Files.DiskReads())
		}
	}
}

// cancelAt cancels the run when a stage finishes.
type cancelAt struct {
	silentProgress
	stage  string
	cancel context.CancelFunc
}

func (c cancelAt) StageFinished(stage string, _ time.Duration, _ string, _ error) {
	if stage == c.stage {
		c.cancel()
	}
}

// TestChecksWarmStopsWithTheRun: a run stopped after the SBOM — while the
// checks' tree work started beside it may still go on — ends with the
// context's error, and that work ends with it (Run waits for it).
func TestChecksWarmStopsWithTheRun(t *testing.T) {
	dir := cacheProduct(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, Options{Root: dir, Getenv: func(string) string { return "" }, NoCache: true,
		Stages: RunStages.Without(StageVulns), Progress: cancelAt{stage: "sbom", cancel: cancel}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a run stopped after the SBOM gave %v, want context.Canceled", err)
	}
}
