package vulns

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
)

var built = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

func match(id, sev, pkg string, fixed ...string) vulnscan.Match {
	return vulnscan.Match{
		ID: id, Severity: sev, FixedIn: fixed, FixState: "fixed",
		Package: vulnscan.Package{Name: pkg, Version: "1.0.0", Type: "npm", PURL: "pkg:npm/" + pkg + "@1.0.0", Ref: "pkg:npm/" + pkg + "@1.0.0?package-id=1", Locations: []string{"/package-lock.json"}},
	}
}

func kev(m vulnscan.Match) vulnscan.Match {
	m.Aliases = []string{"CVE-2021-44228"}
	m.KEV = []vulnscan.KEV{{CVE: "CVE-2021-44228", DateAdded: "2021-12-10", DueDate: "2021-12-24", RansomwareUse: "Known"}}
	m.EPSS = []vulnscan.EPSS{{CVE: "CVE-2021-44228", Score: 0.94358, Percentile: 0.99961, Date: "2025-01-01"}}
	m.CVSS = []vulnscan.CVSS{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", BaseScore: 10}}
	return m
}

func scanOf(ms ...vulnscan.Match) *vulnscan.Scan {
	return &vulnscan.Scan{
		Assessed: true, Scanner: vulnscan.Scanner{Name: "grype", Version: "v0.121.3"},
		DB:       &vulnscan.DB{Built: built, Schema: "v6.1.10", Checksum: "xxh64:abc", MaxAge: vulnscan.Duration(5 * 24 * time.Hour)},
		SBOM:     vulnscan.SBOMRef{Name: "sbom.cdx.json"},
		Packages: 10, Matches: ms,
	}
}

// run runs the family on a scan with the framework's runner, as the
// pipeline does (CRA references, severities and waivers applied).
func run(t *testing.T, scan *vulnscan.Scan, cfg *config.Config) map[string][]checks.Finding {
	t.Helper()
	reg, err := checks.NewRegistry(Checks()...)
	if err != nil {
		t.Fatal(err)
	}
	if cfg == nil {
		cfg = &config.Config{}
	}
	tg, err := checks.NewTarget(context.Background(), t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg.Vulns = scan
	rep, err := checks.Run(context.Background(), reg, tg, checks.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]checks.Finding{}
	for _, r := range rep.Results {
		out[r.ID] = r.Findings
	}
	return out
}

func TestOutcomes(t *testing.T) {
	log4j := kev(match("GHSA-jfh8-c2jp-5v3q", "critical", "log4j-core", "2.15.0"))
	lowKEV := kev(match("GHSA-low", "low", "low-kev"))
	cases := []struct {
		name    string
		m       vulnscan.Match
		cfg     config.Vulnerabilities
		outcome checks.Outcome
		sev     checks.Severity
	}{
		{"KEV fails", log4j, config.Vulnerabilities{}, checks.Fail, checks.SeverityCritical},
		{"KEV without a fix still fails, at least high", lowKEV, config.Vulnerabilities{}, checks.Fail, checks.SeverityHigh},
		{"high with a fix fails", match("GHSA-35jh-r3h4-6jhm", "high", "lodash", "4.17.21"), config.Vulnerabilities{}, checks.Fail, checks.SeverityHigh},
		{"high without a fix warns", match("GHSA-nofix", "high", "nofix"), config.Vulnerabilities{}, checks.Warn, checks.SeverityHigh},
		{"high without a fix fails with fail_unfixed", match("GHSA-nofix", "high", "nofix"), config.Vulnerabilities{FailUnfixed: true}, checks.Fail, checks.SeverityHigh},
		{"medium with a fix warns", match("GHSA-med", "medium", "med", "2.0.0"), config.Vulnerabilities{}, checks.Warn, checks.SeverityMedium},
		{"medium fails at fail_severity medium", match("GHSA-med", "medium", "med", "2.0.0"), config.Vulnerabilities{FailSeverity: "medium"}, checks.Fail, checks.SeverityMedium},
		{"fail_severity none: high warns", match("GHSA-35jh-r3h4-6jhm", "high", "lodash", "4.17.21"), config.Vulnerabilities{FailSeverity: "none"}, checks.Warn, checks.SeverityHigh},
		{"fail_on_kev false: a low KEV warns", lowKEV, config.Vulnerabilities{FailOnKEV: ptr(false)}, checks.Warn, checks.SeverityHigh},
		{"EPSS percentile threshold", func() vulnscan.Match {
			m := match("GHSA-low2", "low", "lowe", "2.0.0")
			m.EPSS = []vulnscan.EPSS{{CVE: "CVE-1", Score: 0.5, Percentile: 0.97}}
			return m
		}(), config.Vulnerabilities{FailEPSSPercentile: 95}, checks.Fail, checks.SeverityLow},
		{"unknown severity is medium", match("GHSA-unk", "unknown", "unk", "2.0.0"), config.Vulnerabilities{}, checks.Warn, checks.SeverityMedium},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := run(t, scanOf(c.m), &config.Config{Vulnerabilities: c.cfg})[IDKnown]
			if len(got) != 1 {
				t.Fatalf("%d findings", len(got))
			}
			f := got[0]
			if f.Outcome != c.outcome || f.Severity != c.sev {
				t.Errorf("outcome %s severity %s, want %s %s (%s)", f.Outcome, f.Severity, c.outcome, c.sev, f.Message)
			}
			if f.Path != "package-lock.json" || f.Key != c.m.Key() {
				t.Errorf("path %q key %q", f.Path, f.Key)
			}
			if len(f.CRA) == 0 || f.CRA[0] != "Annex I Part I (2)(a)" {
				t.Errorf("CRA %v", f.CRA)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestFindingCarriesEveryField(t *testing.T) {
	m := kev(match("GHSA-jfh8-c2jp-5v3q", "critical", "log4j-core", "2.15.0"))
	m.FirstSeen = "2026-11-01"
	f := run(t, scanOf(m), nil)[IDKnown][0]
	want := map[string]string{
		"vulnerability": "GHSA-jfh8-c2jp-5v3q", "aliases": "CVE-2021-44228", "cve": "CVE-2021-44228",
		"package": "log4j-core", "version": "1.0.0", "package_type": "npm", "purl": "pkg:npm/log4j-core@1.0.0",
		"sbom_ref": "pkg:npm/log4j-core@1.0.0?package-id=1", "locations": "/package-lock.json",
		"fixed_in": "2.15.0", "fix_state": "fixed", "severity": "critical",
		"cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "cvss_score": "10.0",
		"kev": "true", "kev_date_added": "2021-12-10", "kev_due_date": "2021-12-24", "kev_ransomware_use": "Known",
		"epss_score": "0.94358", "epss_percentile": "0.99961", "epss_date": "2025-01-01", "first_seen": "2026-11-01",
	}
	if d := cmp.Diff(want, f.Values); d != "" {
		t.Errorf("values (-want +got):\n%s", d)
	}
	for _, s := range []string{"CVE-2021-44228 (GHSA-jfh8-c2jp-5v3q)", "critical", "CVSS 10.0", "in CISA KEV since 2021-12-10", "known ransomware use", "EPSS 94.4%", "fixed in 2.15.0", "first seen 2026-11-01", "Known Exploited"} {
		if !strings.Contains(f.Message, s) {
			t.Errorf("message lacks %q: %s", s, f.Message)
		}
	}
}

func vex(status, justification, impact string) *vulnscan.VEXDecision {
	return &vulnscan.VEXDecision{Status: status, Justification: justification, ImpactStatement: impact,
		Author: "Example ApS", Timestamp: "2026-11-02T09:00:00Z", Document: ".vex/gateway.json", Format: "openvex"}
}

func TestVEXDecisions(t *testing.T) {
	waived := kev(match("GHSA-jfh8-c2jp-5v3q", "critical", "log4j-core", "2.15.0"))
	waived.VEX = vex("not_affected", "vulnerable_code_not_in_execute_path", "JNDI lookups are disabled")
	unjustified := match("GHSA-35jh-r3h4-6jhm", "high", "lodash", "4.17.21")
	unjustified.VEX = vex("not_affected", "", "")
	fixed := match("GHSA-fixed", "high", "fixedpkg", "2.0.0")
	fixed.VEX = vex("fixed", "", "")
	investigating := match("GHSA-inv", "high", "inv", "2.0.0")
	investigating.VEX = vex("under_investigation", "", "")
	got := run(t, scanOf(waived, unjustified, fixed, investigating), nil)

	byKey := map[string]checks.Finding{}
	for _, f := range got[IDKnown] {
		byKey[f.Values["package"]] = f
	}
	w := byKey["log4j-core"]
	if w.Outcome != checks.Waived || w.Waiver == nil || w.Waiver.Source != WaiverSourceVEX || w.Waiver.ApprovedBy != "Example ApS" ||
		w.Waiver.Path != ".vex/gateway.json" || !strings.Contains(w.Waiver.Justification, "vulnerable_code_not_in_execute_path: JNDI lookups are disabled") {
		t.Errorf("justified not_affected: %+v %+v", w, w.Waiver)
	}
	if w.Values["kev"] != "true" || w.Values["vex_timestamp"] != "2026-11-02T09:00:00Z" || w.Values["vex_author"] != "Example ApS" {
		t.Errorf("a KEV entry waived by VEX stays visible with the statement's facts: %v", w.Values)
	}
	if f := byKey["lodash"]; f.Outcome != checks.Fail || !strings.Contains(f.Message, "without a justification") {
		t.Errorf("unjustified not_affected waives nothing: %s %s", f.Outcome, f.Message)
	}
	if f := byKey["fixedpkg"]; f.Outcome != checks.Info || !strings.Contains(f.Message, "stated, not verified") {
		t.Errorf("fixed: %s %s", f.Outcome, f.Message)
	}
	if f := byKey["inv"]; f.Outcome != checks.Fail || !strings.Contains(f.Message, "under investigation") {
		t.Errorf("under_investigation: %s %s", f.Outcome, f.Message)
	}
	// CEM-VULN-002: the unjustified statement is itself a finding.
	v := got[IDVEX]
	if len(v) != 1 || v[0].Outcome != checks.Fail || v[0].Path != ".vex/gateway.json" || !strings.Contains(v[0].Message, "no justification") {
		t.Errorf("CEM-VULN-002: %+v", v)
	}
}

func TestUnreadableVEXDocument(t *testing.T) {
	s := scanOf()
	s.VEX = []vulnscan.VEXDocument{{Path: ".vex/broken.json", Error: "not JSON"}, {Path: ".vex/ok.json", Format: "openvex", Statements: 2}}
	v := run(t, s, nil)[IDVEX]
	if len(v) != 1 || v[0].Outcome != checks.Fail || v[0].Path != ".vex/broken.json" {
		t.Errorf("%+v", v)
	}
}

func TestNotAssessedIsNeverAPass(t *testing.T) {
	for name, scan := range map[string]*vulnscan.Scan{
		"no scan":     nil,
		"no database": {NotAssessed: "no vulnerability database in /x", Fix: "`cemark db update`"},
	} {
		t.Run(name, func(t *testing.T) {
			got := run(t, scan, nil)
			for _, id := range []string{IDKnown, IDDB} {
				fs := got[id]
				if len(fs) != 1 || fs[0].Outcome != checks.Warn || fs[0].Values["not_assessed"] != "true" || !strings.Contains(fs[0].Message, "not assessed") {
					t.Errorf("%s: %+v", id, fs)
				}
			}
			if scan != nil && !strings.Contains(got[IDKnown][0].Message, "cemark db update") {
				t.Errorf("the fix is not named: %s", got[IDKnown][0].Message)
			}
		})
	}
}

func TestDatabaseAge(t *testing.T) {
	fresh := run(t, scanOf(), nil)[IDDB]
	if len(fresh) != 1 || fresh[0].Outcome != checks.Info || fresh[0].Values["checksum"] != "xxh64:abc" || fresh[0].Values["built"] != "2026-11-30T00:00:00Z" || fresh[0].Values["schema"] != "v6.1.10" {
		t.Errorf("fresh: %+v", fresh)
	}
	s := scanOf()
	s.DB.Stale = true
	stale := run(t, s, nil)[IDDB]
	if len(stale) != 1 || stale[0].Outcome != checks.Warn || !strings.Contains(stale[0].Message, "may miss advisories") {
		t.Errorf("stale: %+v", stale)
	}
}

func TestFirstSeen(t *testing.T) {
	lodash := match("GHSA-35jh-r3h4-6jhm", "high", "lodash", "4.17.21")
	moment := match("GHSA-8hfj-j24r-96c4", "high", "moment", "2.29.2")
	prev := &checks.Report{Results: []checks.Result{{Meta: checks.Meta{ID: IDKnown}, Findings: []checks.Finding{
		{Check: IDKnown, Key: lodash.Key(), Values: map[string]string{"first_seen": "2026-10-01"}},
		{Check: IDKnown, Key: lodash.Key() + "#2", Values: map[string]string{"first_seen": "2026-09-15"}},
		{Check: IDKnown, Key: "GHSA-gone npm:gone", Values: map[string]string{"first_seen": "2026-01-01"}},
		{Check: IDKnown, Key: moment.Key(), Values: map[string]string{"first_seen": "not a date"}},
		{Check: "CEM-DEF-001", Key: moment.Key(), Values: map[string]string{"first_seen": "2020-01-01"}},
	}}}}
	got := FirstSeen([]vulnscan.Match{lodash, moment}, "2026-12-06", prev)
	want := map[string]string{lodash.Key(): "2026-09-15", moment.Key(): "2026-12-06"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("first seen (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{lodash.Key(): "2026-12-06"}, FirstSeen([]vulnscan.Match{lodash}, "2026-12-06", nil)); d != "" {
		t.Errorf("no previous report: %s", d)
	}
	// The baseline (the target branch's last report, in CI) counts too.
	baseline := &checks.Report{Results: []checks.Result{{Meta: checks.Meta{ID: IDKnown}, Findings: []checks.Finding{
		{Check: IDKnown, Key: moment.Key(), Values: map[string]string{"first_seen": "2026-08-01"}}}}}}
	want[moment.Key()] = "2026-08-01"
	if d := cmp.Diff(want, FirstSeen([]vulnscan.Match{lodash, moment}, "2026-12-06", nil, prev, baseline)); d != "" {
		t.Errorf("with the baseline (-want +got):\n%s", d)
	}
}

func TestSummary(t *testing.T) {
	log4j := kev(match("GHSA-jfh8-c2jp-5v3q", "critical", "log4j-core", "2.15.0"))
	lodash := match("GHSA-35jh-r3h4-6jhm", "high", "lodash", "4.17.21")
	med := match("GHSA-med", "medium", "med", "2.0.0")
	open := vulnscan.Summarise(scanOf(log4j, lodash, med), vulnscan.DefaultPolicy())
	if open.Met() || len(open.KEVOpen) != 1 || len(open.FixableCriticalHighOpen) != 2 || open.Open != 3 || len(open.Failing) != 2 {
		t.Errorf("open: %+v", open)
	}
	waived := log4j
	waived.VEX = vex("not_affected", "component_not_present", "")
	fixedLodash := lodash
	fixedLodash.VEX = vex("fixed", "", "")
	met := vulnscan.Summarise(scanOf(waived, fixedLodash, med), vulnscan.DefaultPolicy())
	if !met.Met() || met.Open != 1 || len(met.KEVWaivedByVEX) != 1 || len(met.FixedByVEX) != 1 || !met.DBFresh {
		t.Errorf("met: %+v", met)
	}
	stale := scanOf(med)
	stale.DB.Stale = true
	if vulnscan.Summarise(stale, vulnscan.DefaultPolicy()).Met() {
		t.Error("a stale database meets (2)(a)")
	}
	if s := vulnscan.Summarise(nil, vulnscan.DefaultPolicy()); s.Met() || s.Ran || s.NotAssessed == "" {
		t.Errorf("no scan: %+v", s)
	}
}
