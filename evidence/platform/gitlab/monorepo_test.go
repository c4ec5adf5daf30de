package gitlab

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

// TestMonorepoReportsFromTheRepositoryRoot: with CEMARK_PATH a folder of
// the project, the Code Quality paths and the dependency reports' input
// files start from the repository root, and name files that exist.
func TestMonorepoReportsFromTheRepositoryRoot(t *testing.T) {
	dir := t.TempDir()
	prod := filepath.Join(dir, "services", "api")
	err := filepath.WalkDir(fixtureDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fixtureDir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(prod, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(prod, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Dependencies, so that the dependency list has something to show, and
	// the dependency-scanning report a vulnerability (golang.org/x/text
	// before 0.3.3, in the test database).
	mod := "module example.com/widget\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgolang.org/x/text v0.3.2\n)\n"
	sum := "github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\ngithub.com/google/uuid v1.6.0/go.mod h1:TfQEDn0eUNU8gZBzDBIRWrDmlPUcwlwNSJxKqw4jb0w=\n" +
		"golang.org/x/text v0.3.2 h1:tW2bmiBqwgJj/UpqtC8EpXEZVYOwU0yG4iWbprSVAcs=\ngolang.org/x/text v0.3.2/go.mod h1:bEr9sfX3Q8Zfm5fL9x+3itogRgK3+ptLWKqgva+5dAk=\n"
	if err := os.WriteFile(filepath.Join(prod, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(prod, "go.sum"), []byte(sum), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "monorepo")

	var log bytes.Buffer
	// The component's cache folder, at the project root (outside the product).
	vulndbtest.Install(t, filepath.Join(dir, ".cemark-cache", "grype-db"), vulndbtest.Options{})
	env := ciEnv(dir, map[string]string{"CEMARK_PATH": "services/api", "CEMARK_OUTPUT_DIR": "services/api/.cemark", "CEMARK_DOCS": "off", "CEMARK_FAIL_ON": "none",
		"CEMARK_VULN_DB": ".cemark-cache/grype-db", "CEMARK_VULN_DB_UPDATE": "false"})
	if err := Run(context.Background(), Deps{Getenv: env, Log: &log}); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	out := filepath.Join(prod, ".cemark")
	exists := func(p string) bool {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
		return err == nil && !fi.IsDir()
	}

	var cq []struct {
		CheckName string `json:"check_name"`
		Location  struct {
			Path string `json:"path"`
		} `json:"location"`
	}
	b, err := os.ReadFile(filepath.Join(out, "codequality.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cq); err != nil || len(cq) == 0 {
		t.Fatalf("codequality.json: %v, %d issues", err, len(cq))
	}
	for _, i := range cq {
		if !strings.HasPrefix(i.Location.Path, "services/api/") || !exists(i.Location.Path) {
			t.Errorf("Code Quality issue %s at %q: not a file from the repository root", i.CheckName, i.Location.Path)
		}
	}

	reports, _ := filepath.Glob(filepath.Join(out, "gl-sbom-*.cdx.json"))
	if len(reports) != 1 {
		t.Fatalf("dependency reports %v, want one for go.mod\n%s", reports, log.String())
	}
	var d struct {
		Metadata struct {
			Properties []struct{ Name, Value string } `json:"properties"`
		} `json:"metadata"`
	}
	b, _ = os.ReadFile(reports[0])
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{}
	for _, p := range d.Metadata.Properties {
		props[p.Name] = p.Value
	}
	if props["gitlab:meta:schema_version"] != "1" || props["gitlab:dependency_scanning:input_file:path"] != "services/api/go.mod" ||
		props["gitlab:dependency_scanning:package_manager:name"] != "go" || !exists(props["gitlab:dependency_scanning:input_file:path"]) {
		t.Errorf("dependency report properties %v", props)
	}

	// The dependency-scanning report locates each vulnerability in a file
	// from the repository root, as Code Quality does.
	var ds struct {
		Vulnerabilities []struct {
			Name     string `json:"name"`
			Location struct {
				File string `json:"file"`
			} `json:"location"`
		} `json:"vulnerabilities"`
		DependencyFiles []struct {
			Path string `json:"path"`
		} `json:"dependency_files"`
	}
	b, err = os.ReadFile(filepath.Join(out, evidencedir.DependencyScanning))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ds); err != nil || len(ds.Vulnerabilities) == 0 || len(ds.DependencyFiles) == 0 {
		t.Fatalf("%s: %v\n%s", evidencedir.DependencyScanning, err, b)
	}
	for _, v := range ds.Vulnerabilities {
		if v.Location.File != "services/api/go.mod" {
			t.Errorf("%s at %q, want services/api/go.mod", v.Name, v.Location.File)
		}
	}
	if p := ds.DependencyFiles[0].Path; p != "services/api/go.mod" || !exists(p) {
		t.Errorf("dependency file %q", p)
	}
}
