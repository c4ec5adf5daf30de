package evidence

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLocationAsksOncePerFileFound: the run's Locations share what they
// found — the SARIF, Code Quality and the summary each locate every
// finding's file —, and ask again for a file they did not find (the write
// stage may make it, as it makes the technical file's documents).
func TestLocationAsksOncePerFileFound(t *testing.T) {
	dir := t.TempDir()
	ev := &Evidence{Root: dir}
	found := filepath.Join(dir, "found.go")
	if err := os.WriteFile(found, []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !ev.Location().Exists("found.go") || ev.Location().Exists("made-later.md") {
		t.Fatal("Exists does not say what the file system says")
	}
	if err := os.Remove(found); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "made-later.md"), []byte("# x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !ev.Location().Exists("found.go") {
		t.Error("a file found once was asked for again")
	}
	if !ev.Location().Exists("made-later.md") {
		t.Error("a file not found once was not asked for again")
	}
}
