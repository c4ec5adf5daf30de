package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
)

func checkTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"cemark.yaml": "product: {name: demo}\nwaivers:\n  - {check: CEM-WVR-002, path: \"old/**\", justification: stale, expires: 2020-01-01}\n",
		"README.md":   "demo\n",
	}
	for p, body := range files {
		if err := os.WriteFile(filepath.Join(root, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestCheckCommand(t *testing.T) {
	root := checkTree(t)

	code, out, _ := cli(t, nil, "check", root, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d with --fail-on none (default)", code)
	}
	if err := checks.ValidateReportJSON([]byte(out)); err != nil {
		t.Errorf("report.json on stdout: %v", err)
	}

	// The expired waiver is a failing finding of medium severity.
	if code, _, errOut := cli(t, nil, "check", root, "--fail-on", "medium", "--checks", "CEM-WVR-001"); code != 3 || !strings.Contains(errOut, "at or above severity medium") {
		t.Errorf("--fail-on medium: exit %d, stderr %q; want 3", code, errOut)
	}
	if code, _, _ := cli(t, nil, "check", root, "--fail-on", "high", "--checks", "CEM-WVR-001"); code != 0 {
		t.Errorf("--fail-on high: exit %d, want 0", code)
	}

	file := filepath.Join(t.TempDir(), "report.sarif")
	code, out, errOut := cli(t, nil, "check", root, "--format", "sarif", "-o", file, "--checks", "CEM-WVR-001")
	if code != 0 || out != "" || !strings.Contains(errOut, "sarif report written to") {
		t.Errorf("-o: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(data, &log); err != nil || log.Version != "2.1.0" {
		t.Errorf("SARIF file: %v %q", err, log.Version)
	}

	code, out, _ = cli(t, nil, "check", root, "--format", "gitlab-codequality", "--checks", "CEM-WVR-001", "--path-prefix", "svc")
	if code != 0 || !strings.Contains(out, `"path": "svc/cemark.yaml"`) {
		t.Errorf("--path-prefix: exit %d\n%s", code, out)
	}

	for name, args := range map[string][]string{
		"unknown check":  {"check", root, "--checks", "CEM-NOPE-001"},
		"unknown format": {"check", root, "--format", "xml"},
		"bad fail-on":    {"check", root, "--fail-on", "severe"},
		"two paths":      {"check", root, root},
	} {
		if code, _, errOut := cli(t, nil, args...); code != 2 {
			t.Errorf("%s: exit %d (%s), want 2", name, code, errOut)
		}
	}
}

func TestChecksCommand(t *testing.T) {
	code, out, _ := cli(t, nil, "checks")
	if code != 0 || !strings.Contains(out, "CEM-WVR-001") || !strings.Contains(out, "Art. 13(3)") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, out, _ = cli(t, nil, "checks", "--json")
	var metas []checks.Meta
	if err := json.Unmarshal([]byte(out), &metas); err != nil || code != 0 || len(metas) < 2 {
		t.Errorf("--json: exit %d, %v, %d entries", code, err, len(metas))
	}
	for _, m := range metas {
		if m.Remediation == "" || len(m.CRA) == 0 {
			t.Errorf("%s: incomplete metadata in --json", m.ID)
		}
	}
}
