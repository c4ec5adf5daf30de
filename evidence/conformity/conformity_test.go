package conformity

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
)

func boolp(b bool) *bool { return &b }

func statusOf(t *testing.T, a Assessment, id string) PointStatus {
	t.Helper()
	for _, p := range a.Points {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("point %s missing", id)
	return PointStatus{}
}

func TestPointsUseFinalNumbering(t *testing.T) {
	ps := Points()
	if len(ps) != 22 {
		t.Fatalf("%d points, want 22 (Part I (1), (2)(a)-(m), Part II (1)-(8))", len(ps))
	}
	for _, p := range ps {
		if !strings.HasPrefix(p.Clause, "Annex I Part I (") && !strings.HasPrefix(p.Clause, "Annex I Part II (") {
			t.Errorf("%s: clause %q not in the final numbering", p.ID, p.Clause)
		}
		if got, ok := PointByClause(p.Clause); !ok || got.ID != p.ID {
			t.Errorf("PointByClause(%q) = %v, %v", p.Clause, got, ok)
		}
	}
	if _, ok := PointByClause("Annex I (3)(a)"); ok {
		t.Error("draft numbering accepted")
	}
	if got, want := strings.Join(ids2(ps), ","), strings.Join(config.AnnexIPointIDs(), ","); got != want {
		t.Errorf("points %s, config allows %s", got, want)
	}
}

func ids2(ps []Point) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// result is one check's result with findings of the given outcomes.
func result(id string, cra []string, outcomes ...checks.Outcome) checks.Result {
	r := checks.Result{Meta: checks.Meta{ID: id, CRA: cra}, Outcome: checks.Pass}
	for _, o := range outcomes {
		r.Findings = append(r.Findings, checks.Finding{Check: id, Outcome: o, Message: id + " says " + string(o)})
	}
	worst := map[checks.Outcome]int{checks.Fail: 6, checks.Error: 5, checks.Warn: 4, checks.Waived: 3, checks.Info: 2, checks.Pass: 1}
	for _, o := range outcomes {
		if worst[o] > worst[r.Outcome] {
			r.Outcome = o
		}
	}
	return r
}

// completeConfig states everything a point can ask of the manufacturer.
func completeConfig() *config.Config {
	measures := map[string]config.Requirement{}
	for _, id := range config.AnnexIPointIDs() {
		measures[id] = config.Requirement{Measures: "Measures for " + id + "."}
	}
	return &config.Config{
		Security:       config.Security{Contact: "security@acme.example", CVDPolicy: "https://acme.example/security"},
		Updates:        config.Updates{Mechanism: "container image", Automatic: boolp(true), OptOut: "AUTO_UPDATE=false", Notification: "release notes", Postpone: "snooze for 7 days"},
		Advisories:     config.Advisories{GitHub: true},
		RiskAssessment: measures,
	}
}

// TestStatusRule is the status rule of the conformity predicate v2, one
// case per error the review of issue 12 found, and the rule's own cases.
func TestStatusRule(t *testing.T) {
	const (
		i2a = "Annex I Part I (2)(a)"
		i2b = "Annex I Part I (2)(b)"
		i2c = "Annex I Part I (2)(c)"
		i2e = "Annex I Part I (2)(e)"
		i2j = "Annex I Part I (2)(j)"
		ii1 = "Annex I Part II (1)"
		ii4 = "Annex I Part II (4)"
		ii5 = "Annex I Part II (5)"
	)
	type want struct {
		status   Status
		coverage Coverage
		open     string // a substring of one open item, "" for none
	}
	cases := []struct {
		name    string
		point   string
		results []checks.Result
		cfg     func(*config.Config)
		scan    *vulnscan.Summary
		want    want
	}{
		{"Part II (1): an SBOM with 0 components warns, so not assessed", "II-1",
			[]checks.Result{result("CEM-VH-005", []string{ii1}, checks.Warn)}, nil, nil,
			want{NotAssessed, CoveragePartial, "CEM-VH-005 warns"}},
		{"Part II (1): an SBOM with its top-level dependencies and the measures", "II-1",
			[]checks.Result{result("CEM-VH-005", []string{ii1}, checks.Pass)}, nil, nil,
			want{EvidenceComplete, CoveragePartial, ""}},
		{"Part II (4): advisories need input: the warning and the key", "II-4",
			[]checks.Result{result("CEM-VH-006", []string{ii4}, checks.Warn)},
			func(c *config.Config) { c.Advisories = config.Advisories{} }, nil,
			want{NotAssessed, CoveragePartial, "CEM-VH-006 warns"}},
		{"Part II (4): no place for advisories even when no check ran", "II-4", nil,
			func(c *config.Config) { c.Advisories = config.Advisories{} }, nil,
			want{NotAssessed, CoverageNone, "advisories (github, csaf, folder or url)"}},
		{"Part II (5): a policy never checked warns, so not assessed", "II-5",
			[]checks.Result{result("CEM-VH-001", []string{ii5}, checks.Warn)}, nil, nil,
			want{NotAssessed, CoveragePartial, "CEM-VH-001 warns"}},
		{"Part I (2)(b): the checks cover only part; no measures, not assessed", "I-2b",
			[]checks.Result{result("CEM-DEF-001", []string{i2b}, checks.Pass)},
			func(c *config.Config) { delete(c.RiskAssessment, "I-2b") }, nil,
			want{NotAssessed, CoveragePartial, "possibility to reset the product"}},
		{"Part I (2)(j): the checks cover only part; no measures, not assessed", "I-2j",
			[]checks.Result{result("CEM-PORT-002", []string{i2j}, checks.Pass)},
			func(c *config.Config) { delete(c.RiskAssessment, "I-2j") }, nil,
			want{NotAssessed, CoveragePartial, "describe the measures in risk_assessment.I-2j.measures"}},
		{"Part I (2)(j): partial coverage plus the measures", "I-2j",
			[]checks.Result{result("CEM-PORT-002", []string{i2j}, checks.Pass)}, nil, nil,
			want{EvidenceComplete, CoveragePartial, ""}},
		{"Part I (2)(a): a sentence of config text is a statement, not verified", "I-2a", nil, nil, nil,
			want{NotAssessed, CoverageNone, "a vulnerability scan of the product's SBOM is needed"}},
		{"Part I (2)(a): a clean scan of the SBOM completes it", "I-2a",
			[]checks.Result{result("CEM-VULN-001", []string{i2a}, checks.Pass)}, nil,
			summary(scanOf()), want{EvidenceComplete, CoverageFull, ""}},
		{"Part I (2)(a): a scan with a KEV-listed vulnerability fails", "I-2a", nil, nil,
			summary(scanOf(log4j())), want{FailingFinding, CoverageFull, "known to be exploited (CISA KEV)"}},
		{"Part I (2)(a): a failing CEM-VULN check fails, scan or not", "I-2a",
			[]checks.Result{result("CEM-VULN-001", []string{i2a}, checks.Fail)}, nil, nil,
			want{FailingFinding, CoverageFull, ""}},
		{"Part I (2)(e): a plaintext listener on the declared HTTPS interface fails", "I-2e",
			[]checks.Result{result("CEM-PORT-005", []string{i2e, i2j}, checks.Fail)}, nil, nil,
			want{FailingFinding, CoveragePartial, ""}},
		{"a warning is not a pass", "I-2e",
			[]checks.Result{result("CEM-PORT-003", []string{i2e}, checks.Pass, checks.Warn)}, nil, nil,
			want{NotAssessed, CoveragePartial, "CEM-PORT-003 warns: CEM-PORT-003 says warn"}},
		{"a warning in a test folder is not what ships", "I-2e",
			[]checks.Result{func() checks.Result {
				r := result("CEM-DEF-009", []string{i2e}, checks.Warn)
				r.Findings[0].Values = map[string]string{"test_path": "true"}
				return r
			}()}, nil, nil,
			want{EvidenceComplete, CoveragePartial, ""}},
		{"a check that broke assesses nothing", "I-2c",
			[]checks.Result{result("CEM-UPD-002", []string{i2c}, checks.Error)}, nil, nil,
			want{NotAssessed, CoveragePartial, "re-run the checks"}},
		{"a waived finding does not fail", "I-2b",
			[]checks.Result{result("CEM-DEF-001", []string{i2b}, checks.Waived)}, nil, nil,
			want{EvidenceComplete, CoveragePartial, ""}},
		{"(2)(c): not automatic without a justification", "I-2c",
			[]checks.Result{result("CEM-UPD-004", []string{i2c}, checks.Pass)},
			func(c *config.Config) { c.Updates.Automatic = boolp(false) }, nil,
			want{NotAssessed, CoveragePartial, "risk_assessment.I-2c.justification"}},
		{"(2)(c): not automatic, justified", "I-2c",
			[]checks.Result{result("CEM-UPD-004", []string{i2c}, checks.Pass)},
			func(c *config.Config) {
				c.Updates.Automatic = boolp(false)
				c.RiskAssessment["I-2c"] = config.Requirement{Measures: "Signed images.", Justification: "Industrial controllers update in maintenance windows only."}
			}, nil,
			want{EvidenceComplete, CoveragePartial, ""}},
		{"(2)(c): the option to postpone an update is stated", "I-2c",
			[]checks.Result{result("CEM-UPD-004", []string{i2c}, checks.Pass)},
			func(c *config.Config) { c.Updates.Postpone = "" }, nil,
			want{NotAssessed, CoveragePartial, "updates.postpone"}},
		{"no check covers it: the manufacturer's measures are stated, not verified", "I-2g", nil, nil, nil,
			want{StatedNotVerified, CoverageNone, ""}},
		{"no check and no measures: state applicability (a point of Part I (2))", "I-2h", nil,
			func(c *config.Config) { delete(c.RiskAssessment, "I-2h") }, nil,
			want{NotAssessed, CoverageNone, "state whether this point applies"}},
		{"Part I (1) never asks to state applicability", "I-1", nil,
			func(c *config.Config) { delete(c.RiskAssessment, "I-1") }, nil,
			want{NotAssessed, CoverageNone, "applies to every product: describe how it is met"}},
		{"Part II (3) never asks to state applicability", "II-3", nil,
			func(c *config.Config) { delete(c.RiskAssessment, "II-3") }, nil,
			want{NotAssessed, CoverageNone, "applies to every product: describe how it is met"}},
		{"declared not applicable with a justification", "I-2g", nil,
			func(c *config.Config) {
				c.RiskAssessment["I-2g"] = config.Requirement{Applicable: boolp(false), Justification: "Processes no data."}
			}, nil, want{NotApplicable, CoverageNone, ""}},
		{"declared not applicable without a justification (Art. 13(4))", "I-2m", nil,
			func(c *config.Config) { c.RiskAssessment["I-2m"] = config.Requirement{Applicable: boolp(false)} }, nil,
			want{NotAssessed, CoverageNone, "(Art. 13(4))"}},
		{"Part II is never not applicable", "II-2", nil,
			func(c *config.Config) {
				c.RiskAssessment["II-2"] = config.Requirement{Applicable: boolp(false), Justification: "We never fix anything."}
			}, nil, want{NotAssessed, CoverageNone, "cannot be declared not applicable"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := completeConfig()
			if tc.cfg != nil {
				tc.cfg(cfg)
			}
			a := AssessWith(cfg, &checks.Report{Results: tc.results}, Inputs{VulnScan: tc.scan})
			p := statusOf(t, a, tc.point)
			open := strings.Join(p.OpenItems, "\n")
			if p.Status != tc.want.status || p.Coverage != tc.want.coverage ||
				(tc.want.open == "" && open != "") || !strings.Contains(open, tc.want.open) {
				t.Errorf("got %s, coverage %s, open items %q (basis %q); want %s, %s, an open item with %q",
					p.Status, p.Coverage, p.OpenItems, p.Basis, tc.want.status, tc.want.coverage, tc.want.open)
			}
			if strings.Contains(open, "state whether this point applies") && p.Always {
				t.Errorf("%s applies to every product but asks to state applicability", p.ID)
			}
			if strings.Contains(strings.ToLower(p.Basis), "compliant") || strings.Contains(p.Basis, " met ") {
				t.Errorf("basis over-claims: %q", p.Basis)
			}
		})
	}
}

// TestKnownVulnerabilitiesNeverFromText pins Annex I Part I (2)(a):
// products shall "be made available on the market without known
// exploitable vulnerabilities". Only a scan shows that; the manufacturer's
// sentence is stated, not verified.
func TestKnownVulnerabilitiesNeverFromText(t *testing.T) {
	cfg := completeConfig()
	cfg.RiskAssessment["I-2a"] = config.Requirement{Applicable: boolp(true), Measures: "We scan every release with grype."}
	p := statusOf(t, Assess(cfg, &checks.Report{}), "I-2a")
	if p.Status != NotAssessed || !strings.Contains(p.Basis, "manufacturer statement, not verified") {
		t.Errorf("got %s: %s", p.Status, p.Basis)
	}
}

func TestUnaddressed(t *testing.T) {
	a := Assess(completeConfig(), &checks.Report{})
	var got []string
	for _, p := range a.Unaddressed() {
		got = append(got, p.ID)
	}
	// With measures for every point and no check run: the points whose
	// statements are complete are stated, not verified; (2)(a) needs a scan.
	if diff := cmp.Diff([]string{"I-2a"}, got); diff != "" {
		t.Errorf("unaddressed (-want +got):\n%s", diff)
	}
}
