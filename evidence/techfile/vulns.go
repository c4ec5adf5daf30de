package techfile

import (
	"strings"

	"github.com/cemark/cemark/checks"
	checkvulns "github.com/cemark/cemark/checks/vulns"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
)

// vulnView is the vulnerability scan of the product's SBOM as the
// technical file states it (03, 07): what was matched, the counts by
// severity, every vulnerability in CISA's KEV catalogue (waived ones too),
// the open ones with the day each was first seen, and the VEX decisions.
//
// It holds nothing that changes from day to day while the product and its
// vulnerabilities stay the same, nor anything of the machine that ran the
// scan: no database build date or checksum (they are in run.json and the
// vulnerability statement), no EPSS score, no database path.
type vulnView struct {
	// Ran is false without a scan: NotAssessed says why and Fix what to do.
	Ran              bool
	NotAssessed, Fix string
	// Fresh: the database was within its age bound, MaxAgeDays.
	Fresh      bool
	MaxAgeDays int
	Scanner    string // "grype v0.121.3"
	SBOMSHA256 string
	Packages   int
	// Total counts every vulnerability × package; Open those neither
	// waived nor stated fixed by VEX; Waived and Fixed those.
	Total, Open, Waived, Fixed int
	Severities                 []severityRow
	KEV                        []kevRow
	OpenList                   []openRow
	VEX                        []vexRow
	// VEXDocuments counts the VEX documents read; Unreadable lists those
	// that could not be read ("path: why"), none of whose statements applied.
	VEXDocuments int
	Unreadable   []string
}

type severityRow struct {
	Severity                   string
	Open, Waived, Fixed, Total int
}

type kevRow struct{ Vulnerability, Package, Added, Ransomware, Status string }

type openRow struct{ Vulnerability, Package, Severity, KEV, FixedIn, FirstSeen, Policy string }

type vexRow struct{ Vulnerability, Package, Status, Justification, Author, Time, Document, Effect string }

func newVulnView(s *vulnscan.Scan, cfg *config.Config) vulnView {
	if s == nil {
		return vulnView{NotAssessed: "no vulnerability scan was part of this render", Fix: "cemark run with a vulnerability database (`cemark db update`)"}
	}
	if !s.Assessed {
		return vulnView{NotAssessed: s.NotAssessed, Fix: s.Fix}
	}
	policy := vulnscan.PolicyFrom(cfg.Vulnerabilities)
	v := vulnView{Ran: true, Scanner: strings.TrimSpace(s.Scanner.Name + " " + s.Scanner.Version), SBOMSHA256: s.SBOM.SHA256,
		Packages: s.Packages, Total: len(s.Matches), VEXDocuments: len(s.VEX)}
	if s.DB != nil {
		v.Fresh, v.MaxAgeDays = !s.DB.Stale, s.DB.MaxAge.Days()
	}
	for _, d := range s.VEX {
		if d.Error != "" {
			v.Unreadable = append(v.Unreadable, d.Path+": "+d.Error)
		}
	}
	ms := append([]vulnscan.Match(nil), s.Matches...)
	vulnscan.SortMatches(ms)
	bySeverity := map[string]*severityRow{}
	for _, m := range ms {
		row := bySeverity[m.Severity]
		if row == nil {
			row = &severityRow{Severity: m.Severity}
			bySeverity[m.Severity] = row
		}
		row.Total++
		pkg := m.Package.Name + " " + m.Package.Version
		status := ""
		switch {
		case m.VEX != nil && m.VEX.Status == vulnscan.VEXFixed:
			v.Fixed++
			row.Fixed++
			status = "stated fixed in VEX (stated, not verified)"
		case !vulnscan.Open(m):
			v.Waived++
			row.Waived++
			status = "waived: not affected, stated in VEX by " + orText(m.VEX.Author, "an unnamed author") + " (" + vexReason(*m.VEX) + ")"
		default:
			v.Open++
			row.Open++
			fail, why := policy.Verdict(m)
			verdict := "open, warns: " + why
			if fail {
				verdict = "open, fails: " + why
			}
			status = verdict
			v.OpenList = append(v.OpenList, openRow{Vulnerability: m.Title(), Package: pkg, Severity: m.Severity,
				KEV: map[bool]string{true: "yes", false: "no"}[m.Known()], FixedIn: orDash(strings.Join(m.FixedIn, ", ")),
				FirstSeen: orDash(m.FirstSeen), Policy: map[bool]string{true: "fails", false: "warns"}[fail]})
		}
		if m.Known() {
			k := m.KEV[0]
			v.KEV = append(v.KEV, kevRow{Vulnerability: m.Title(), Package: pkg, Added: orDash(k.DateAdded),
				Ransomware: orText(k.RansomwareUse, "not stated"), Status: status})
		}
		if d := m.VEX; d != nil {
			v.VEX = append(v.VEX, vexRow{Vulnerability: m.Title(), Package: pkg, Status: d.Status, Justification: orDash(vexReason(*d)),
				Author: orText(d.Author, "not stated"), Time: orDash(d.Timestamp), Document: d.Document, Effect: vexEffect(*d)})
		}
	}
	for _, sev := range []string{vulnscan.SeverityCritical, vulnscan.SeverityHigh, vulnscan.SeverityMedium, vulnscan.SeverityLow, vulnscan.SeverityNegligible, vulnscan.SeverityUnknown} {
		if r := bySeverity[sev]; r != nil {
			v.Severities = append(v.Severities, *r)
			delete(bySeverity, sev)
		}
	}
	for _, sev := range sortedKeys(bySeverity) { // a severity grype may add later
		v.Severities = append(v.Severities, *bySeverity[sev])
	}
	return v
}

// vexReason is a decision's justification and impact statement, or its
// action statement.
func vexReason(d vulnscan.VEXDecision) string {
	var parts []string
	for _, p := range []string{d.Justification, d.ImpactStatement, d.ActionStatement} {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, strings.TrimSpace(p))
		}
	}
	return strings.Join(parts, ": ")
}

// vexEffect says what a VEX decision does to the finding.
func vexEffect(d vulnscan.VEXDecision) string {
	switch {
	case d.Status == vulnscan.VEXNotAffected && d.Justified():
		return "waives the finding (stated by the manufacturer, not verified)"
	case d.Status == vulnscan.VEXNotAffected:
		return "waives nothing: no justification and no impact statement (CEM-VULN-002)"
	case d.Status == vulnscan.VEXFixed:
		return "shown as stated fixed, not verified"
	}
	return "the finding stays open"
}

// volatileChecks are the checks whose findings' messages carry what the
// database says today (EPSS scores, the database's date): the technical
// file states their results through the scan (vulnView) instead of
// quoting the messages.
var volatileChecks = map[string]bool{checkvulns.IDKnown: true, checkvulns.IDDB: true}

// stableMessage is a finding's message for the technical file: for a
// vulnerability finding, its IDs, package, version and severity, without
// the scores of the day.
func stableMessage(checkID string, f checks.Finding) string {
	if checkID != checkvulns.IDKnown || f.Values["vulnerability"] == "" {
		return f.Message
	}
	title := f.Values["vulnerability"]
	if cve := f.Values["cve"]; cve != "" && cve != title {
		title = cve + " (" + title + ")"
	}
	msg := title + " in " + f.Values["package"] + " " + f.Values["version"] + ", " + f.Values["severity"]
	if f.Values["kev"] == "true" {
		msg += ", in CISA KEV"
	}
	return msg
}
