package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

// vulnProduct is a git repository holding evidence/vulns/testdata/product
// (golang.org/x/text, lodash, moment and log4j-core at vulnerable versions).
func vulnProduct(t *testing.T) string {
	t.Helper()
	return gitProduct(t, filepath.Join("..", "..", "evidence", "vulns", "testdata", "product"),
		map[string]string{"cemark.yaml": "product: {name: gateway, version: 1.4.0}\nmanufacturer: {name: Example ApS}\n"})
}

func readReport(t *testing.T, path string) *checks.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r checks.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func findingsOf(r *checks.Report, id string) []checks.Finding {
	for _, res := range r.Results {
		if res.ID == id {
			return res.Findings
		}
	}
	return nil
}

func TestDBUpdateAndStatus(t *testing.T) {
	mirror := t.TempDir()
	vulndbtest.Distribution(t, mirror)
	srv := httptest.NewServer(http.FileServer(http.Dir(mirror)))
	defer srv.Close()
	dbDir := filepath.Join(t.TempDir(), "grype-db")
	cwd := t.TempDir()
	t.Chdir(cwd)

	code, _, stderr := cli(t, nil, "db", "status", "--vuln-db", dbDir)
	if code != exitBroke || !strings.Contains(stderr, "cemark db update") {
		t.Errorf("status without a database: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := cli(t, nil, "db", "update", "--vuln-db", dbDir, "--db-url", srv.URL)
	if code != exitOK || !strings.Contains(stderr, "updated") || !strings.Contains(stdout, "Checksum:  xxh64:") {
		t.Fatalf("update: exit %d\n%s%s", code, stdout, stderr)
	}
	// Through CEMARK_VULN_DB, as the Action sets it.
	code, stdout, stderr = cli(t, map[string]string{"CEMARK_VULN_DB": dbDir}, "db", "status")
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"Location:  " + dbDir + " (CEMARK_VULN_DB)", "Built:", "Schema:    v6.", "Checksum:  xxh64:", "Provider:  kev", "Status:    current"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = cli(t, nil, "db", "status", "--vuln-db", dbDir, "--json")
	var db map[string]any
	if code != exitOK || json.Unmarshal([]byte(stdout), &db) != nil || db["schema"] == nil || db["checksum"] == nil || db["built"] == nil {
		t.Errorf("status --json: exit %d\n%s", code, stdout)
	}
}

func TestRunScansVulnerabilities(t *testing.T) {
	dir := vulnProduct(t)
	dbDir := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	code, _, stderr := cli(t, nil, "run", dir, "--vuln-db", dbDir)
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "vulns") || !strings.Contains(stderr, "5 vulnerabilities") {
		t.Errorf("no vulns stage in the summary:\n%s", stderr)
	}
	out := filepath.Join(dir, ".cemark")
	rep := readReport(t, filepath.Join(out, "report.json"))
	fs := findingsOf(rep, "CEM-VULN-001")
	if len(fs) != 5 {
		t.Fatalf("CEM-VULN-001: %d findings, want 5", len(fs))
	}
	fails := 0
	for _, f := range fs {
		if f.Outcome == checks.Fail {
			fails++
		}
		if f.Values["first_seen"] != "2026-11-01" {
			t.Errorf("%s first seen %q, want the run's reference day", f.Values["vulnerability"], f.Values["first_seen"])
		}
	}
	if fails != 5 {
		t.Errorf("%d failing (KEV and fixable high/critical fail), want 5", fails)
	}
	if rep.Facts.Vulnerabilities == nil || rep.Facts.Vulnerabilities.DB == nil || len(rep.Facts.Vulnerabilities.Summary.KEVOpen) != 1 {
		t.Errorf("facts.vulnerabilities: %+v", rep.Facts.Vulnerabilities)
	}
	// run.json records the database.
	var run struct {
		VulnDB *struct {
			Built, Schema, Checksum string
		} `json:"vulnerability_db"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "run.json"))
	if err := json.Unmarshal(b, &run); err != nil || run.VulnDB == nil || run.VulnDB.Checksum == "" || run.VulnDB.Schema == "" {
		t.Errorf("run.json vulnerability_db: %s", b)
	}
	// The vulnerability statement is among the attestations.
	jsonl, _ := os.ReadFile(filepath.Join(out, "attestations.intoto.jsonl"))
	if _, err := os.Stat(filepath.Join(out, "vulns.dsse.json")); err != nil || !bytes.Contains(readEnvelopePayloads(t, jsonl), []byte(`"predicateType":"https://in-toto.io/attestation/vulns/v0.1"`)) {
		t.Errorf("no vulnerability statement: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "gl-dependency-scanning-report.json")); err != nil {
		t.Errorf("no GitLab dependency-scanning report: %v", err)
	}
	first := readDir(t, out)

	// A second run on the same inputs writes the same files; --fail-on
	// high exits 3 on the KEV finding.
	code, _, stderr = cli(t, nil, "run", dir, "--vuln-db", dbDir, "--fail-on", "high")
	if code != exitNotConformant {
		t.Errorf("--fail-on high: exit %d\n%s", code, stderr)
	}
	for name, b := range first {
		if name == "run.json" {
			continue
		}
		if !bytes.Equal(b, readDir(t, out)[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}

	// cemark check matches the SBOM the run left.
	code, stdout, stderr := cli(t, nil, "check", dir, "--vuln-db", dbDir, "--checks", "CEM-VULN-001", "--format", "json")
	if code != exitOK {
		t.Fatalf("check: exit %d\n%s", code, stderr)
	}
	var crep checks.Report
	if err := json.Unmarshal([]byte(stdout), &crep); err != nil || len(findingsOf(&crep, "CEM-VULN-001")) != 5 {
		t.Errorf("check: %v\n%s", err, stdout)
	}

	// vex draft writes the manufacturer's document; the next run reads it.
	code, _, stderr = cli(t, nil, "vex", "draft", dir, "--vuln-db", dbDir)
	if code != exitOK || !strings.Contains(stderr, "5 under_investigation") {
		t.Fatalf("vex draft: exit %d\n%s", code, stderr)
	}
	draft := filepath.Join(dir, ".vex", "cemark.openvex.json")
	b, err := os.ReadFile(draft)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `"status": "under_investigation"`, `"status": "not_affected", "justification": "component_not_present"`, 1)
	if err := os.WriteFile(draft, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = cli(t, nil, "vex", "draft", dir, "--vuln-db", dbDir)
	if now, _ := os.ReadFile(draft); code != exitOK || string(now) != edited || !strings.Contains(stderr, "left unchanged") {
		t.Errorf("an edited draft was rewritten (exit %d)\n%s", code, stderr)
	}
	if code, _, stderr := cli(t, nil, "run", dir, "--vuln-db", dbDir); code != exitOK {
		t.Fatalf("run with VEX: exit %d\n%s", code, stderr)
	}
	waived, investigating := 0, 0
	for _, f := range findingsOf(readReport(t, filepath.Join(out, "report.json")), "CEM-VULN-001") {
		switch {
		case f.Outcome == checks.Waived && f.Waiver != nil && f.Waiver.Source == "vex":
			waived++
		case f.Values["vex_status"] == "under_investigation":
			investigating++
		}
	}
	if waived != 1 || investigating != 4 {
		t.Errorf("after the VEX edit: %d waived, %d under investigation", waived, investigating)
	}
}

func readEnvelopePayloads(t *testing.T, jsonl []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, line := range bytes.Split(bytes.TrimSpace(jsonl), []byte("\n")) {
		var env struct {
			Payload []byte `json:"payload"`
		}
		if err := json.Unmarshal(line, &env); err == nil {
			out.Write(env.Payload)
		}
	}
	return out.Bytes()
}

// No database: the run goes on, and (2)(a) is not assessed — with the
// command that fixes it, never a silent pass.
func TestRunWithoutDatabase(t *testing.T) {
	dir := vulnProduct(t)
	code, _, stderr := cli(t, nil, "run", dir, "--vuln-db", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "vulnerabilities not assessed") || !strings.Contains(stderr, "cemark db update") {
		t.Errorf("no notice:\n%s", stderr)
	}
	rep := readReport(t, filepath.Join(dir, ".cemark", "report.json"))
	for _, id := range []string{"CEM-VULN-001", "CEM-VULN-003"} {
		fs := findingsOf(rep, id)
		if len(fs) != 1 || fs[0].Outcome != checks.Warn || fs[0].Values["not_assessed"] != "true" {
			t.Errorf("%s: %+v", id, fs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".cemark", "vulns.dsse.json")); err == nil {
		t.Error("a vulnerability statement without a scan")
	}
}
