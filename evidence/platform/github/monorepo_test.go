package github

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/format/sarif/sariftest"
)

// monorepo is a repository whose product is the widget fixture in
// services/api; withConfig false leaves its cemark.yaml out.
func monorepo(t *testing.T, withConfig bool) string {
	t.Helper()
	ws := t.TempDir()
	prod := filepath.Join(ws, "services", "api")
	err := filepath.WalkDir(fixtureDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fixtureDir, p)
		if rel == "cemark.yaml" && !withConfig {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(prod, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "README.md"), []byte("# The monorepo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, ws, "init", "-q", "-b", "main")
	git(t, ws, "add", ".")
	git(t, ws, "commit", "-q", "-m", "monorepo")
	return ws
}

// TestMonorepoPathsFromTheRepositoryRoot: with `path: services/api` the
// SARIF URIs, the Code Quality paths, the annotations and the job summary
// name files from the repository root — one prefix everywhere — and every
// finding without a file points at a file that exists.
func TestMonorepoPathsFromTheRepositoryRoot(t *testing.T) {
	for _, tc := range []struct {
		name       string
		withConfig bool
		fallback   string // where findings without a file point
	}{
		{name: "with cemark.yaml", withConfig: true, fallback: "services/api/cemark.yaml"},
		{name: "without cemark.yaml: the evidence file", fallback: "services/api/.cemark/sbom.cdx.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := monorepo(t, tc.withConfig)
			_, srv := newFakeGitHub(t)
			r := newRunner(t, ws, srv.URL+apiPrefix, "push", map[string]string{"path": "services/api", "fail-on": "none", "docs": "off"})
			if err := r.run(); err != nil {
				t.Fatalf("run: %v\n%s", err, r.stdout.String())
			}
			out := r.outputs()
			if out["sarif"] != "services/api/.cemark/report.sarif" {
				t.Fatalf("sarif output %q", out["sarif"])
			}
			exists := func(p string) bool {
				fi, err := os.Stat(filepath.Join(ws, filepath.FromSlash(p)))
				return err == nil && !fi.IsDir()
			}
			check := func(what, p string) {
				t.Helper()
				if !strings.HasPrefix(p, "services/api/") || !exists(p) {
					t.Errorf("%s names %q: not a file of the repository from its root", what, p)
				}
			}

			b, err := os.ReadFile(filepath.Join(ws, out["sarif"]))
			if err != nil {
				t.Fatal(err)
			}
			sarif := sariftest.Decode(t, b)
			fallbacks := 0
			for _, res := range sarif.Runs[0].Results {
				uri := res.URI()
				check("SARIF result "+res.RuleID, uri)
				if uri == tc.fallback {
					fallbacks++
				}
			}
			if len(sarif.Runs[0].Results) == 0 || fallbacks == 0 {
				t.Errorf("%d results, %d at %s: want findings without a file there", len(sarif.Runs[0].Results), fallbacks, tc.fallback)
			}

			var cq []struct {
				CheckName string `json:"check_name"`
				Location  struct {
					Path string `json:"path"`
				} `json:"location"`
			}
			readJSON(t, filepath.Join(ws, "services", "api", ".cemark", "codequality.json"), &cq)
			if len(cq) == 0 {
				t.Fatal("no Code Quality issue")
			}
			for _, i := range cq {
				check("Code Quality issue "+i.CheckName, i.Location.Path)
			}

			files := regexp.MustCompile(`::(?:error|warning) file=([^,:]+)`).FindAllStringSubmatch(r.stdout.String(), -1)
			if len(files) == 0 {
				t.Fatalf("no annotation on a file:\n%s", r.stdout.String())
			}
			for _, m := range files {
				check("annotation", m[1])
			}
			if !strings.Contains(r.stdout.String(), "::error file=services/api/Dockerfile,line=") {
				t.Errorf("no error annotation on services/api/Dockerfile:\n%s", r.stdout.String())
			}
			if !strings.Contains(r.summary(), "`services/api/Dockerfile:") {
				t.Errorf("the job summary does not name services/api/Dockerfile:\n%s", r.summary())
			}
			// report.json stays the product's own evidence: paths from the product root.
			if b, _ := os.ReadFile(filepath.Join(ws, "services", "api", ".cemark", "report.json")); strings.Contains(string(b), "services/api/") {
				t.Error("report.json took the repository prefix")
			}
		})
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
