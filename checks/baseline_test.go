package checks

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func baselineReport(fs ...Finding) *Report {
	rep := &Report{SchemaVersion: ReportSchemaVersion, Tool: Tool{Name: "cemark", Version: "test"},
		Results: []Result{{Meta: Meta{ID: "CEM-DEF-001", Title: "Container does not run as root", Severity: SeverityHigh,
			CRA: []string{"Annex I Part I (2)(b)"}, Remediation: "Set USER."}, Findings: fs}}}
	rep.Results[0].Outcome = WorstOutcome(fs)
	rep.Summary = Summarise(rep)
	return rep
}

func rootFinding(path string, line int) Finding {
	return Finding{Check: "CEM-DEF-001", Outcome: Fail, Severity: SeverityHigh, Message: "the final stage sets no USER",
		Path: path, Line: line, Key: "stage:final:user", Snippet: "FROM alpine:3.20", CRA: []string{"Annex I Part I (2)(b)"}}
}

func marked(rep *Report) []bool {
	var out []bool
	for _, f := range rep.Findings() {
		out = append(out, f.Baseline)
	}
	return out
}

func TestBaselineExistingNewAndMovedFindings(t *testing.T) {
	base := NewBaseline("old.json", baselineReport(rootFinding("Dockerfile", 1), rootFinding("svc/Dockerfile", 3)))
	if base.Len() != 2 {
		t.Fatalf("baseline holds %d findings, want 2", base.Len())
	}
	cases := []struct {
		name string
		now  []Finding
		want []bool
	}{
		// Lines moved down: the fingerprint has no line, so both are existing.
		{"line shift", []Finding{rootFinding("Dockerfile", 9), rootFinding("svc/Dockerfile", 12)}, []bool{true, true}},
		// svc/Dockerfile renamed to api/Dockerfile with the same content.
		{"file moved", []Finding{rootFinding("Dockerfile", 1), rootFinding("api/Dockerfile", 3)}, []bool{true, true}},
		// A third Dockerfile with the same problem is new: one entry matches one finding.
		{"copy is new", []Finding{rootFinding("Dockerfile", 1), rootFinding("svc/Dockerfile", 3), rootFinding("web/Dockerfile", 1)}, []bool{true, true, false}},
		// A different problem in a known file is new.
		{"new finding", []Finding{rootFinding("Dockerfile", 1), {Check: "CEM-DEF-001", Outcome: Fail, Severity: SeverityHigh, Message: "USER root",
			Path: "Dockerfile", Line: 5, Key: "stage:builder:user", Snippet: "USER root"}}, []bool{true, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := baselineReport(c.now...)
			n := base.Apply(rep)
			got := marked(rep)
			if fmtBools(got) != fmtBools(c.want) {
				t.Errorf("marked %v, want %v", got, c.want)
			}
			if rep.Summary.Baseline != n {
				t.Errorf("summary.baseline %d, Apply returned %d", rep.Summary.Baseline, n)
			}
			// Outcomes are kept: the evidence still shows every failure.
			for _, f := range rep.Findings() {
				if f.Outcome != Fail {
					t.Errorf("%s: outcome %s, want fail kept", f.Path, f.Outcome)
				}
			}
			// Only new findings count for --fail-on.
			newOnes := 0
			for _, b := range c.want {
				if !b {
					newOnes++
				}
			}
			if got := len(FailsAt(rep, SeverityHigh)); got != newOnes {
				t.Errorf("FailsAt counts %d findings, want the %d new ones", got, newOnes)
			}
		})
	}
}

func fmtBools(bs []bool) string {
	var parts []string
	for _, b := range bs {
		if b {
			parts = append(parts, "true")
		} else {
			parts = append(parts, "false")
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestBaselineMovedDoesNotStealAnExactMatch(t *testing.T) {
	// The baseline has the finding in a/Dockerfile; now it is in a/ and in a
	// new b/ with the same content. a/ keeps the entry; b/ is new.
	base := NewBaseline("old.json", baselineReport(rootFinding("a/Dockerfile", 1)))
	rep := baselineReport(rootFinding("b/Dockerfile", 1), rootFinding("a/Dockerfile", 2))
	base.Apply(rep)
	for _, f := range rep.Findings() {
		if f.Baseline != (f.Path == "a/Dockerfile") {
			t.Errorf("%s marked %v", f.Path, f.Baseline)
		}
	}
}

func TestBaselineReportValidatesAndRoundTrips(t *testing.T) {
	rep := baselineReport(rootFinding("Dockerfile", 1))
	NewBaseline("", rep).Apply(rep)
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateReportJSON(data); err != nil {
		t.Fatalf("report with baseline marks: %v", err)
	}
	if !strings.Contains(string(data), `"baseline":true`) || !strings.Contains(string(data), `"baseline":1`) {
		t.Errorf("report.json lacks the baseline mark or count:\n%s", data)
	}
	file := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := LoadBaseline(file, "report.json")
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 1 || len(b.Digest) != 64 {
		t.Errorf("loaded %d findings, digest %q", b.Len(), b.Digest)
	}
}

func TestLoadBaselineErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string]struct {
		path, want string
	}{
		"missing":     {filepath.Join(dir, "none.json"), "none.json: no such file"},
		"syntax":      {write("syntax.json", "{\n  \"schema_version\": \"1.2.0\",\n  \"tool\": {\"name\": cemark}\n}\n"), "syntax.json:3:"},
		"type":        {write("type.json", "{\"schema_version\": 1}"), "type.json:1:"},
		"not cemark":  {write("other.json", `{"schema_version": "1.0.0", "tool": {"name": "trivy"}}`), "not a cemark report.json"},
		"truncated":   {write("cut.json", `{"schema_version": "1.2.0", "tool": {`), "cut.json:1:"},
		"schema v2.0": {write("v2.json", `{"schema_version": "2.0.0", "tool": {"name": "cemark"}}`), "want cemark, 1.x"},
	}
	for name, c := range cases {
		_, err := LoadBaseline(c.path, filepath.Base(c.path))
		var re *ReportError
		if err == nil || !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "baseline ") {
			t.Errorf("%s: error %v, want a *ReportError containing %q", name, err, c.want)
		}
	}
}
