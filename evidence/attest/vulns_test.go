package attest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	intotov1 "github.com/in-toto/attestation/go/v1"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cemark/cemark/checks/vulnscan"
)

func vulnScanFixture() *vulnscan.Scan {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	return &vulnscan.Scan{
		Assessed: true,
		Scanner:  vulnscan.Scanner{Name: "grype", Version: "v0.121.3", URI: "pkg:golang/github.com/anchore/grype@v0.121.3"},
		DB:       &vulnscan.DB{Built: at.Add(-24 * time.Hour), Schema: "v6.1.10", Checksum: "xxh64:b705d6a97b8151f1", Source: "https://grype.anchore.io/databases/v6/vulnerability-db_v6.1.10.tar.zst?checksum=sha256%3Aabc"},
		SBOM:     vulnscan.SBOMRef{Name: "sbom.cdx.json", SHA256: "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a"},
		Packages: 5,
		Time:     at,
		Matches: []vulnscan.Match{{
			ID: "GHSA-jfh8-c2jp-5v3q", Aliases: []string{"CVE-2021-44228"}, Severity: "critical",
			Package: vulnscan.Package{Name: "log4j-core", Version: "2.14.1", Type: "java-archive", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Ref: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?package-id=be8e"},
			CVSS:    []vulnscan.CVSS{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", BaseScore: 10}},
			FixedIn: []string{"2.15.0"}, FixState: "fixed",
			KEV:  []vulnscan.KEV{{CVE: "CVE-2021-44228", DateAdded: "2021-12-10", RansomwareUse: "known"}},
			EPSS: []vulnscan.EPSS{{CVE: "CVE-2021-44228", Score: 0.94358, Percentile: 0.99961, Date: "2025-01-01"}},
		}},
	}
}

func TestVulnsStatement(t *testing.T) {
	subjects := []*intotov1.ResourceDescriptor{{Name: "dist/app.tar.gz", Digest: map[string]string{"sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}}}
	st, err := VulnsStatement(subjects, vulnScanFixture())
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != NameVulns || st.PredicateType != "https://in-toto.io/attestation/vulns/v0.1" {
		t.Fatalf("statement %s %s", st.Name, st.PredicateType)
	}
	var doc struct {
		Type          string                         `json:"_type"`
		Subject       []*intotov1.ResourceDescriptor `json:"subject"`
		PredicateType string                         `json:"predicateType"`
		Predicate     json.RawMessage                `json:"predicate"`
	}
	if err := json.Unmarshal(st.Payload, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Type != StatementTypeV1 || len(doc.Subject) != 1 || doc.Subject[0].Name != "dist/app.tar.gz" {
		t.Errorf("statement %+v", doc)
	}

	// The predicate has the shape spec/predicates/vuln.md (v0.1) requires.
	raw, err := os.ReadFile(filepath.Join("testdata", "vulns-v0.1.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	sdoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("vulns.json", sdoc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("vulns.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc.Predicate))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("predicate does not follow vuln.md v0.1: %v\n%s", err, doc.Predicate)
	}

	var p VulnsPredicate
	if err := json.Unmarshal(doc.Predicate, &p); err != nil {
		t.Fatal(err)
	}
	if p.Scanner.URI != "pkg:golang/github.com/anchore/grype@v0.121.3" || p.Scanner.Version != "v0.121.3" ||
		p.Scanner.DB.Version != "v6.1.10" || p.Scanner.DB.LastUpdate != "2026-11-30T12:00:00Z" || p.Scanner.DB.Checksum != "xxh64:b705d6a97b8151f1" ||
		p.Scanner.DB.URI != "https://grype.anchore.io/databases/v6/vulnerability-db_v6.1.10.tar.zst" {
		t.Errorf("scanner %+v", p.Scanner)
	}
	if p.SBOM == nil || p.SBOM.Digest["sha256"] != "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a" || p.SBOM.Name != "sbom.cdx.json" {
		t.Errorf("the SBOM digest is not inside: %+v", p.SBOM)
	}
	if p.Metadata.ScanStartedOn != "2026-12-01T12:00:00Z" {
		t.Errorf("metadata %+v", p.Metadata)
	}
	if len(p.Scanner.Result) != 1 {
		t.Fatalf("results %+v", p.Scanner.Result)
	}
	r := p.Scanner.Result[0]
	a := r.Annotations[0]
	if r.ID != "GHSA-jfh8-c2jp-5v3q" || a.KEV[0].DateAdded != "2021-12-10" || a.EPSS[0].Percentile != 0.99961 || a.FixedIn[0] != "2.15.0" || a.SBOMRef == "" {
		t.Errorf("result %+v %+v", r, a)
	}
	methods := map[string]string{}
	for _, s := range r.Severity {
		methods[s.Method] = s.Score
	}
	if methods["grype"] != "critical" || methods["cvss_v3.1"] != "10.0" || methods["cvss_v3.1:vector"] == "" {
		t.Errorf("severity %+v", r.Severity)
	}

	// Same scan, same bytes.
	again, _ := VulnsStatement(subjects, vulnScanFixture())
	if !bytes.Equal(again.Payload, st.Payload) {
		t.Error("the statement is not reproducible")
	}
	// No scan, no statement.
	if _, err := VulnsStatement(subjects, &vulnscan.Scan{NotAssessed: "no database"}); err == nil {
		t.Error("a statement for a scan that did not run")
	}
}
