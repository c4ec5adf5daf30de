package defaults

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/surface"
	"github.com/cemark/cemark/evidence/config"
)

// minCorpusCases is the size the issue asks of the corpus.
const minCorpusCases = 150

// corpusChecks are the families the corpus cases are written against.
func corpusChecks() []checks.Check {
	cs := append([]checks.Check(nil), checks.FrameworkChecks()...)
	cs = append(cs, Checks()...)
	cs = append(cs, surface.Checks()...)
	return cs
}

type expected struct {
	Findings   []expectedFinding `yaml:"findings"`
	FileErrors []string          `yaml:"file_errors"`
}

type expectedFinding struct {
	Check   string         `yaml:"check"`
	Outcome checks.Outcome `yaml:"outcome"`
	Path    string         `yaml:"path"`
	Line    int            `yaml:"line"`
}

func sortExpected(fs []expectedFinding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Outcome < b.Outcome
	})
}

// runCase runs the registry over one corpus case folder the way the
// pipeline does: NewTarget, then checks.Run.
func runCase(t *testing.T, reg *checks.Registry, dir string) *checks.Report {
	t.Helper()
	ctx := context.Background()
	cfg := &config.Config{}
	if _, err := os.Stat(filepath.Join(dir, "cemark.yaml")); err == nil {
		c, err := config.Load(filepath.Join(dir, "cemark.yaml"))
		if err != nil {
			t.Fatalf("load %s/cemark.yaml: %v", dir, err)
		}
		cfg = c
	}
	tgt, err := checks.NewTarget(ctx, dir, cfg, "expect.yaml", "cemark.yaml")
	if err != nil {
		t.Fatalf("NewTarget: %v", err)
	}
	tgt.Now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	rep, err := checks.Run(ctx, reg, tgt, checks.RunOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

func TestCorpus(t *testing.T) {
	reg, err := checks.NewRegistry(corpusChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("testdata", "corpus")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(root, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "expect.yaml"))
			if err != nil {
				t.Fatalf("case without expect.yaml: %v", err)
			}
			var want expected
			dec := yaml.NewDecoder(bytesReader(data))
			dec.KnownFields(true)
			if err := dec.Decode(&want); err != nil && err.Error() != "EOF" {
				t.Fatalf("expect.yaml: %v", err)
			}
			rep := runCase(t, reg, dir)
			var got []expectedFinding
			for _, f := range rep.Findings() {
				if f.Outcome == checks.Pass || f.Outcome == checks.NotApplicable {
					continue
				}
				got = append(got, expectedFinding{Check: f.Check, Outcome: f.Outcome, Path: f.Path, Line: f.Line})
			}
			var gotErrs []string
			for _, fe := range rep.FileErrors {
				gotErrs = append(gotErrs, fe.Path)
			}
			sortExpected(got)
			sortExpected(want.Findings)
			if diff := cmp.Diff(want.Findings, got, cmpEmpty); diff != "" {
				t.Errorf("findings mismatch (-want +got):\n%s%s", diff, describe(rep))
			}
			if testing.Verbose() && os.Getenv("CEMARK_CORPUS_DUMP") != "" {
				t.Log(describe(rep))
			}
			if diff := cmp.Diff(want.FileErrors, gotErrs, cmpEmpty); diff != "" {
				t.Errorf("file errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if n < minCorpusCases {
		t.Errorf("corpus has %d cases, want at least %d", n, minCorpusCases)
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.FilterValues(func(x, y any) bool {
	return isEmptySlice(x) && isEmptySlice(y)
}, cmp.Comparer(func(_, _ any) bool { return true }))

func isEmptySlice(v any) bool {
	switch s := v.(type) {
	case []expectedFinding:
		return len(s) == 0
	case []string:
		return len(s) == 0
	}
	return false
}

// describe lists the findings with messages, to write expectations from.
func describe(rep *checks.Report) string {
	out := "\nfindings:\n"
	for _, f := range rep.Findings() {
		out += fmt.Sprintf("  %s %s %s:%d  %s  [%s]\n", f.Check, f.Outcome, f.Path, f.Line, f.Message, f.Key)
	}
	for _, fe := range rep.FileErrors {
		out += fmt.Sprintf("  file error %s: %s\n", fe.Path, fe.Err)
	}
	return out
}
