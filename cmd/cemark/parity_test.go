package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/internal/treetest"
)

// Every command runs the pipeline's stages (evidence.Selection) instead of
// doing their work itself, so the same tree gives the same answers through
// every command. One test per way they used to differ.

// unnamedProduct is the gateway fixture without product.name in
// cemark.yaml: its name comes from go.mod ("gateway"), never from the
// folder (a random temporary name).
func unnamedProduct(t *testing.T) string {
	t.Helper()
	dir := product(t)
	cfg := mustRead(t, filepath.Join(dir, "cemark.yaml"))
	cfg = bytes.Replace(cfg, []byte("  name: Example Gateway\n"), nil, 1)
	treetest.WriteFile(t, dir, "cemark.yaml", string(cfg))
	gitIn(t, dir, "commit", "-qam", "no name")
	return dir
}

func reportOf(t *testing.T, data []byte) *checks.Report {
	t.Helper()
	var r checks.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("not a report: %v\n%.300s", err, data)
	}
	return &r
}

// TestEveryCommandNamesTheProductAlike: `check` named the product after its
// folder, `run` after go.mod.
func TestEveryCommandNamesTheProductAlike(t *testing.T) {
	dir := unnamedProduct(t)
	if code, _, stderr := cli(t, nil, "run", dir); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	names := map[string]string{"run": reportOf(t, mustRead(t, filepath.Join(dir, ".cemark", "report.json"))).Product.Name}
	code, out, stderr := cli(t, nil, "check", dir, "--format", "json")
	if code != exitOK {
		t.Fatalf("check: exit %d\n%s", code, stderr)
	}
	names["check"] = reportOf(t, []byte(out)).Product.Name
	code, out, stderr = cli(t, nil, "sbom", dir)
	if code != exitOK {
		t.Fatalf("sbom: exit %d\n%s", code, stderr)
	}
	var doc struct {
		Metadata struct {
			Component struct {
				Name string `json:"name"`
			} `json:"component"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	names["sbom"] = doc.Metadata.Component.Name
	for cmd, name := range names {
		if name != "gateway" {
			t.Errorf("%s names the product %q, want %q (from go.mod)", cmd, name, "gateway")
		}
	}
}

// TestUpdateKeyResolvesAgainstTheProductRoot: `check` took a relative
// --update-key from the working directory, `run` from the product root.
func TestUpdateKeyResolvesAgainstTheProductRoot(t *testing.T) {
	dir := product(t)
	if code, _, stderr := cli(t, nil, "keygen", "--output-prefix", filepath.Join(dir, "release")); code != exitOK {
		t.Fatalf("keygen: exit %d\n%s", code, stderr)
	}
	// The test runs in cmd/cemark: a relative path is found only when
	// it is taken from the product root.
	code, out, stderr := cli(t, nil, "check", dir, "--format", "json", "--update-key", "release.pub", "--checks", "CEM-UPD-001")
	if code != exitOK {
		t.Fatalf("check --update-key release.pub: exit %d\n%s", code, stderr)
	}
	checked := reportOf(t, []byte(out))
	if code, _, stderr := cli(t, nil, "run", dir, "--update-key", "release.pub", "--checks", "CEM-UPD-001"); code != exitOK {
		t.Fatalf("run --update-key release.pub: exit %d\n%s", code, stderr)
	}
	ran := reportOf(t, mustRead(t, filepath.Join(dir, ".cemark", "report.json")))
	a, _ := json.Marshal(checked.Facts.UpdateSigning)
	b, _ := json.Marshal(ran.Facts.UpdateSigning)
	if !bytes.Equal(a, b) || checked.Facts.UpdateSigning == nil {
		t.Errorf("update signing facts differ:\ncheck %s\nrun   %s", a, b)
	}
	if code, _, _ := cli(t, nil, "check", dir, "--update-key", "missing.pub"); code != exitUsage {
		t.Errorf("a missing key: exit %d, want %d", code, exitUsage)
	}
}

// TestCheckAndRunStateTheSameFacts: `check` never stated the inventory
// fact sheet, and stated the others only in its own way.
func TestCheckAndRunStateTheSameFacts(t *testing.T) {
	dir := product(t)
	if code, _, stderr := cli(t, nil, "run", dir); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	ran := reportOf(t, mustRead(t, filepath.Join(dir, ".cemark", "report.json")))
	code, out, stderr := cli(t, nil, "check", dir, "--format", "json")
	if code != exitOK {
		t.Fatalf("check: exit %d\n%s", code, stderr)
	}
	checked := reportOf(t, []byte(out))
	if ran.Facts.Inventory == nil || checked.Facts.Inventory == nil {
		t.Fatalf("no inventory: run %v, check %v", ran.Facts.Inventory, checked.Facts.Inventory)
	}
	for name, pair := range map[string][2]any{
		"inventory":              {ran.Facts.Inventory, checked.Facts.Inventory},
		"update signing":         {ran.Facts.UpdateSigning, checked.Facts.UpdateSigning},
		"vulnerability handling": {ran.Facts.VulnHandling, checked.Facts.VulnHandling},
		"vulnerabilities":        {ran.Facts.Vulnerabilities, checked.Facts.Vulnerabilities},
	} {
		a, _ := json.Marshal(pair[0])
		b, _ := json.Marshal(pair[1])
		if !bytes.Equal(a, b) {
			t.Errorf("%s facts differ:\nrun   %s\ncheck %s", name, a, b)
		}
	}
}

// TestSBOMCommandGivesTheRunsBytes: `cemark sbom` took its time from HEAD
// and `run` from the product revision, and each wrote its own sbom.Config:
// after a commit of the technical file alone they disagreed.
func TestSBOMCommandGivesTheRunsBytes(t *testing.T) {
	dir := product(t)
	if code, _, stderr := cli(t, nil, "run", dir); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	// A later commit of the technical file alone: HEAD moves, the product
	// revision does not.
	gitIn(t, dir, "add", "docs")
	gitIn(t, dir, "commit", "-qm", "technical file")
	if code, _, stderr := cli(t, nil, "run", dir, "--no-cache"); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	out := t.TempDir()
	cdx, spdx := filepath.Join(out, "sbom.cdx.json"), filepath.Join(out, "sbom.spdx.json")
	if code, _, stderr := cli(t, nil, "sbom", dir, "--no-cache", "-o", "cyclonedx-json="+cdx, "-o", "spdx-json="+spdx); code != exitOK {
		t.Fatalf("sbom: exit %d\n%s", code, stderr)
	}
	for _, f := range []string{"sbom.cdx.json", "sbom.spdx.json"} {
		if !bytes.Equal(mustRead(t, filepath.Join(out, f)), mustRead(t, filepath.Join(dir, ".cemark", f))) {
			t.Errorf("cemark sbom's %s differs from the run's", f)
		}
	}
	if !bytes.Contains(mustRead(t, cdx), []byte(`"timestamp": "2026-11-01T12:00:00Z"`)) {
		t.Errorf("the SBOM's time is not the product revision's:\n%.400s", mustRead(t, cdx))
	}
}

// TestEveryCommandRefusesTheSamePaths: `sbom`, `check` and `ports` skipped
// the config stage's path checks, so a cemark.yaml `run` refused (exit 2,
// file:line:column) went through them.
func TestEveryCommandRefusesTheSamePaths(t *testing.T) {
	dir := product(t)
	cfg := string(mustRead(t, filepath.Join(dir, "cemark.yaml")))
	treetest.WriteFile(t, dir, "cemark.yaml", cfg+"updates:\n  artifacts: [\"/etc/*\"]\n")
	var first string
	for _, args := range [][]string{
		{"run", dir}, {"check", dir}, {"sbom", dir}, {"ports", dir}, {"docs", dir}, {"docs", "--check", dir}, {"baseline", "write", dir},
	} {
		code, _, stderr := cli(t, nil, args...)
		if code != exitUsage || !strings.Contains(stderr, "cemark.yaml:19:15: updates.artifacts[0]") {
			t.Errorf("%s: exit %d, want %d naming cemark.yaml:19:15\n%s", strings.Join(args, " "), code, exitUsage, stderr)
			continue
		}
		// The refusal itself, without the stage lines some commands print.
		_, msg, _ := strings.Cut(stderr, "cemark: ")
		if first == "" {
			first = msg
		} else if msg != first {
			t.Errorf("%s refuses in other words:\n%s\nwant\n%s", strings.Join(args, " "), msg, first)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".cemark")); !os.IsNotExist(err) {
		t.Error("a refused command wrote the evidence directory")
	}
}
