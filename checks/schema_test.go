package checks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/config"
)

func TestReportValidatesAgainstSchema(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Waivers: []config.Waiver{
		{Check: "CEM-TST-001", Path: "a/**", Justification: "j", ApprovedBy: "PS", Expires: date("2030-01-01")},
		{Check: "CEM-TST-001", Path: "old/**", Justification: "j", Expires: date("2020-01-01")},
	}}
	tg := newTestTarget(t, map[string]string{"b.go": "x\n// cemark:ignore CEM-TST-001 reason\ny\n// cemark:ignore CEM-TST-001\nz\n"}, cfg)
	tls := true
	rep := mustRun(t, tg,
		findingsCheck("CEM-TST-001",
			Finding{Outcome: Fail, Path: "a/x", Line: 2, Column: 3, EndLine: 4, Snippet: "PASSWORD=x", Key: "k", Message: "m", Values: map[string]string{"a": "b"}},
			Finding{Outcome: Fail, Path: "b.go", Line: 3, Message: "m"},
			Finding{Outcome: Fail, Path: "b.go", Line: 5, Message: "m"},
			Finding{Outcome: Pass, Message: "ok"}),
		fakeCheck{meta: meta("CEM-TST-002"), evaluate: func(any) ([]Finding, error) { panic("x") }},
		findingsCheck("CEM-TST-003"),
	)
	rep.FileErrors = []FileError{{Path: "big.bin", Err: "binary file, not read"}}
	rep.Facts.Inventory = &Inventory{Interfaces: []ExposedInterface{{Port: 22, Protocol: "tcp", TLS: &tls, Places: []Place{{Kind: "dockerfile-expose", Path: "Dockerfile", Line: 3}}}}}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateReportJSON(data); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
}

func TestSchemaRejectsIncompleteFindings(t *testing.T) {
	t.Parallel()
	base := func() map[string]any {
		return map[string]any{
			"schema_version": ReportSchemaVersion, "tool": map[string]any{"name": "cemark", "version": "x"},
			"product": map[string]any{"name": "p"}, "facts": map[string]any{},
			"summary": map[string]any{"checks": 1, "pass": 0, "fail": 1, "warn": 0, "info": 0, "waived": 0, "not_applicable": 0, "error": 0},
			"results": []any{map[string]any{"id": "CEM-TST-001", "title": "t", "rationale": "r", "severity": "high",
				"cra": []any{"Annex I Part I (2)(b)"}, "remediation": "x", "outcome": "fail",
				"findings": []any{map[string]any{"check": "CEM-TST-001", "outcome": "fail", "severity": "high", "message": "m", "cra": []any{"Annex I Part I (2)(b)"}, "path": "a", "line": 1}}}},
		}
	}
	ok, _ := json.Marshal(base())
	if err := ValidateReportJSON(ok); err != nil {
		t.Fatalf("base document rejected: %v", err)
	}
	for name, mutate := range map[string]func(f map[string]any){
		"no cra":        func(f map[string]any) { delete(f, "cra") },
		"empty cra":     func(f map[string]any) { f["cra"] = []any{} },
		"no severity":   func(f map[string]any) { delete(f, "severity") },
		"bad outcome":   func(f map[string]any) { f["outcome"] = "ok" },
		"no message":    func(f map[string]any) { delete(f, "message") },
		"line zero":     func(f map[string]any) { f["line"] = 0 },
		"unknown field": func(f map[string]any) { f["colour"] = "red" },
		"bad check id":  func(f map[string]any) { f["check"] = "CRA-X-1" },
	} {
		doc := base()
		f := doc["results"].([]any)[0].(map[string]any)["findings"].([]any)[0].(map[string]any)
		mutate(f)
		data, _ := json.Marshal(doc)
		if err := ValidateReportJSON(data); err == nil || !strings.Contains(err.Error(), "does not match schema") {
			t.Errorf("%s: err = %v, want a schema error", name, err)
		}
	}
}
