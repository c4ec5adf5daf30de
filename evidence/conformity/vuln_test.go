package conformity

import (
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/vulnscan"
)

func vulnMatch(id, sev, pkg string, fixed ...string) vulnscan.Match {
	return vulnscan.Match{ID: id, Severity: sev, FixedIn: fixed, FirstSeen: "2026-11-01",
		Package: vulnscan.Package{Name: pkg, Version: "1.0.0", Type: "npm"}}
}

func log4j() vulnscan.Match {
	m := vulnMatch("GHSA-jfh8-c2jp-5v3q", "critical", "log4j-core", "2.15.0")
	m.Aliases = []string{"CVE-2021-44228"}
	m.KEV = []vulnscan.KEV{{CVE: "CVE-2021-44228", DateAdded: "2021-12-10"}}
	m.EPSS = []vulnscan.EPSS{{CVE: "CVE-2021-44228", Score: 0.94, Percentile: 0.99}}
	return m
}

func scanOf(ms ...vulnscan.Match) *vulnscan.Scan {
	return &vulnscan.Scan{Assessed: true, DB: &vulnscan.DB{}, SBOM: vulnscan.SBOMRef{Name: "sbom.cdx.json", SHA256: "c0ffee00c0ffee00c0ffee00"}, Matches: ms}
}

func summary(s *vulnscan.Scan) *vulnscan.Summary {
	sum := vulnscan.Summarise(s, vulnscan.DefaultPolicy())
	return &sum
}

// vulnReport is the CEM-VULN-001 result the family gives a scan: one
// finding per match, failing as the default policy says.
func vulnReport(s *vulnscan.Scan) *checks.Report {
	r := checks.Result{Meta: checks.Meta{ID: "CEM-VULN-001", CRA: []string{"Annex I Part I (2)(a)", "Annex I Part II (2)"}}, Outcome: checks.Pass}
	for _, m := range s.Matches {
		o := checks.Warn
		if fail, _ := vulnscan.DefaultPolicy().Verdict(m); fail {
			o = checks.Fail
		}
		if !vulnscan.Open(m) {
			o = checks.Waived
		}
		r.Findings = append(r.Findings, checks.Finding{Check: r.ID, Outcome: o, Message: m.ID + " with EPSS 94.0%",
			Values: map[string]string{"vulnerability": m.ID, "first_seen": m.FirstSeen}})
	}
	return &checks.Report{Results: []checks.Result{r}}
}

// TestKnownVulnerabilitiesFromTheScan pins Annex I Part I (2)(a):
// products shall "be made available on the market without known
// exploitable vulnerabilities", and Annex I Part II (2): manufacturers
// shall "address and remediate vulnerabilities without delay, including
// by providing security updates", in relation to the risks they pose.
// (2)(a) is evidence-complete only when a scan with a fresh database ran on
// the product's SBOM and no KEV-listed and no fixable critical or high
// vulnerability remains open; the open vulnerabilities the policy does not
// fail are listed for the risk assessment, not taken as warnings; Part II
// (2) lists each with the day it was first seen.
func TestKnownVulnerabilitiesFromTheScan(t *testing.T) {
	medium := vulnMatch("GHSA-med", "medium", "moment", "2.29.2")
	unfixed := vulnMatch("GHSA-unfixed", "high", "lodash")
	waived := log4j()
	waived.VEX = &vulnscan.VEXDecision{Status: vulnscan.VEXNotAffected, Justification: "vulnerable_code_not_in_execute_path", Author: "psirt@acme.example"}
	stale := scanOf(medium)
	stale.DB.Stale = true
	notRun := &vulnscan.Scan{NotAssessed: "no vulnerability database in /home/me/.cache/cemark/grype-db", Fix: "`cemark db update` (or cemark run --vuln-db-update)"}
	cases := []struct {
		name   string
		scan   *vulnscan.Scan
		status Status
		basis  []string // substrings of the basis
		open   []string // substrings of the open items
		listed int      // open vulnerabilities listed
	}{
		{"no scan: not assessed, naming the command", notRun, NotAssessed,
			[]string{"no vulnerability scan of the product's SBOM"}, []string{"a vulnerability scan of the product's SBOM is needed", "cemark db update"}, 0},
		{"a stale database: not assessed, naming the command", stale, NotAssessed,
			[]string{"older than its bound", "may miss advisories"}, []string{"cemark db update"}, 1},
		{"a KEV-listed vulnerability open: failing, listed", scanOf(log4j(), medium), FailingFinding,
			[]string{"1 vulnerability in CISA's Known Exploited Vulnerabilities catalogue remains open", "1 critical or high vulnerability with a fixed version remains open"},
			[]string{"CVE-2021-44228 (GHSA-jfh8-c2jp-5v3q) log4j-core@1.0.0: known to be exploited"}, 2},
		{"a fixable high vulnerability open: failing", scanOf(vulnMatch("GHSA-high", "high", "lodash", "4.17.21")), FailingFinding,
			[]string{"1 critical or high vulnerability with a fixed version remains open"}, []string{"GHSA-high lodash@1.0.0: a fixed version exists"}, 1},
		{"a KEV entry waived by VEX and warnings only: evidence complete, the warnings listed", scanOf(waived, medium, unfixed), EvidenceComplete,
			[]string{"sha256 c0ffee00c0ff", "within its age bound", "1 vulnerability is waived by VEX", "2 open vulnerabilities that the policy does not fail are listed for the risk assessment",
				"Annex I Part II (2)", "without delay, in proportion to the risk"}, nil, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := AssessWith(completeConfig(), vulnReport(tc.scan), Inputs{VulnScan: summary(tc.scan)})
			p := statusOf(t, a, "I-2a")
			if p.Status != tc.status {
				t.Errorf("status %s, want %s (basis %q, open %q)", p.Status, tc.status, p.Basis, p.OpenItems)
			}
			for _, w := range tc.basis {
				if !strings.Contains(p.Basis, w) {
					t.Errorf("basis lacks %q: %s", w, p.Basis)
				}
			}
			open := strings.Join(p.OpenItems, "\n")
			for _, w := range tc.open {
				if !strings.Contains(open, w) {
					t.Errorf("open items lack %q: %q", w, p.OpenItems)
				}
			}
			if tc.status == EvidenceComplete && len(p.OpenItems) > 0 {
				t.Errorf("evidence-complete with open items %q", p.OpenItems)
			}
			if len(p.Vulnerabilities) != tc.listed {
				t.Errorf("%d vulnerabilities listed, want %d: %q", len(p.Vulnerabilities), tc.listed, p.Vulnerabilities)
			}
			// The technical file quotes the point: nothing in it may change
			// from day to day (EPSS, the database's date) or name a machine.
			all := p.Basis + open + strings.Join(p.Vulnerabilities, "\n")
			for _, volatile := range []string{"EPSS", "/home/", "grype-db"} {
				if strings.Contains(all, volatile) {
					t.Errorf("the point holds %q: %s", volatile, all)
				}
			}
			// Part II (2) lists every open vulnerability with its age and
			// does not take them for warnings.
			ii2 := statusOf(t, a, "II-2")
			if len(ii2.Vulnerabilities) != tc.listed || (tc.listed > 0 && !strings.Contains(ii2.Vulnerabilities[0], "first seen 2026-11-01")) {
				t.Errorf("II-2 lists %q", ii2.Vulnerabilities)
			}
			if tc.status == EvidenceComplete && (ii2.Status != EvidenceComplete || !strings.Contains(ii2.Basis, "listed with the day each was first seen")) {
				t.Errorf("II-2 with open warnings only: %s, %s, %q", ii2.Status, ii2.Basis, ii2.OpenItems)
			}
		})
	}
	// The list: KEV and critical first; each says whether the policy fails it.
	s := summary(scanOf(medium, log4j()))
	if got := s.OpenMatches[0].Describe(); got != "CVE-2021-44228 (GHSA-jfh8-c2jp-5v3q) log4j-core@1.0.0: critical, in CISA KEV, fixed in 2.15.0, first seen 2026-11-01; fails: it is in CISA's Known Exploited Vulnerabilities catalogue" {
		t.Errorf("first listed: %s", got)
	}
	if got := s.OpenMatches[1].Describe(); got != "GHSA-med moment@1.0.0: medium, fixed in 2.29.2, first seen 2026-11-01; open: it is medium; a fixed version exists" {
		t.Errorf("second listed: %s", got)
	}
	// Part II (3): the scan runs on every build.
	a := AssessWith(completeConfig(), vulnReport(scanOf()), Inputs{VulnScan: summary(scanOf())})
	if p := statusOf(t, a, "II-3"); !strings.Contains(p.Basis, "runs with every cemark run, on every build") {
		t.Errorf("II-3: %s", p.Basis)
	}
}
