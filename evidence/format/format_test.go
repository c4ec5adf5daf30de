package format

import (
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/format/internal/fixture"
)

func TestLookup(t *testing.T) {
	for _, id := range []string{"table", "json", "sarif", "gitlab-codequality", "markdown"} {
		if f, err := Lookup(id); err != nil || f.Encode == nil || f.ID != id {
			t.Errorf("Lookup(%q) = %+v, %v", id, f, err)
		}
	}
	if _, err := Lookup("xml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestWithPathPrefix(t *testing.T) {
	r := fixture.Report()
	before := r.Findings()
	p := WithPathPrefix(r, "./services/gw/")
	var paths []string
	for _, f := range p.Findings() {
		paths = append(paths, f.Path)
	}
	for i, f := range p.Findings() {
		orig := before[i].Path
		switch {
		case orig == "" && f.Path != "":
			t.Errorf("a finding without a path got %q", f.Path)
		case orig != "" && f.Path != "services/gw/"+orig:
			t.Errorf("%q -> %q", orig, f.Path)
		}
	}
	if p.ConfigFile != "services/gw/cemark.yaml" || p.FileErrors[0].Path != "services/gw/assets/huge.json" {
		t.Errorf("config %q, file error %q", p.ConfigFile, p.FileErrors[0].Path)
	}
	for i, f := range r.Findings() {
		if f.Path != before[i].Path {
			t.Fatal("the original report was changed")
		}
	}
	if WithPathPrefix(r, ".") != r || WithPathPrefix(r, "") != r {
		t.Error("an empty prefix should return the report itself")
	}
	_ = checks.Fail
}
