package techfile

import (
	"time"

	"github.com/cemark/cemark/checks"
	checkvulns "github.com/cemark/cemark/checks/vulns"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	art14 "github.com/cemark/cemark/evidence/report"
)

func ptr[T any](v T) *T { return &v }

func date(s string) *config.Date {
	d, err := config.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

// fixtureConfig is a small gateway product with most manufacturer facts
// filled in and a few deliberately missing (architecture, production).
func fixtureConfig(class string) *config.Config {
	return &config.Config{
		Product: config.Product{
			Name: "acme-gateway", Version: "1.4.0", Type: "software", TypeDesignation: "AG-1", Hardware: ptr(false),
			Description:         "A small HTTP gateway for home automation hubs.",
			IntendedPurpose:     "Relays commands from the Acme mobile app to home automation hubs on the local network.",
			Class:               class,
			OpenSource:          ptr(false),
			Licence:             "Apache-2.0",
			FirstPlacedOnMarket: date("2027-12-11"),
			Support: config.Support{End: date("2032-12-31"), Rationale: "Hubs are used for about five years; the gateway follows the hub's support.",
				Type: "Security updates for the latest minor release, free of charge"},
			DeclarationURL: "https://acme.example/cra/doc",
		},
		Manufacturer: config.Manufacturer{Name: "Acme ApS", Address: "Nørregade 1, 1165 København K, Denmark", Email: "cra@acme.example", Website: "https://acme.example"},
		Security:     config.Security{Contact: "security@acme.example", CVDPolicy: "https://acme.example/security"},
		Updates: config.Updates{Mechanism: "container image from registry.acme.example", Automatic: ptr(true),
			OptOut: "set AUTO_UPDATE=false", Notification: "release notes and an in-app banner", Postpone: "snooze an update for up to 7 days in the app",
			Keys: []config.UpdateKey{{Name: "release", Type: "cosign", Fingerprint: "AB12CD34"}}},
		Advisories: config.Advisories{GitHub: true},
		Conformity: config.Conformity{Procedure: procedureFor(class)},
		Reporting:  config.Reporting{MemberState: "DK", CSIRT: "CFCS (Center for Cybersikkerhed)", Contact: "psirt@acme.example", AvailableIn: []string{"DK", "SE"}},
		Attestations: config.Attestations{Signers: config.Signers{
			Keyless: []config.KeylessIdentity{
				{Issuer: "https://token.actions.githubusercontent.com", Identity: "https://github.com/acme/gateway/.github/workflows/cemark.yml@refs/heads/main"},
				{Issuer: "https://gitlab.com", IdentityRegexp: `https://gitlab\.com/acme/gateway//\.gitlab-ci\.yml@refs/tags/v.+`},
			},
			Keys: []string{"keys/cemark.pub"},
		}},
		RiskAssessment: map[string]config.Requirement{
			"I-2e": {Applicable: ptr(true), Measures: "TLS 1.3 for every connection; no data at rest."},
			"I-2g": {Applicable: ptr(false), Justification: "The gateway stores no personal data."},
			"I-2m": {Applicable: ptr(false)}, // no justification: an open item
		},
	}
}

// procedureFor is a procedure open to every fixture of class.
func procedureFor(class string) string {
	if class == config.ClassDefault {
		return config.ProcedureModuleA
	}
	return config.ProcedureModuleH
}

func fixtureReport() *checks.Report { return fixtureReportFor(fixtureScan()) }

// fixtureReportFor is the fixture's check report with the CEM-VULN
// results the family gives scan: its findings' messages carry what the
// database says today (EPSS, the database's date and checksum).
func fixtureReportFor(scan *vulnscan.Scan) *checks.Report {
	r := fixtureReportWithoutScan()
	policy := vulnscan.DefaultPolicy()
	known := checks.Result{Meta: checks.Meta{ID: checkvulns.IDKnown, Title: "No known exploitable vulnerability in the SBOM's components", Severity: checks.SeverityHigh,
		CRA: []string{"Annex I Part I (2)(a)", "Annex I Part II (2)", "Art. 13(6)", "Annex VII 6"}}, Outcome: checks.Fail}
	for _, m := range scan.Matches {
		f := checkvulns.Finding(m, policy)
		f.Check, f.CRA = known.ID, known.CRA
		known.Findings = append(known.Findings, f)
	}
	db := checks.Result{Meta: checks.Meta{ID: checkvulns.IDDB, Title: "The vulnerability database is present and current", Severity: checks.SeverityMedium,
		CRA: []string{"Annex I Part I (2)(a)", "Annex I Part II (3)", "Annex VII 6"}}, Outcome: checks.Info,
		Findings: []checks.Finding{{Check: checkvulns.IDDB, Outcome: checks.Info, Severity: checks.SeverityInfo, Key: "current",
			Message: "vulnerability database " + scan.DB.Schema + " built " + scan.DB.Built.Format(time.DateOnly) + " (within the 5-day bound), checksum " + scan.DB.Checksum + "; 120 packages matched by grype v0.121.3"}}}
	r.Results = append(r.Results, known, db)
	r.Facts.Vulnerabilities = vulnscan.FactsOf(scan, policy)
	r.Summary = checks.Summarise(r)
	return r
}

// fixtureScan is a scan of the fixture's SBOM: log4j-core in CISA's KEV
// catalogue, waived by a justified VEX statement; moment, high with a fix,
// under investigation (it fails); golang.org/x/text, medium with a fix,
// and libfoo, low without one (they warn); lodash, stated fixed. The
// database's date, checksum and the EPSS scores must never reach the file.
func fixtureScan() *vulnscan.Scan {
	m := func(id, cve, sev, name, version, typ string, fixed ...string) vulnscan.Match {
		x := vulnscan.Match{ID: id, Severity: sev, FixedIn: fixed, FixState: "fixed", FirstSeen: "2026-11-02",
			Package: vulnscan.Package{Name: name, Version: version, Type: typ, Locations: []string{"/go.mod"}},
			EPSS:    []vulnscan.EPSS{{CVE: cve, Score: 0.0123, Percentile: 0.456, Date: "2026-11-19"}}}
		if cve != "" {
			x.Aliases = []string{cve}
		}
		if len(fixed) == 0 {
			x.FixState = "not-fixed"
		}
		return x
	}
	log4j := m("GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228", "critical", "log4j-core", "2.14.1", "java-archive", "2.15.0")
	log4j.Package.Locations = []string{"/pom.xml"}
	log4j.KEV = []vulnscan.KEV{{CVE: "CVE-2021-44228", DateAdded: "2021-12-10", RansomwareUse: "Known"}}
	log4j.FirstSeen = "2026-10-01"
	log4j.VEX = &vulnscan.VEXDecision{Status: vulnscan.VEXNotAffected, Justification: "vulnerable_code_not_in_execute_path",
		ImpactStatement: "JNDI lookups are disabled at start-up", Author: "psirt@acme.example", Timestamp: "2026-10-03T08:00:00Z",
		Document: ".vex/gateway.openvex.json", Format: "openvex"}
	moment := m("GHSA-8hfj-j24r-96c4", "CVE-2022-24785", "high", "moment", "2.29.1", "npm", "2.29.2")
	moment.Package.Locations = []string{"/web/package-lock.json"}
	moment.VEX = &vulnscan.VEXDecision{Status: vulnscan.VEXUnderInvestigation, Author: "psirt@acme.example", Timestamp: "2026-11-03T09:00:00Z",
		Document: ".vex/gateway.openvex.json", Format: "openvex"}
	text := m("GO-2020-0015", "CVE-2020-14040", "medium", "golang.org/x/text", "v0.3.2", "go-module", "v0.3.3")
	libfoo := m("GHSA-2222-3333-4444", "", "low", "example.com/libfoo", "v1.2.3", "go-module")
	lodash := m("GHSA-35jh-r3h4-6jhm", "CVE-2021-23337", "high", "lodash", "4.17.20", "npm", "4.17.21")
	lodash.Package.Locations = []string{"/web/package-lock.json"}
	lodash.VEX = &vulnscan.VEXDecision{Status: vulnscan.VEXFixed, Author: "psirt@acme.example", Timestamp: "2026-11-04T10:00:00Z",
		Document: ".vex/gateway.openvex.json", Format: "openvex"}
	s := &vulnscan.Scan{Assessed: true, Scanner: vulnscan.Scanner{Name: "grype", Version: "v0.121.3"},
		DB: &vulnscan.DB{Built: time.Date(2026, 11, 19, 4, 0, 0, 0, time.UTC), Schema: "v6.1.4", Checksum: "xxh64:0123456789abcdef",
			MaxAge: vulnscan.Duration(5 * 24 * time.Hour)},
		SBOM:     vulnscan.SBOMRef{Name: "sbom.cdx.json", SHA256: "c0ffee0000000000000000000000000000000000000000000000000000000001"},
		Packages: 120, Matches: []vulnscan.Match{log4j, moment, text, libfoo, lodash},
		VEX:  []vulnscan.VEXDocument{{Path: ".vex/gateway.openvex.json", Format: "openvex", Author: "psirt@acme.example", Statements: 3}},
		Time: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)}
	vulnscan.SortMatches(s.Matches)
	return s
}

func fixtureReportWithoutScan() *checks.Report {
	tlsOn := true
	return &checks.Report{
		SchemaVersion: checks.ReportSchemaVersion,
		Tool:          checks.Tool{Name: "cemark", Version: "0.1.0"},
		Product:       checks.Product{Name: "acme-gateway", Version: "1.4.0"},
		Results: []checks.Result{
			{Meta: checks.Meta{ID: "CEM-SURF-001", Title: "Exposed interfaces are declared", Severity: checks.SeverityMedium,
				CRA: []string{"Annex I Part I (2)(j)"}, Standards: []string{"ETSI EN 303 645 5.6-1", "IEC 62443-4-2 CR 7.7"}},
				Outcome: checks.Waived,
				Findings: []checks.Finding{
					{Check: "CEM-SURF-001", Outcome: checks.Waived, Severity: checks.SeverityMedium, Message: "tcp/22 is exposed but not declared",
						Path: "Dockerfile", Line: 12, Key: "tcp/22", CRA: []string{"Annex I Part I (2)(j)"},
						Waiver: &checks.WaiverRef{Source: "cemark.yaml", Justification: "Debug image only; the release image has no SSH.", ApprovedBy: "J. Jensen", Expires: "2027-06-30"}},
				}},
			{Meta: checks.Meta{ID: "CEM-SECDEF-001", Title: "No default credentials", Severity: checks.SeverityHigh,
				CRA: []string{"Annex I Part I (2)(b)", "Annex I Part I (2)(d)"}, Standards: []string{"ETSI EN 303 645 5.1-1"}},
				Outcome: checks.Pass, Findings: []checks.Finding{}},
			{Meta: checks.Meta{ID: "CEM-UPD-001", Title: "Shipped artefacts are signed", Severity: checks.SeverityHigh,
				CRA: []string{"Annex I Part I (2)(c)", "Annex I Part I (2)(f)", "Annex I Part II (7)"}, Standards: []string{"ETSI EN 303 645 5.3-7", "EN 18031-1 SUM-1"}},
				Outcome: checks.Fail,
				Findings: []checks.Finding{
					{Check: "CEM-UPD-001", Outcome: checks.Fail, Severity: checks.SeverityHigh, Message: "dist/gateway.tar.gz has no signature", Path: "dist/gateway.tar.gz"},
				}},
			{Meta: checks.Meta{ID: "CEM-VH-001", Title: "A security policy names a reporting channel", Severity: checks.SeverityMedium,
				CRA: []string{"Annex I Part II (5)", "Annex I Part II (6)"}, Standards: []string{"ETSI EN 303 645 5.2-1"}},
				Outcome: checks.Pass},
		},
		Facts: checks.Facts{
			Inventory: &checks.Inventory{
				Interfaces: []checks.ExposedInterface{
					{Port: 443, Protocol: "tcp", Bind: "all", TLS: &tlsOn, Service: "https", Declared: true, Purpose: "app API",
						Places: []checks.Place{{Kind: "dockerfile-expose", Path: "Dockerfile", Line: 11}}},
					{Port: 22, Protocol: "tcp", Bind: "all", Service: "ssh",
						Places: []checks.Place{{Kind: "dockerfile-expose", Path: "Dockerfile", Line: 12}}},
				},
				Sources: []string{"Dockerfile"},
			},
			UpdateSigning: &checks.UpdateSigning{
				Pipeline:        []checks.SigningStep{{Tool: "cosign", Action: "sign-blob", Path: ".github/workflows/release.yml", Line: 40}},
				Artifacts:       []checks.ArtifactVerdict{{Path: "dist/gateway.tar.gz", SHA256: "0f1e2d3c4b5a", Verdict: "unsigned"}},
				Mechanism:       "container image from registry.acme.example",
				KeyFingerprints: []string{"ab12cd34"},
			},
			VulnHandling: &checks.VulnHandling{SecurityPolicy: "SECURITY.md", ReportingChannel: []string{"security@acme.example"}, DisclosureWindow: "90 days"},
		},
		Summary: checks.Summary{Checks: 4, Pass: 2, Fail: 1, Waived: 1},
	}
}

// fixtureInput builds the Input the pipeline would pass for the fixture.
func fixtureInput(cfg *config.Config) Input {
	report := fixtureReport()
	return Input{
		Config:     cfg,
		Route:      conformity.RouteFor(cfg),
		Assessment: conformity.AssessWith(cfg, report, conformity.Inputs{VulnScan: &report.Facts.Vulnerabilities.Summary}),
		Vulns:      fixtureScan(),
		Product:    Product{Name: cfg.Product.Name, Version: cfg.Product.Version},
		SBOM: SBOMFacts{
			CycloneDXSHA256: "c0ffee0000000000000000000000000000000000000000000000000000000001",
			SPDXSHA256:      "c0ffee0000000000000000000000000000000000000000000000000000000002",
			ComponentCount:  42,
			TopLevel: []Component{
				{Name: "golang.org/x/net", Version: "v0.30.0", PURL: "pkg:golang/golang.org/x/net@v0.30.0", Licences: []string{"BSD-3-Clause"}, Network: true},
				{Name: "github.com/spf13/cobra", Version: "v1.8.1", PURL: "pkg:golang/github.com/spf13/cobra@v1.8.1", Licences: []string{"Apache-2.0"}},
			},
			Quality: []QualityRow{
				{Field: "name", Share: 1, Verdict: "complete"},
				{Field: "hash-sha512", Share: 0.625, Verdict: "partial"},
			},
			QualityVerdict: "incomplete",
			CycloneDX:      []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}` + "\n"),
		},
		Report:    report,
		Pipelines: []string{".github/workflows/cemark.yml", ".github/workflows/release.yml"},
		Commit:    "0123456789abcdef0123456789abcdef01234567",
		Attestations: []AttestationRef{
			{Name: "sbom", PredicateType: "https://cyclonedx.org/bom", Digest: "aa00000000000000000000000000000000000000000000000000000000000000"},
			{Name: "checks", PredicateType: "https://cemark.dev/checks/v1", Digest: "bb00000000000000000000000000000000000000000000000000000000000000"},
		},
		Signers: fixtureSigners(cfg),
		Art14:   art14.Summarise(cfg, fixtureEvents()),
		EvidenceFiles: map[string]string{
			"report.json":   ".cemark/report.json",
			"report.sarif":  ".cemark/report.sarif",
			"sbom.cdx.json": ".cemark/sbom.cdx.json",
		},
		ToolName:    "cemark",
		ToolVersion: "0.1.0",
		Date:        time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC),
	}
}

// fixtureSigners are the configured signers as the pipeline hands them
// over: the keys with their key ID, read from the key file there.
func fixtureSigners(cfg *config.Config) []Signer {
	var out []Signer
	for _, k := range cfg.Attestations.Signers.Keyless {
		out = append(out, Signer{Issuer: k.Issuer, Identity: k.Identity, IdentityRegexp: k.IdentityRegexp})
	}
	for _, k := range cfg.Attestations.Signers.Keys {
		out = append(out, Signer{KeyPath: k, KeyID: "5e0f1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100", KeyType: "ecdsa-p256"})
	}
	return out
}

// fixtureEvents are Art. 14 events as cemark report records them: an open
// vulnerability whose early warning was submitted in time, whose
// notification was late, and whose final report waits for a fix; a closed
// incident whose reports were all submitted in time; and a closed
// vulnerability the manufacturer became aware of before Art. 14 applied.
func fixtureEvents() []art14.Event {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	sub := func(s string) *art14.Submission { return &art14.Submission{SubmittedAt: at(s), By: "Jane Jensen"} }
	return []art14.Event{
		{ID: "2026-10-02-build-server-compromised", Path: "docs/cra/reports/2026-10-02-build-server-compromised/event.yaml",
			Kind: art14.KindIncident, Title: "Build server compromised", AwareAt: at("2026-10-02T08:00:00Z"), Status: art14.StatusClosed,
			Submissions: art14.Submissions{EarlyWarning: sub("2026-10-02T20:00:00Z"), Notification: sub("2026-10-04T09:00:00Z"),
				Final: sub("2026-10-30T12:00:00Z")}},
		{ID: "2026-08-03-cve-2026-0815", Path: "docs/cra/reports/2026-08-03-cve-2026-0815/event.yaml",
			Kind: art14.KindVulnerability, Title: "Exploited before Art. 14 applied", AwareAt: at("2026-08-03T10:00:00Z"), Status: art14.StatusClosed},
		{ID: "2026-11-05-cve-2026-1234", Path: "docs/cra/reports/2026-11-05-cve-2026-1234/event.yaml",
			Kind: art14.KindVulnerability, Title: "Remote code execution in libfoo | exploited", AwareAt: at("2026-11-05T09:30:00Z"),
			Vulnerabilities: []string{"CVE-2026-1234"},
			Submissions:     art14.Submissions{EarlyWarning: sub("2026-11-05T20:00:00Z"), Notification: sub("2026-11-09T10:00:00Z")}},
	}
}
