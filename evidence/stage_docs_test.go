package evidence

import (
	"strings"
	"testing"
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
