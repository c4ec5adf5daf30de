package all

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
)

var update = flag.Bool("update", false, "rewrite docs/checks.md from the checks' metadata")

// TestCatalogue holds every family to the metadata contract, both ways.
func TestCatalogue(t *testing.T) {
	reg, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]checks.Meta{}
	for _, m := range reg.Metas() {
		// NewRegistry validated these; say it again so the contract is
		// visible here.
		if err := checks.ValidateMeta(m); err != nil {
			t.Error(err)
		}
		if len(m.CRA) == 0 || m.Remediation == "" {
			t.Errorf("%s: no CRA reference or no remediation", m.ID)
		}
		registered[m.ID] = m
	}
	names := map[string]bool{}
	inFiles := map[string]string{}
	for _, f := range Families() {
		if f.Name == "" || names[f.Name] {
			t.Errorf("family name %q empty or repeated", f.Name)
		}
		names[f.Name] = true
		if f.Meta == nil {
			t.Errorf("family %s exposes no metadata", f.Name)
			continue
		}
		metas, err := checks.LoadCatalogue(f.Meta)
		if err != nil {
			t.Errorf("family %s: %v", f.Name, err)
			continue
		}
		for _, m := range metas {
			if prev, dup := inFiles[m.ID]; dup {
				t.Errorf("%s described by families %s and %s", m.ID, prev, f.Name)
			}
			inFiles[m.ID] = f.Name
			reg, ok := registered[m.ID]
			if !ok {
				t.Errorf("family %s has metadata for %s, which no registered check uses", f.Name, m.ID)
				continue
			}
			if diff := cmp.Diff(m, reg); diff != "" {
				t.Errorf("%s: the check's Meta() differs from its metadata file (-file +check):\n%s", m.ID, diff)
			}
		}
		for _, c := range f.Checks() {
			if inFiles[c.Meta().ID] != f.Name {
				t.Errorf("check %s of family %s has no metadata file in the family's MetaFS", c.Meta().ID, f.Name)
			}
		}
	}
}

// TestDocsInSync regenerates docs/checks.md and compares; run with -update
// after changing metadata.
func TestDocsInSync(t *testing.T) {
	reg, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	got := CatalogueMarkdown(reg)
	path := filepath.Join("..", "..", "docs", "checks.md")
	if *update {
		t.Logf("updating %s", path)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./checks/all -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("docs/checks.md is out of date; run go test ./checks/all -update (-file +generated):\n%s", diff)
	}
}
