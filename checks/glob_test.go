package checks

import (
	"path"
	"strings"
	"testing"
)

// splitMatch is MatchGlob as it was written first, on split segments: the
// in-place walk must agree with it everywhere.
func splitMatch(glob, rel string) bool {
	var match func(g, p []string) bool
	match = func(g, p []string) bool {
		for len(g) > 0 {
			if g[0] == "**" {
				for i := 0; i <= len(p); i++ {
					if match(g[1:], p[i:]) {
						return true
					}
				}
				return false
			}
			if len(p) == 0 {
				return false
			}
			ok, err := path.Match(g[0], p[0])
			if err != nil || !ok {
				return false
			}
			g, p = g[1:], p[1:]
		}
		return len(p) == 0
	}
	return match(strings.Split(glob, "/"), strings.Split(rel, "/"))
}

func TestMatchGlobAgreesWithSplitSegments(t *testing.T) {
	globs := []string{"", "**", "**/", "/**", "a", "a/", "a/**", "**/a", "**/a/**", "a/**/b", "*/b", "a/*", "**/*.go",
		"**/test/**", "vendor/**", "a/**/**/b", "[", "a/[", "**/[", "*", "a*/b?", ".cemark", "docs/cra", "a//b", "**/**"}
	paths := []string{"", "a", "a/", "/a", "a/b", "a/b/c", "b", "x/a", "x/a/y", "a/x/y/b", "a/b/b", "c/d.go", "x/test/y.go",
		"test", "vendor/m/x.go", "ab/bc", ".cemark", "docs/cra/x.md", "a//b", "[", "a/["}
	for _, g := range globs {
		for _, p := range paths {
			if got, want := MatchGlob(g, p), splitMatch(g, p); got != want {
				t.Errorf("MatchGlob(%q, %q) = %v, want %v", g, p, got, want)
			}
		}
	}
}

func FuzzMatchGlob(f *testing.F) {
	f.Add("**/a/*", "x/a/b")
	f.Add("a/**", "a")
	f.Fuzz(func(t *testing.T, g, p string) {
		if len(g) > 64 || len(p) > 64 || strings.Count(g, "**") > 3 {
			return
		}
		if got, want := MatchGlob(g, p), splitMatch(g, p); got != want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", g, p, got, want)
		}
	})
}

// globSets are exclusion and test-path lists as cemark.yaml and the
// defaults write them.
var globSets = [][]string{
	nil, {""}, {"./a/", "b/**"}, DefaultTestPaths, {"**/*.go", "docs/cra", ".cemark"}, {"a/**/b", "*/b", "[", "x//"},
	{"**/a/**", "**//**", "**/a/b/**", "**/[/**", "**/a*/**", "**/**/**"},
}

var globPaths = []string{"", "a", "a/", "/a", "a/b", "a/b/c", "b", "x/a", "x/a/y", "a/x/y/b", "a/b/b", "c/d.go", "x/test/y.go",
	"test", "vendor/m/x.go", "ab/bc", ".cemark", "docs/cra/x.md", "a//b", "[", "a/[", "src/tests/unit/x.py", "examples/app/main.go"}

// TestFolderGlobsAgreeWithExcluded: the classifier that keeps folders'
// answers answers as Excluded does, whatever order the paths come in.
func TestFolderGlobsAgreeWithExcluded(t *testing.T) {
	for _, globs := range globSets {
		fg := newFolderGlobs(globs)
		for _, pass := range []string{"first", "again"} {
			for _, p := range globPaths {
				if got, want := fg.excluded(p), Excluded(p, globs); got != want {
					t.Errorf("%s: folderGlobs(%q).excluded(%q) = %v, Excluded = %v", pass, globs, p, got, want)
				}
			}
		}
	}
}

func FuzzFolderGlobs(f *testing.F) {
	f.Add("**/test/**", "a/test/b.go", "a/b")
	f.Add("a/", "a/b/c", "a")
	f.Fuzz(func(t *testing.T, g, p, q string) {
		if len(g) > 64 || len(p) > 64 || len(q) > 64 || strings.Count(g, "**") > 3 {
			return
		}
		globs := []string{g, "**/tests/**", "**/" + g + "/**"}
		fg := newFolderGlobs(globs)
		for _, rel := range []string{q, p, q} {
			if got, want := fg.excluded(rel), Excluded(rel, globs); got != want {
				t.Errorf("folderGlobs(%q).excluded(%q) = %v, Excluded = %v", globs, rel, got, want)
			}
		}
	})
}
