package gitlab

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
	"github.com/cemark/cemark/evidence"
)

// TestImageDockerfilePassesCemarksChecks runs cemark's own checks on the
// Dockerfile of cemark's image (repository root): the image GitLab jobs
// and the GitHub Action run in must have no failing finding. Warnings are
// logged: the base images are pinned by tag until the release pins digests.
func TestImageDockerfilePassesCemarksChecks(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	// The families that read Dockerfiles: secure defaults and the attack
	// surface. The product-level families (updates, vulnerability
	// handling) judge cemark.yaml and the repository, not the image.
	ids := all.FamilyIDs("defaults", "surface")
	if len(ids) == 0 {
		t.Fatal("no CEM-DEF or CEM-PORT check registered")
	}
	ev, err := evidence.Run(context.Background(), evidence.Options{Root: dir, Checks: ids, Stages: evidence.InventoryStages, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	report := ev.Report
	for _, r := range report.Results {
		for _, f := range r.Findings {
			switch f.Outcome {
			case checks.Fail, checks.Error:
				t.Errorf("%s %s: Dockerfile:%d: %s", f.Outcome, r.ID, f.Line, f.Message)
			case checks.Warn:
				t.Logf("warn %s: Dockerfile:%d: %s", r.ID, f.Line, f.Message)
			}
		}
	}
}
