package conformity

import "fmt"

// VulnScan is the evidence of a vulnerability scan of the product's SBOM
// against a vulnerability database: the only evidence on which Annex I
// Part I (2)(a) ("without known exploitable vulnerabilities") can be
// complete. The scan stage fills it; nil means no scan ran.
type VulnScan struct {
	// SBOMSHA256 is the hex SHA-256 of the SBOM that was scanned.
	SBOMSHA256 string `json:"sbom_sha256"`
	// Database names the vulnerability data and its build time, e.g.
	// "grype db v6, built 2027-11-30T04:12:00Z".
	Database string `json:"database"`
	// Known is the number of known vulnerabilities the scan matched.
	Known int `json:"known"`
	// Exploitable is how many of them are not shown to be not exploitable
	// (by a VEX statement or the manufacturer's triage).
	Exploitable int `json:"exploitable"`
}

// knownVulnerabilities decides Annex I Part I (2)(a) once the checks tied
// to it (the CEM-VULN family) have no fail, warn or error finding. A
// sentence of the manufacturer's is a statement, never evidence that no
// known exploitable vulnerability ships: without a scan the point is not
// assessed.
func knownVulnerabilities(ps *PointStatus, scan *VulnScan) {
	if scan == nil {
		ps.Status = NotAssessed
		ps.Basis = "no vulnerability scan of the product's SBOM in this run"
		if ps.Measures != "" {
			ps.Basis = "manufacturer statement, not verified: no vulnerability scan of the product's SBOM in this run"
		}
		ps.open("a vulnerability scan of the product's SBOM is needed: only a scan shows that the product ships without known exploitable vulnerabilities")
		return
	}
	ps.Coverage = CoverageFull
	if scan.Exploitable > 0 {
		ps.Status = FailingFinding
		ps.Basis = fmt.Sprintf("the vulnerability scan of the SBOM (sha256 %s, %s) matched %d known vulnerabilities, %d not shown to be not exploitable",
			short(scan.SBOMSHA256), scan.Database, scan.Known, scan.Exploitable)
		return
	}
	ps.Status = EvidenceComplete
	ps.Basis = fmt.Sprintf("the vulnerability scan of the SBOM (sha256 %s, %s) matched %d known vulnerabilities, none exploitable",
		short(scan.SBOMSHA256), scan.Database, scan.Known)
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
