package main

import (
	"encoding/json"
	"fmt"
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

// TestCheckPathsAreTheRuns: in a monorepo, `cemark check` writes SARIF and
// Code Quality with the paths of the run's report.sarif and
// codequality.json — the product folder from git, findings without a file
// on cemark.yaml — so code scanning sees one alert, not two.
func TestCheckPathsAreTheRuns(t *testing.T) {
	repo := t.TempDir()
	prod := filepath.Join(repo, "services", "gw")
	if err := os.CopyFS(prod, os.DirFS(fixtureDir)); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "init", "-q")
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "-m", "init")
	if code, _, errOut := cli(t, nil, "run", prod, "--no-docs", "--sign", "none"); code != 0 && code != 3 {
		t.Fatalf("run: exit %d\n%s", code, errOut)
	}
	type issue struct {
		Check    string `json:"check_name"`
		Desc     string `json:"description"`
		Location struct {
			Path  string `json:"path"`
			Lines struct {
				Begin int `json:"begin"`
			} `json:"lines"`
		} `json:"location"`
	}
	where := func(data []byte) map[string]string {
		var is []issue
		if err := json.Unmarshal(data, &is); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, i := range is {
			out[i.Check+" "+i.Desc] = fmt.Sprintf("%s:%d", i.Location.Path, i.Location.Lines.Begin)
		}
		return out
	}
	ran := where(mustRead(t, filepath.Join(prod, ".cemark", "codequality.json")))
	for _, args := range [][]string{
		{"check", prod, "--format", "gitlab-codequality"},
		{"check", prod, "--format", "gitlab-codequality", "--path-prefix", "services/gw"},
	} {
		code, out, errOut := cli(t, nil, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, errOut)
		}
		checked := where([]byte(out))
		same := 0
		for k, p := range checked {
			if !strings.HasPrefix(p, "services/gw/") {
				t.Errorf("%v: %s at %s, not from the repository root", args, k, p)
			}
			if rp, ok := ran[k]; ok {
				same++
				if rp != p {
					t.Errorf("%v: %s at %s; the run says %s", args, k, p, rp)
				}
			}
		}
		if same == 0 {
			t.Errorf("%v: no issue in common with the run", args)
		}
	}
}
