package all

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cemark/cemark/checks"
)

// CatalogueMarkdown renders docs/checks.md from the registered checks'
// metadata: the catalogue is generated, never written by hand.
func CatalogueMarkdown(reg *checks.Registry) []byte {
	var b bytes.Buffer
	b.WriteString("<!-- Generated from the checks' metadata by `go test ./checks/all -update`. Do not edit. -->\n\n")
	b.WriteString("# cemark checks\n\n")
	b.WriteString("Each check has a stable ID (never renamed), a default severity, the clauses of\n")
	b.WriteString("Regulation (EU) 2024/2847 (CRA) it gives evidence for, in the final numbering, and the\n")
	b.WriteString("standard provisions it relates to. A finding with no failure is evidence, not a verdict:\n")
	b.WriteString("cemark never declares a product compliant.\n\n")
	b.WriteString("Select checks with `cemark check --checks ID,ID`; list them with `cemark checks`.\n")
	b.WriteString("Waive a finding in `cemark.yaml` (`waivers:` with check, path glob, justification,\n")
	b.WriteString("approved_by, expires) or inline with `# cemark:ignore CEM-XXX-000 <reason>` (or `//`)\n")
	b.WriteString("on the finding's line or the line above; the reason is required. Findings in test and\n")
	b.WriteString("example folders are lowered to `checks.test_severity` (default `info`) and still reported.\n\n")
	b.WriteString("report.json follows the JSON Schema in `checks/schema/report.schema.json` (version " + checks.ReportSchemaVersion + ").\n\n")

	b.WriteString("| ID | Title | Severity | CRA |\n|---|---|---|---|\n")
	metas := reg.Metas()
	for _, m := range metas {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", m.ID, strings.ToLower(m.ID), cell(m.Title), m.Severity, cell(strings.Join(m.CRA, "; ")))
	}
	for _, m := range metas {
		fmt.Fprintf(&b, "\n## %s\n\n", m.ID)
		fmt.Fprintf(&b, "**%s**\n\n", m.Title)
		fmt.Fprintf(&b, "- Severity: %s\n", m.Severity)
		fmt.Fprintf(&b, "- CRA: %s\n", strings.Join(m.CRA, "; "))
		if len(m.Standards) > 0 {
			fmt.Fprintf(&b, "- Standards: %s\n", strings.Join(m.Standards, "; "))
		}
		if len(m.Tags) > 0 {
			fmt.Fprintf(&b, "- Tags: %s\n", strings.Join(m.Tags, ", "))
		}
		if r := strings.TrimSpace(m.Rationale); r != "" {
			fmt.Fprintf(&b, "\n%s\n", r)
		}
		fmt.Fprintf(&b, "\n**Remediation.** %s\n", strings.TrimSpace(m.Remediation))
	}
	return b.Bytes()
}

// cell escapes a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}
