package vulns

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	openvex "github.com/openvex/go-vex/pkg/vex"

	"github.com/cemark/cemark/checks/vulnscan"
)

// vexRoot is a product root whose .vex/ holds the given testdata/vex files.
func vexRoot(t *testing.T, files ...string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, VEXDir), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", "vex", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, VEXDir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestVEXOpenVEXAndCSAF(t *testing.T) {
	root := vexRoot(t, "openvex.json", "csaf.json", "broken.json")
	stmts, docs := LoadVEX(root, []string{"missing.json", "../outside.json"})
	byPath := map[string]vulnscan.VEXDocument{}
	for _, d := range docs {
		byPath[d.Path] = d
	}
	if d := byPath[".vex/openvex.json"]; d.Format != "openvex" || d.Statements != 3 || d.Error != "" || d.Author != "Example ApS Product Security" {
		t.Errorf("openvex: %+v", d)
	}
	if d := byPath[".vex/csaf.json"]; d.Format != "csaf" || d.Statements != 1 || d.Error != "" || d.Author != "Example ApS" {
		t.Errorf("csaf: %+v", d)
	}
	if d := byPath[".vex/broken.json"]; d.Error == "" {
		t.Errorf("broken.json read without error: %+v", d)
	}
	if d := byPath["missing.json"]; !strings.Contains(d.Error, "not found") {
		t.Errorf("a listed missing document: %+v", d)
	}
	if d := byPath["../outside.json"]; !strings.Contains(d.Error, "outside the product root") {
		t.Errorf("a document outside the root: %+v", d)
	}

	scan := scanProduct(t)
	ApplyVEX(scan, stmts)
	m := byID(scan)

	lodash := m["GHSA-35jh-r3h4-6jhm"].VEX
	if lodash == nil || lodash.Status != "not_affected" || lodash.Justification != "vulnerable_code_not_in_execute_path" ||
		!strings.Contains(lodash.ImpactStatement, "_.template") || lodash.Author != "Example ApS Product Security" ||
		lodash.Timestamp != "2026-11-02T09:00:00Z" || lodash.Document != ".vex/openvex.json" || !lodash.Justified() {
		t.Errorf("lodash (matched by its CVE alias, as a subcomponent): %+v", lodash)
	}
	moment := m["GHSA-8hfj-j24r-96c4"].VEX
	if moment == nil || moment.Status != "not_affected" || moment.Justified() {
		t.Errorf("moment (a versionless purl; no justification): %+v", moment)
	}
	text := m["GHSA-5rcv-m4m3-hfh7"].VEX
	if text == nil || text.Status != "under_investigation" {
		t.Errorf("x/text: %+v", text)
	}
	log4j := m["GHSA-jfh8-c2jp-5v3q"].VEX
	if log4j == nil || log4j.Format != "csaf" || log4j.Status != "not_affected" || log4j.Justification != "vulnerable_code_not_in_execute_path" ||
		!strings.Contains(log4j.ImpactStatement, "JndiLookup") || log4j.Author != "Example ApS" || log4j.Timestamp != "2026-11-03T10:00:00Z" {
		t.Errorf("log4j (CSAF): %+v", log4j)
	}

	sum := vulnscan.Summarise(scan, vulnscan.DefaultPolicy())
	// lodash and log4j are waived; log4j stays listed as a KEV entry
	// waived by VEX. moment (unjustified) and x/text remain open.
	if len(sum.WaivedByVEX) != 3 || len(sum.KEVWaivedByVEX) != 1 || !strings.Contains(sum.KEVWaivedByVEX[0], "CVE-2021-44228") {
		t.Errorf("waived: %+v / KEV %+v", sum.WaivedByVEX, sum.KEVWaivedByVEX)
	}
	if sum.Open != 2 || len(sum.KEVOpen) != 0 || len(sum.FixableCriticalHighOpen) != 2 {
		t.Errorf("open: %+v", sum)
	}
}

// A VEX purl with a version applies to that version only.
func TestVEXVersionedPurl(t *testing.T) {
	p := vulnscan.Package{PURL: "pkg:npm/lodash@4.17.20"}
	for purl, want := range map[string]bool{
		"pkg:npm/lodash@4.17.20": true, "pkg:npm/lodash": true, "pkg:npm/lodash@4.17.21": false, "pkg:npm/moment@4.17.20": false,
	} {
		if got := appliesTo([]string{purl}, p); got != want {
			t.Errorf("%s applies = %v, want %v", purl, got, want)
		}
	}
}

// The newest statement about a vulnerability wins.
func TestVEXNewestWins(t *testing.T) {
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	scan := &vulnscan.Scan{Matches: []vulnscan.Match{{ID: "CVE-1", Package: vulnscan.Package{PURL: "pkg:npm/a@1"}}}}
	ApplyVEX(scan, []VEXStatement{
		{IDs: []string{"CVE-1"}, Products: []string{"pkg:npm/a"}, Decision: vulnscan.VEXDecision{Status: "affected"}, at: old.Add(time.Hour)},
		{IDs: []string{"CVE-1"}, Products: []string{"pkg:npm/a"}, Decision: vulnscan.VEXDecision{Status: "under_investigation"}, at: old},
	})
	if got := scan.Matches[0].VEX.Status; got != "affected" {
		t.Errorf("status %s, want the newer statement's", got)
	}
}

func TestVEXDraft(t *testing.T) {
	scan := scanProduct(t)
	at := time.Date(2026, 11, 5, 8, 0, 0, 0, time.UTC)
	in := DraftInput{Scan: scan, Product: "gateway", Version: "1.4.0", Author: "Example ApS", Time: at}
	doc, n, err := DraftVEX(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("%d statements, want 5", n)
	}
	// go-vex reads it, every statement is under_investigation and names
	// the package as a subcomponent of the product.
	v, err := openvex.Parse(doc)
	if err != nil {
		t.Fatalf("the draft is not OpenVEX: %v\n%s", err, doc)
	}
	for _, s := range v.Statements {
		if s.Status != openvex.StatusUnderInvestigation || len(s.Products) != 1 || len(s.Products[0].Subcomponents) != 1 {
			t.Errorf("statement %+v", s)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("statement %s: %v", s.Vulnerability.Name, err)
		}
	}
	if v.Author != "Example ApS" || v.Timestamp == nil || !v.Timestamp.Equal(at) {
		t.Errorf("document %+v", v.Metadata)
	}
	// Same input, same bytes; an unedited draft is redrafted.
	again, _, err := DraftVEX(in, doc)
	if err != nil || string(again) != string(doc) {
		t.Fatalf("redraft: %v (same bytes: %v)", err, string(again) == string(doc))
	}
	// Once edited it is the manufacturer's: never rewritten.
	edited := strings.Replace(string(doc), `"status": "under_investigation"`, `"status": "not_affected"`, 1)
	if _, _, err := DraftVEX(in, []byte(edited)); !errors.Is(err, ErrDraftEdited) {
		t.Errorf("edited draft: %v, want ErrDraftEdited", err)
	}
	// A document cemark did not write is never touched either.
	own, _ := os.ReadFile(filepath.Join("testdata", "vex", "openvex.json"))
	if _, _, err := DraftVEX(in, own); !errors.Is(err, ErrDraftEdited) {
		t.Errorf("the manufacturer's own document: %v, want ErrDraftEdited", err)
	}
	// The draft is read back as VEX: every finding is under investigation.
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, VEXDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(DraftFile)), doc, 0o644); err != nil {
		t.Fatal(err)
	}
	stmts, docs := LoadVEX(root, nil)
	if len(docs) != 1 || docs[0].Error != "" {
		t.Fatalf("docs %+v", docs)
	}
	ApplyVEX(scan, stmts)
	for _, m := range scan.Matches {
		if m.VEX == nil || m.VEX.Status != "under_investigation" {
			t.Errorf("%s: %+v", m.ID, m.VEX)
		}
	}
	// No scan, no draft.
	if _, _, err := DraftVEX(DraftInput{Scan: &vulnscan.Scan{}}, nil); err == nil {
		t.Error("drafted without a scan")
	}
}
