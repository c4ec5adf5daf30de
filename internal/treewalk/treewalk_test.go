package treewalk

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestWalk: every entry but folders lists once, in WalkDir's order, with
// its lstat; a skipped folder is left out with what is below it; a
// missing root fails as it is; a stopped context stops the walk.
func TestWalk(t *testing.T) {
	root := t.TempDir()
	for _, rel := range []string{"a/x.txt", "a/skip/y.txt", "b.txt", "a-b/z.txt"} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(rel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var asked []string
	l, err := Walk(context.Background(), root, func(rel string) bool {
		asked = append(asked, rel)
		return rel == "a/skip"
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range l.Entries {
		got = append(got, e.Rel)
		if e.Info.Size() != int64(len(e.Rel)) || e.Info.IsDir() {
			t.Errorf("%s: lstat %v", e.Rel, e.Info)
		}
	}
	if want := []string{"a/x.txt", "a-b/z.txt", "b.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("entries %v, want %v", got, want)
	}
	if want := []string{"a", "a/skip", "a-b"}; !reflect.DeepEqual(asked, want) {
		t.Errorf("folders asked %v, want %v", asked, want)
	}
	var dirs []string
	for _, d := range l.Dirs {
		dirs = append(dirs, d.Rel)
		if !d.Info.IsDir() {
			t.Errorf("folder %s: lstat %v", d.Rel, d.Info)
		}
	}
	if want := []string{".", "a", "a-b"}; !reflect.DeepEqual(dirs, want) {
		t.Errorf("folders listed %v, want %v", dirs, want)
	}
	if l.Root != root || l.Abs("a/x.txt") != filepath.Join(root, "a", "x.txt") || len(l.Errors) != 0 {
		t.Errorf("root %s, errors %v", l.Root, l.Errors)
	}

	if _, err := Walk(context.Background(), filepath.Join(root, "missing"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing root: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Walk(ctx, root, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("stopped: %v", err)
	}
}
