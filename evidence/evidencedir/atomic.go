package evidencedir

import (
	"os"
	"path/filepath"
)

// cemark's one atomic writer: every file cemark writes outside a commit
// (Txn) — a report with -o, the baseline, a VEX draft, an event file, the
// starter cemark.yaml, the stage cache — goes through WriteFileAtomic (or
// its unsynced form for the cache) or WriteNew, so a
// reader sees the old content or the new, never half a file, and a failed
// write leaves nothing behind.

// WriteFileAtomic replaces one file: temp file in the same folder, sync,
// rename. Readers see the old or the new content, never a mix; an error
// removes the temp file.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, data, perm, true)
}

// WriteFileAtomicVolatile replaces one file like WriteFileAtomic, but
// without the sync: after a crash the file may be empty or hold the old
// content. Only for files whose loss costs speed and nothing else — the
// stage cache, which checks every blob's digest when it reads it.
func WriteFileAtomicVolatile(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, data, perm, false)
}

// TempPrefix is how the temporary files WriteFileAtomic makes for path
// are named, in path's folder: a fingerprint of the product leaves out
// those of cemark's own files (the journal beside the evidence directory
// outside git) as it leaves out the files.
func TempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

func writeAtomic(path string, data []byte, perm os.FileMode, durable bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, TempPrefix(path))
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
	if durable {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
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

// WriteNew writes a new file at path atomically and never over an existing
// one: the data goes to a synced temporary file beside it that is then
// linked into place, which fails with fs.ErrExist when the name is taken —
// also when it appeared meanwhile. (cemark init never overwrites a file it
// did not write.)
func WriteNew(path string, data []byte, perm os.FileMode) error {
	if _, err := os.Lstat(path); err == nil {
		return &os.PathError{Op: "create", Path: path, Err: os.ErrExist}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after the link, this removes only the temporary name
	for _, step := range []func() error{
		func() error { _, err := tmp.Write(data); return err },
		func() error { return tmp.Chmod(perm) },
		tmp.Sync,
	} {
		if err := step(); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmpName, path)
}
