package all

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/cemark/cemark/checks"
)

// guide is the hand-written part of docs/checks.md on what does not
// count against the product: test code, development compose files and the
// baseline, with the fingerprints findings are matched by.
//
//go:embed guide.md
var guide []byte

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
	b.WriteString(`## Running the checks

- ` + "`cemark check [PATH]`" + ` runs them alone; ` + "`cemark run`" + ` runs them as part of the pipeline and keeps
  the reports in ` + "`.cemark/`" + `. ` + "`cemark checks`" + ` lists this catalogue (` + "`--json`" + ` for the metadata).
- ` + "`--checks ID,ID`" + ` selects checks; an unknown ID is a usage error (exit 2). The waiver checks
  CEM-WVR-001 and CEM-WVR-002 always run.
- ` + "`--format table|json|sarif|gitlab-codequality|markdown`" + `, ` + "`-o FILE`" + ` (written atomically).
- ` + "`--source SRC`" + ` (repeatable; default: cemark.yaml's ` + "`sources`" + `), as in ` + "`cemark run`" + `: an image
  (` + "`docker-archive:FILE`" + `, ` + "`oci-archive:FILE`" + `, ` + "`oci-dir:DIR`" + `, relative to PATH) gives its configuration
  (exposed ports, user, environment) to the checks. Only the configuration is read; no SBOM is made.
  ` + "`cemark ports`" + ` takes it too. A missing or unreadable image is a usage error (exit 2) naming it.
- ` + "`--fail-on SEVERITY`" + ` exits 3 when a failing finding (not a waived one) is at or above
  it. For ` + "`cemark check`" + ` the default is ` + "`none`" + `: it reports and exits 0; in CI pass a level,
  e.g. ` + "`--fail-on high`" + `.

## Dockerfile stages that ship

Runtime settings (USER, ENV, EXPOSE) count only in the stages that ship: the final stage, the
stages named in ` + "`checks.product_stages`" + `, the stage a compose service builds with
` + "`build.target`" + ` (in the Dockerfile its ` + "`build.context`" + ` and ` + "`build.dockerfile`" + ` name), and every stage those
are built FROM. Build-time problems (` + "`curl | sh`" + `, unpinned FROM …) count in every stage.

Compose targets are added to ` + "`checks.product_stages`" + `, never taken from it. Where the two
disagree the configuration wins: a target named like a development or test stage (` + "`dev`" + `, ` + "`test`" + `,
` + "`debug`" + ` …) does not ship unless ` + "`checks.product_stages`" + ` names it, and the targets of a compose file
named as a variant (` + "`compose.dev.yaml`" + `) do not ship unless ` + "`checks.compose_files`" + ` names the file.
Services in inactive profiles, remote build contexts and inline Dockerfiles add nothing.

## Outcomes and severities

A finding is ` + "`pass`" + `, ` + "`fail`" + `, ` + "`warn`" + ` (needs a person's attention), ` + "`info`" + ` (a fact for
the risk assessment), ` + "`waived`" + `, ` + "`not-applicable`" + ` or ` + "`error`" + ` (the check broke; nothing was
assessed — the other checks still run). A check's outcome is the worst of its findings'. Snippets and
messages are masked: secret values never reach a report.

Findings in test code, in examples and in development compose files are info, never failing (see below).

## Waivers

- In ` + "`cemark.yaml`" + `: ` + "`waivers: [{check, path (glob, ** allowed; empty: every path), justification, approved_by, expires}]`" + `.
  A current waiver turns a matching ` + "`fail`" + ` or ` + "`warn`" + ` into ` + "`waived`" + `; the finding stays in the
  report with its justification, which feeds the risk assessment.
- Inline: ` + "`# cemark:ignore CEM-XXX-000 <reason>`" + ` (or ` + "`//`" + `) on the finding's line or the line
  above. The reason is required; an ignore without one waives nothing and is reported by CEM-WVR-002.
- An expired waiver (its day has passed) waives nothing and is a failure of CEM-WVR-001; the
  finding it no longer waives fails again and shows the expired waiver. A waiver that matches
  nothing, or names no known check, is a warning of CEM-WVR-001.

`)
	b.Write(guide)
	b.WriteString("## report.json\n\nreport.json follows the JSON Schema committed at `checks/schema/report.schema.json`, version " +
		checks.ReportSchemaVersion + " (changes in `checks/schema/CHANGELOG.md`). Each finding has at least `check`, `outcome`, `severity`, `message`, `cra`, and `path` and `line` when known.\n\n")
	b.WriteString("## Catalogue\n\n")
	b.WriteString("| ID | Title | Severity | CRA |\n|---|---|---|---|\n")
	metas := reg.Metas()
	for _, m := range metas {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", m.ID, strings.ToLower(m.ID), cell(m.Title), m.Severity, cell(strings.Join(m.CRA, "; ")))
	}
	for _, m := range metas {
		fmt.Fprintf(&b, "\n### %s\n\n", m.ID)
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
