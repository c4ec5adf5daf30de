package all

import (
	"context"
	"testing"
)

// TestCheckFillsFactSheets: a standalone check run carries the update
// signing and vulnerability-handling fact sheets, as the pipeline's does,
// and only for the families that ran.
func TestCheckFillsFactSheets(t *testing.T) {
	root := writeTree(t, map[string]string{
		"dist/app":    "binary",
		"SECURITY.md": "Report to security@example.com; we disclose within 90 days.\n",
		"cemark.yaml": "updates:\n  mechanism: package manager\n",
	})
	rep, err := Check(context.Background(), Options{Root: root, Artifacts: []string{"dist/*"}})
	if err != nil {
		t.Fatal(err)
	}
	us, vh := rep.Facts.UpdateSigning, rep.Facts.VulnHandling
	if us == nil || len(us.Artifacts) != 1 || us.Artifacts[0].Verdict != "unsigned" || us.Mechanism != "package manager" {
		t.Errorf("update signing facts: %+v", us)
	}
	if vh == nil || vh.SecurityPolicy != "SECURITY.md" || vh.DisclosureWindow != "within 90 days" {
		t.Errorf("vulnerability handling facts: %+v", vh)
	}
	rep, err = Check(context.Background(), Options{Root: root, Checks: []string{"CEM-VH-001"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Facts.UpdateSigning != nil || rep.Facts.VulnHandling == nil {
		t.Errorf("with only CEM-VH-001 selected: update signing %v, vulnerability handling %v", rep.Facts.UpdateSigning, rep.Facts.VulnHandling)
	}
}
