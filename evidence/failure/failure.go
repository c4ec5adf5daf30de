// Package failure names the ways a cemark command can fail, as kinds of
// error. Library code says what went wrong — the input is bad, the
// evidence shows a failure at the gate, a verification failed — and never
// picks an exit code: cmd/cemark maps the kinds to its documented exit
// codes in one table (cmd/cemark/exitcodes.go), the way cosign keeps its
// codes in cmd/cosign/errors. An error of no kind is the tool breaking.
package failure

import (
	"errors"

	"github.com/cemark/cemark/checks/input"
)

// The kinds. Each is a sentinel: errors.Is(err, failure.ErrUsage) holds for
// any error of that kind, wherever it sits in the chain.
var (
	// ErrUsage is bad input the user fixes: a flag, cemark.yaml (with its
	// file:line:column), a path that leaves the product root, a key that
	// does not load. It is found before any work is done.
	// It is checks/input's kind, the one the checks' typed errors
	// (input.UsageError, input.PathError) say: the checks import nothing
	// of evidence but the config model, so the kind is defined there.
	ErrUsage = input.ErrUsage
	// ErrNotConformant is a finding at or above --fail-on, a stale
	// technical file, a release that is not ready.
	ErrNotConformant = errors.New("not conformant")
	// ErrVerification is evidence that did not verify (cemark verify).
	ErrVerification = errors.New("verification failed")
)

// Kinded is implemented by errors that say their kind: *Error, and typed
// errors of other packages (config.Errors, contain.PathError) that are
// always of one kind.
type Kinded interface {
	// FailureKind is one of the sentinels above.
	FailureKind() error
}

// Error is an error of a kind.
type Error struct {
	Kind error
	Err  error
}

func (e *Error) Error() string      { return e.Err.Error() }
func (e *Error) Unwrap() error      { return e.Err }
func (e *Error) FailureKind() error { return e.Kind }

// Is makes errors.Is(err, ErrUsage) true for an error of that kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

func mark(kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Err: err}
}

// Usage marks err as bad input (nil stays nil).
func Usage(err error) error { return mark(ErrUsage, err) }

// NotConformant marks err as the evidence failing a gate (nil stays nil).
func NotConformant(err error) error { return mark(ErrNotConformant, err) }

// Verification marks err as a failed verification (nil stays nil).
func Verification(err error) error { return mark(ErrVerification, err) }

// KindOf is the kind of the outermost error in err's chain that has one
// (Kinded), or nil: an error of no kind, or no error.
func KindOf(err error) error {
	for err != nil {
		if k, ok := err.(Kinded); ok {
			return k.FailureKind()
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if k := KindOf(e); k != nil {
					return k
				}
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}
