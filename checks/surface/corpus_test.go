package surface

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

// The corpus follows checks/defaults' format: one folder per case with the
// files and an expect.yaml listing every finding that is not pass or
// not-applicable as (check, outcome, path, line), plus file_errors.

var updateCorpus = flag.Bool("update-corpus", false, "rewrite expect.yaml findings from the current results (review the diff!)")

const minCorpusCases = 40

type expected struct {
	Findings   []expectedFinding `yaml:"findings"`
	FileErrors []string          `yaml:"file_errors,omitempty"`
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

func corpusRegistry(t *testing.T) *checks.Registry {
	t.Helper()
	cs := append([]checks.Check(nil), checks.FrameworkChecks()...)
	cs = append(cs, Checks()...)
	reg, err := checks.NewRegistry(cs...)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func runCase(t *testing.T, reg *checks.Registry, dir string) *checks.Report {
	t.Helper()
	cfg := &config.Config{}
	if _, err := os.Stat(filepath.Join(dir, "cemark.yaml")); err == nil {
		c, err := config.Load(filepath.Join(dir, "cemark.yaml"))
		if err != nil {
			t.Fatalf("load %s/cemark.yaml: %v", dir, err)
		}
		cfg = c
	}
	tgt := target(t, dir, cfg)
	rep, err := checks.Run(context.Background(), reg, tgt, checks.RunOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

func TestCorpus(t *testing.T) {
	reg := corpusRegistry(t)
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
			file := filepath.Join(dir, "expect.yaml")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("case without expect.yaml: %v", err)
			}
			var want expected
			dec := yaml.NewDecoder(bytes.NewReader(data))
			dec.KnownFields(true)
			if err := dec.Decode(&want); err != nil && err.Error() != "EOF" {
				t.Fatalf("expect.yaml: %v", err)
			}
			rep := runCase(t, reg, dir)
			got := []expectedFinding{}
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
			if *updateCorpus {
				writeExpect(t, file, data, got, gotErrs)
				return
			}
			if diff := cmp.Diff(want.Findings, got, cmpEmpty); diff != "" {
				t.Errorf("findings mismatch (-want +got):\n%s%s", diff, describe(rep))
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

// writeExpect keeps the leading comment (the case's intent) and rewrites the rest.
func writeExpect(t *testing.T, file string, old []byte, got []expectedFinding, errs []string) {
	var b strings.Builder
	for _, line := range strings.SplitAfter(string(old), "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		b.WriteString(line)
	}
	if len(got) == 0 {
		b.WriteString("findings: []\n")
	} else {
		b.WriteString("findings:\n")
		for _, f := range got {
			fmt.Fprintf(&b, "  - {check: %s, outcome: %s, path: %s, line: %d}\n", f.Check, f.Outcome, f.Path, f.Line)
		}
	}
	if len(errs) > 0 {
		b.WriteString("file_errors:\n")
		for _, e := range errs {
			fmt.Fprintf(&b, "  - %s\n", e)
		}
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

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

func describe(rep *checks.Report) string {
	out := "\nfindings:\n"
	for _, f := range rep.Findings() {
		out += fmt.Sprintf("  %s %s %s %s:%d  %s  [%s]\n", f.Check, f.Outcome, f.Severity, f.Path, f.Line, f.Message, f.Key)
	}
	for _, fe := range rep.FileErrors {
		out += fmt.Sprintf("  file error %s: %s\n", fe.Path, fe.Err)
	}
	return out
}
