package checks

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/cemark/cemark/internal/treewalk"
)

// TestIndexListingIsWalkFiles: the file index made from a listing of the
// whole tree (the stage cache's fingerprint walks one outside git) is the
// one WalkFiles makes: exclusions of folders and files, links inside and
// outside the root, special files and unreadable folders alike.
func TestIndexListingIsWalkFiles(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	for rel, content := range map[string]string{
		"app/main.go":              "package main\n",
		"app/vendor/x/x.go":        "package x\n",
		"node_modules/.cache/a.js": "cache\n",
		"node_modules/lib/b.js":    "lib\n",
		"deploy/values.yaml":       "a: 1\n",
		"deploy/secret.key":        "k\n",
		"locked/inside.txt":        "unreadable\n",
		"a-b/c.txt":                "sorted after a/ by path\n",
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if runtime.GOOS != "windows" {
		if err := os.Symlink(filepath.Join(root, "app", "main.go"), filepath.Join(root, "link-in")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, filepath.Join(root, "link-out")); err != nil {
			t.Fatal(err)
		}
		mkfifo(t, filepath.Join(root, "deploy", "fifo"))
		if os.Getuid() != 0 { // root reads any folder
			if err := os.Chmod(filepath.Join(root, "locked"), 0); err != nil {
				t.Fatal(err)
			}
			defer os.Chmod(filepath.Join(root, "locked"), 0o755)
		}
	}
	exclude := []string{".git", "node_modules/.cache", "**/vendor/**", "**/*.key"}
	walked, err := WalkFiles(context.Background(), root, exclude)
	if err != nil {
		t.Fatal(err)
	}
	// The fingerprint's walk skips only cemark's own folders: here none.
	l, err := treewalk.Walk(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	listed := IndexListing(l, exclude)
	if !reflect.DeepEqual(walked.List(), listed.List()) || !reflect.DeepEqual(walked.Errors(), listed.Errors()) {
		t.Fatalf("walked:\n%v\n%v\nlisted:\n%v\n%v", walked.List(), walked.Errors(), listed.List(), listed.Errors())
	}
	var paths []string
	for _, e := range listed.List() {
		paths = append(paths, e.Path)
	}
	want := []string{"a-b/c.txt", "app/main.go", "deploy/values.yaml", "locked/inside.txt", "node_modules/lib/b.js"}
	if os.Getuid() != 0 && runtime.GOOS != "windows" {
		want = []string{"a-b/c.txt", "app/main.go", "deploy/values.yaml", "node_modules/lib/b.js"}
	}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("indexed %v, want %v", paths, want)
	}
	if runtime.GOOS != "windows" && (len(listed.Errors()) == 0 || listed.Errors()[len(listed.Errors())-1].Path != "link-out") {
		t.Errorf("errors %v, want the link out of the root among them", listed.Errors())
	}

	if _, err := NewTargetListed(context.Background(), outside, nil, l); err == nil {
		t.Error("a listing of another folder made a target")
	}
}
