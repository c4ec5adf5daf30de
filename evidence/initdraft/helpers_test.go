package initdraft

import (
	"os"
	"path/filepath"
	"testing"
)

// writeTree writes files (path → content) under a new temporary folder
// named name, so folder-name detection has a known name.
func writeTree(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// licenceText is a licence text from evidence/detect's fixtures, which
// the starter's licence detection reads.
func licenceText(t *testing.T, id string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "detect", "testdata", "licences", id+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
