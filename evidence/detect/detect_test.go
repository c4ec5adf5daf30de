package detect

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/evidence/config"
)

// writeTree writes files (path → content) under a new temporary folder
// named name, so folder-name detection has a known name.
func writeTree(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), name)
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

func licenceText(t *testing.T, id string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "licences", id+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestProduct(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  Facts
	}{
		{"go module with major version", map[string]string{
			"go.mod":  "module github.com/example/gateway/v2\n\ngo 1.26\n",
			"LICENSE": licenceText(t, "MIT"),
		}, Facts{Name: "gateway", NameFrom: "go.mod", Licence: "MIT", LicenceFile: "LICENSE"}},
		{"go.mod wins over package.json, description still read", map[string]string{
			"go.mod":       "module example.com/tool\n",
			"package.json": `{"name": "tool-ui", "description": "Web UI"}`,
		}, Facts{Name: "tool", NameFrom: "go.mod", Description: "Web UI"}},
		{"npm project", map[string]string{
			"package.json": `{"name": "@example/hub", "version": "1.0.0", "description": "Home hub"}`,
			"LICENSE.md":   licenceText(t, "Apache-2.0"),
		}, Facts{Name: "@example/hub", NameFrom: "package.json", Description: "Home hub", Licence: "Apache-2.0", LicenceFile: "LICENSE.md"}},
		{"pyproject [project]", map[string]string{
			"pyproject.toml": "[project]\nname = \"sensor-agent\"\ndescription = \"Reads sensors\"\n",
			"COPYING":        licenceText(t, "BSD-3-Clause"),
		}, Facts{Name: "sensor-agent", NameFrom: "pyproject.toml", Description: "Reads sensors", Licence: "BSD-3-Clause", LicenceFile: "COPYING"}},
		{"pyproject [tool.poetry]", map[string]string{
			"pyproject.toml": "[tool.poetry]\nname = \"poetic\"\ndescription = \"Verse\"\n",
			"LICENCE":        licenceText(t, "ISC"),
		}, Facts{Name: "poetic", NameFrom: "pyproject.toml", Description: "Verse", Licence: "ISC", LicenceFile: "LICENCE"}},
		{"broken manifests are passed over", map[string]string{
			"package.json":   `{"name": `,
			"pyproject.toml": "[project\n",
			"LICENSE":        licenceText(t, "BSD-2-Clause"),
		}, Facts{Name: "product", NameFrom: "folder", Licence: "BSD-2-Clause", LicenceFile: "LICENSE"}},
		{"MPL", map[string]string{"LICENSE": licenceText(t, "MPL-2.0")},
			Facts{Name: "product", NameFrom: "folder", Licence: "MPL-2.0", LicenceFile: "LICENSE"}},
		{"GPL-2.0", map[string]string{"COPYING": licenceText(t, "GPL-2.0")},
			Facts{Name: "product", NameFrom: "folder", Licence: "GPL-2.0", LicenceFile: "COPYING"}},
		{"GPL-3.0", map[string]string{"COPYING": licenceText(t, "GPL-3.0")},
			Facts{Name: "product", NameFrom: "folder", Licence: "GPL-3.0", LicenceFile: "COPYING"}},
		{"LGPL-2.1", map[string]string{"LICENSE": licenceText(t, "LGPL-2.1")},
			Facts{Name: "product", NameFrom: "folder", Licence: "LGPL-2.1", LicenceFile: "LICENSE"}},
		{"LGPL-3.0", map[string]string{"LICENSE": licenceText(t, "LGPL-3.0")},
			Facts{Name: "product", NameFrom: "folder", Licence: "LGPL-3.0", LicenceFile: "LICENSE"}},
		{"AGPL-3.0", map[string]string{"LICENSE": licenceText(t, "AGPL-3.0")},
			Facts{Name: "product", NameFrom: "folder", Licence: "AGPL-3.0", LicenceFile: "LICENSE"}},
		{"two licences in one file are not guessed", map[string]string{"LICENSE": licenceText(t, "MIT") + "\n" + licenceText(t, "ISC")},
			Facts{Name: "product", NameFrom: "folder", LicenceFile: "LICENSE"}},
		{"unknown licence is not guessed", map[string]string{"LICENSE": licenceText(t, "proprietary")},
			Facts{Name: "product", NameFrom: "folder", LicenceFile: "LICENSE"}},
		{"nothing at all", nil, Facts{Name: "product", NameFrom: "folder"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := writeTree(t, "product", tc.files)
			got, err := Product(context.Background(), root)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProductCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Product(ctx, t.TempDir()); err == nil {
		t.Error("Product with a cancelled context: want an error")
	}
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_DATE=2025-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2025-01-01T00:00:00Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestApplyDefaults(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	ctx := context.Background()
	plain := writeTree(t, "plain", map[string]string{"LICENSE": licenceText(t, "MIT")})

	repo := writeTree(t, "repo", map[string]string{"go.mod": "module example.com/gw\n"})
	gitIn(t, repo, "init", "-q")
	gitIn(t, repo, "config", "user.name", "T")
	gitIn(t, repo, "config", "user.email", "t@example.com")
	gitIn(t, repo, "add", "go.mod")
	gitIn(t, repo, "commit", "-q", "-m", "one")

	tagged := writeTree(t, "tagged", nil)
	gitIn(t, tagged, "init", "-q")
	gitIn(t, tagged, "config", "user.name", "T")
	gitIn(t, tagged, "config", "user.email", "t@example.com")
	gitIn(t, tagged, "commit", "-q", "--allow-empty", "-m", "one")
	gitIn(t, tagged, "tag", "v1.4.0")

	tests := []struct {
		name, root, flag string
		cfg              config.Config
		want             config.Product
		versionPrefix    bool // want.Version is a prefix (a commit ID)
	}{
		{"no git: unversioned", plain, "", config.Config{},
			config.Product{Name: "plain", Version: "unversioned", Licence: "MIT"}, false},
		{"flag wins over config", plain, "2.0.0", config.Config{Product: config.Product{Version: "1.0.0"}},
			config.Product{Name: "plain", Version: "2.0.0", Licence: "MIT"}, false},
		{"config kept", plain, "", config.Config{Product: config.Product{Name: "Gateway", Version: "1.0.0", Licence: "Apache-2.0"}},
			config.Product{Name: "Gateway", Version: "1.0.0", Licence: "Apache-2.0"}, false},
		{"git describe", tagged, "", config.Config{}, config.Product{Name: "tagged", Version: "v1.4.0"}, false},
		{"commit without tags", repo, "", config.Config{}, config.Product{Name: "gw"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			if err := ApplyDefaults(ctx, tc.root, &cfg, tc.flag); err != nil {
				t.Fatal(err)
			}
			if tc.versionPrefix {
				if len(cfg.Product.Version) != 12 || strings.Trim(cfg.Product.Version, "0123456789abcdef") != "" {
					t.Errorf("version %q, want a 12-digit commit ID", cfg.Product.Version)
				}
				cfg.Product.Version = ""
			}
			if diff := cmp.Diff(tc.want, cfg.Product); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
