package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
)

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "cemark",
		Short: "Evidence of conformity with the EU Cyber Resilience Act, from every build",
		Long: `cemark turns every build into evidence for the EU Cyber Resilience Act
(Regulation (EU) 2024/2847): an SBOM, checks tied to Annex I, signed in-toto
attestations and the Module A technical file.

cemark shows evidence and gaps; it never declares a product compliant. The
manufacturer does that, under its sole responsibility.

Exit codes: 0 done, 1 the tool broke (or another run holds the run lock),
2 usage or configuration error, 3 not conformant (a failing finding at or
above --fail-on, a stale technical file, a release not ready), 4 verification
failed, 130/143 interrupted by SIGINT/SIGTERM (nothing more was written).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newRunCmd(e),
		newSBOMCmd(e),
		newInitCmd(e),
		newVersionCmd(e),
		newCheckCmd(e),
		newChecksCmd(e),
		newBaselineCmd(e),
		newPortsCmd(e),
		newKeygenCmd(e),
		newAttestCmd(e),
		newVerifyCmd(e),
		newDocsCmd(e),
		newReportCmd(e),
		newActionCmd(e),
		newDBCmd(e),
		newVEXCmd(e),
	)
	return root
}

// usageError marks a bad command line (exit 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func isUsageError(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	// cobra's own argument errors.
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "accepts ") ||
		strings.HasPrefix(msg, "requires at least") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag")
}

// silentError is an error whose message was already shown to the user
// (e.g. a report that explains a non-zero exit); only its code matters.
type silentError struct{ err error }

func (s silentError) Error() string { return s.err.Error() }
func (s silentError) Unwrap() error { return s.err }

func silent(err error) bool {
	var s silentError
	return errors.As(err, &s)
}
