package conformity

import (
	"fmt"
	"strings"

	"github.com/cemark/cemark/checks"
	checkvulns "github.com/cemark/cemark/checks/vulns"
	"github.com/cemark/cemark/checks/vulnscan"
)

// The points the vulnerability scan of the product's SBOM evidences.
const (
	pointKnownVulns = "I-2a" // Annex I Part I (2)(a): no known exploitable vulnerabilities
	pointRemediate  = "II-2" // Annex I Part II (2): addressed and remediated without delay
	pointTests      = "II-3" // Annex I Part II (3): effective and regular tests and reviews
)

// listsOpenVulnerabilities reports whether point id lists the open
// vulnerabilities the policy does not fail, rather than taking each as a
// warning that leaves the point not assessed. For Part I (2)(a) the rule of
// the scan is the specific one (docs/conformity-predicate.md): such a
// vulnerability is not known to be exploited and has no fix, or is below
// the policy's severity, so it does not stand against "without known
// exploitable vulnerabilities"; it is an input to the risk assessment,
// which Part II (2) asks to remediate "without delay … in proportion to
// the risk". Part II (2) lists them with the day each was first seen.
func listsOpenVulnerabilities(id string) bool { return id == pointKnownVulns || id == pointRemediate }

// openVulnerability reports whether f is a CEM-VULN-001 finding for one
// open vulnerability that the policy does not fail (a warning).
func openVulnerability(checkID string, f checks.Finding) bool {
	return checkID == checkvulns.IDKnown && f.Outcome == checks.Warn && f.Values["vulnerability"] != ""
}

// knownVulnerabilities decides Annex I Part I (2)(a), "made available on
// the market without known exploitable vulnerabilities", from the scan of
// the product's SBOM and the checks tied to the point. It is
// evidence-complete only when a scan with a database within its age bound
// ran on the SBOM and no vulnerability in CISA's Known Exploited
// Vulnerabilities catalogue and no critical or high one with a fixed
// version remains open (not waived by a justified VEX not_affected
// statement); failing-finding when one does (listed) or a check tied to the
// point fails; not-assessed without a scan or with a stale database — a
// sentence of the manufacturer's is a statement, never evidence.
func knownVulnerabilities(ps *PointStatus, e *pointEvidence, scan *vulnscan.Summary) {
	ran := scan != nil && scan.Ran
	var kev, fixable []string
	if ran {
		kev, fixable = scan.KEVOpen, scan.FixableCriticalHighOpen
		ps.Coverage = CoverageFull
	}
	switch {
	case len(kev)+len(fixable) > 0 || len(ps.Failing) > 0:
		ps.Status = FailingFinding
		var why []string
		if len(kev) > 0 {
			why = append(why, plural(len(kev), "vulnerability in CISA's Known Exploited Vulnerabilities catalogue remains", "vulnerabilities in CISA's Known Exploited Vulnerabilities catalogue remain")+" open")
		}
		if len(fixable) > 0 {
			why = append(why, plural(len(fixable), "critical or high vulnerability with a fixed version remains", "critical or high vulnerabilities with a fixed version remain")+" open")
		}
		if len(ps.Failing) > 0 {
			why = append(why, "failing findings in "+join(ps.Failing))
		}
		ps.Basis = scanned(scan) + ": " + strings.Join(why, "; ")
		for _, l := range kev {
			ps.open(l + ": known to be exploited (CISA KEV): update to a fixed version, or state in a VEX document, with a justification, that the product is not affected")
		}
		for _, l := range fixable {
			if !contains(kev, l) {
				ps.open(l + ": a fixed version exists: update to it, or state in a VEX document, with a justification, that the product is not affected")
			}
		}
	case len(ps.Errored) > 0:
		ps.Status = NotAssessed
		ps.Basis = "checks could not complete: " + join(ps.Errored)
		ps.open("re-run the checks that could not complete: " + join(ps.Errored))
	case !ran:
		ps.Status = NotAssessed
		ps.Basis = "no vulnerability scan of the product's SBOM in this run"
		if ps.Measures != "" {
			ps.Basis = "manufacturer statement, not verified: no vulnerability scan of the product's SBOM in this run"
		}
		fix := "cemark run with a vulnerability database (`cemark db update`)"
		if scan != nil && scan.Fix != "" {
			fix = scan.Fix
		}
		ps.open("a vulnerability scan of the product's SBOM is needed: only a scan shows that the product ships without known exploitable vulnerabilities; fix: " + fix)
	case !scan.DBFresh:
		ps.Status = NotAssessed
		ps.Basis = scanned(scan) + ", but with a database older than its bound (vulnerabilities.max_db_age): the scan may miss advisories published since"
		ps.open("update the vulnerability database (`cemark db update`, or cemark run --vuln-db-update) and run again")
	case len(ps.Warning) > 0:
		ps.Status = NotAssessed
		ps.Basis = "warnings in " + join(ps.Warning) + ": a warning is not a pass"
		for _, w := range e.warnings {
			ps.open(w)
		}
	default:
		ps.Status = EvidenceComplete
		ps.Basis = scanned(scan) + " with a database within its age bound: no vulnerability in CISA's Known Exploited Vulnerabilities catalogue and no critical or high vulnerability with a fixed version remains open"
		if n := len(scan.WaivedByVEX); n > 0 {
			ps.Basis += "; " + plural(n, "vulnerability is", "vulnerabilities are") + " waived by VEX not_affected statements with a justification (stated by the manufacturer, not verified)"
		}
		if n := len(scan.OpenMatches); n > 0 {
			ps.Basis += "; " + plural(n, "open vulnerability that the policy does not fail is", "open vulnerabilities that the policy does not fail are") +
				" listed for the risk assessment: Annex I Part II (2) asks that vulnerabilities are addressed and remediated without delay, in proportion to the risk"
		}
	}
}

// vulnerabilityEvidence adds what the scan shows to the points it
// evidences, whatever their status: (2)(a) and Part II (2) list the open
// vulnerabilities, each with the day it was first seen, so that "without
// delay" can be judged; Part II (3) notes that the scan runs with every
// run, on every build that runs cemark.
func vulnerabilityEvidence(ps *PointStatus, scan *vulnscan.Summary) {
	if scan == nil || !scan.Ran {
		return
	}
	switch ps.ID {
	case pointKnownVulns, pointRemediate:
		for _, o := range scan.OpenMatches {
			ps.Vulnerabilities = append(ps.Vulnerabilities, o.Describe())
		}
		if ps.ID == pointRemediate && len(scan.OpenMatches) > 0 {
			ps.Basis += "; " + plural(len(scan.OpenMatches), "open vulnerability is", "open vulnerabilities are") +
				" listed with the day each was first seen, so that the time taken to remediate is visible"
		}
	case pointTests:
		ps.Basis += "; the vulnerability scan of the product's SBOM runs with every cemark run, on every build that runs cemark"
	}
}

// scanned names the scan: "the vulnerability scan of the product's SBOM
// (sha256 0123456789ab…)". Neither the database's build date nor its
// checksum: they change daily and stay in run.json and the vulnerability
// statement.
func scanned(scan *vulnscan.Summary) string {
	if scan == nil || !scan.Ran {
		return "without a vulnerability scan of the product's SBOM"
	}
	if scan.SBOMSHA256 == "" {
		return "the vulnerability scan of the product's SBOM"
	}
	return "the vulnerability scan of the product's SBOM (sha256 " + short(scan.SBOMSHA256) + "…)"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
