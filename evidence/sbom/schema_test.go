package sbom

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// moduleDir finds a module's directory in the local module cache.
func moduleDir(t *testing.T, module string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", module, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatalf("module %s is not in the module cache", module)
	}
	return dir
}

var (
	schemaOnce            sync.Once
	cdxSchema, spdxSchema *jsonschema.Schema
	schemaErr             error
)

// officialSchemas compiles the CycloneDX 1.6 schema (from cyclonedx-go's
// module) and the SPDX 2.3 schema (from syft's module), all references
// served from local files: no network.
func officialSchemas(t *testing.T) (*jsonschema.Schema, *jsonschema.Schema) {
	t.Helper()
	schemaOnce.Do(func() {
		cdxDir := filepath.Join(moduleDir(t, "github.com/CycloneDX/cyclonedx-go"), "schema")
		syftDir := moduleDir(t, "github.com/anchore/syft")
		c := jsonschema.NewCompiler()
		resources := map[string]string{
			"http://cyclonedx.org/schema/bom-1.6.schema.json":  filepath.Join(cdxDir, "bom-1.6.schema.json"),
			"http://cyclonedx.org/schema/spdx.schema.json":     filepath.Join(cdxDir, "spdx.schema.json"),
			"http://cyclonedx.org/schema/jsf-0.82.schema.json": filepath.Join(cdxDir, "jsf-0.82.schemax.json"),
			"http://spdx.org/rdf/terms/2.3":                    filepath.Join(syftDir, "schema", "spdx-json", "spdx-schema-2.3.json"),
		}
		for url, path := range resources {
			b, err := os.ReadFile(path)
			if err != nil {
				schemaErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				schemaErr = err
				return
			}
			if err := c.AddResource(url, doc); err != nil {
				schemaErr = err
				return
			}
		}
		// Any reference not added above is an error, never a download.
		c.UseLoader(jsonschema.SchemeURLLoader{})
		if cdxSchema, schemaErr = c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json"); schemaErr != nil {
			return
		}
		spdxSchema, schemaErr = c.Compile("http://spdx.org/rdf/terms/2.3")
	})
	if schemaErr != nil {
		t.Fatalf("compile official schemas: %v", schemaErr)
	}
	return cdxSchema, spdxSchema
}

func validateAgainst(t *testing.T, s *jsonschema.Schema, what string, doc []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", what, err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not validate against its official schema:\n%v", what, err)
	}
}

// The validators must be able to fail: a guard against a schema set-up
// that accepts anything.
func TestSchemasRejectInvalid(t *testing.T) {
	cdxS, spdxS := officialSchemas(t)
	bad := map[string][]byte{
		"cdx":  []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"nonsense","name":"x"}]}`),
		"spdx": []byte(`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"name":1}]}`),
	}
	for what, s := range map[string]*jsonschema.Schema{"cdx": cdxS, "spdx": spdxS} {
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad[what]))
		if err := s.Validate(v); err == nil {
			t.Errorf("%s schema accepted an invalid document", what)
		}
	}
}
