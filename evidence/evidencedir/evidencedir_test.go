package evidencedir

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func TestCommitReplacesWholeDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".cemark")
	w := New(dir)
	w.Add("a.json", []byte("old-a"))
	w.Add("stale.json", []byte("old-stale"))
	if err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	w = New(dir)
	w.Add("a.json", []byte("new-a"))
	if err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, dir)
	if len(got) != 1 || got["a.json"] != "new-a" {
		t.Fatalf("after second commit: %v", got)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".cemark*")); len(left) != 1 {
		t.Fatalf("temporary folders left behind: %v", left)
	}
}

func TestInterruptedRunLeavesPreviousEvidence(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".cemark")
	w := New(dir)
	w.Add("sbom.cdx.json", []byte("old"))
	if err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the run is interrupted before the swap
	w = New(dir)
	w.Add("sbom.cdx.json", []byte("new"))
	w.Add("report.json", []byte("new"))
	if err := w.Commit(ctx); err == nil {
		t.Fatal("commit with a cancelled context succeeded")
	}
	got := readAll(t, dir)
	if len(got) != 1 || got["sbom.cdx.json"] != "old" {
		t.Fatalf("previous evidence not whole: %v", got)
	}
}

func TestRecoverRestoresMovedAsideEvidence(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, ".cemark")
	// Simulate a crash between the two renames of a non-atomic swap.
	if err := os.MkdirAll(dir+asideSuffix, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir+asideSuffix, "run.json"), []byte("old"), 0o644)
	os.MkdirAll(filepath.Join(parent, ".cemark.new-123"), 0o755)
	if err := Recover(dir); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, dir); got["run.json"] != "old" {
		t.Fatalf("not restored: %v", got)
	}
	if _, err := os.Stat(filepath.Join(parent, ".cemark.new-123")); !os.IsNotExist(err) {
		t.Fatal("leftover temporary folder not removed")
	}
}

func TestSwapWithoutExchange(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "ev")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "x"), []byte("old"), 0o644)
	newDir := filepath.Join(parent, "new")
	os.MkdirAll(newDir, 0o755)
	os.WriteFile(filepath.Join(newDir, "x"), []byte("new"), 0o644)
	if err := swap(newDir, dir); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, dir); got["x"] != "new" {
		t.Fatalf("got %v", got)
	}
}

func TestAddRejectsPaths(t *testing.T) {
	w := New(t.TempDir())
	for _, n := range []string{"", "../x", "a/b", ".."} {
		if err := w.Add(n, nil); err == nil {
			t.Errorf("Add(%q) accepted", n)
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.md")
	if err := WriteFileAtomic(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "two" {
		t.Fatalf("got %q", b)
	}
}
