//go:build unix

package readfile

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestReadFIFODoesNotBlock: a file that became a FIFO since the walk is
// read as what it holds (nothing), not waited on.
func TestReadFIFODoesNotBlock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Read(p, 0, 100)
		done <- err
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Read blocked on a FIFO")
	}
}
