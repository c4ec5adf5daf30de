package evidence

import (
	"slices"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/attest"
)

// TestDocsListTrackedPipelines: the technical file a run writes names the
// build pipelines git tracks (listed in the background from the config
// stage on), and not one git does not track.
func TestDocsListTrackedPipelines(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"cemark.yaml":                  "product: {name: widget, version: 1.0.0}\n",
		"go.mod":                       "module example.com/widget\n\ngo 1.22\n",
		".github/workflows/build.yml":  "on: push\n",
		".github/workflows/draft.yaml": "on: push\n",
	})
	git(t, dir, "init", "-q")
	git(t, dir, "add", "cemark.yaml", "go.mod", ".github/workflows/build.yml")
	git(t, dir, "commit", "-q", "-m", "init")
	ev := mustRunOpts(t, Options{Root: dir, Getenv: func(string) string { return "" }, Stages: RunStages.Without(StageVulns)})
	var docs strings.Builder
	for _, w := range ev.TechFile.Writes {
		docs.Write(w.Data)
	}
	if !strings.Contains(docs.String(), ".github/workflows/build.yml") {
		t.Error("the technical file does not name the tracked pipeline .github/workflows/build.yml")
	}
	if strings.Contains(docs.String(), "draft.yaml") {
		t.Error("the technical file names a pipeline git does not track")
	}
}

// TestGitFactsAskedAhead: what git says for the later stages, asked from
// the config stage on, is what they use: the remote names the provenance's
// source, and a new first release tag is a new key for the checks (tags
// are not in the tree's fingerprint).
func TestGitFactsAskedAhead(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"cemark.yaml": "product: {name: widget, version: 1.0.0}\n",
		"go.mod":      "module example.com/widget\n\ngo 1.22\n",
		".gitignore":  ".cemark/\n",
	})
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "init")
	git(t, dir, "remote", "add", "origin", "https://github.com/acme/widget.git")
	git(t, dir, "tag", "v1.0.0")
	opts := Options{Root: dir, Getenv: func(string) string { return "" }, Stages: RunStages.Without(StageVulns)}
	settle()
	ev := mustRunOpts(t, opts)
	var provenance string
	for _, st := range ev.Statements {
		if st.Name == attest.NameProvenance {
			provenance = string(st.Payload)
		}
	}
	if !strings.Contains(provenance, "github.com/acme/widget") {
		t.Errorf("the provenance does not name the remote: %s", provenance)
	}
	supportFrom := func(ev *Evidence) string {
		if vh := ev.Report.Facts.VulnHandling; vh != nil {
			return vh.SupportStartSource
		}
		return ""
	}
	// The vulnerability-handling family measures the support period from
	// the tag the run asked for.
	if got := supportFrom(ev); got != "first release tag v1.0.0" {
		t.Errorf("support period from %q, want the first release tag v1.0.0", got)
	}
	if ev := mustRunOpts(t, opts); !slices.Contains(reusedStages(ev), "checks") {
		t.Fatalf("an unchanged tree did not reuse the checks: %v", reusedStages(ev))
	}
	git(t, dir, "tag", "v0.9.0") // the same date, and first by name
	ev = mustRunOpts(t, opts)
	if slices.Contains(reusedStages(ev), "checks") {
		t.Error("a new first release tag did not make the checks run again")
	}
	if got := supportFrom(ev); got != "first release tag v0.9.0" {
		t.Errorf("support period from %q, want the new first release tag v0.9.0", got)
	}
}
