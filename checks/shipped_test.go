package checks

import (
	"math/rand/v2"
	"path"
	"strings"
	"testing"
)

// isTestPathByExpressions is IsTestPath without its prefilters: the
// expressions alone, over every folder and the file name.
func isTestPathByExpressions(rel string) bool {
	segs := strings.Split(rel, "/")
	for _, s := range segs[:len(segs)-1] {
		if l := strings.ToLower(s); !notTestDirs[l] && testDirSuffix.MatchString(l) {
			return true
		}
	}
	return testFile.MatchString(path.Base(rel))
}

// TestIsTestPathPrefilters: the cheap looks IsTestPath takes before its
// expressions never change an answer, on random paths made of the pieces
// the expressions look for (in every case, with letters that fold or
// lower-case unexpectedly).
func TestIsTestPathPrefilters(t *testing.T) {
	pieces := []string{"test", "Test", "TEST", "tests", "TestS", "spec", "Spec", "conf", "_", ".", "/", "//", "py", "go", "java",
		"kt", "cs", "ts", "js", "a", "Z", "9", "s", "S", "ſ", "İ", "K", "latest", "attest", "é", "x_test.go", "test_a.py", "conftest.py"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 200000 {
		var sb strings.Builder
		for range 1 + rng.IntN(8) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		rel := sb.String()
		if got, want := IsTestPath(rel), isTestPathByExpressions(rel); got != want {
			t.Fatalf("IsTestPath(%q) = %v, the expressions say %v", rel, got, want)
		}
	}
	for _, rel := range []string{"", "a", "caddytest/x.go", "attest/x.go", "a/b_test.go", "src/FooTest.java", "x.spec.ts", "tests/", "a/TESTS/b"} {
		if got, want := IsTestPath(rel), isTestPathByExpressions(rel); got != want {
			t.Errorf("IsTestPath(%q) = %v, the expressions say %v", rel, got, want)
		}
	}
}
