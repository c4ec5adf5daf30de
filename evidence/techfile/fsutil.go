package techfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"

	"github.com/cemark/cemark/evidence/contain"
)

// resolveOutDir returns the absolute output folder and its path relative to
// the root. The folder must lie inside the repository, also after symlinks
// are resolved, and must not be the root itself (README.md there is the
// project's own).
func resolveOutDir(root, dir string) (absDir, relDir string, err error) {
	if root == "" {
		root = "."
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", "", fmt.Errorf("resolve repository root %s: %w", root, err)
	}
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		return "", "", fmt.Errorf("resolve repository root %s: %w", root, err)
	}
	if dir == "" {
		dir = DefaultDir
	}
	cand := dir
	if !filepath.IsAbs(cand) {
		cand = filepath.Join(absRoot, cand)
	}
	cand = filepath.Clean(cand)
	real, err := contain.ResolveExisting(cand)
	if err != nil {
		return "", "", fmt.Errorf("resolve output folder %s: %w", dir, err)
	}
	rel, err := filepath.Rel(realRoot, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", "", failure.Usage(fmt.Errorf("output folder %s is outside the repository %s: refusing to write the technical file there", dir, absRoot))
	}
	if rel == "." {
		return "", "", failure.Usage(fmt.Errorf("output folder %s is the repository root: choose a folder such as %s", dir, DefaultDir))
	}
	return filepath.Join(realRoot, rel), filepath.ToSlash(rel), nil
}

// readExisting reads a document that may not exist yet. A symlink is
// refused: the file must be a plain file inside the output folder.
func readExisting(path string) (data []byte, exists bool, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("stat %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, false, failure.Usage(fmt.Errorf("%s is not a regular file (symlink or folder): refusing to replace it; make it a plain file or remove it", path))
	}
	data, err = contain.ReadRegular(path, 0)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	return data, true, nil
}

// writeAtomic writes data to path through a temporary file in the same
// folder and a rename, so a reader never sees half a file.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// temporarySuffixes end the names cemark gives a document while writing
// it: ".<name>.tmp-<random>" (writeAtomic) and ".<name>.cemark-stage" (a
// commit staged by evidencedir).
const tmpInfix = ".tmp-"

// temporaryOf returns the document a temporary file name belongs to, or "".
func temporaryOf(name string) string {
	if !strings.HasPrefix(name, ".") {
		return ""
	}
	base := strings.TrimPrefix(name, ".")
	if b, ok := strings.CutSuffix(base, evidencedir.StageSuffix); ok {
		base = b
	} else if i := strings.LastIndex(base, tmpInfix); i > 0 {
		base = base[:i]
	} else {
		return ""
	}
	if base == StateFile || base == docSBOM {
		return base
	}
	for _, d := range documents {
		if d == base {
			return base
		}
	}
	return ""
}

// strayFiles lists the temporary files of cemark's own documents in dir.
func strayFiles(absDir, relDir string) ([]string, error) {
	entries, err := os.ReadDir(absDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", relDir, err)
	}
	var out []string
	for _, e := range entries {
		if temporaryOf(e.Name()) != "" {
			out = append(out, relDir+"/"+e.Name())
		}
	}
	return out, nil
}

// RemoveStray deletes the temporary files that interrupted writes of
// cemark's own documents left in dir (the technical file's folder, an
// absolute path) and returns their names. Only names cemark gives its
// temporary files are touched. The caller holds the run lock.
func RemoveStray(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if temporaryOf(e.Name()) == "" || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		removed = append(removed, e.Name())
	}
	return removed, nil
}
