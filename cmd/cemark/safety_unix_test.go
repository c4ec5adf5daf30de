//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSpecialFilesAreSkipped: a FIFO among the subjects and artefacts is
// skipped with a notice, never opened (it would block the run forever).
func TestSpecialFilesAreSkipped(t *testing.T) {
	w := newWorld(t)
	if err := syscall.Mkfifo(filepath.Join(w.product, "dist", "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	w.config(t, "attestations:\n  subjects: [\"dist/*\"]\nupdates:\n  artifacts: [\"dist/*\"]\n")
	code, _, stderr := cli(t, nil, "run", w.product, "--no-docs")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"subject dist/pipe skipped: not a regular file", "dist/pipe skipped: it is a FIFO"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no notice %q:\n%s", want, stderr)
		}
	}
	// A FIFO named as a source is a usage error, not a hang.
	code, _, stderr = cli(t, nil, "run", w.product, "--source", "file:"+filepath.Join(w.product, "dist", "pipe"))
	if code != exitUsage || !strings.Contains(stderr, "is a FIFO") {
		t.Fatalf("FIFO source: exit %d\n%s", code, stderr)
	}
}
