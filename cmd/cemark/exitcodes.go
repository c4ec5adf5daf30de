package main

import (
	"github.com/cemark/cemark/evidence/failure"
)

// cemark's exit codes: a contract with every script and CI job that runs
// it, listed in the README's table (TestREADMETable keeps the two equal).
const (
	exitOK            = 0 // done
	exitBroke         = 1 // the tool broke, or another run holds the run lock
	exitUsage         = 2 // usage or configuration error
	exitNotConformant = 3 // a failing finding at or above --fail-on, a stale technical file, not release-ready
	exitVerification  = 4 // cemark verify rejected the attestations

	// exitInterrupted and exitTerminated end a run stopped by SIGINT or
	// SIGTERM (128 + the signal's number, as shells report it). Nothing
	// more was written: the previous evidence and technical file are whole.
	exitInterrupted = 130
	exitTerminated  = 143
)

// exitCodes is the one table from the kinds of failure the library
// returns (evidence/failure) to exit codes. An error of no kind — an I/O
// error, a bug, evidencedir.BusyError when another run holds the lock —
// is the tool breaking.
var exitCodes = map[error]int{
	failure.ErrUsage:         exitUsage,
	failure.ErrNotConformant: exitNotConformant,
	failure.ErrVerification:  exitVerification,
}

// exitCode is the exit code for err: 0 for nil, a bad command line (cobra's
// own errors, usageError) 2, else the code of the error's outermost kind.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	if isUsageError(err) {
		return exitUsage
	}
	if code, ok := exitCodes[failure.KindOf(err)]; ok {
		return code
	}
	return exitBroke
}
