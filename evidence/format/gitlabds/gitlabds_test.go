package gitlabds

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cemark/cemark/checks/vulnscan"
)

func scanFixture() *vulnscan.Scan {
	pkg := func(name, version, typ, loc string) vulnscan.Package {
		return vulnscan.Package{Name: name, Version: version, Type: typ, PURL: "pkg:x/" + name + "@" + version, Ref: name, Locations: []string{loc}}
	}
	return &vulnscan.Scan{
		Assessed: true, Scanner: vulnscan.Scanner{Name: "grype", Version: "v0.121.3"},
		DB:       &vulnscan.DB{Built: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Schema: "v6.1.10"},
		SBOM:     vulnscan.SBOMRef{Name: "sbom.cdx.json"},
		Time:     time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC),
		Warnings: []string{"the vulnerability database was built 2026-11-20, more than 5 days ago"},
		Matches: []vulnscan.Match{
			{ID: "GHSA-jfh8-c2jp-5v3q", Aliases: []string{"CVE-2021-44228"}, Severity: "critical", FixedIn: []string{"2.15.0"},
				Description: "Remote code injection in Log4j", DataSource: "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q",
				CVSS:    []vulnscan.CVSS{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", BaseScore: 10}},
				Package: pkg("log4j-core", "2.14.1", "java-archive", "/pom.xml"),
				VEX:     &vulnscan.VEXDecision{Status: "not_affected", Justification: "vulnerable_code_not_in_execute_path", Author: "Example ApS", Document: ".vex/g.json"}},
			{ID: "GHSA-35jh-r3h4-6jhm", Aliases: []string{"CVE-2021-23337"}, Severity: "high", FixedIn: []string{"4.17.21"}, Package: pkg("lodash", "4.17.20", "npm", "/package-lock.json")},
			{ID: "GHSA-8hfj-j24r-96c4", Severity: "negligible", Package: pkg("moment", "2.29.1", "npm", "/package-lock.json")},
			{ID: "GHSA-fixed", Severity: "high", Package: pkg("fixed", "1.0.0", "npm", "/package-lock.json"),
				VEX: &vulnscan.VEXDecision{Status: "fixed", Document: ".vex/g.json"}},
		},
	}
}

func validate(t *testing.T, b []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "dependency-scanning-15.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	sdoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("ds.json", sdoc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("ds.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("report does not follow the dependency scanning format: %v\n%s", err, b)
	}
}

func TestEncode(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, scanFixture(), Options{ToolVersion: "v0.1.0"}); err != nil {
		t.Fatal(err)
	}
	validate(t, buf.Bytes())
	var r Report
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Scan.Status != "success" || r.Scan.StartTime != "2026-12-01T12:00:00" || r.Scan.Scanner.Version != "v0.121.3" || len(r.Scan.Messages) != 1 {
		t.Errorf("scan %+v", r.Scan)
	}
	if len(r.Vulnerabilities) != 3 {
		t.Fatalf("%d vulnerabilities, want 3 (the one VEX states fixed is left out)", len(r.Vulnerabilities))
	}
	v := r.Vulnerabilities[0]
	if v.Severity != "Critical" || v.Identifiers[0].Value != "GHSA-jfh8-c2jp-5v3q" || v.Identifiers[1].Type != "cve" || v.Location.File != "pom.xml" ||
		v.Location.Dependency.Version != "2.14.1" || !strings.Contains(v.Solution, "2.15.0") || len(v.Flags) != 1 || len(v.CVSSVectors) != 1 {
		t.Errorf("log4j %+v", v)
	}
	if r.Vulnerabilities[2].Severity != "Info" {
		t.Errorf("negligible → %s", r.Vulnerabilities[2].Severity)
	}
	if len(r.DependencyFiles) != 2 || r.DependencyFiles[0].Path != "package-lock.json" || r.DependencyFiles[0].PackageManager != "npm" || len(r.DependencyFiles[0].Dependencies) != 2 {
		t.Errorf("dependency files %+v", r.DependencyFiles)
	}
	// Stable IDs.
	var again bytes.Buffer
	_ = Encode(&again, scanFixture(), Options{ToolVersion: "v0.1.0"})
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("not reproducible")
	}
}

func TestNotAssessedIsAFailure(t *testing.T) {
	for _, s := range []*vulnscan.Scan{nil, {NotAssessed: "no vulnerability database", Fix: "cemark db update", Time: time.Unix(0, 0)}} {
		var buf bytes.Buffer
		if err := Encode(&buf, s, Options{}); err != nil {
			t.Fatal(err)
		}
		var r Report
		_ = json.Unmarshal(buf.Bytes(), &r)
		if r.Scan.Status != "failure" || len(r.Scan.Messages) != 1 || r.Scan.Messages[0].Level != "fatal" {
			t.Errorf("%+v", r.Scan)
		}
		if s != nil {
			validate(t, buf.Bytes())
		}
	}
}
