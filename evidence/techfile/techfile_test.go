package techfile

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/evidence/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/snapshot")

// newRepo makes an empty repository root with the evidence files the
// fixture links to.
func newRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, f := range []string{".cemark/report.json", ".cemark/report.sarif", ".cemark/sbom.cdx.json"} {
		writeFile(t, filepath.Join(root, f), "{}\n")
	}
	return root
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustRender(t *testing.T, in Input, opts Options) *Result {
	t.Helper()
	res, err := Render(context.Background(), in, opts)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return res
}

// readBundle reads every file of the rendered folder.
func readBundle(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			out[e.Name()] = readFile(t, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "snapshot", strings.ReplaceAll(t.Name(), "/", "_"), name+".golden")
	if *update {
		t.Logf("UPDATING golden file %s", p)
		writeFile(t, p, got)
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func TestGolden(t *testing.T) {
	all := append([]string{}, documents...)
	all = append(all, StateFile)
	routeDocs := []string{docIndex, docStandards, docDeclaration}
	tests := []struct {
		name   string
		config func() *config.Config
		lang   string
		docs   []string
	}{
		{"default", func() *config.Config { return fixtureConfig(config.ClassDefault) }, "en", all},
		{"danish", func() *config.Config { return fixtureConfig(config.ClassDefault) }, "da", []string{docGeneral, docDeclaration, docIndex}},
		{"class-I-without-standards", func() *config.Config { return fixtureConfig(config.ClassImportantClassI) }, "en", routeDocs},
		{"class-I-standards-in-full", func() *config.Config {
			c := fixtureConfig(config.ClassImportantClassI)
			c.Standards = []config.Standard{{Reference: "EN 40000-1-4:2027", Title: "Generic security requirements", Applied: "full", OJReference: "OJ L 2027/123"}}
			return c
		}, "en", routeDocs},
		{"class-II", func() *config.Config { return fixtureConfig(config.ClassImportantClassII) }, "en", routeDocs},
		{"critical", func() *config.Config { return fixtureConfig(config.ClassCritical) }, "en", routeDocs},
		{"open-source-class-I", func() *config.Config {
			c := fixtureConfig(config.ClassImportantClassI)
			c.Product.OpenSource = ptr(true)
			return c
		}, "en", routeDocs},
		{"empty-config", func() *config.Config { return &config.Config{} }, "en", all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := newRepo(t)
			in := fixtureInput(tt.config())
			if tt.name == "empty-config" {
				in = Input{Config: tt.config(), Date: in.Date}
			}
			mustRender(t, in, Options{Root: root, Lang: tt.lang})
			bundle := readBundle(t, filepath.Join(root, "docs", "cra"))
			for _, d := range tt.docs {
				got, ok := bundle[d]
				if !ok {
					t.Fatalf("%s was not written", d)
				}
				golden(t, d, got)
			}
		})
	}
}
