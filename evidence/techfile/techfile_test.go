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

// fossConfig is the fixture as free and open-source software of class,
// with its technical documentation public at url ("" for not yet).
func fossConfig(class, url string) func() *config.Config {
	return func() *config.Config {
		c := fixtureConfig(class)
		c.Product.OpenSource = ptr(true)
		c.Product.Licence = "Apache-2.0"
		c.Product.TechnicalDocumentationURL = url
		c.Conformity.Procedure = config.ProcedureModuleA
		return c
	}
}

// stewardConfig is a foundation that stewards the fixture (Art. 24).
func stewardConfig() *config.Config {
	c := fixtureConfig(config.ClassDefault)
	c.Manufacturer = config.Manufacturer{Role: config.RoleSteward, Name: "Acme Foundation", Address: "Nørregade 1, 1165 København K, Denmark", Email: "security@acme-foundation.example"}
	c.Product.OpenSource = ptr(true)
	c.Security.CybersecurityPolicy = "https://acme-foundation.example/security-policy"
	c.Conformity = config.Conformity{}
	return c
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
		// Art. 27(1): EN 18031 is harmonised under the Radio Equipment
		// Directive, not the CRA: no Module A for class I (Art. 32(2)).
		{"class-I-RED-standard", func() *config.Config {
			c := fixtureConfig(config.ClassImportantClassI)
			c.Standards = []config.Standard{{Reference: "EN 18031-1:2024", Title: "Common security requirements for internet-connected radio equipment",
				Applied: "full", OJReference: "OJ L, 2025/138 (Radio Equipment Directive)"}}
			return c
		}, "en", routeDocs},
		// Art. 32(2), Art. 27(8): a certificate at "substantial" applied in full opens Module A.
		{"class-I-scheme-substantial", func() *config.Config {
			c := fixtureConfig(config.ClassImportantClassI)
			c.CertificationSchemes = []config.CertificationScheme{{Reference: "EUCC", Title: "Common Criteria based European cybersecurity certification scheme",
				Applied: "full", AssuranceLevel: "substantial", Certificate: "EUCC-2027-0042"}}
			c.Conformity.Procedure = config.ProcedureModuleA
			return c
		}, "en", routeDocs},
		{"class-I-FOSS-public-docs", fossConfig(config.ClassImportantClassI, "https://acme.example/cra/technical-documentation"), "en", routeDocs},
		{"class-I-FOSS-no-public-docs", fossConfig(config.ClassImportantClassI, ""), "en", routeDocs},
		{"class-II-FOSS-public-docs", fossConfig(config.ClassImportantClassII, "https://acme.example/cra/technical-documentation"), "en", routeDocs},
		{"class-II-FOSS-no-public-docs", fossConfig(config.ClassImportantClassII, ""), "en", routeDocs},
		{"class-II", func() *config.Config {
			c := fixtureConfig(config.ClassImportantClassII)
			c.Conformity.NotifiedBody = config.NotifiedBody{Name: "Nordic Cyber Certification A/S", Number: "2875", Certificate: "NCC-H-2027-17"}
			return c
		}, "en", routeDocs},
		{"critical", func() *config.Config { return fixtureConfig(config.ClassCritical) }, "en", routeDocs},
		{"steward", stewardConfig, "en", []string{docIndex, docVuln, docDeclaration}},
		{"steward-danish", stewardConfig, "da", []string{docDeclaration}},
		{"support-under-5-years", func() *config.Config {
			c := fixtureConfig(config.ClassDefault)
			c.Product.Support.End = date("2030-12-10")
			return c
		}, "en", []string{docSupport, docIndex}},
		{"placed-before-2027-12-11", func() *config.Config {
			c := fixtureConfig(config.ClassDefault)
			c.Product.FirstPlacedOnMarket = date("2026-03-01")
			c.Product.Support.End = date("2031-03-01")
			return c
		}, "en", []string{docSupport, docIndex, docDeclaration}},
		{"support-ended", func() *config.Config {
			c := fixtureConfig(config.ClassDefault)
			c.Product.FirstPlacedOnMarket = date("2021-01-01")
			c.Product.Support.End = date("2026-01-01")
			return c
		}, "en", []string{docGeneral, docSupport}},
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
