// Package contain decides where cemark may write and what it may read.
//
// cemark runs with write access inside people's repositories and CI
// workspaces. Every folder it writes into — the evidence directory, the
// technical file's folder — and every file a product's configuration names
// for reading passes through this package first, whatever it came from
// (cemark.yaml, a flag, a CI input, an environment variable):
//
//   - a write target resolves, after symlinks, inside the boundary (the
//     product root; in CI the workspace that holds it), and is never the
//     product root itself, a folder that contains it, or anything in .git;
//   - an evidence directory that already exists must be one cemark made
//     (it holds the Marker file), because cemark replaces it whole: cemark
//     deletes only what it wrote;
//   - a path cemark.yaml names for reading lies inside the product root; an
//     absolute path is accepted only from the command line, where it is a
//     conscious act (and recorded in run.json);
//   - only regular files are read (FIFOs, devices and sockets never are), and
//     every read has a size bound (OpenRegular, ReadRegular).
//
// A refusal is a *PathError, a usage error (input.ErrUsage, which is failure.ErrUsage),
// that names the path and where it came from ("--out", "cemark.yaml:4:8").
//
// The read half — bounded reads of regular files, globs to read, Origin and
// PathError — is checks/input, so that the checks can use it without
// importing evidence; this package re-exports it (read.go).
package contain

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cemark/cemark/checks/input"
	"github.com/cemark/cemark/evidence/failure"
)

// Marker is the file cemark writes into every evidence directory it makes.
// An existing folder without it is not replaced.
const Marker = ".cemark-evidence"

// MarkerContent is what the marker file holds: the same bytes on every run.
var MarkerContent = []byte("This folder is cemark's evidence directory: cemark replaces it whole on every run.\n" +
	"cemark refuses to replace a folder that does not hold this file.\n")

// Origin says where a path came from, for messages (input.Origin: the
// read half of this package lives in checks/input, where the checks may
// import it).
type Origin = input.Origin

// Flag is the origin of a path given with a command-line flag or argument.
func Flag(name string) Origin { return Origin{Key: name} }

// PathError is a path cemark refuses to write to or read from.
type PathError = input.PathError

func refuse(p string, o Origin, format string, args ...any) error {
	return input.Refuse(p, o, format, args...)
}

// Bounds are the limits of one run: the product root, and the folder no
// write may leave.
type Bounds struct {
	// Product is the product root, absolute (as given, not resolved).
	Product string
	// Boundary is the folder every write stays in: the product root, or
	// in CI the workspace that holds it. Absolute (as given).
	Boundary string
	// realProduct and realBoundary are the same with symlinks resolved:
	// every decision is made on them.
	realProduct, realBoundary string
	// boundaryName says what Boundary is in messages.
	boundaryName string
}

// New returns the bounds of a run on product; boundary is the workspace in
// CI, or "" for the product root itself. The product root must lie inside
// the boundary.
func New(product, boundary string) (Bounds, error) {
	abs, real, err := realDir(product)
	if err != nil {
		return Bounds{}, failure.Usage(fmt.Errorf("product root: %w", err))
	}
	b := Bounds{Product: abs, realProduct: real, Boundary: abs, realBoundary: real, boundaryName: "the product root " + abs}
	if boundary != "" {
		wabs, wreal, err := realDir(boundary)
		if err != nil {
			return Bounds{}, failure.Usage(fmt.Errorf("workspace: %w", err))
		}
		if !Within(wreal, real) {
			return Bounds{}, failure.Usage(fmt.Errorf("product root %s is outside the workspace %s", abs, wabs))
		}
		b.Boundary, b.realBoundary, b.boundaryName = wabs, wreal, "the workspace "+wabs
	}
	return b, nil
}

func realDir(p string) (abs, real string, err error) {
	if abs, err = filepath.Abs(p); err != nil {
		return "", "", err
	}
	if real, err = filepath.EvalSymlinks(abs); err != nil {
		return "", "", err
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", "", err
	}
	if !fi.IsDir() {
		return "", "", fmt.Errorf("%s is not a folder", p)
	}
	return abs, real, nil
}

// given maps a resolved path inside the boundary back below the boundary
// as it was given, so that paths in messages and outputs read as the user
// wrote them.
func (b Bounds) given(real string) string {
	rel, err := filepath.Rel(b.realBoundary, real)
	if err != nil || !Within(b.realBoundary, real) {
		return real
	}
	return filepath.Join(b.Boundary, rel)
}

// resolveWrite makes p absolute (relative to the product root), resolves
// the symlinks of its existing part, and refuses a place cemark must never
// write: outside the boundary, the product root or a folder above it, and
// anything in .git.
func (b Bounds) resolveWrite(p string, o Origin) (string, error) {
	if strings.TrimSpace(p) == "" {
		return "", refuse(p, o, "is empty; expected a folder inside %s", b.boundaryName)
	}
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(b.Product, abs)
	}
	real, err := ResolveExisting(filepath.Clean(abs))
	if err != nil {
		return "", refuse(p, o, "cannot be resolved: %v", err)
	}
	switch {
	case real == b.realProduct:
		return "", refuse(p, o, "is the product root itself; cemark writes only into a folder of its own inside it")
	case real == b.realBoundary:
		return "", refuse(p, o, "is %s itself; cemark writes only into a folder of its own inside it", b.boundaryName)
	case Within(real, b.realProduct) || Within(real, b.realBoundary):
		return "", refuse(p, o, "is a folder that contains the product root; cemark writes only into a folder of its own inside it")
	case !Within(b.realBoundary, real):
		return "", refuse(p, o, "resolves to %s, outside %s; cemark writes only inside it", real, b.boundaryName)
	case inGit(b.realBoundary, real):
		return "", refuse(p, o, "is inside .git; cemark never writes into a repository's metadata")
	}
	return real, nil
}

// EvidenceDir resolves an evidence directory: a folder cemark replaces
// whole on every run. Beyond resolveWrite's rules, an existing folder must
// be one cemark made — it holds the Marker, or it is an evidence directory
// of a cemark version from before the marker whose run.json lists exactly
// the files it holds — or be empty. It returns the absolute, resolved path.
func (b Bounds) EvidenceDir(p string, o Origin) (string, error) {
	real, err := b.resolveWrite(p, o)
	if err != nil {
		return "", err
	}
	fi, err := os.Lstat(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return b.given(real), nil
	case err != nil:
		return "", fmt.Errorf("%s %q: %w", o, p, err)
	case !fi.IsDir():
		return "", refuse(p, o, "exists and is not a folder; cemark replaces only an evidence directory it made")
	}
	ok, err := IsEvidenceDir(real)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", o, p, err)
	}
	if !ok {
		return "", refuse(p, o, "is a folder cemark did not make (it has no %s file and is not empty); cemark replaces only its own evidence directory: choose another folder, or remove this one", Marker)
	}
	return b.given(real), nil
}

// Dir resolves a folder cemark writes named files into without replacing
// the folder (the technical file). It returns the absolute, resolved path.
func (b Bounds) Dir(p string, o Origin) (string, error) {
	real, err := b.resolveWrite(p, o)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(real); err == nil && !fi.IsDir() {
		return "", refuse(p, o, "exists and is not a folder")
	}
	return b.given(real), nil
}

// IsEvidenceDir reports whether dir may be replaced as an evidence
// directory: it holds the Marker, it is empty, or it is the evidence of a
// cemark version from before the marker (run.json names every other file
// it holds, and it holds no folder).
func IsEvidenceDir(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	if len(entries) == 0 {
		return true, nil
	}
	if fi, err := os.Lstat(filepath.Join(dir, Marker)); err == nil && fi.Mode().IsRegular() {
		return true, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		return false, nil
	}
	var rec struct {
		Outputs []struct {
			Name string `json:"name"`
		} `json:"outputs"`
	}
	if json.Unmarshal(data, &rec) != nil {
		return false, nil
	}
	listed := map[string]bool{"run.json": true}
	for _, o := range rec.Outputs {
		listed[o.Name] = true
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !listed[e.Name()] {
			return false, nil
		}
	}
	return true, nil
}

// ReadPath resolves a path named for reading. A relative path is relative
// to the product root and must stay inside it, also after symlinks. An
// absolute path is accepted only when fromCommandLine (a conscious act the
// caller records); from cemark.yaml it is refused. A path that does not
// exist is returned as it would be; the caller reports it.
func (b Bounds) ReadPath(p string, o Origin, fromCommandLine bool) (string, error) {
	if strings.TrimSpace(p) == "" {
		return "", refuse(p, o, "is empty; expected a path inside the product root")
	}
	if filepath.IsAbs(p) || strings.HasPrefix(filepath.ToSlash(p), "/") {
		if fromCommandLine {
			return filepath.Clean(p), nil
		}
		return "", refuse(p, o, "is an absolute path; cemark.yaml names files inside the product root, relative to it (an absolute path may be given on the command line)")
	}
	abs := filepath.Join(b.Product, p)
	if !Within(b.Product, abs) {
		if fromCommandLine {
			return abs, nil
		}
		return "", refuse(p, o, "leaves the product root %s; cemark.yaml names files inside it", b.Product)
	}
	real, err := ResolveExisting(abs)
	if err != nil {
		return "", refuse(p, o, "cannot be resolved: %v", err)
	}
	if !Within(b.realProduct, real) && !fromCommandLine {
		return "", refuse(p, o, "resolves through a symbolic link to %s, outside the product root %s", real, b.Product)
	}
	return abs, nil
}

// Inside reports whether path, after symlinks, lies inside the product root.
func (b Bounds) Inside(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	return Within(b.realProduct, real)
}

// CheckGlob validates a glob of files to read (input.CheckGlob).
func CheckGlob(g string, o Origin, fromCommandLine bool) error {
	return input.CheckGlob(g, o, fromCommandLine)
}

// ResolveExisting resolves the symlinks in the longest existing prefix of
// p and appends the rest, so a folder that does not exist yet is judged by
// where it would be created.
func ResolveExisting(p string) (string, error) {
	rest := ""
	cur := p
	for {
		real, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// Within reports whether p is root or lies below it (input.Within).
func Within(root, p string) bool { return input.Within(root, p) }

// inGit reports whether p, below root, has a path element named .git.
func inGit(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	for _, seg := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.EqualFold(seg, ".git") {
			return true
		}
	}
	return false
}

// OutputFile resolves a single file named on the command line for cemark
// to write (`sbom -o FORMAT=FILE`, `check --out`, `attest -o`): the user
// chose it, so it may lie anywhere — like keygen's output — but never in a
// .git folder, and never over anything but a regular file (a folder, a
// device such as /dev/null, a FIFO), which a rename would replace. It
// returns the absolute path with symlinks resolved.
func OutputFile(p string, o Origin) (string, error) {
	if strings.TrimSpace(p) == "" {
		return "", refuse(p, o, "is empty; expected a file name")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", refuse(p, o, "cannot be resolved: %v", err)
	}
	real, err := ResolveExisting(abs)
	if err != nil {
		return "", refuse(p, o, "cannot be resolved: %v", err)
	}
	for _, seg := range strings.Split(filepath.ToSlash(real), "/") {
		if strings.EqualFold(seg, ".git") {
			return "", refuse(p, o, "is inside .git; cemark never writes into a repository's metadata")
		}
	}
	if fi, err := os.Stat(real); err == nil && !fi.Mode().IsRegular() {
		return "", refuse(p, o, "is %s; cemark writes a file only where none is, or over a regular file", Kind(fi.Mode()))
	}
	return real, nil
}
