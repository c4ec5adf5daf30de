// Package vulnscan holds the typed result of matching the product's SBOM
// against a vulnerability database: which vulnerability affects which
// package, with its severity, CVSS vectors, fixed-in versions, CISA KEV
// entry, EPSS score, and the VEX decision that applies to it.
//
// It is a types-only package (plus pure functions over those types) so
// that the check framework (checks.Target), the CEM-VULN family, the
// pipeline, the attestation and the encoders share one value without the
// checks importing the matcher. evidence/vulns fills it.
package vulnscan

import (
	"sort"
	"strings"
	"time"
)

// Scanner names the matcher that made the result.
type Scanner struct {
	Name    string `json:"name"`    // "grype"
	Version string `json:"version"` // the grype library version linked in, e.g. "v0.121.3"
	URI     string `json:"uri"`     // "pkg:golang/github.com/anchore/grype@v0.121.3"
}

// DB describes the vulnerability database a scan used: grype's schema-v6
// database, in grype's own cache layout.
type DB struct {
	// Built is when the database was built (its own metadata).
	Built time.Time `json:"built"`
	// Schema is the database schema version, e.g. "v6.1.4".
	Schema string `json:"schema"`
	// Checksum is the database file's digest as grype records it on
	// import ("xxh64:…"), validated when the database is opened.
	Checksum string `json:"checksum,omitempty"`
	// Source is where the database was downloaded from (grype's import
	// metadata), when known.
	Source string `json:"source,omitempty"`
	// Providers lists the data providers (github, nvd, kev, epss …) with
	// the time each one's data was captured, sorted by name.
	Providers []Provider `json:"providers,omitempty"`
	// Age is the database's age at the run's wall-clock time, rounded to
	// the hour; MaxAge the configured bound; Stale is Age > MaxAge. Age
	// is never written: it changes with the clock, and the evidence must
	// not (Stale changes only when the bound is crossed, like a waiver's
	// expiry).
	Age    Duration `json:"-"`
	MaxAge Duration `json:"max_age"`
	Stale  bool     `json:"stale"`
}

// Provider is one data source of the database.
type Provider struct {
	Name     string    `json:"name"`
	Version  string    `json:"version,omitempty"`
	Captured time.Time `json:"captured,omitempty"`
}

// Duration is a time.Duration written as hours ("120h") in JSON.
type Duration time.Duration

// MarshalText writes the duration in whole hours, e.g. "120h".
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(time.Duration(d).Truncate(time.Hour).String()), nil
}

// UnmarshalText reads a Go duration ("120h0m0s", "36h").
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Days is the duration in whole days, rounded down.
func (d Duration) Days() int { return int(time.Duration(d) / (24 * time.Hour)) }

// Scan is the result of one vulnerability scan of the product's SBOM.
type Scan struct {
	// Assessed is false when no scan could run (no database, no SBOM):
	// then NotAssessed says why and Fix what to do — never a silent pass.
	Assessed    bool   `json:"assessed"`
	NotAssessed string `json:"not_assessed,omitempty"`
	Fix         string `json:"fix,omitempty"`

	Scanner Scanner `json:"scanner"`
	DB      *DB     `json:"db,omitempty"`
	// SBOM names the document that was matched and its digest.
	SBOM SBOMRef `json:"sbom"`
	// Packages is the number of SBOM packages the matcher considered.
	Packages int `json:"packages"`
	// Matches is one entry per vulnerability × package, sorted.
	Matches []Match `json:"matches"`
	// VEX lists the VEX documents read and the statements that were not
	// usable, for the report.
	VEX []VEXDocument `json:"vex,omitempty"`
	// Warnings a person should read (a stale database, a VEX document
	// that could not be read).
	Warnings []string `json:"warnings,omitempty"`
	// Time is the run's reference time (never the wall clock).
	Time time.Time `json:"time"`
}

// SBOMRef identifies the SBOM the scan matched.
type SBOMRef struct {
	Name   string `json:"name"`             // "sbom.cdx.json"
	SHA256 string `json:"sha256,omitempty"` // of that document
}

// Package is the SBOM component a vulnerability was matched on.
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Type    string `json:"type"` // syft package type: go-module, npm, java-archive …
	PURL    string `json:"purl,omitempty"`
	// Ref is the component's bom-ref in sbom.cdx.json.
	Ref string `json:"ref,omitempty"`
	// Locations are the files syft found the package in, relative to the
	// scanned source, sorted.
	Locations []string `json:"locations,omitempty"`
}

// CVSS is one CVSS score of a vulnerability.
type CVSS struct {
	Source    string  `json:"source,omitempty"` // who scored it, e.g. "nvd@nist.gov"
	Version   string  `json:"version"`          // "3.1"
	Vector    string  `json:"vector"`           // "CVSS:3.1/AV:N/…"
	BaseScore float64 `json:"base_score,omitempty"`
}

// KEV is a CISA Known Exploited Vulnerabilities catalogue entry.
type KEV struct {
	CVE       string `json:"cve"`
	DateAdded string `json:"date_added,omitempty"` // YYYY-MM-DD
	DueDate   string `json:"due_date,omitempty"`   // YYYY-MM-DD
	// RansomwareUse is CISA's knownRansomwareCampaignUse: "Known" or "Unknown".
	RansomwareUse  string `json:"ransomware_use,omitempty"`
	VendorProject  string `json:"vendor_project,omitempty"`
	Product        string `json:"product,omitempty"`
	RequiredAction string `json:"required_action,omitempty"`
}

// EPSS is a FIRST Exploit Prediction Scoring System score.
type EPSS struct {
	CVE        string  `json:"cve"`
	Score      float64 `json:"score"`      // probability of exploitation activity in the next 30 days
	Percentile float64 `json:"percentile"` // 0..1
	Date       string  `json:"date,omitempty"`
}

// Severities, as grype names them, from most to least severe.
const (
	SeverityCritical   = "critical"
	SeverityHigh       = "high"
	SeverityMedium     = "medium"
	SeverityLow        = "low"
	SeverityNegligible = "negligible"
	SeverityUnknown    = "unknown"
)

// SeverityRank orders severities: critical 5 … negligible 1, unknown 0.
func SeverityRank(s string) int {
	switch strings.ToLower(s) {
	case SeverityCritical:
		return 5
	case SeverityHigh:
		return 4
	case SeverityMedium:
		return 3
	case SeverityLow:
		return 2
	case SeverityNegligible:
		return 1
	}
	return 0
}

// Match is one vulnerability affecting one package.
type Match struct {
	// ID is the vulnerability as the database records it (GHSA-…, CVE-…,
	// GO-…); Aliases are its other IDs (CVE and GHSA), sorted.
	ID      string   `json:"id"`
	Aliases []string `json:"aliases,omitempty"`
	// Namespace is the database namespace the record came from, e.g.
	// "github:language:go"; DataSource its primary URL.
	Namespace   string `json:"namespace,omitempty"`
	DataSource  string `json:"data_source,omitempty"`
	Description string `json:"description,omitempty"`

	Package Package `json:"package"`

	// Severity is one of the Severity* names.
	Severity string `json:"severity"`
	CVSS     []CVSS `json:"cvss,omitempty"`
	// FixedIn are the versions that fix it; FixState is grype's fix state
	// (fixed, not-fixed, wont-fix, unknown).
	FixedIn  []string `json:"fixed_in,omitempty"`
	FixState string   `json:"fix_state"`

	KEV  []KEV  `json:"kev,omitempty"`
	EPSS []EPSS `json:"epss,omitempty"`

	// MatchType is how grype matched: exact-direct-match,
	// exact-indirect-match or cpe-match.
	MatchType string `json:"match_type,omitempty"`

	// VEX is the VEX statement that applies, when one does.
	VEX *VEXDecision `json:"vex,omitempty"`

	// FirstSeen is the day (YYYY-MM-DD) the match was first reported: from
	// the previous run's report when it had it, else this run's day.
	FirstSeen string `json:"first_seen,omitempty"`
}

// Key identifies a match across runs: vulnerability and package, no
// version (so an upgrade that does not fix it keeps its first-seen date).
func (m Match) Key() string {
	return m.ID + " " + m.Package.Type + ":" + m.Package.Name
}

// Known reports whether the vulnerability is in the CISA KEV catalogue.
func (m Match) Known() bool { return len(m.KEV) > 0 }

// HasFix reports whether a fixed version is known.
func (m Match) HasFix() bool { return len(m.FixedIn) > 0 }

// IDs returns the ID and its aliases.
func (m Match) IDs() []string { return append([]string{m.ID}, m.Aliases...) }

// CVE returns the first CVE among the ID and aliases, "" when none.
func (m Match) CVE() string {
	for _, id := range m.IDs() {
		if strings.HasPrefix(id, "CVE-") {
			return id
		}
	}
	return ""
}

// Title names the vulnerability by its CVE, with the database's own ID
// when that differs: "CVE-2021-44228 (GHSA-jfh8-c2jp-5v3q)".
func (m Match) Title() string {
	if cve := m.CVE(); cve != "" && cve != m.ID {
		return cve + " (" + m.ID + ")"
	}
	return m.ID
}

// MaxEPSS is the highest EPSS entry, nil when there is none.
func (m Match) MaxEPSS() *EPSS {
	var best *EPSS
	for i := range m.EPSS {
		if best == nil || m.EPSS[i].Score > best.Score {
			best = &m.EPSS[i]
		}
	}
	return best
}

// VEX statuses (OpenVEX names; CSAF product statuses are mapped onto them).
const (
	VEXNotAffected        = "not_affected"
	VEXAffected           = "affected"
	VEXFixed              = "fixed"
	VEXUnderInvestigation = "under_investigation"
)

// VEXDecision is the VEX statement that applies to a match.
type VEXDecision struct {
	Status string `json:"status"`
	// Justification is the OpenVEX justification (or CSAF flag label);
	// ImpactStatement the free-text impact statement.
	Justification   string `json:"justification,omitempty"`
	ImpactStatement string `json:"impact_statement,omitempty"`
	ActionStatement string `json:"action_statement,omitempty"`
	// Author and Timestamp are the statement's (or its document's).
	Author    string `json:"author,omitempty"`
	Timestamp string `json:"timestamp,omitempty"` // RFC 3339
	// Document is the VEX file, relative to the product root; Format is
	// "openvex" or "csaf".
	Document string `json:"document"`
	Format   string `json:"format"`
}

// Justified reports whether a not_affected decision carries a
// justification or an impact statement, as OpenVEX requires.
func (d VEXDecision) Justified() bool {
	return strings.TrimSpace(d.Justification) != "" || strings.TrimSpace(d.ImpactStatement) != ""
}

// VEXDocument is one VEX file read.
type VEXDocument struct {
	Path       string `json:"path"`
	Format     string `json:"format"` // openvex | csaf
	Author     string `json:"author,omitempty"`
	Statements int    `json:"statements"`
	// Error says why the document could not be read; nothing in it applied.
	Error string `json:"error,omitempty"`
}

// SortMatches orders matches by severity (worst first), then ID, then
// package, so that KEV and critical findings come first everywhere.
func SortMatches(ms []Match) {
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.Known() != b.Known() {
			return a.Known()
		}
		if ra, rb := SeverityRank(a.Severity), SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Package.Name != b.Package.Name {
			return a.Package.Name < b.Package.Name
		}
		if a.Package.Version != b.Package.Version {
			return a.Package.Version < b.Package.Version
		}
		return a.Package.Ref < b.Package.Ref
	})
}
