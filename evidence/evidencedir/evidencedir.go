// Package evidencedir writes a run's evidence directory as one unit: every
// file is first written into a fresh sibling folder, and only when all of
// them are complete does that folder take the place of the old one. A
// failed or interrupted run therefore leaves the previous evidence whole.
package evidencedir

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Writer collects the files of one evidence directory.
type Writer struct {
	dir   string
	files map[string][]byte
}

// New prepares a writer for dir (created on Commit if missing).
func New(dir string) *Writer { return &Writer{dir: filepath.Clean(dir), files: map[string][]byte{}} }

// Dir is the final directory.
func (w *Writer) Dir() string { return w.dir }

// Add stages a file; name is a plain file name inside the directory.
func (w *Writer) Add(name string, data []byte) error {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return fmt.Errorf("evidence file name %q must be a plain file name", name)
	}
	w.files[name] = data
	return nil
}

// Names lists the staged files, sorted.
func (w *Writer) Names() []string {
	out := make([]string, 0, len(w.files))
	for n := range w.files {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Commit writes every staged file into a temporary sibling directory,
// syncs it, and swaps it in place of the evidence directory. On Linux the
// swap is one atomic rename exchange; elsewhere the old directory is moved
// aside first and restored by Recover if the process dies in between.
func (w *Writer) Commit(ctx context.Context) error {
	parent := filepath.Dir(w.dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", parent, err)
	}
	if err := Recover(w.dir); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, tmpPrefix(w.dir))
	if err != nil {
		return fmt.Errorf("create temporary evidence directory: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, name := range w.Names() {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write evidence: %w", err)
		}
		if err := writeSynced(filepath.Join(tmp, name), w.files[name]); err != nil {
			return fmt.Errorf("write evidence %s: %w", name, err)
		}
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write evidence: %w", err)
	}
	if err := swap(tmp, w.dir); err != nil {
		return fmt.Errorf("replace %s: %w", w.dir, err)
	}
	committed = true
	return syncDir(parent)
}

// tmpPrefix names the hidden sibling a new evidence set is written into.
func tmpPrefix(dir string) string {
	base := filepath.Base(dir)
	if !strings.HasPrefix(base, ".") {
		base = "." + base
	}
	return base + ".new-"
}

// asideSuffix marks the previous evidence moved aside during a non-atomic swap.
const asideSuffix = ".previous"

// swap puts newDir at dir. If dir exists it is exchanged atomically where
// the platform allows; the old contents are then removed.
func swap(newDir, dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		return os.Rename(newDir, dir)
	}
	if err := exchange(newDir, dir); err == nil {
		// newDir now holds the old evidence.
		return os.RemoveAll(newDir)
	}
	aside := dir + asideSuffix
	if err := os.RemoveAll(aside); err != nil {
		return err
	}
	if err := os.Rename(dir, aside); err != nil {
		return err
	}
	if err := os.Rename(newDir, dir); err != nil {
		// Put the old evidence back; the new set is lost, the old stays whole.
		if rerr := os.Rename(aside, dir); rerr != nil {
			return fmt.Errorf("%w (and restoring the previous evidence failed: %v)", err, rerr)
		}
		return err
	}
	return os.RemoveAll(aside)
}

// Recover restores evidence moved aside by a swap that was interrupted,
// and removes temporary directories left by interrupted runs.
func Recover(dir string) error {
	aside := dir + asideSuffix
	if _, err := os.Stat(aside); err == nil {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			if err := os.Rename(aside, dir); err != nil {
				return fmt.Errorf("restore previous evidence from %s: %w", aside, err)
			}
		} else if err := os.RemoveAll(aside); err != nil {
			return err
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), tmpPrefix(dir)+"*"))
	for _, l := range leftovers {
		os.RemoveAll(l)
	}
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some filesystems refuse fsync on directories; durability is best effort there.
	_ = d.Sync()
	return nil
}

// WriteFileAtomic replaces one file: temp file in the same folder, sync,
// rename. Readers see the old or the new content, never a mix.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}
