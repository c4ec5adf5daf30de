package readfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestRead: whole files up to the limit, limit+1 bytes of larger ones,
// whatever the size hint says.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	const limit = 100
	for _, size := range []int{0, 1, 99, 100, 101, 511, 512, 513, 5000} {
		data := bytes.Repeat([]byte("abcdefghij"), size/10+1)[:size]
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		want := data[:min(size, limit+1)]
		for _, hint := range []int64{0, -1, int64(size), int64(size) / 2, int64(size) * 3, 1 << 40} {
			got, err := Read(p, hint, limit)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("Read(%d bytes, hint %d) = %d bytes, %v; want %d bytes", size, hint, len(got), err, len(want))
			}
		}
		got, err := Read(p, int64(size), 1<<20)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("Read(%d bytes, no limit) = %d bytes, %v", size, len(got), err)
		}
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	_, err := Read(missing, 0, 100)
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) || pe.Path != missing {
		t.Errorf("a missing file: %v; want a *fs.PathError for %s that is fs.ErrNotExist", err, missing)
	}
	if _, err := Read(dir, 0, 100); err == nil {
		t.Error("a folder: want an error")
	}
}
