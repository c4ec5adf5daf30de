package cache

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/internal/treetest"
)

// recheckTree writes a small tree outside git and fingerprints it by a
// walk taken as if a minute from now, so that no folder is too recent to
// be judged by its times.
func recheckTree(t *testing.T, skip []string) (root string, first Tree) {
	t.Helper()
	root = t.TempDir()
	for _, rel := range []string{"a/x.txt", "a/b/y.txt", "c/z.txt", "skip/s.txt", "top.txt"} {
		treetest.WriteFile(t, root, rel, rel)
	}
	f := newFingerprint(root, skip)
	f.now = time.Now().Add(time.Minute)
	first, err := walkTree(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return root, first
}

// TestRecheckTree: the second fingerprint of a tree outside git is the
// one a full walk gives, whatever changed — a file added, removed,
// renamed, rewritten with the same size, or replaced by a folder —, and
// a change only in a skipped place (cemark's own) leaves it as it was.
// Where folder times follow their entries, an unchanged tree is not
// listed again, and a folder whose times changed is.
func TestRecheckTree(t *testing.T) {
	ctx := context.Background()
	skip := []string{"skip", ".lock"}
	full := func(root string) Tree {
		t.Helper()
		tr, err := TreeFingerprint(ctx, root, "", false, skip)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	recheck := func(root string, first Tree) Tree {
		t.Helper()
		tr, err := RecheckTree(ctx, first, root, "", false, skip)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}

	t.Run("unchanged", func(t *testing.T) {
		root, first := recheckTree(t, skip)
		if got := recheck(root, first); got.Digest != first.Digest || got.Files != first.Files {
			t.Errorf("recheck %+v, first %+v", got, first)
		}
		same, listed, err := first.walked.sameNames(ctx, newFingerprint(root, skip).skipped)
		if err != nil || !same || (folderTimesFollowEntries && listed != 0) {
			t.Errorf("same %v, %d folders listed again (%v)", same, listed, err)
		}
	})
	t.Run("skipped places", func(t *testing.T) {
		root, first := recheckTree(t, skip)
		treetest.WriteFile(t, root, "skip/new.txt", "cemark's")
		treetest.WriteFile(t, root, ".lock", "cemark's")
		// A temporary file of an atomic write of a skipped file (the
		// journal's, while the second fingerprint is taken) is cemark's too.
		treetest.WriteFile(t, root, evidencedir.TempPrefix(".lock")+"42", "cemark's, half written")
		if got := recheck(root, first); got.Digest != first.Digest {
			t.Error("a change in skipped places changed the fingerprint")
		}
		same, listed, err := first.walked.sameNames(ctx, newFingerprint(root, skip).skipped)
		if err != nil || !same || (folderTimesFollowEntries && listed != 1) {
			t.Errorf("same %v, %d folders listed again, want the root alone (%v)", same, listed, err)
		}
	})

	for name, change := range map[string]func(root string){
		"added": func(root string) { treetest.WriteFile(t, root, "a/b/new.txt", "new") },
		"added, named as a temporary file of a file not skipped": func(root string) {
			treetest.WriteFile(t, root, evidencedir.TempPrefix("top.txt")+"1", "the product's")
		},
		"removed": func(root string) { must(t, os.Remove(filepath.Join(root, "c", "z.txt"))) },
		"renamed": func(root string) {
			must(t, os.Rename(filepath.Join(root, "a", "b", "y.txt"), filepath.Join(root, "a", "b", "w.txt")))
		},
		"rewritten": func(root string) {
			p := filepath.Join(root, "top.txt")
			fi, err := os.Stat(p)
			must(t, err)
			must(t, os.WriteFile(p, []byte("TOP.TXT"), 0o644))
			must(t, os.Chtimes(p, fi.ModTime(), fi.ModTime())) // as cp -p leaves it
		},
		"file to folder": func(root string) {
			must(t, os.Remove(filepath.Join(root, "a", "x.txt")))
			treetest.WriteFile(t, root, "a/x.txt/inner.txt", "inner")
		},
	} {
		t.Run(name, func(t *testing.T) {
			root, first := recheckTree(t, skip)
			change(root)
			got, want := recheck(root, first), full(root)
			if got.Digest != want.Digest || got.Files != want.Files {
				t.Errorf("recheck %+v, a full walk %+v", got, want)
			}
			if got.Digest == first.Digest && (name != "rewritten" || folderTimesFollowEntries) {
				t.Error("the change left the fingerprint as it was")
			}
		})
	}

	t.Run("recent folders", func(t *testing.T) {
		// Taken now, every folder is too recent to be judged by its
		// times: each is listed again, and a file added in the same
		// instant is seen.
		root := t.TempDir()
		treetest.WriteFile(t, root, "a/x.txt", "x")
		first, err := TreeFingerprint(ctx, root, "", false, skip)
		must(t, err)
		treetest.WriteFile(t, root, "a/y.txt", "y")
		if got, want := recheck(root, first), full(root); got.Digest != want.Digest || got.Digest == first.Digest {
			t.Errorf("recheck %s, a full walk %s, first %s", got.Digest, want.Digest, first.Digest)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
