package initdraft

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/failure"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestStarter(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		files  map[string]string
		opts   StarterOptions
		golden string
	}{
		{"go module, MIT, no inventory", map[string]string{
			"go.mod":  "module github.com/example/gateway\n",
			"LICENSE": licenceText(t, "MIT"),
		}, StarterOptions{}, "go-mit.yaml"},
		{"npm project with inventory, unknown licence", map[string]string{
			"package.json": `{"name": "@example/hub", "description": "Home hub: \"fast\"\nand small"}`,
			"LICENSE":      licenceText(t, "proprietary"),
		}, StarterOptions{Interfaces: []config.Interface{
			{Port: 8080, Protocol: "TCP", Bind: "all"},
			{Port: 443, Protocol: "tcp", TLS: new(true), Purpose: "HTTPS: API"},
			{Port: 5353, Protocol: "udp"},
			{Port: 443, Protocol: "tcp"},   // duplicate: merged
			{Port: 0, Protocol: "tcp"},     // not a port: left out
			{Port: 1883, Protocol: "quic"}, // unknown protocol: a comment
			{Port: 6060, Bind: "0.0.0.0"},  // all interfaces
			{Port: 9229, Bind: "10.0.0.5"}, // a specific address: bind left out
		}}, "npm-inventory.yaml"},
		{"inventory with nothing declarable", map[string]string{
			"pyproject.toml": "[project]\nname = \"agent\"\n",
		}, StarterOptions{Interfaces: []config.Interface{{Port: 70000}}}, "python-rejected-only.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := writeTree(t, "product", tc.files)
			data, err := Starter(ctx, root, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "starter", tc.golden)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(data)); diff != "" {
				t.Errorf("starter differs from %s (-want +got):\n%s", golden, diff)
			}

			cfg, err := config.Parse(config.FileName, data)
			if err != nil {
				t.Fatalf("starter does not load: %v", err)
			}
			if cfg.Manufacturer != (config.Manufacturer{}) || cfg.Security != (config.Security{}) || cfg.Product.Class != "" || cfg.Product.Support.End != nil {
				t.Errorf("starter states manufacturer facts it cannot know: %+v", cfg)
			}
			if missing := config.Missing(cfg); len(missing) < 10 {
				t.Errorf("starter leaves only %d facts missing; want every manufacturer fact missing", len(missing))
			}
			again, err := Starter(ctx, root, tc.opts)
			if err != nil || string(again) != string(data) {
				t.Errorf("second Starter differs (err %v)", err)
			}
		})
	}
}

func TestWriteStarter(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	path, err := WriteStarter(ctx, root, []byte("product:\n  name: \"x\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(root, config.FileName) {
		t.Errorf("path = %s", path)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o644 {
		t.Fatalf("stat %s: %v %v", path, info, err)
	}

	// Never overwrites: the first file stays as it was.
	_, err = WriteStarter(ctx, root, []byte("product:\n  name: \"y\"\n"))
	if failure.KindOf(err) != failure.ErrUsage || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second WriteStarter: exit %v, %v; want exit 2 and 'already exists'", failure.KindOf(err), err)
	}
	if data, _ := os.ReadFile(path); string(data) != "product:\n  name: \"x\"\n" {
		t.Errorf("existing file changed to %q", data)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	// Not even a dangling symlink is replaced.
	linkRoot := t.TempDir()
	if err := os.Symlink(filepath.Join(linkRoot, "elsewhere"), filepath.Join(linkRoot, config.FileName)); err != nil {
		t.Skip("no symlinks here")
	}
	if _, err := WriteStarter(ctx, linkRoot, []byte("a")); failure.KindOf(err) != failure.ErrUsage {
		t.Errorf("WriteStarter over a dangling symlink: %v; want exit 2", err)
	}

	// A root that is not a folder is a usage error.
	if _, err := WriteStarter(ctx, path, []byte("a")); failure.KindOf(err) != failure.ErrUsage {
		t.Errorf("WriteStarter into a file: %v; want exit 2", err)
	}
	if _, err := WriteStarter(ctx, filepath.Join(root, "missing"), []byte("a")); failure.KindOf(err) != failure.ErrUsage || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WriteStarter into a missing folder: %v; want exit 2", err)
	}
}

func TestInit(t *testing.T) {
	ctx := context.Background()
	root := writeTree(t, "widget", map[string]string{"go.mod": "module example.com/widget\n"})
	path, data, err := Init(ctx, root, StarterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if written, _ := os.ReadFile(path); string(written) != string(data) || !strings.Contains(string(data), `name: "widget"`) {
		t.Errorf("Init wrote %q", written)
	}
	if _, _, err := Init(ctx, root, StarterOptions{}); failure.KindOf(err) != failure.ErrUsage || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second Init: %v; want exit 2 and 'already exists'", err)
	}
	if _, _, err := Init(ctx, filepath.Join(root, "nope"), StarterOptions{}); failure.KindOf(err) != failure.ErrUsage {
		t.Errorf("Init in a missing folder: %v; want exit 2", err)
	}
}

// TestStarterOffersTheStatementKeys: the starter offers every key a
// manufacturer fills for the declaration and Art. 14, empty, and keeps
// "type" (the kind of product) apart from the type designation Annex II 3,
// Annex V 1 and Annex VI ask for.
func TestStarterOffersTheStatementKeys(t *testing.T) {
	root := writeTree(t, "product", map[string]string{"go.mod": "module example.com/gw\n"})
	data, err := Starter(context.Background(), root, StarterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range [][2]string{
		{"product", "type"}, {"product", "type_designation"}, {"product", "hardware"},
		{"manufacturer", "role"}, {"conformity", "procedure"},
		{"reporting", "member_state"}, {"reporting", "csirt"}, {"reporting", "contact"},
		{"reporting", "submitters"}, {"reporting", "available_in"},
	} {
		v, ok := doc[k[0]][k[1]]
		if !ok {
			t.Errorf("the starter does not offer %s.%s", k[0], k[1])
			continue
		}
		if s, isList := v.([]any); v != nil && !(isList && len(s) == 0) {
			t.Errorf("%s.%s = %v: the starter states what only the manufacturer can", k[0], k[1], v)
		}
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if l == "  type:" && strings.Contains(lines[i-1], "Annex II 3") {
			t.Errorf("product.type cites Annex II 3, whose \"type\" is the type designation:\n%s", lines[i-1])
		}
	}
}
