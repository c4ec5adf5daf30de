package conformity

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
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
}

func TestAssess(t *testing.T) {
	report := &checks.Report{Results: []checks.Result{
		{Meta: checks.Meta{ID: "CEM-PORT-001", CRA: []string{"Annex I Part I (2)(j)"}}, Outcome: checks.Fail,
			Findings: []checks.Finding{{Outcome: checks.Fail}}},
		{Meta: checks.Meta{ID: "CEM-DEF-001", CRA: []string{"Annex I Part I (2)(b)", "Annex I Part I (2)(k)"}}, Outcome: checks.Waived,
			Findings: []checks.Finding{{Outcome: checks.Waived}}},
		{Meta: checks.Meta{ID: "CEM-UPD-002", CRA: []string{"Annex I Part I (2)(c)"}}, Outcome: checks.Error,
			Findings: []checks.Finding{{Outcome: checks.Error}}},
		{Meta: checks.Meta{ID: "CEM-VH-005", CRA: []string{"Annex I Part II (1)", "Annex VII 2(b)"}}, Outcome: checks.Pass,
			Findings: []checks.Finding{{Outcome: checks.Pass}}},
	}}
	cfg := &config.Config{RiskAssessment: map[string]config.Requirement{
		"I-2g": {Applicable: boolp(false), Justification: "Processes no personal data"},
		"I-2m": {Applicable: boolp(false)},
		"II-5": {Applicable: boolp(false), Justification: "n/a"},
		"I-2d": {Measures: "Mutual TLS between gateway and cloud"},
	}}
	a := Assess(cfg, report)
	type row struct {
		Status Status
		Open   bool
	}
	got := map[string]row{}
	for _, id := range []string{"I-2j", "I-2b", "I-2c", "II-1", "I-2g", "I-2m", "II-5", "I-2d", "I-2h"} {
		p := statusOf(t, a, id)
		got[id] = row{p.Status, len(p.OpenItems) > 0}
	}
	want := map[string]row{
		"I-2j": {NotMet, false},
		"I-2b": {Met, false},         // waived findings do not fail, but are named in the basis
		"I-2c": {NotAssessed, false}, // a check that broke assesses nothing
		"II-1": {Met, false},
		"I-2g": {NotApplicable, false},
		"I-2m": {NotApplicable, true}, // justification missing (Art. 13(4))
		"II-5": {NotAssessed, true},   // Part II always applies
		"I-2d": {Met, false},
		"I-2h": {NotAssessed, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if b := statusOf(t, a, "I-2b").Basis; !strings.Contains(b, "no failing finding") || !strings.Contains(b, "waived") {
		t.Errorf("basis of I-2b: %q", b)
	}
	for _, p := range a.Points {
		if strings.Contains(strings.ToLower(p.Basis), "compliant") {
			t.Errorf("%s basis declares compliance: %q", p.ID, p.Basis)
		}
	}
}

func TestRouteFor(t *testing.T) {
	full := []config.Standard{{Reference: "EN 18031-1:2024", Applied: "full"}}
	partial := []config.Standard{{Reference: "EN 18031-1:2024", Applied: "partial"}}
	cases := []struct {
		name    string
		cfg     config.Config
		moduleA bool
		first   string
	}{
		{"default", config.Config{}, true, "Module A"},
		{"class I, standards in full", config.Config{Product: config.Product{Class: config.ClassImportantClassI}, Standards: full}, true, "Module A"},
		{"class I, standards in part", config.Config{Product: config.Product{Class: config.ClassImportantClassI}, Standards: partial}, false, "Module B + Module C"},
		{"class I, open source", config.Config{Product: config.Product{Class: config.ClassImportantClassI, OpenSource: boolp(true)}}, true, "Module A"},
		{"class II", config.Config{Product: config.Product{Class: config.ClassImportantClassII}, Standards: full}, false, "Module B + Module C"},
		{"class II, open source", config.Config{Product: config.Product{Class: config.ClassImportantClassII, OpenSource: boolp(true)}}, true, "Module A"},
		{"critical", config.Config{Product: config.Product{Class: config.ClassCritical, OpenSource: boolp(true)}}, false, "European cybersecurity certification"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := RouteFor(&tc.cfg)
			if r.ModuleA != tc.moduleA || r.Procedures[0] != tc.first || !strings.Contains(r.Explanation, "Art. 32") {
				t.Errorf("got %+v", r)
			}
		})
	}
}
