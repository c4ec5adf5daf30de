package sarif

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/format/internal/fixture"
	"github.com/cemark/cemark/evidence/format/internal/golden"
	"github.com/cemark/cemark/evidence/format/sarif/sariftest"
	"github.com/cemark/cemark/internal/jsonindent"
)

func validate(t *testing.T, data []byte) {
	t.Helper()
	if err := validateErr(t, data); err != nil {
		t.Errorf("SARIF does not validate against the 2.1.0 schema: %v", err)
	}
}

func validateErr(t *testing.T, data []byte) error {
	t.Helper()
	raw, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	doc, err := jsonschema.UnmarshalJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const id = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return sch.Validate(inst)
}

// TestSchemaHasTeeth makes sure the validation above can fail.
func TestSchemaHasTeeth(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, fixture.Report()); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]string{
		{`"level": "error"`, `"level": "fatal"`},
		{`"version": "2.1.0"`, `"version": "2.0.0"`},
		{`"startLine": 12`, `"startLine": 0`},
		{`"kind": "external"`, `"kind": "somewhere"`},
	} {
		mutated := bytes.Replace(buf.Bytes(), []byte(bad[0]), []byte(bad[1]), 1)
		if bytes.Equal(mutated, buf.Bytes()) {
			t.Fatalf("fixture output has no %s", bad[0])
		}
		if validateErr(t, mutated) == nil {
			t.Errorf("schema accepted %s", bad[1])
		}
	}
}

func TestEncode(t *testing.T) {
	for name, rep := range map[string]*checks.Report{"full": fixture.Report(), "empty": fixture.Empty()} {
		t.Run(name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := Encode(&a, rep); err != nil {
				t.Fatal(err)
			}
			if err := Encode(&b, rep); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two encodings differ")
			}
			validate(t, a.Bytes())
			golden.Check(t, a.Bytes())
		})
	}
}

func TestEncodeContract(t *testing.T) {
	rep := fixture.Report()
	var buf bytes.Buffer
	if err := Encode(&buf, rep); err != nil {
		t.Fatal(err)
	}
	r := sariftest.Decode(t, buf.Bytes()).Runs[0]
	if len(r.Tool.Driver.Rules) != len(rep.Results) {
		t.Errorf("%d rules for %d checks: every check that ran needs a rule", len(r.Tool.Driver.Rules), len(rep.Results))
	}
	suppressed := 0
	fingerprints := map[string]bool{}
	for _, res := range r.Results {
		if r.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("ruleIndex %d does not point at %s", res.RuleIndex, res.RuleID)
		}
		if len(res.Locations) == 0 || res.Locations[0].Physical.Artifact.URI == "" || res.Locations[0].Physical.Region == nil || res.Locations[0].Physical.Region.StartLine < 1 {
			t.Errorf("%s: a result without a usable location", res.RuleID)
		}
		if len(res.Fingerprints[FingerprintKey]) != 64 {
			t.Errorf("%s: no fingerprint", res.RuleID)
		}
		fingerprints[res.Fingerprints[FingerprintKey]] = true
		if len(res.Suppressions) > 0 {
			suppressed++
			if res.Suppressions[0].Justification == "" {
				t.Errorf("%s: suppression without justification", res.RuleID)
			}
		}
	}
	if suppressed != 2 {
		t.Errorf("%d suppressed results, want 2 (one per waived finding)", suppressed)
	}
	if len(r.Invocations[0].Notifications) != 1 {
		t.Errorf("the check that could not run should be a notification")
	}

	// The fingerprint is the baseline's (checks.Fingerprint, tested there
	// for line shifts and moves), so code scanning and the baseline agree.
	for _, f := range rep.Findings() {
		if f.Outcome == checks.Fail && !fingerprints[checks.Fingerprint(f)] {
			t.Errorf("no result carries checks.Fingerprint of %s at %s", f.Check, f.Path)
		}
	}
}

// TestSecuritySeverityWhenLowered: GitHub ranks an alert by its rule's
// security-severity unless the result says otherwise, so a finding cemark
// lowered (a test or example path) carries its own; the others do not.
func TestSecuritySeverityWhenLowered(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, fixture.Report()); err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, res := range sariftest.Decode(t, buf.Bytes()).Runs[0].Results {
		got, has := res.Properties["security-severity"]
		if res.URI() == "examples/demo/compose.yaml" {
			seen = true
			if got != "0.5" {
				t.Errorf("lowered finding: security-severity = %v, want 0.5 (info)", got)
			}
		} else if has && res.Properties["severity"] == "high" && res.RuleID == "CEM-PORT-001" {
			t.Errorf("%s at %s: security-severity %v on a finding at its rule's severity", res.RuleID, res.URI(), got)
		}
	}
	if !seen {
		t.Fatal("the fixture's lowered finding is not in the SARIF")
	}
}

// TestEncodeInPiecesIsTheWholeLog: the log whose results are encoded a
// few hundred at a time is byte for byte the log encoded at once.
func TestEncodeInPiecesIsTheWholeLog(t *testing.T) {
	var b bytes.Buffer
	if err := Encode(&b, fixture.Many(600)); err != nil {
		t.Fatal(err)
	}
	var l log
	if err := json.Unmarshal(b.Bytes(), &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Runs) != 1 || len(l.Runs[0].Results) < 600 {
		t.Fatalf("want one run with at least 600 results")
	}
	var whole bytes.Buffer
	if err := jsonindent.Encode(&whole, l, "  ", false); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), whole.Bytes()) {
		t.Error("the log encoded in pieces differs from the log encoded at once")
	}
}
