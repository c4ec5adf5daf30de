package github

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/format"
	"github.com/cemark/cemark/evidence/sbom"
)

// MaxAnnotationsPerLevel caps the error and the warning annotations of
// one step: GitHub shows at most 10 of each per step, so more would only
// hide the worst. One notice then counts what was left out.
const MaxAnnotationsPerLevel = 10

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

// Annotations turns findings into annotations, worst first (format.Worst):
// fail → error, warn and error (a check that broke) → warning, at most
// limit of each; information is not annotated. When anything is left out,
// one notice counts it and says where the full report is (fullReport, a
// path relative to the workspace). r is the located report
// (Evidence.CIReport): its paths are relative to the repository root.
func Annotations(r *checks.Report, limit int, fullReport string) []Annotation {
	var out []Annotation
	errs, warns, left := 0, 0, 0
	for _, f := range format.Worst(r) {
		a := Annotation{Title: fmt.Sprintf("%s (%s)", f.Check, f.Severity), Message: f.Message, File: f.Path, Line: f.Line}
		switch f.Outcome {
		case checks.Fail:
			if errs++; errs > limit {
				left++
				continue
			}
			a.Level = LevelError
		case checks.Warn, checks.Error:
			if warns++; warns > limit {
				left++
				continue
			}
			a.Level = LevelWarning
		default:
			left++
			continue
		}
		if len(f.CRA) > 0 {
			a.Message += " [" + strings.Join(f.CRA, "; ") + "]"
		}
		if strings.Contains(a.File, ":") { // an image reference is not a file
			a.File, a.Line = "", 0
		}
		out = append(out, a)
	}
	if left > 0 {
		where := "the job summary"
		if fullReport != "" {
			where += " and " + fullReport
		}
		out = append(out, Annotation{Level: LevelNotice, Title: "cemark",
			Message: fmt.Sprintf("%d more finding(s) not annotated (at most %d errors and %d warnings per step, worst first): all of them are in %s", left, limit, limit, where)})
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
	// Signing is how the run signed its statements (Evidence.Signing): a
	// key, a keyless identity, or unsigned with the reason.
	Signing attest.Signing
	Docs    string // one line about the technical file
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
	fs := format.Worst(in.Report)
	writeArt14Deadlines(&b, fs)
	if len(in.Missing) > 0 {
		fmt.Fprintf(&b, "**Needs manufacturer input** (cemark.yaml): %s\n\n", cell(strings.Join(in.Missing, ", ")))
	}

	b.WriteString("### Annex I\n\n| Point | Requirement | Status | Basis |\n|---|---|---|---|\n")
	for _, p := range in.Assessment.Points {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(p.Clause), cell(p.Title), statusIcon(p.Status), cell(p.Basis))
	}
	b.WriteString("\n")

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
			where := format.Where(f)
			if where != "" {
				where = "`" + where + "`"
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
	b.WriteString("- " + SigningLine(in.Signing) + "\n")
	if in.Docs != "" {
		fmt.Fprintf(&b, "- %s\n", in.Docs)
	}
	return b.String()
}

// writeArt14Deadlines puts the reports under Art. 14 that are overdue or
// due within 24 hours (CEM-RPT-002) at the top of the summary: fs is in
// format.Worst's order, which lists them first.
func writeArt14Deadlines(b *strings.Builder, fs []checks.Finding) {
	n := 0
	for _, f := range fs {
		if !format.Art14Deadline(f) {
			break
		}
		if n == 0 {
			b.WriteString("### ⚠️ Art. 14 reporting deadlines\n\n")
		}
		n++
		fmt.Fprintf(b, "- **%s** `%s`: %s\n", f.Severity, cell(format.Where(f)), cell(f.Message))
	}
	if n > 0 {
		b.WriteString("\nDraft each report with `cemark report draft ID --stage STAGE`, submit it through ENISA's single reporting platform, " +
			"then record it with `cemark report submitted`; `cemark report status` lists every deadline. cemark never submits.\n\n")
	}
}

// SigningLine says in one Markdown line how the attestations are signed,
// and for keyless signatures how to verify them: the identity and issuer
// are what `cemark verify` and cosign pin.
func SigningLine(s attest.Signing) string {
	switch s.Method {
	case attest.SignKey, attest.SignKeyless:
		line := "Attestations " + cell(s.Describe()) + "."
		if s.Method == attest.SignKeyless {
			line += fmt.Sprintf(" Verify the `.sigstore.json` bundles with `cemark verify --certificate-identity %s --certificate-oidc-issuer %s`.", cell(s.Identity), cell(s.Issuer))
		}
		return line
	}
	why := "no `signing-key`, and no OIDC token (`permissions: id-token: write`)"
	if s.Reason != "" {
		why = cell(s.Reason)
	}
	return "Attestations are **unsigned**: " + why + "."
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
