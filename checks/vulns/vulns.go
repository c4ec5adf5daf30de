// Package vulns holds cemark's known-vulnerability checks (CEM-VULN-…):
// one finding per vulnerability and package of the SBOM, judged under the
// vulnerabilities policy of cemark.yaml with the VEX decisions that apply;
// the VEX statements themselves; and the vulnerability database's age.
//
// The family reads the scan the pipeline made (checks.Target.Vulns, a
// vulnscan.Scan); it does no matching of its own, so each check's
// evaluation is a pure function of that value and the policy. Metadata
// lives in meta/<ID>.yml beside the code.
package vulns

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
)

//go:embed meta/*.yml
var metaFS embed.FS

// Check IDs of the family. They are stable: never renamed or reused.
const (
	IDKnown = "CEM-VULN-001"
	IDVEX   = "CEM-VULN-002"
	IDDB    = "CEM-VULN-003"
)

// WaiverSourceVEX marks a finding waived by a VEX statement (WaiverRef.Source).
const WaiverSourceVEX = "vex"

var evaluators = []checks.Evaluator[*Collected]{
	{ID: IDKnown, Eval: evalKnown},
	{ID: IDVEX, Eval: evalVEX},
	{ID: IDDB, Eval: evalDB},
}

// MetaFS is the family's embedded metadata, for the catalogue test.
func MetaFS() fs.FS { return metaFS }

// Checks returns the family's checks in ID order.
func Checks() []checks.Check { return checks.FamilyChecks(metaFS, collect, evaluators) }

// Collected is what the family judges: the scan and the policy.
type Collected struct {
	Scan   *vulnscan.Scan
	Policy vulnscan.Policy
}

func collect(_ context.Context, t *checks.Target) (*Collected, error) {
	cfg := t.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	return &Collected{Scan: t.Vulns, Policy: vulnscan.PolicyFrom(cfg.Vulnerabilities)}, nil
}

// notAssessed says why nothing was matched, with what fixes it.
func notAssessed(s *vulnscan.Scan) (string, string) {
	if s == nil {
		return "no vulnerability scan ran (cemark check makes no SBOM unless a previous cemark run left one)", "cemark run, with a vulnerability database (cemark db update)"
	}
	return s.NotAssessed, s.Fix
}

func evalKnown(c *Collected) []checks.Finding {
	s := c.Scan
	if s == nil || !s.Assessed {
		why, fix := notAssessed(s)
		return []checks.Finding{{
			Outcome: checks.Warn, Key: "not-assessed",
			Message: fmt.Sprintf("Annex I Part I (2)(a) not assessed: %s; fix: %s", why, fix),
			Values:  map[string]string{"not_assessed": "true", "fix": fix},
		}}
	}
	out := make([]checks.Finding, 0, len(s.Matches))
	for _, m := range s.Matches {
		out = append(out, Finding(m, c.Policy))
	}
	return out
}

// Severity maps a vulnerability's severity onto a finding's: negligible
// is info, an unknown severity is medium (not low: unknown is not mild),
// and a vulnerability known to be exploited is at least high.
func Severity(m vulnscan.Match) checks.Severity {
	var s checks.Severity
	switch m.Severity {
	case vulnscan.SeverityCritical:
		s = checks.SeverityCritical
	case vulnscan.SeverityHigh:
		s = checks.SeverityHigh
	case vulnscan.SeverityLow:
		s = checks.SeverityLow
	case vulnscan.SeverityNegligible:
		s = checks.SeverityInfo
	default:
		s = checks.SeverityMedium
	}
	if m.Known() && s.Rank() < checks.SeverityHigh.Rank() {
		s = checks.SeverityHigh
	}
	return s
}

// Finding is the CEM-VULN-001 finding for one match under a policy.
func Finding(m vulnscan.Match, p vulnscan.Policy) checks.Finding {
	f := checks.Finding{
		Severity: Severity(m),
		Key:      m.Key(),
		Values:   Values(m),
	}
	if len(m.Package.Locations) > 0 {
		f.Path = strings.TrimPrefix(m.Package.Locations[0], "/")
	}
	what := describe(m)
	switch {
	case m.VEX != nil && m.VEX.Status == vulnscan.VEXNotAffected && m.VEX.Justified():
		f.Outcome = checks.Waived
		f.Waiver = &checks.WaiverRef{Source: WaiverSourceVEX, Justification: vexJustification(*m.VEX), ApprovedBy: m.VEX.Author, Path: m.VEX.Document}
		f.Message = fmt.Sprintf("%s: not affected, stated in VEX %s by %s (%s)", what, m.VEX.Document, orUnknown(m.VEX.Author), vexJustification(*m.VEX))
	case m.VEX != nil && m.VEX.Status == vulnscan.VEXFixed:
		f.Outcome = checks.Info
		f.Message = fmt.Sprintf("%s: stated fixed in VEX %s by %s (stated, not verified)", what, m.VEX.Document, orUnknown(m.VEX.Author))
	default:
		fail, why := p.Verdict(m)
		f.Outcome = checks.Warn
		if fail {
			f.Outcome = checks.Fail
		}
		f.Message = fmt.Sprintf("%s: %s", what, why)
		if m.VEX != nil {
			f.Message += fmt.Sprintf("; VEX %s by %s: %s", m.VEX.Document, orUnknown(m.VEX.Author), strings.ReplaceAll(m.VEX.Status, "_", " "))
			if m.VEX.Status == vulnscan.VEXNotAffected {
				f.Message += " without a justification, which waives nothing (CEM-VULN-002)"
			}
			if m.VEX.ActionStatement != "" {
				f.Message += " — " + m.VEX.ActionStatement
			}
		}
	}
	return f
}

// describe names the vulnerability and package with the facts a reader
// ranks by: "CVE-2021-44228 (GHSA-jfh8-c2jp-5v3q), critical, CVSS 10.0,
// in CISA KEV since 2021-12-10, EPSS 94.4% in log4j-core 2.14.1 (fixed in 2.15.0)".
func describe(m vulnscan.Match) string {
	var b strings.Builder
	b.WriteString(m.Title())
	b.WriteString(", " + m.Severity)
	if len(m.CVSS) > 0 && m.CVSS[0].BaseScore > 0 {
		fmt.Fprintf(&b, ", CVSS %.1f", m.CVSS[0].BaseScore)
	}
	for _, k := range m.KEV {
		b.WriteString(", in CISA KEV")
		if k.DateAdded != "" {
			b.WriteString(" since " + k.DateAdded)
		}
		if strings.EqualFold(k.RansomwareUse, "known") {
			b.WriteString(", known ransomware use")
		}
		break
	}
	if e := m.MaxEPSS(); e != nil {
		fmt.Fprintf(&b, ", EPSS %.1f%%", e.Score*100)
	}
	fmt.Fprintf(&b, " in %s %s", m.Package.Name, m.Package.Version)
	if m.HasFix() {
		b.WriteString(" (fixed in " + strings.Join(m.FixedIn, ", ") + ")")
	} else {
		b.WriteString(" (no fixed version)")
	}
	if m.FirstSeen != "" {
		b.WriteString(", first seen " + m.FirstSeen)
	}
	return b.String()
}

func vexJustification(d vulnscan.VEXDecision) string {
	parts := []string{}
	if d.Justification != "" {
		parts = append(parts, d.Justification)
	}
	if d.ImpactStatement != "" {
		parts = append(parts, d.ImpactStatement)
	}
	return strings.Join(parts, ": ")
}

func nonBlank(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "an unnamed author"
	}
	return s
}

// Values are the finding's structured facts (report.json values): every
// field of the match a reader or a tool needs, as strings.
func Values(m vulnscan.Match) map[string]string {
	v := map[string]string{
		"vulnerability": m.ID,
		"package":       m.Package.Name,
		"version":       m.Package.Version,
		"package_type":  m.Package.Type,
		"severity":      m.Severity,
		"fix_state":     m.FixState,
	}
	set := func(k, val string) {
		if val != "" {
			v[k] = val
		}
	}
	set("aliases", strings.Join(m.Aliases, ","))
	set("cve", m.CVE())
	set("purl", m.Package.PURL)
	set("sbom_ref", m.Package.Ref)
	set("locations", strings.Join(m.Package.Locations, ","))
	set("fixed_in", strings.Join(m.FixedIn, ","))
	set("namespace", m.Namespace)
	set("data_source", m.DataSource)
	set("match_type", m.MatchType)
	set("first_seen", m.FirstSeen)
	if len(m.CVSS) > 0 {
		set("cvss_vector", m.CVSS[0].Vector)
		if m.CVSS[0].BaseScore > 0 {
			set("cvss_score", strconv.FormatFloat(m.CVSS[0].BaseScore, 'f', 1, 64))
		}
	}
	if len(m.KEV) > 0 {
		k := m.KEV[0]
		v["kev"] = "true"
		set("kev_date_added", k.DateAdded)
		set("kev_due_date", k.DueDate)
		set("kev_ransomware_use", k.RansomwareUse)
	}
	if e := m.MaxEPSS(); e != nil {
		v["epss_score"] = strconv.FormatFloat(e.Score, 'f', 5, 64)
		v["epss_percentile"] = strconv.FormatFloat(e.Percentile, 'f', 5, 64)
		set("epss_date", e.Date)
	}
	if d := m.VEX; d != nil {
		set("vex_status", d.Status)
		set("vex_justification", d.Justification)
		set("vex_impact", d.ImpactStatement)
		set("vex_action", d.ActionStatement)
		set("vex_author", d.Author)
		set("vex_timestamp", d.Timestamp)
		set("vex_document", d.Document)
		set("vex_format", d.Format)
	}
	return v
}

func evalVEX(c *Collected) []checks.Finding {
	var out []checks.Finding
	s := c.Scan
	if s == nil {
		return nil
	}
	for _, d := range s.VEX {
		if d.Error == "" {
			continue
		}
		out = append(out, checks.Finding{
			Outcome: checks.Fail, Path: d.Path, Key: "unreadable",
			Message: fmt.Sprintf("VEX document %s could not be read (%s): none of its statements applies", d.Path, d.Error),
		})
	}
	for _, m := range s.Matches {
		if m.VEX == nil || m.VEX.Status != vulnscan.VEXNotAffected || m.VEX.Justified() {
			continue
		}
		out = append(out, checks.Finding{
			Outcome: checks.Fail, Path: m.VEX.Document, Key: "unjustified " + m.Key(),
			Message: fmt.Sprintf("VEX statement by %s says %s is not_affected in %s %s but gives no justification and no impact statement: it waives nothing",
				orUnknown(m.VEX.Author), m.ID, m.Package.Name, m.Package.Version),
			Values: map[string]string{"vulnerability": m.ID, "package": m.Package.Name, "version": m.Package.Version, "vex_author": m.VEX.Author, "vex_timestamp": m.VEX.Timestamp},
		})
	}
	return out
}

func evalDB(c *Collected) []checks.Finding {
	s := c.Scan
	if s == nil || s.DB == nil {
		why, fix := notAssessed(s)
		return []checks.Finding{{
			Outcome: checks.Warn, Key: "no-database",
			Message: fmt.Sprintf("no vulnerability database was used: %s; Annex I Part I (2)(a) is not assessed; fix: %s", why, fix),
			Values:  map[string]string{"not_assessed": "true", "fix": fix},
		}}
	}
	db := s.DB
	vals := map[string]string{
		"built": db.Built.UTC().Format("2006-01-02T15:04:05Z"), "schema": db.Schema,
		"max_age_days": strconv.Itoa(db.MaxAge.Days()), "scanner": s.Scanner.Name + " " + s.Scanner.Version,
	}
	if db.Checksum != "" {
		vals["checksum"] = db.Checksum
	}
	if db.Source != "" {
		vals["source"] = db.Source
	}
	if db.Stale {
		// No date in the message: it reaches the technical file as an open
		// item of Annex I Part II (3), which must not change every day (the
		// date is in the values, run.json and the run's notice).
		return []checks.Finding{{
			Outcome: checks.Warn, Key: "stale", Values: vals,
			Message: fmt.Sprintf("the vulnerability database is older than %d days (vulnerabilities.max_db_age): the result may miss advisories published since; run `cemark db update`",
				db.MaxAge.Days()),
		}}
	}
	return []checks.Finding{{
		Outcome: checks.Info, Key: "current", Values: vals,
		Message: fmt.Sprintf("vulnerability database %s built %s (within the %d-day bound), checksum %s; %d packages matched by %s %s",
			db.Schema, db.Built.UTC().Format("2006-01-02"), db.MaxAge.Days(), nonBlank(db.Checksum, "not recorded"), s.Packages, s.Scanner.Name, s.Scanner.Version),
	}}
}
