package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/internal/treetest"
)

// baselineTree is a product with one failing high finding: a final stage
// running as root.
func baselineTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	treetest.WriteFile(t, root, "Dockerfile", "FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000001\nRUN apk add curl\n")
	return root
}

func TestBaselineGatesOnlyNewFindings(t *testing.T) {
	root := baselineTree(t)
	args := []string{"check", root, "--fail-on", "high", "--checks", "CEM-DEF-001"}
	if code, _, _ := cli(t, nil, args...); code != exitNotConformant {
		t.Fatalf("without a baseline: exit %d, want 3", code)
	}

	code, _, errOut := cli(t, nil, "baseline", "write", root, "--checks", "CEM-DEF-001")
	if code != 0 || !strings.Contains(errOut, "baseline of 1 findings written to") {
		t.Fatalf("baseline write: exit %d, %s", code, errOut)
	}
	file := filepath.Join(root, checks.DefaultBaselineFile)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := checks.ValidateReportJSON(data); err != nil {
		t.Errorf("the baseline is not a valid report.json: %v", err)
	}

	// Existing finding: reported (outcome kept, baseline: true), exit 0.
	code, out, _ := cli(t, nil, append(args, "--baseline", file, "--format", "json")...)
	if code != 0 {
		t.Errorf("with the baseline: exit %d, want 0", code)
	}
	if !strings.Contains(out, `"outcome": "fail"`) || !strings.Contains(out, `"baseline": true`) {
		t.Errorf("the existing finding is not reported as such:\n%s", out)
	}

	// The lines move and the file is renamed with the same content: still existing.
	treetest.WriteFile(t, root, "Dockerfile", "# a comment\n\nFROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000001\nRUN apk add curl\n")
	if err := os.Rename(filepath.Join(root, "Dockerfile"), filepath.Join(root, "Containerfile")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cli(t, nil, append(args, "--baseline", file)...); code != 0 {
		t.Errorf("after a line shift and a rename: exit %d, want 0\n%s", code, errOut)
	}

	// checks.baseline in cemark.yaml does the same; a new finding fails.
	treetest.WriteFile(t, root, "cemark.yaml", "checks:\n  baseline: "+checks.DefaultBaselineFile+"\n")
	treetest.WriteFile(t, root, "web/Dockerfile", "FROM nginx:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000002\nUSER root\n")
	if code, _, errOut := cli(t, nil, args...); code != exitNotConformant || !strings.Contains(errOut, "1 failing finding") {
		t.Errorf("a new finding with checks.baseline: exit %d (%s), want 3 naming one finding", code, errOut)
	}

	// A broken baseline is a usage error naming the file.
	treetest.WriteFile(t, root, "broken.json", "{\n  \"tool\": [\n")
	if code, _, errOut := cli(t, nil, append(args, "--baseline", filepath.Join(root, "broken.json"))...); code != exitUsage || !strings.Contains(errOut, "broken.json:3:1") {
		t.Errorf("broken baseline: exit %d, %q; want 2 naming broken.json:3:1", code, errOut)
	}
}

func TestRunBaselineFlag(t *testing.T) {
	dir := product(t)
	treetest.WriteFile(t, dir, "Dockerfile.debug", "FROM debian:12@sha256:0000000000000000000000000000000000000000000000000000000000000003\nEXPOSE 23\nUSER 1000\n")
	if code, _, stderr := cli(t, nil, "run", dir, "--fail-on", "high", "--no-docs"); code != exitNotConformant {
		t.Fatalf("exit %d, want 3\n%s", code, stderr)
	}
	report := filepath.Join(dir, ".cemark", "report.json")
	if code, _, stderr := cli(t, nil, "run", dir, "--fail-on", "high", "--no-docs", "--baseline", report); code != 0 {
		t.Errorf("with the last report as baseline: exit %d, want 0\n%s", code, stderr)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"baseline": true`) {
		t.Error("report.json does not mark the existing findings")
	}
	if code, _, _ := cli(t, nil, "run", dir, "--no-docs", "--baseline", filepath.Join(dir, "none.json")); code != exitUsage {
		t.Errorf("missing baseline: exit %d, want 2", code)
	}
}
