package config

import (
	"fmt"
	"strings"

	"github.com/cemark/cemark/evidence/failure"
)

// Error is one problem in cemark.yaml, at a position. Its message says what
// is wrong and what was expected:
//
//	cemark.yaml:4:3: unknown key "nmae" in product; expected one of: name, version, …
type Error struct {
	File   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	Msg    string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// FailureKind: a problem in cemark.yaml is the user's to fix.
func (e *Error) FailureKind() error { return failure.ErrUsage }

// Errors is every problem found in one file, in file order. errors.As finds
// the first *Error through it.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// FailureKind: problems in cemark.yaml are the user's to fix.
func (es Errors) FailureKind() error { return failure.ErrUsage }

// Unwrap gives errors.Is and errors.As every *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
