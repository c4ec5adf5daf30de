package attest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/checks/vulnscan"
)

// PredicateVulns is in-toto's vulnerabilities predicate, version 0.1
// (in-toto/attestation spec/predicates/vuln.md).
const PredicateVulns = "https://in-toto.io/attestation/vulns/v0.1"

// NameVulns is the vulnerability statement's name (vulns.dsse.json).
const NameVulns = "vulns"

// VulnsPredicate is the predicate of PredicateVulns, field for field as
// spec/predicates/vuln.md (v0.1) names them, plus the SBOM that was matched
// (sbom, a resource descriptor with its digest), which the spec leaves to
// the producer.
type VulnsPredicate struct {
	Scanner  VulnsScanner  `json:"scanner"`
	Metadata VulnsMetadata `json:"metadata"`
	// SBOM is the document whose components were matched.
	SBOM *intotov1.ResourceDescriptor `json:"sbom,omitempty"`
}

// VulnsScanner is predicate.scanner.
type VulnsScanner struct {
	URI     string        `json:"uri"`
	Version string        `json:"version,omitempty"`
	DB      VulnsDB       `json:"db"`
	Result  []VulnsResult `json:"result"`
}

// VulnsDB is predicate.scanner.db. Checksum (grype's recorded digest of the
// database file) is cemark's addition, so a verifier can tell which
// database the result came from.
type VulnsDB struct {
	URI        string `json:"uri,omitempty"`
	Version    string `json:"version,omitempty"`
	LastUpdate string `json:"lastUpdate"`
	Checksum   string `json:"checksum,omitempty"`
}

// VulnsResult is one entry of predicate.scanner.result: one vulnerability
// in one package.
type VulnsResult struct {
	ID          string            `json:"id"`
	Severity    []VulnsSeverity   `json:"severity"`
	Annotations []VulnsAnnotation `json:"annotations,omitempty"`
}

// VulnsSeverity is one scoring of a result.
type VulnsSeverity struct {
	Method string `json:"method"`
	Score  string `json:"score"`
}

// VulnsAnnotation carries what the spec leaves to the scanner: the
// package, its SBOM reference, aliases, fixed versions, KEV, EPSS, VEX.
type VulnsAnnotation struct {
	Package   string                `json:"package"`
	Version   string                `json:"version"`
	PURL      string                `json:"purl,omitempty"`
	SBOMRef   string                `json:"sbomRef,omitempty"`
	Aliases   []string              `json:"aliases,omitempty"`
	FixedIn   []string              `json:"fixedIn,omitempty"`
	FixState  string                `json:"fixState,omitempty"`
	KEV       []vulnscan.KEV        `json:"kev,omitempty"`
	EPSS      []vulnscan.EPSS       `json:"epss,omitempty"`
	VEX       *vulnscan.VEXDecision `json:"vex,omitempty"`
	FirstSeen string                `json:"firstSeen,omitempty"`
}

// VulnsMetadata is predicate.metadata. cemark records the run's reference
// time (SOURCE_DATE_EPOCH or the commit time) as both, never the clock,
// so the statement is reproducible.
type VulnsMetadata struct {
	ScanStartedOn  string `json:"scanStartedOn"`
	ScanFinishedOn string `json:"scanFinishedOn"`
}

// VulnsStatement makes the vulnerability statement of a scan over the
// product's subjects, with the matched SBOM's digest inside. A scan that
// did not run makes no statement: it would attest a result nobody found.
func VulnsStatement(subjects []*intotov1.ResourceDescriptor, scan *vulnscan.Scan) (Statement, error) {
	if scan == nil || !scan.Assessed || scan.DB == nil {
		return Statement{}, fmt.Errorf("vulnerability statement: no scan ran")
	}
	p, err := NewVulnsPredicate(scan)
	if err != nil {
		return Statement{}, err
	}
	return NewStatement(NameVulns, PredicateVulns, subjects, p)
}

// NewVulnsPredicate builds the predicate of a scan.
func NewVulnsPredicate(scan *vulnscan.Scan) (VulnsPredicate, error) {
	if scan == nil || scan.DB == nil {
		return VulnsPredicate{}, fmt.Errorf("vulnerability predicate: no database")
	}
	at := scan.Time.UTC().Format(time.RFC3339)
	p := VulnsPredicate{
		Scanner: VulnsScanner{
			URI:     scan.Scanner.URI,
			Version: scan.Scanner.Version,
			DB: VulnsDB{
				Version:    scan.DB.Schema,
				LastUpdate: scan.DB.Built.UTC().Format(time.RFC3339),
				Checksum:   scan.DB.Checksum,
			},
			Result: []VulnsResult{},
		},
		Metadata: VulnsMetadata{ScanStartedOn: at, ScanFinishedOn: at},
	}
	if u, err := url.Parse(scan.DB.Source); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		u.User, u.RawQuery, u.Fragment = nil, "", ""
		p.Scanner.DB.URI = u.String()
	}
	if scan.SBOM.SHA256 != "" {
		p.SBOM = &intotov1.ResourceDescriptor{Name: scan.SBOM.Name, MediaType: "application/vnd.cyclonedx+json", Digest: map[string]string{"sha256": scan.SBOM.SHA256}}
	}
	for _, m := range scan.Matches {
		r := VulnsResult{ID: m.ID, Severity: []VulnsSeverity{{Method: "grype", Score: m.Severity}}}
		for _, c := range m.CVSS {
			method := "cvss_v" + c.Version
			if c.Source != "" {
				method += ":" + c.Source
			}
			if c.BaseScore > 0 {
				r.Severity = append(r.Severity, VulnsSeverity{Method: method, Score: strconv.FormatFloat(c.BaseScore, 'f', 1, 64)})
			}
			r.Severity = append(r.Severity, VulnsSeverity{Method: method + ":vector", Score: c.Vector})
		}
		for _, e := range m.EPSS {
			r.Severity = append(r.Severity, VulnsSeverity{Method: "epss:" + strings.ToLower(e.CVE), Score: strconv.FormatFloat(e.Score, 'f', 5, 64)})
		}
		r.Annotations = []VulnsAnnotation{{
			Package: m.Package.Name, Version: m.Package.Version, PURL: m.Package.PURL, SBOMRef: m.Package.Ref,
			Aliases: m.Aliases, FixedIn: m.FixedIn, FixState: m.FixState, KEV: m.KEV, EPSS: m.EPSS, VEX: m.VEX,
			FirstSeen: m.FirstSeen,
		}}
		p.Scanner.Result = append(p.Scanner.Result, r)
	}
	return p, nil
}
