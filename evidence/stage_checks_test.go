package evidence

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/failure"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, body := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestCheckStages: `cemark check`'s stages give the report with the run's
// header, the selected checks and the framework's waiver checks.
func TestCheckStages(t *testing.T) {
	root := writeTree(t, map[string]string{
		"cemark.yaml": "product: {name: demo, version: 1.0.0}\nwaivers:\n  - {check: CEM-WVR-002, path: \"x/**\", justification: old, expires: 2020-01-01}\n",
		"dist/app":    "binary-ish\n",
	})
	ev, err := Run(context.Background(), Options{Root: root, Stages: CheckStages, Checks: []string{"CEM-WVR-001"}, Artifacts: []string{"dist/*"}})
	if err != nil {
		t.Fatal(err)
	}
	rep := ev.Report
	if rep.Product.Name != "demo" || rep.ConfigFile != "cemark.yaml" || rep.Tool.Version != ev.Tool.Cemark {
		t.Errorf("report header = %+v %+v %q", rep.Product, rep.Tool, rep.ConfigFile)
	}
	var ids []string
	for _, r := range rep.Results {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, ",") != "CEM-WVR-001,CEM-WVR-002" {
		t.Errorf("selected %v", ids)
	}
	if rep.Results[0].Outcome != checks.Fail || !strings.Contains(rep.Results[0].Findings[0].Message, "expired on 2020-01-01") {
		t.Errorf("expired waiver not reported: %+v", rep.Results[0])
	}
	if _, err := os.Stat(filepath.Join(root, ".cemark")); !os.IsNotExist(err) {
		t.Error("the check stages wrote an evidence directory")
	}
}

// TestCheckStagesUsageErrors: bad input is exit 2 before any check runs.
func TestCheckStagesUsageErrors(t *testing.T) {
	root := writeTree(t, map[string]string{"a.txt": "x\n"})
	for name, opts := range map[string]Options{
		"unknown check":       {Root: root, Checks: []string{"CEM-NOPE-001"}},
		"glob matches none":   {Root: root, Artifacts: []string{"dist/*.tar.gz"}},
		"missing update key":  {Root: root, UpdateKeys: []string{filepath.Join(root, "nokey.pub")}},
		"root is not a dir":   {Root: filepath.Join(root, "a.txt")},
		"missing config file": {Root: root, ConfigPath: "nope.yaml"},
		"missing image":       {Root: root, Sources: []string{"oci-dir:gone"}},
	} {
		t.Run(name, func(t *testing.T) {
			opts.Stages = CheckStages
			_, err := Run(context.Background(), opts)
			if err == nil || failure.KindOf(err) != failure.ErrUsage {
				t.Errorf("error %v of kind %v, want a usage error", err, failure.KindOf(err))
			}
		})
	}
	bad := writeTree(t, map[string]string{"cemark.yaml": "prodcut: {}\n"})
	if _, err := Run(context.Background(), Options{Root: bad, Stages: CheckStages}); failure.KindOf(err) != failure.ErrUsage {
		t.Errorf("bad cemark.yaml: %v, want a usage error", err)
	}
}
