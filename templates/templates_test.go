package templates

import (
	"io/fs"
	"path"
	"strings"
	"testing"
)

// GitLab treats templates/*.yml and templates/*/template.yml as CI/CD
// components; the Markdown templates must never look like one.
func TestTechDocHoldsNoComponentFiles(t *testing.T) {
	var docs int
	err := fs.WalkDir(TechDoc, "techdoc", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if path.Base(p) == "template.yml" || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml") {
			t.Errorf("%s would be read by GitLab as a component", p)
		}
		if !strings.HasSuffix(p, ".md.tmpl") {
			t.Errorf("%s: only NAME.md.tmpl templates belong here", p)
		}
		docs++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if docs < 9 {
		t.Errorf("only %d templates embedded", docs)
	}
}
