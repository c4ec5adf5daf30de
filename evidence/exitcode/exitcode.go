// Package exitcode carries cemark's documented exit codes through error
// values, so library code can say "verification failed" and the CLI, the
// GitHub Action and the GitLab job all exit with the same code.
package exitcode

import (
	"errors"

	"github.com/cemark/cemark/checks/input"
)

const (
	OK                 = 0 // done
	ToolError          = 1 // the tool broke
	Usage              = 2 // usage or configuration error
	NotConformant      = 3 // a failing finding at or above --fail-on, a stale technical file, not release-ready
	VerificationFailed = 4 // cemark verify rejected the attestations

	// Interrupted and Terminated end a run stopped by SIGINT or SIGTERM
	// (128 + the signal's number, as shells report it). Nothing more was
	// written: the previous evidence and technical file are whole.
	Interrupted = 130
	Terminated  = 143
)

// Error is an error with an exit code.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Wrap attaches code to err (nil stays nil).
func Wrap(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Of returns the exit code for err: 0 for nil, the outermost attached code,
// Usage for an error of the kind input.ErrUsage (*input.UsageError,
// *input.PathError: what the checks and evidence/contain return instead of
// wrapping), else ToolError.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if input.IsUsage(err) {
		return Usage
	}
	return ToolError
}
