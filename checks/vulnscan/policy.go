package vulnscan

import (
	"fmt"
	"strings"

	"github.com/cemark/cemark/evidence/config"
)

// Policy says which open vulnerabilities fail the product and which only
// warn. Its defaults follow Annex I Part I (2)(a) (no known exploitable
// vulnerabilities): a vulnerability known to be exploited (CISA KEV)
// fails, and so does a critical or high one for which a fix exists.
type Policy struct {
	// FailOnKEV fails every open vulnerability in the KEV catalogue.
	FailOnKEV bool
	// FailSeverity is the lowest severity that fails when a fix exists
	// ("" or "none": severity alone never fails).
	FailSeverity string
	// FailUnfixed also fails at FailSeverity when no fix exists yet.
	FailUnfixed bool
	// FailEPSSPercentile fails a fixable vulnerability whose EPSS
	// percentile is at least this share (0..1); 0 is off.
	FailEPSSPercentile float64
}

// DefaultPolicy is the policy when cemark.yaml sets nothing.
func DefaultPolicy() Policy {
	return Policy{FailOnKEV: true, FailSeverity: SeverityHigh}
}

// PolicyFrom reads the vulnerabilities section of cemark.yaml.
func PolicyFrom(c config.Vulnerabilities) Policy {
	p := DefaultPolicy()
	if c.FailOnKEV != nil {
		p.FailOnKEV = *c.FailOnKEV
	}
	if c.FailSeverity != "" {
		p.FailSeverity = c.FailSeverity
	}
	p.FailUnfixed = c.FailUnfixed
	p.FailEPSSPercentile = float64(c.FailEPSSPercentile) / 100
	return p
}

// Verdict says whether an open match fails the product under p, and why
// (for the finding's message). A match waived by VEX is not judged here.
func (p Policy) Verdict(m Match) (fail bool, why string) {
	if p.FailOnKEV && m.Known() {
		return true, "it is in CISA's Known Exploited Vulnerabilities catalogue"
	}
	rank := SeverityRank(m.Severity)
	atSeverity := p.FailSeverity != "" && p.FailSeverity != "none" && rank >= SeverityRank(p.FailSeverity)
	switch {
	case atSeverity && m.HasFix():
		return true, fmt.Sprintf("it is %s and a fixed version exists", m.Severity)
	case atSeverity && p.FailUnfixed:
		return true, fmt.Sprintf("it is %s (no fixed version yet)", m.Severity)
	}
	if p.FailEPSSPercentile > 0 && m.HasFix() {
		if e := m.MaxEPSS(); e != nil && e.Percentile >= p.FailEPSSPercentile {
			// The score itself changes daily: it is in the finding's values
			// and message, not in the verdict the technical file quotes.
			return true, fmt.Sprintf("its EPSS percentile is at or above %.0f%% and a fixed version exists", p.FailEPSSPercentile*100)
		}
	}
	if !m.HasFix() {
		return false, "no fixed version is known yet"
	}
	return false, fmt.Sprintf("it is %s; a fixed version exists", m.Severity)
}

// Open reports whether a match still counts against the product: not
// waived by a justified not_affected VEX statement nor stated fixed.
func Open(m Match) bool {
	if m.VEX == nil {
		return true
	}
	switch m.VEX.Status {
	case VEXNotAffected:
		return !m.VEX.Justified()
	case VEXFixed:
		return false
	}
	return true
}

// Summary is what the conformity assessment of Annex I Part I (2)(a) and
// the technical file need of a scan, in one small value: whether a scan
// ran on the product's SBOM with a fresh database, and which
// vulnerabilities remain open that the policy fails.
type Summary struct {
	// Ran is true when the SBOM was matched against a database.
	Ran bool `json:"ran"`
	// NotAssessed says why not, and Fix what to do, when Ran is false.
	NotAssessed string `json:"not_assessed,omitempty"`
	Fix         string `json:"fix,omitempty"`
	// DBFresh is true when the database was within its age bound.
	DBFresh bool   `json:"db_fresh"`
	DBBuilt string `json:"db_built,omitempty"` // RFC 3339
	// Total counts every match; Open those not waived or stated fixed by VEX.
	Total int `json:"total"`
	Open  int `json:"open"`
	// OpenBySeverity counts the open matches by severity.
	OpenBySeverity map[string]int `json:"open_by_severity,omitempty"`
	// KEVOpen lists open matches in the KEV catalogue ("ID package@version").
	KEVOpen []string `json:"kev_open,omitempty"`
	// FixableCriticalHighOpen lists open critical or high matches that have a fix.
	FixableCriticalHighOpen []string `json:"fixable_critical_high_open,omitempty"`
	// Failing lists the open matches the policy fails (a superset of the
	// two lists above under the default policy).
	Failing []string `json:"failing,omitempty"`
	// WaivedByVEX lists matches a justified not_affected statement waives;
	// KEVWaivedByVEX those of them in the KEV catalogue, which the technical
	// file lists all the same. FixedByVEX are matches a VEX states fixed.
	WaivedByVEX    []string `json:"waived_by_vex,omitempty"`
	KEVWaivedByVEX []string `json:"kev_waived_by_vex,omitempty"`
	FixedByVEX     []string `json:"fixed_by_vex,omitempty"`
	// SBOMSHA256 is the hex SHA-256 of the SBOM that was matched.
	SBOMSHA256 string `json:"sbom_sha256,omitempty"`
	// OpenMatches are the open matches, KEV and critical first
	// (SortMatches): what remains for the risk assessment, each with the
	// day it was first seen (Annex I Part II (2): "without delay").
	OpenMatches []OpenMatch `json:"open_matches,omitempty"`
}

// OpenMatch is one open vulnerability × package as the assessment lists it.
type OpenMatch struct {
	// Label is "CVE-2021-44228 (GHSA-jfh8-c2jp-5v3q) log4j-core@2.14.1".
	Label    string   `json:"label"`
	Severity string   `json:"severity"`
	KEV      bool     `json:"kev,omitempty"`
	FixedIn  []string `json:"fixed_in,omitempty"`
	// FirstSeen is the day (YYYY-MM-DD) the match was first reported.
	FirstSeen string `json:"first_seen,omitempty"`
	// Failing is true when the policy fails it; Why says why or why not.
	Failing bool   `json:"failing"`
	Why     string `json:"why"`
	// VEX is the status a VEX statement gives it (affected,
	// under_investigation, or not_affected without a justification), if any.
	VEX string `json:"vex,omitempty"`
}

// Describe says in one line what an open match is and where it stands:
// "CVE-… (GHSA-…) log4j-core@2.14.1: critical, in CISA KEV, fixed in
// 2.15.0, first seen 2026-11-01; fails: it is in CISA's Known Exploited
// Vulnerabilities catalogue". It holds nothing that changes from one day to
// the next without the product or its vulnerabilities changing (no EPSS
// score, no database date), so the technical file can quote it.
func (o OpenMatch) Describe() string {
	var b strings.Builder
	b.WriteString(o.Label + ": " + o.Severity)
	if o.KEV {
		b.WriteString(", in CISA KEV")
	}
	if len(o.FixedIn) > 0 {
		b.WriteString(", fixed in " + strings.Join(o.FixedIn, ", "))
	} else {
		b.WriteString(", no fixed version yet")
	}
	if o.FirstSeen != "" {
		b.WriteString(", first seen " + o.FirstSeen)
	}
	if o.VEX != "" {
		b.WriteString(", VEX: " + strings.ReplaceAll(o.VEX, "_", " "))
	}
	verdict := "open"
	if o.Failing {
		verdict = "fails"
	}
	return b.String() + "; " + verdict + ": " + o.Why
}

// Label names a match in lists: "CVE-2021-44228 (GHSA-jfh8-c2jp-5v3q)
// log4j-core@2.14.1".
func Label(m Match) string {
	return m.Title() + " " + m.Package.Name + "@" + m.Package.Version
}

// Summarise judges a scan under a policy. A nil scan is "not assessed".
func Summarise(s *Scan, p Policy) Summary {
	if s == nil {
		return Summary{NotAssessed: "no vulnerability scan ran", Fix: "cemark run with a vulnerability database (cemark db update)"}
	}
	out := Summary{Ran: s.Assessed, NotAssessed: s.NotAssessed, Fix: s.Fix, Total: len(s.Matches), SBOMSHA256: s.SBOM.SHA256}
	if s.DB != nil {
		out.DBFresh = !s.DB.Stale
		out.DBBuilt = s.DB.Built.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	ms := append([]Match(nil), s.Matches...)
	SortMatches(ms)
	for _, m := range ms {
		l := Label(m)
		if m.VEX != nil && m.VEX.Status == VEXFixed {
			out.FixedByVEX = append(out.FixedByVEX, l)
		}
		if !Open(m) {
			if m.VEX.Status == VEXNotAffected {
				out.WaivedByVEX = append(out.WaivedByVEX, l)
				if m.Known() {
					out.KEVWaivedByVEX = append(out.KEVWaivedByVEX, l)
				}
			}
			continue
		}
		out.Open++
		if out.OpenBySeverity == nil {
			out.OpenBySeverity = map[string]int{}
		}
		out.OpenBySeverity[m.Severity]++
		if m.Known() {
			out.KEVOpen = append(out.KEVOpen, l)
		}
		if SeverityRank(m.Severity) >= SeverityRank(SeverityHigh) && m.HasFix() {
			out.FixableCriticalHighOpen = append(out.FixableCriticalHighOpen, l)
		}
		fail, why := p.Verdict(m)
		if fail {
			out.Failing = append(out.Failing, l)
		}
		om := OpenMatch{Label: l, Severity: m.Severity, KEV: m.Known(), FixedIn: m.FixedIn, FirstSeen: m.FirstSeen, Failing: fail, Why: why}
		if m.VEX != nil {
			om.VEX = m.VEX.Status
			if m.VEX.Status == VEXNotAffected {
				om.VEX += " without a justification"
			}
		}
		out.OpenMatches = append(out.OpenMatches, om)
	}
	return out
}

// Met reports whether the summary supports Annex I Part I (2)(a) under
// the default reading: a scan ran with a fresh database and no KEV and no
// fixable critical or high vulnerability remains open. It is evidence for
// the manufacturer's assessment, not a declaration.
func (s Summary) Met() bool {
	return s.Ran && s.DBFresh && len(s.KEVOpen) == 0 && len(s.FixableCriticalHighOpen) == 0
}

// Facts is the report-level fact sheet of a scan (report.json
// facts.vulnerabilities): what was matched with what, and the summary.
type Facts struct {
	Scanner Scanner `json:"scanner"`
	DB      *DB     `json:"db,omitempty"`
	SBOM    SBOMRef `json:"sbom"`
	// Packages is the number of SBOM packages matched.
	Packages int           `json:"packages"`
	VEX      []VEXDocument `json:"vex,omitempty"`
	Summary  Summary       `json:"summary"`
}

// FactsOf makes the fact sheet of a scan under a policy.
func FactsOf(s *Scan, p Policy) *Facts {
	f := &Facts{Summary: Summarise(s, p)}
	if s != nil {
		f.Scanner, f.DB, f.SBOM, f.Packages, f.VEX = s.Scanner, s.DB, s.SBOM, s.Packages, s.VEX
	}
	return f
}
