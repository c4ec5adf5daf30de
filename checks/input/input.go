// Package input decides how cemark reads what a product and its
// configuration name, and says what was wrong with an input it refuses.
//
// It is the read half of evidence/contain, kept where the checks may import
// it (they import nothing of evidence but the config model) and evidence
// reaches it through evidence/contain, which keeps the write half:
//
//   - only regular files are read (FIFOs, devices and sockets never are),
//     and every read has a size bound (OpenRegular, ReadRegular,
//     LimitedReader);
//   - a glob of files to read from cemark.yaml is relative to the product
//     root and never leaves it (CheckGlob); one from the command line may;
//   - a refusal names the input and where it came from (Origin: "--out",
//     "cemark.yaml:4:8").
//
// Errors are typed, never tied to an exit code here: a *UsageError or a
// refused path (*PathError) is input the user must fix, of the kind
// ErrUsage, and cmd/ maps that kind to exit code 2.
package input

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Origin says where an input came from, for messages.
type Origin struct {
	// Key names the setting: "--out", "outputs.dir", "input output-dir",
	// "CEMARK_OUTPUT_DIR".
	Key string
	// Where is the position in a file, "cemark.yaml:4:8"; empty for a flag,
	// an input or a variable.
	Where string
}

func (o Origin) String() string {
	switch {
	case o.Where != "" && o.Key != "":
		return o.Where + ": " + o.Key
	case o.Where != "":
		return o.Where
	}
	return o.Key
}

// ErrUsage is the kind of every error of this package: bad input the user
// fixes, found before any work is done. errors.Is(err, ErrUsage) holds for
// a *UsageError and a *PathError anywhere in err's chain, and both say so
// through FailureKind, the method cmd/'s exit-code table asks a typed error
// for its kind.
var ErrUsage = errors.New("usage or configuration error")

// PathError is a path cemark refuses to read from (or, through
// evidence/contain, to write to): a usage error.
type PathError struct {
	Path   string // as given
	Origin Origin
	Reason string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Origin, e.Path, e.Reason)
}

// FailureKind: a refused path is the user's to fix (ErrUsage).
func (e *PathError) FailureKind() error { return ErrUsage }

// Is makes errors.Is(err, ErrUsage) hold.
func (e *PathError) Is(target error) bool { return target == ErrUsage }

// UsageError is input the user must fix — a value in cemark.yaml, a flag,
// a file one of them names, an unknown check ID — rather than a fault of
// the tool: cmd/ maps it to exit code 2. Where, when known, is the
// position of the bad value ("cemark.yaml:4:8") or the flag that gave it
// ("--update-key"); the wrapped error may carry its own (a *PathError's
// Origin, a config.Error's file:line:column).
type UsageError struct {
	Where string
	Err   error
}

func (e *UsageError) Error() string {
	if e.Where == "" {
		return e.Err.Error()
	}
	return e.Where + ": " + e.Err.Error()
}

func (e *UsageError) Unwrap() error { return e.Err }

// FailureKind: a usage error is the user's to fix (ErrUsage).
func (e *UsageError) FailureKind() error { return ErrUsage }

// Is makes errors.Is(err, ErrUsage) hold.
func (e *UsageError) Is(target error) bool { return target == ErrUsage }

// Usage marks err as a usage error (nil stays nil; an error that already
// is one is returned as it is).
func Usage(err error) error {
	if err == nil || IsUsage(err) {
		return err
	}
	return &UsageError{Err: err}
}

// IsUsage reports whether err is, or wraps, a usage error of this package.
func IsUsage(err error) bool { return errors.Is(err, ErrUsage) }

// Refuse is the *PathError refusing path p from origin o, for the reason
// format gives.
func Refuse(p string, o Origin, format string, args ...any) error {
	return &PathError{Path: p, Origin: o, Reason: fmt.Sprintf(format, args...)}
}

// CheckGlob validates a glob of files to read: a valid pattern ("**"
// allowed) and, unless fromCommandLine, relative to the product root and
// never leaving it ("/etc/*" and "../../etc/*" are refused alike). A
// refusal is a *PathError.
func CheckGlob(g string, o Origin, fromCommandLine bool) error {
	if strings.TrimSpace(g) == "" {
		return Refuse(g, o, "is empty; expected a glob relative to the product root, e.g. dist/*")
	}
	slash := filepath.ToSlash(g)
	if !fromCommandLine {
		if filepath.IsAbs(g) || strings.HasPrefix(slash, "/") || filepath.VolumeName(g) != "" {
			return Refuse(g, o, "is an absolute path; cemark.yaml names files inside the product root, relative to it, e.g. dist/*")
		}
		for _, seg := range strings.Split(slash, "/") {
			if seg == ".." {
				return Refuse(g, o, "leaves the product root (..); cemark.yaml names files inside it, e.g. dist/*")
			}
		}
	}
	if !doublestar.ValidatePattern(strings.TrimPrefix(slash, "./")) {
		return Refuse(g, o, "is not a valid glob (check its [ ] and { } brackets)")
	}
	return nil
}

// Within reports whether p is root or lies below it (both clean and
// absolute; resolve symlinks first where they matter).
func Within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
