package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStartersValidate: every starter cemark init writes (the golden files
// of evidence/initdraft, which its tests keep equal to what it writes)
// loads and validates against the JSON Schema.
func TestStartersValidate(t *testing.T) {
	schema := compileSchema(t)
	files, err := filepath.Glob(filepath.Join("..", "initdraft", "testdata", "starter", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no starter golden files: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(FileName, data); err != nil {
			t.Errorf("%s does not load: %v", f, err)
		}
		v, err := yamlToJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s does not validate against the schema: %v", f, err)
		}
	}
}
