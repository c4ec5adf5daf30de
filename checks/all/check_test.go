package all

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

func TestCheck(t *testing.T) {
	root := writeTree(t, map[string]string{
		"cemark.yaml": "product: {name: demo, version: 1.0.0}\nwaivers:\n  - {check: CEM-WVR-002, path: \"x/**\", justification: old, expires: 2020-01-01}\n",
		"dist/app":    "binary-ish\n",
	})
	rep, err := Check(context.Background(), Options{Root: root, Checks: []string{"CEM-WVR-001"}, Artifacts: []string{"dist/*"}, ToolVersion: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Product.Name != "demo" || rep.ConfigFile != "cemark.yaml" || rep.Tool.Version != "t" {
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
}

func TestCheckUsageErrors(t *testing.T) {
	root := writeTree(t, map[string]string{"a.txt": "x\n"})
	for name, opts := range map[string]Options{
		"unknown check":       {Root: root, Checks: []string{"CEM-NOPE-001"}},
		"glob matches none":   {Root: root, Artifacts: []string{"dist/*.tar.gz"}},
		"missing update key":  {Root: root, UpdateKeys: []string{filepath.Join(root, "nokey.pub")}},
		"root is not a dir":   {Root: filepath.Join(root, "a.txt")},
		"missing config file": {Root: root, ConfigPath: filepath.Join(root, "nope.yaml")},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Check(context.Background(), opts)
			if err == nil {
				t.Fatal("no error")
			}
			if name != "missing config file" && failure.KindOf(err) != failure.ErrUsage {
				t.Errorf("exit code %v for %v, want %v", failure.KindOf(err), err, failure.ErrUsage)
			}
		})
	}
	bad := writeTree(t, map[string]string{"cemark.yaml": "prodcut: {}\n"})
	if _, err := Check(context.Background(), Options{Root: bad}); err == nil || failure.KindOf(err) != failure.ErrUsage {
		t.Errorf("bad cemark.yaml: err = %v (code %v), want a usage error", err, failure.KindOf(err))
	}
}
