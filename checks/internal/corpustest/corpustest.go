// Package corpustest runs a check corpus: one folder per case holding the
// product files, an optional cemark.yaml and an expect.yaml that lists
// every finding that is not pass or not-applicable as (check, outcome,
// path, line), plus the files that could not be read (file_errors). The
// format is described in checks/defaults/testdata/corpus/README.md; the
// secure-default and attack-surface corpora share it and this runner.
package corpustest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

// Now is the reference time every case is judged at.
var Now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// Options configure a corpus run.
type Options struct {
	// Min is the least number of cases the corpus must have.
	Min int
	// Update rewrites each expect.yaml from the current findings, keeping
	// its leading comment (review the diff before committing).
	Update bool
}

// Expected is expect.yaml.
type Expected struct {
	Findings   []Finding `yaml:"findings"`
	FileErrors []string  `yaml:"file_errors,omitempty"`
	// NotShipped maps a path to the reason every finding there must give
	// in values.not_shipped ("test code", "example", …); optional.
	NotShipped map[string]string `yaml:"not_shipped,omitempty"`
}

// Finding is one expected finding.
type Finding struct {
	Check   string         `yaml:"check"`
	Outcome checks.Outcome `yaml:"outcome"`
	Path    string         `yaml:"path"`
	Line    int            `yaml:"line"`
}

// RunCase runs reg over one case folder as the pipeline does (NewTarget,
// then checks.Run), leaving the case's own expect.yaml and cemark.yaml
// out of the product.
func RunCase(t testing.TB, reg *checks.Registry, dir string) *checks.Report {
	t.Helper()
	ctx := context.Background()
	cfg := &config.Config{}
	if _, err := os.Stat(filepath.Join(dir, config.FileName)); err == nil {
		c, err := config.Load(filepath.Join(dir, config.FileName))
		if err != nil {
			t.Fatalf("load %s/cemark.yaml: %v", dir, err)
		}
		cfg = c
	}
	tgt, err := checks.NewTarget(ctx, dir, cfg, "expect.yaml", config.FileName)
	if err != nil {
		t.Fatalf("NewTarget: %v", err)
	}
	tgt.Now = Now
	rep, err := checks.Run(ctx, reg, tgt, checks.RunOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// Run runs every case below root as a subtest and compares exactly: a
// missing finding and an unexpected one both fail.
func Run(t *testing.T, reg *checks.Registry, root string, opts Options) {
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
			var want Expected
			dec := yaml.NewDecoder(bytes.NewReader(data))
			dec.KnownFields(true)
			if err := dec.Decode(&want); err != nil && err.Error() != "EOF" {
				t.Fatalf("expect.yaml: %v", err)
			}
			rep := RunCase(t, reg, dir)
			got := []Finding{}
			for _, f := range rep.Findings() {
				if f.Outcome == checks.Pass || f.Outcome == checks.NotApplicable {
					continue
				}
				got = append(got, Finding{Check: f.Check, Outcome: f.Outcome, Path: f.Path, Line: f.Line})
			}
			for p, why := range want.NotShipped {
				seen := false
				for _, f := range rep.Findings() {
					if f.Path == p && (f.Outcome == checks.Info || f.Outcome == checks.Fail || f.Outcome == checks.Warn) {
						seen = true
						if f.Values["not_shipped"] != why {
							t.Errorf("%s:%d %s: not_shipped = %q, want %q", f.Path, f.Line, f.Check, f.Values["not_shipped"], why)
						}
					}
				}
				if !seen {
					t.Errorf("not_shipped: no finding at %s", p)
				}
			}
			var gotErrs []string
			for _, fe := range rep.FileErrors {
				gotErrs = append(gotErrs, fe.Path)
			}
			sortFindings(got)
			sortFindings(want.Findings)
			if opts.Update {
				writeExpect(t, file, data, got, gotErrs, want.NotShipped)
				return
			}
			if diff := cmp.Diff(want.Findings, got, cmpEmpty); diff != "" {
				t.Errorf("findings mismatch (-want +got):\n%s%s", diff, Describe(rep))
			}
			if diff := cmp.Diff(want.FileErrors, gotErrs, cmpEmpty); diff != "" {
				t.Errorf("file errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if n < opts.Min {
		t.Errorf("corpus has %d cases, want at least %d", n, opts.Min)
	}
}

func sortFindings(fs []Finding) {
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

// writeExpect keeps the leading comment (the case's intent) and rewrites the rest.
func writeExpect(t *testing.T, file string, old []byte, got []Finding, errs []string, notShipped map[string]string) {
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
	if len(notShipped) > 0 {
		b.WriteString("not_shipped:\n")
		paths := make([]string, 0, len(notShipped))
		for p := range notShipped {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			fmt.Fprintf(&b, "  %s: %s\n", p, notShipped[p])
		}
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.FilterValues(func(x, y any) bool {
	return isEmptySlice(x) && isEmptySlice(y)
}, cmp.Comparer(func(_, _ any) bool { return true }))

func isEmptySlice(v any) bool {
	switch s := v.(type) {
	case []Finding:
		return len(s) == 0
	case []string:
		return len(s) == 0
	}
	return false
}

// Describe lists a report's findings with messages, to write expectations from.
func Describe(rep *checks.Report) string {
	out := "\nfindings:\n"
	for _, f := range rep.Findings() {
		out += fmt.Sprintf("  %s %s %s %s:%d  %s  [%s]\n", f.Check, f.Outcome, f.Severity, f.Path, f.Line, f.Message, f.Key)
	}
	for _, fe := range rep.FileErrors {
		out += fmt.Sprintf("  file error %s: %s\n", fe.Path, fe.Err)
	}
	return out
}
