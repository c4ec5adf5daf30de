// Package codequality encodes a check report as a GitLab Code Quality
// report (codequality.json): a JSON array of issues with description,
// check_name, fingerprint, severity and location. It works on GitLab Free
// and shows findings in merge requests.
//
// Only failing and warning findings are issues; waived, passing and
// informational ones are not. The fingerprint is checks.Fingerprint (a
// SHA-256 of check, path and the finding's stable key, never a line number:
// the same value as SARIF's and the baseline's), so an issue keeps its
// identity across commits and GitLab can tell new from resolved.
package codequality

import (
	"fmt"
	"io"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/internal/jsonindent"
)

// ID names the format on the command line.
const ID = "gitlab-codequality"

// Issue is one Code Quality entry.
type Issue struct {
	Description string   `json:"description"`
	CheckName   string   `json:"check_name"`
	Fingerprint string   `json:"fingerprint"`
	Severity    string   `json:"severity"` // info | minor | major | critical | blocker
	Location    Location `json:"location"`
	Categories  []string `json:"categories,omitempty"`
}

// Location is a file and line.
type Location struct {
	Path  string `json:"path"`
	Lines Lines  `json:"lines"`
}

// Lines holds the first line.
type Lines struct {
	Begin int `json:"begin"`
}

// Issues returns the Code Quality issues of r, in report order.
func Issues(r *checks.Report) []Issue {
	fallback := r.ConfigFile
	if fallback == "" {
		fallback = config.FileName
	}
	out := []Issue{}
	for _, res := range r.Results {
		for _, f := range res.Findings {
			if f.Outcome != checks.Fail && f.Outcome != checks.Warn {
				continue
			}
			p, line := f.Path, f.Line
			if p == "" {
				p = fallback
			}
			if line < 1 {
				line = 1
			}
			desc := f.Message
			if f.Outcome == checks.Warn {
				desc = "needs attention: " + desc
			}
			if len(f.CRA) > 0 {
				desc += " (CRA " + strings.Join(f.CRA, "; ") + ")"
			}
			out = append(out, Issue{
				Description: desc, CheckName: f.Check, Fingerprint: checks.Fingerprint(f),
				Severity: severity(f), Location: Location{Path: p, Lines: Lines{Begin: line}},
				Categories: []string{"Security"},
			})
		}
	}
	return out
}

// Encode writes r's issues as a JSON array (no BOM, trailing newline).
func Encode(w io.Writer, r *checks.Report) error {
	if r == nil {
		return fmt.Errorf("encode Code Quality report: no report")
	}
	// The issues are encoded a few hundred at a time
	// (jsonindent.CompactArray); nothing is written before all are.
	b, err := jsonindent.CompactArray(Issues(r), 256, false)
	if err != nil {
		return fmt.Errorf("encode Code Quality report: %w", err)
	}
	return jsonindent.Write(w, append(b, '\n'), "  ")
}

// severity maps cemark's severities onto GitLab's; warnings are at most minor.
func severity(f checks.Finding) string {
	if f.Outcome == checks.Warn {
		if f.Severity.Rank() >= checks.SeverityMedium.Rank() {
			return "minor"
		}
		return "info"
	}
	switch f.Severity {
	case checks.SeverityCritical:
		return "blocker"
	case checks.SeverityHigh:
		return "critical"
	case checks.SeverityMedium:
		return "major"
	case checks.SeverityLow:
		return "minor"
	}
	return "info"
}
