// Package markdown encodes a check report as a readable Markdown summary
// (for a pull request comment, a job summary or the technical file): the
// counts, the failing findings, what needs attention, what was waived and
// why, what could not be assessed, and files that could not be read.
// Findings the baseline holds are marked _existing_.
//
// The wording never says "compliant": at best there is "no failing finding".
package markdown

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks"
)

// ID names the format on the command line.
const ID = "markdown"

// Encode writes the summary.
func Encode(w io.Writer, r *checks.Report) error {
	if r == nil {
		return fmt.Errorf("encode Markdown report: no report")
	}
	b := bufio.NewWriter(w)
	title := r.Product.Name
	if title == "" {
		title = "product"
	}
	if r.Product.Version != "" {
		title += " " + r.Product.Version
	}
	fmt.Fprintf(b, "# cemark checks: %s\n\n", esc(title))

	var fails, warns, waived, errs, na []checks.Finding
	for _, f := range r.Findings() {
		switch f.Outcome {
		case checks.Fail:
			fails = append(fails, f)
		case checks.Warn:
			warns = append(warns, f)
		case checks.Waived:
			waived = append(waived, f)
		case checks.Error:
			errs = append(errs, f)
		case checks.NotApplicable:
			na = append(na, f)
		}
	}
	s := r.Summary
	if len(fails) == 0 {
		fmt.Fprintf(b, "**No failing finding** in %d checks", s.Checks)
	} else {
		fmt.Fprintf(b, "**%d failing finding%s** in %d checks", len(fails), plural(len(fails)), s.Checks)
	}
	if n := s.CheckOutcomes[checks.Fail]; n > 0 {
		fmt.Fprintf(b, " (%d check%s failing)", n, plural(n))
	}
	if n := s.CheckOutcomes[checks.Error]; n > 0 {
		fmt.Fprintf(b, "; %d check%s could not be assessed", n, plural(n))
	}
	b.WriteString(".\n\n")
	b.WriteString("Findings by outcome:\n\n| fail | warn | waived | error | info | pass | not applicable |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(b, "| %d | %d | %d | %d | %d | %d | %d |\n", s.Fail, s.Warn, s.Waived, s.Error, s.Info, s.Pass, s.NotApplicable)
	if s.Baseline > 0 {
		fmt.Fprintf(b, "\n%d finding%s _existing_: the baseline holds %s. Existing findings stay in the evidence; only new findings count for `--fail-on`.\n", s.Baseline, isAre(s.Baseline), itThem(s.Baseline))
	}

	if len(fails) > 0 {
		sortBySeverity(fails)
		b.WriteString("\n## Failing findings\n\n| Severity | Check | Where | Finding | CRA |\n|---|---|---|---|---|\n")
		for _, f := range fails {
			sev := string(f.Severity)
			if from := f.Values["severity_lowered_from"]; from != "" {
				sev += " (test path; " + from + ")"
			}
			msg := f.Message
			if f.Waiver != nil && f.Waiver.Expires != "" {
				msg += " (its waiver expired on " + f.Waiver.Expires + ")"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s%s | %s |\n", sev, f.Check, esc(where(f)), existing(f), esc(msg), esc(strings.Join(f.CRA, "; ")))
		}
	}
	if len(warns) > 0 {
		sortBySeverity(warns)
		b.WriteString("\n## Needs attention\n\n| Check | Where | Finding |\n|---|---|---|\n")
		for _, f := range warns {
			fmt.Fprintf(b, "| %s | %s | %s%s |\n", f.Check, esc(where(f)), existing(f), esc(f.Message))
		}
	}
	if len(waived) > 0 {
		b.WriteString("\n## Waived\n\nWaived findings stay in the evidence; their justifications feed the risk assessment.\n\n")
		b.WriteString("| Check | Where | Finding | Justification | Approved by | Expires |\n|---|---|---|---|---|---|\n")
		for _, f := range waived {
			just, by, exp := "", "", ""
			if f.Waiver != nil {
				just, by, exp = f.Waiver.Justification, f.Waiver.ApprovedBy, f.Waiver.Expires
				if f.Waiver.Source == checks.WaiverSourceInline {
					by = fmt.Sprintf("inline comment, line %d", f.Waiver.Line)
				}
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", f.Check, esc(where(f)), esc(f.Message), esc(just), esc(by), esc(exp))
		}
	}
	if len(errs) > 0 || len(na) > 0 {
		b.WriteString("\n## Not assessed\n\n")
		for _, f := range errs {
			fmt.Fprintf(b, "- %s could not run: %s\n", f.Check, esc(strings.TrimPrefix(f.Message, "check could not run: ")))
		}
		for _, f := range na {
			fmt.Fprintf(b, "- %s not applicable: %s\n", f.Check, esc(f.Message))
		}
	}
	if len(r.FileErrors) > 0 {
		b.WriteString("\n## Files not read\n\n")
		for _, e := range r.FileErrors {
			fmt.Fprintf(b, "- `%s`: %s\n", strings.ReplaceAll(e.Path, "`", "'"), esc(e.Err))
		}
	}
	b.WriteString("\n<details><summary>Checks that ran</summary>\n\n| Check | Title | Outcome | CRA |\n|---|---|---|---|\n")
	for _, res := range r.Results {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", res.ID, esc(res.Title), res.Outcome, esc(strings.Join(res.CRA, "; ")))
	}
	b.WriteString("\n</details>\n\n")
	fmt.Fprintf(b, "_cemark %s shows evidence and gaps for the EU Cyber Resilience Act; it does not declare the product compliant. The manufacturer does that, under its sole responsibility._\n", esc(r.Tool.Version))
	return b.Flush()
}

func where(f checks.Finding) string {
	switch {
	case f.Path == "":
		return "—"
	case f.Line > 0:
		return fmt.Sprintf("%s:%d", f.Path, f.Line)
	}
	return f.Path
}

// existing marks a finding the baseline holds.
func existing(f checks.Finding) string {
	if f.Baseline {
		return "_existing_ — "
	}
	return ""
}

func sortBySeverity(fs []checks.Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity.Rank() > fs[j].Severity.Rank() })
}

func isAre(n int) string {
	if n == 1 {
		return " is"
	}
	return "s are"
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// cellEscaper makes text safe inside a Markdown table cell. Built once: a
// Replacer compiles its table on first use, and a report has a cell per
// finding.
var cellEscaper = strings.NewReplacer(`|`, `\|`, `<`, `&lt;`, `>`, `&gt;`, "`", "'")

// esc makes text safe inside a Markdown table cell.
func esc(s string) string {
	return cellEscaper.Replace(strings.Join(strings.Fields(s), " "))
}
