package evidence

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/pipeline.md's stage table")

// TestPipelineDoc: docs/pipeline.md's table of stages is the pipeline's
// own description of them (Stages), refreshed with -update.
func TestPipelineDoc(t *testing.T) {
	const begin, end = "<!-- stages:", "<!-- end of stages -->"
	path := filepath.Join("..", "docs", "pipeline.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(begin + " generated from evidence.Stages() by `go test ./evidence -run TestPipelineDoc -update`. Do not edit. -->\n")
	b.WriteString("| stage | reads | makes | reused when unchanged | selected by |\n|---|---|---|---|---|\n")
	for _, s := range Stages() {
		reused := "no"
		if s.Cached {
			reused = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", s.Name, s.Inputs, s.Outputs, reused, strings.Join(s.Commands, ", "))
	}
	b.WriteString(end)
	head, rest, ok := strings.Cut(string(doc), begin)
	_, tail, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("%s has no stage table between %q and %q", path, begin, end)
	}
	want := head + b.String() + tail
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(doc) != want {
		t.Errorf("%s's stage table is not the pipeline's; run go test ./evidence -run TestPipelineDoc -update", path)
	}
}

// TestSelections: every command's selection starts with the config stage
// and names only the pipeline's stages.
func TestSelections(t *testing.T) {
	known := map[Stage]bool{}
	for _, st := range pipeline() {
		known[st.name] = true
	}
	for _, c := range commandStages {
		if len(c.stages) == 0 || c.stages[0] != StageConfig {
			t.Errorf("%s: selection %v does not start with the config stage", c.command, c.stages)
		}
		for _, s := range c.stages {
			if !known[s] {
				t.Errorf("%s selects %q, which is no stage", c.command, s)
			}
		}
	}
}

// A stage runs with its name as a profiler label, so that --cpuprofile's
// samples say which stage they were taken in (go tool pprof -tags).
func TestStageRunsLabelled(t *testing.T) {
	r, err := newRun(Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var label string
	st := stageDef{name: StageChecks, run: func(ctx context.Context, _ *runState) (string, error) {
		label, _ = pprof.Label(ctx, "stage")
		return "", nil
	}}
	if err := r.runStage(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if label != string(StageChecks) {
		t.Errorf("stage label %q, want %q", label, StageChecks)
	}
}
