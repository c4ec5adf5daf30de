package sbom

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGenerateGolden pins the bytes of both documents for a few source
// sets: any change to what syft's encoders give or to the enrichment shows
// up here as a diff (refresh with -update after checking it).
func TestGenerateGolden(t *testing.T) {
	root := fixtureRoot(t)
	tests := []struct {
		name    string
		sources []string
		product func(*Product)
	}{
		{"all-sources", []string{"dir:gomod", "dir:npm", "dir:python", "docker-archive:image.docker.tar", "oci-dir:image-oci"}, nil},
		{"npm-no-manufacturer", []string{"dir:npm"}, func(p *Product) { *p = Product{Name: "hub", Version: "0.1.0"} }},
		{"image-only", []string{"oci-archive:image.oci.tar"}, func(p *Product) { p.Licence = "MIT OR Apache-2.0"; p.SupplierURL = "" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{
				Root: root, Sources: tc.sources, Product: testProduct(), Created: testCreated,
				ToolName: "cemark", ToolVersion: "0.0.0-test",
			}
			if tc.product != nil {
				tc.product(&cfg.Product)
			}
			res, err := Generate(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name+".cdx.json", res.CycloneDX)
			checkGolden(t, tc.name+".spdx.json", spdxOf(t, res))
		})
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		t.Logf("updating %s", path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, cmp.Diff(string(want), string(got)))
	}
}
