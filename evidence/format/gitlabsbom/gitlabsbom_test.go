package gitlabsbom

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cemark/cemark/evidence/sbom"
)

// monorepoSBOM makes cemark's SBOM of services/api, a product in a
// monorepo with a Go module and an npm lock file, with the sbom stage
// itself: real syft output, no hand-written CycloneDX.
func monorepoSBOM(t *testing.T) []byte {
	t.Helper()
	root := filepath.Join(t.TempDir(), "services", "api")
	files := map[string]string{
		"go.mod": "module example.com/api\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
		"go.sum": "github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\n" +
			"github.com/google/uuid v1.6.0/go.mod h1:TfQEDn0eUNU8gZBzDBIRWrDmlPUcwlwNSJxKqw4jb0w=\n",
		"web/package-lock.json": `{"name":"web","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{` +
			`"":{"name":"web","version":"1.0.0","dependencies":{"express":"4.18.2"}},` +
			`"node_modules/express":{"version":"4.18.2","resolved":"https://registry.npmjs.org/express/-/express-4.18.2.tgz","integrity":"sha512-abc","license":"MIT"}}}`,
		"web/package.json": `{"name":"web","version":"1.0.0","dependencies":{"express":"4.18.2"}}`,
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := sbom.Generate(context.Background(), sbom.Config{Root: root, Product: sbom.Product{Name: "api", Version: "1.0.0"}})
	if err != nil {
		t.Fatal(err)
	}
	return res.CycloneDX
}

type doc struct {
	Metadata struct {
		Properties []prop `json:"properties"`
	} `json:"metadata"`
	Components []struct {
		Name       string `json:"name"`
		Properties []prop `json:"properties"`
	} `json:"components"`
	SerialNumber string `json:"serialNumber"`
}

type prop struct{ Name, Value string }

func get(ps []prop, name string) string {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// TestReportsForGitLabsDependencyList: one report per input file, named
// from the repository root, with the properties GitLab's dependency list
// reads (source file, package manager), valid CycloneDX 1.6, the same
// bytes on every run.
func TestReportsForGitLabsDependencyList(t *testing.T) {
	cdx := monorepoSBOM(t)
	reps, err := Reports(cdx, "services/api")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		pm, lang, source string
		names            []string
	}{
		"services/api/go.mod":                {"go", "Go", "services/api/go.mod", []string{"github.com/google/uuid"}},
		"services/api/web/package-lock.json": {"npm", "JavaScript", "services/api/web/package.json", []string{"express", "web"}},
	}
	if len(reps) != len(want) {
		t.Fatalf("%d reports, want %d: %+v", len(reps), len(want), reps)
	}
	schema := cycloneDXSchema(t)
	serials := map[string]bool{}
	for _, r := range reps {
		w, ok := want[r.InputFile]
		if !ok {
			t.Errorf("unexpected report for %s", r.InputFile)
			continue
		}
		if !strings.HasPrefix(r.Name, "gl-sbom-"+w.pm+"-") || !strings.HasSuffix(r.Name, ".cdx.json") {
			t.Errorf("%s: file name %s", r.InputFile, r.Name)
		}
		var d doc
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatal(err)
		}
		m := d.Metadata.Properties
		for k, v := range map[string]string{
			"gitlab:meta:schema_version":                      "1",
			"gitlab:dependency_scanning:input_file:path":      r.InputFile,
			"gitlab:dependency_scanning:source_file:path":     w.source,
			"gitlab:dependency_scanning:package_manager:name": w.pm,
			"gitlab:dependency_scanning:language:name":        w.lang,
		} {
			if got := get(m, k); got != v {
				t.Errorf("%s: metadata %s = %q, want %q", r.InputFile, k, got, v)
			}
		}
		var names []string
		for _, c := range d.Components {
			names = append(names, c.Name)
			if get(c.Properties, "gitlab:dependency_scanning:input_file:path") != r.InputFile ||
				get(c.Properties, "gitlab:dependency_scanning:package_manager:name") != w.pm {
				t.Errorf("%s: component %s lacks its own input file and package manager", r.InputFile, c.Name)
			}
		}
		if strings.Join(names, ",") != strings.Join(w.names, ",") {
			t.Errorf("%s: components %v, want %v", r.InputFile, names, w.names)
		}
		if serials[d.SerialNumber] {
			t.Errorf("%s: serial number %s reused", r.InputFile, d.SerialNumber)
		}
		serials[d.SerialNumber] = true
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s is not valid CycloneDX 1.6:\n%v", r.Name, err)
		}
	}
	again, err := Reports(cdx, "services/api")
	if err != nil {
		t.Fatal(err)
	}
	for i := range reps {
		if !bytes.Equal(reps[i].Data, again[i].Data) {
			t.Errorf("%s: not the same bytes twice", reps[i].Name)
		}
	}
	// At the repository root there is no prefix.
	root, _ := Reports(cdx, "")
	if len(root) != 2 || root[0].InputFile != "go.mod" {
		t.Errorf("at the root: %+v", root)
	}
}

func TestReportsRejectNonCycloneDX(t *testing.T) {
	if _, err := Reports([]byte(`{"spdxVersion":"SPDX-2.3"}`), ""); err == nil {
		t.Error("an SPDX document was taken for CycloneDX")
	}
}

// cycloneDXSchema compiles the CycloneDX 1.6 schema from cyclonedx-go's
// module; every reference resolves to a local file.
func cycloneDXSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/CycloneDX/cyclonedx-go").Output()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "schema")
	c := jsonschema.NewCompiler()
	for url, file := range map[string]string{
		"http://cyclonedx.org/schema/bom-1.6.schema.json":  "bom-1.6.schema.json",
		"http://cyclonedx.org/schema/spdx.schema.json":     "spdx.schema.json",
		"http://cyclonedx.org/schema/jsf-0.82.schema.json": "jsf-0.82.schemax.json",
	} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		d, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(url, d); err != nil {
			t.Fatal(err)
		}
	}
	c.UseLoader(jsonschema.SchemeURLLoader{})
	s, err := c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}
