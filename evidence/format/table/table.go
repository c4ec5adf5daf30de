// Package table prints a check report as a plain-text table for a
// terminal: what failed, needs attention, was waived or could not run,
// then the counts. Findings the baseline holds are marked "(existing)".
// No colour, no escape codes.
package table

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cemark/cemark/checks"
)

// ID names the format on the command line.
const ID = "table"

// maxMessage keeps rows on a terminal line.
const maxMessage = 100

// Encode writes the table.
func Encode(w io.Writer, r *checks.Report) error {
	if r == nil {
		return fmt.Errorf("encode table: no report")
	}
	b := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	rows := 0
	for _, res := range r.Results {
		for _, f := range res.Findings {
			switch f.Outcome {
			case checks.Fail, checks.Warn, checks.Waived, checks.Error:
			default:
				continue
			}
			if rows == 0 {
				fmt.Fprintln(tw, "OUTCOME\tSEVERITY\tCHECK\tLOCATION\tFINDING")
			}
			rows++
			msg := f.Message
			if f.Outcome == checks.Waived && f.Waiver != nil {
				msg += " [waived: " + f.Waiver.Justification + "]"
			}
			outcome := string(f.Outcome)
			if f.Baseline {
				outcome += " (existing)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", outcome, f.Severity, f.Check, where(f), clip(msg))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rows > 0 {
		fmt.Fprintln(b)
	}
	for _, e := range r.FileErrors {
		fmt.Fprintf(b, "not read: %s: %s\n", e.Path, e.Err)
	}
	s := r.Summary
	verdict := "no failing finding"
	if s.Fail > 0 {
		verdict = fmt.Sprintf("%d failing finding%s", s.Fail, plural(s.Fail))
	}
	co := s.CheckOutcomes
	fmt.Fprintf(b, "%d checks: %s", s.Checks, verdict)
	if n := co[checks.Fail]; n > 0 {
		fmt.Fprintf(b, " in %d check%s", n, plural(n))
	}
	if n := co[checks.Error]; n > 0 {
		fmt.Fprintf(b, "; %d check%s could not run", n, plural(n))
	}
	if n := s.Checks - co[checks.Fail] - co[checks.Error]; n > 0 && s.Checks > 0 {
		fmt.Fprintf(b, "; %d with no failing finding", n)
	}
	fmt.Fprintf(b, "\nfindings: %d fail, %d warn, %d waived, %d error, %d info, %d pass, %d not applicable\n",
		s.Fail, s.Warn, s.Waived, s.Error, s.Info, s.Pass, s.NotApplicable)
	if s.Baseline > 0 {
		fmt.Fprintf(b, "existing: %d finding%s the baseline holds (marked so above) stay in the evidence; only new findings count for --fail-on\n", s.Baseline, plural(s.Baseline))
	}
	return b.Flush()
}

func where(f checks.Finding) string {
	switch {
	case f.Path == "":
		return "-"
	case f.Line > 0:
		return fmt.Sprintf("%s:%d", f.Path, f.Line)
	}
	return f.Path
}

// clip keeps a message on one line and cuts it at maxMessage runes.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxMessage {
		return string(r[:maxMessage-1]) + "…"
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
