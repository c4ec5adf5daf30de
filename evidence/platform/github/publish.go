package github

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/sbom"
)

// MaxAnnotations caps the annotations of one run: GitHub shows at most 10
// per level and step in the diff and 50 in the run, and a flood hides
// what matters. One more notice counts the rest.
const MaxAnnotations = 50

// Conformity output values (action.yml), the pipeline's status words
// (conformity predicate v2): "evidence-complete" means no failing finding
// and every Annex I point evidenced, stated by the manufacturer or
// justified not applicable — never a legal declaration.
const (
	EvidenceComplete = "evidence-complete"
	FailingFindings  = "failing-findings"
	Incomplete       = "incomplete"
)

// ConformityOutput maps the pipeline's status word onto the output value.
func ConformityOutput(status string) string {
	switch status {
	case EvidenceComplete, FailingFindings:
		return status
	}
	return Incomplete
}

func outcomeRank(o checks.Outcome) int {
	switch o {
	case checks.Fail:
		return 0
	case checks.Error:
		return 1
	case checks.Warn:
		return 2
	case checks.Info:
		return 3
	}
	return -1
}

// shown returns the findings worth a person's attention, worst first, in a
// stable order.
func shown(r *checks.Report) []checks.Finding {
	if r == nil {
		return nil
	}
	var out []checks.Finding
	for _, res := range r.Results {
		for _, f := range res.Findings {
			if outcomeRank(f.Outcome) >= 0 {
				if f.Check == "" {
					f.Check = res.ID
				}
				out = append(out, f)
			}
		}
		if res.Outcome == checks.Error && len(res.Findings) == 0 {
			out = append(out, checks.Finding{Check: res.ID, Outcome: checks.Error, Severity: res.Severity, Message: "the check could not run: " + res.Error})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := outcomeRank(a.Outcome), outcomeRank(b.Outcome); ra != rb {
			return ra < rb
		}
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return ra > rb
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Message < b.Message
	})
	return out
}

// Annotations turns findings into annotations: fail → error, warn and
// error (a check that broke) → warning, info → notice. rootPrefix is the
// product root relative to the repository ("" or "sub/dir"). At most limit
// are returned, plus one notice counting the rest.
func Annotations(r *checks.Report, rootPrefix string, limit int) []Annotation {
	fs := shown(r)
	var out []Annotation
	for i, f := range fs {
		if i == limit {
			out = append(out, Annotation{Level: LevelNotice, Title: "cemark",
				Message: fmt.Sprintf("%d more finding(s) not annotated; see the job summary and report.sarif", len(fs)-limit)})
			break
		}
		a := Annotation{Title: fmt.Sprintf("%s (%s)", f.Check, f.Severity), Message: f.Message}
		switch f.Outcome {
		case checks.Fail:
			a.Level = LevelError
		case checks.Warn, checks.Error:
			a.Level = LevelWarning
		default:
			a.Level = LevelNotice
		}
		if len(f.CRA) > 0 {
			a.Message += " [" + strings.Join(f.CRA, "; ") + "]"
		}
		if f.Path != "" && !strings.Contains(f.Path, ":") { // image references are not files
			a.File = path.Join(rootPrefix, f.Path)
			a.Line = f.Line
		}
		out = append(out, a)
	}
	return out
}

// SummaryInput is what the job summary shows.
type SummaryInput struct {
	Product, Version string
	Status           string // the `conformity` output value
	Assessment       conformity.Assessment
	Report           *checks.Report
	SBOM             *sbom.Result
	Missing          []string
	Signed           bool
	KeyID            string
	Docs             string // one line about the technical file
	RootPrefix       string
	// MaxFindings caps the findings table (0: 100).
	MaxFindings int
}

func cell(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.TrimSpace(s)
}

var statusWords = map[string]string{
	EvidenceComplete: "no failing finding, and every Annex I point evidenced, stated by the manufacturer or justified not applicable",
	FailingFindings:  "failing findings",
	Incomplete:       "incomplete: points not assessed, warnings, manufacturer input missing, or checks that could not run",
}

// RenderSummary renders the job summary as Markdown.
func RenderSummary(in SummaryInput) string {
	var b strings.Builder
	name := in.Product
	if name == "" {
		name = "product"
	}
	fmt.Fprintf(&b, "## cemark: %s %s\n\n", cell(name), cell(in.Version))
	fmt.Fprintf(&b, "**Evidence status:** `%s` — %s.\n\n", in.Status, statusWords[in.Status])
	b.WriteString("> cemark shows evidence and gaps against Annex I of the Cyber Resilience Act; the manufacturer declares conformity.\n\n")
	if len(in.Missing) > 0 {
		fmt.Fprintf(&b, "**Needs manufacturer input** (cemark.yaml): %s\n\n", cell(strings.Join(in.Missing, ", ")))
	}

	b.WriteString("### Annex I\n\n| Point | Requirement | Status | Basis |\n|---|---|---|---|\n")
	for _, p := range in.Assessment.Points {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(p.Clause), cell(p.Title), statusIcon(p.Status), cell(p.Basis))
	}
	b.WriteString("\n")

	fs := shown(in.Report)
	if in.Report != nil {
		s := in.Report.Summary
		fmt.Fprintf(&b, "### Findings\n\n%d checks: %d failing, %d warnings, %d info, %d waived, %d could not run.\n\n", s.Checks, s.Fail, s.Warn, s.Info, s.Waived, s.Error)
	}
	if len(fs) > 0 {
		limit := in.MaxFindings
		if limit <= 0 {
			limit = 100
		}
		b.WriteString("| Outcome | Severity | Check | Where | Finding |\n|---|---|---|---|---|\n")
		for i, f := range fs {
			if i == limit {
				fmt.Fprintf(&b, "\n%d more in `report.md` / `report.sarif`.\n", len(fs)-limit)
				break
			}
			where := ""
			if f.Path != "" {
				where = "`" + path.Join(in.RootPrefix, f.Path)
				if f.Line > 0 {
					where += ":" + strconv.Itoa(f.Line)
				}
				where += "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", f.Outcome, f.Severity, f.Check, cell(where), cell(f.Message))
		}
		b.WriteString("\n")
	}

	if in.Report != nil && in.Report.Facts.Inventory != nil {
		inv := in.Report.Facts.Inventory
		b.WriteString("### Network interfaces\n\n")
		if len(inv.Interfaces) == 0 {
			b.WriteString("No exposed network interface found.\n\n")
		} else {
			b.WriteString("| Port | Protocol | Bind | TLS | Declared | Where |\n|---|---|---|---|---|---|\n")
			for _, it := range inv.Interfaces {
				tls := "unknown"
				if it.TLS != nil {
					tls = map[bool]string{true: "yes", false: "no"}[*it.TLS]
				}
				bind := it.Bind
				if bind == "" {
					bind = "unknown"
				}
				declared := "no"
				if it.Declared {
					declared = "yes"
				}
				var places []string
				for _, p := range it.Places {
					w := p.Kind + " " + p.Path
					if p.Line > 0 {
						w += ":" + strconv.Itoa(p.Line)
					}
					places = append(places, w)
				}
				fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", it.Port, it.Protocol, cell(bind), tls, declared, cell(strings.Join(places, "; ")))
			}
			b.WriteString("\n")
		}
	}

	if in.SBOM != nil {
		q := in.SBOM.Quality
		fmt.Fprintf(&b, "### SBOM\n\n%d components; BSI TR-03183-2 / NTIA fields: **%s**.\n\n", len(in.SBOM.Components), q.Verdict)
		if len(q.Fields) > 0 {
			b.WriteString("| Field | Required | Components with it |\n|---|---|---|\n")
			for _, f := range q.Fields {
				req := "no"
				if f.Required {
					req = "yes"
				}
				fmt.Fprintf(&b, "| %s | %s | %d of %d |\n", cell(f.Title), req, f.Covered, q.Components)
			}
			b.WriteString("\n")
		}
	}

	b.WriteString("### Attestations and technical file\n\n")
	if in.Signed {
		fmt.Fprintf(&b, "- Attestations signed by key `%s`.\n", cell(in.KeyID))
	} else {
		b.WriteString("- Attestations are **unsigned** (no `signing-key`).\n")
	}
	if in.Docs != "" {
		fmt.Fprintf(&b, "- %s\n", in.Docs)
	}
	return b.String()
}

func statusIcon(s conformity.Status) string {
	switch s {
	case conformity.EvidenceComplete:
		return "✅ evidence complete"
	case conformity.StatedNotVerified:
		return "📝 stated, not verified"
	case conformity.FailingFinding:
		return "❌ failing finding"
	case conformity.NotApplicable:
		return "➖ not applicable"
	}
	return "❔ " + s.Words()
}
