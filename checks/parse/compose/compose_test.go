package compose

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"github.com/cemark/cemark/checks/parse"
)

func read(t *testing.T, paths ...string) []File {
	t.Helper()
	var out []File
	for _, p := range paths {
		data, err := os.ReadFile("testdata/" + p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, File{Path: p, Data: data})
	}
	return out
}

func TestLoadProject(t *testing.T) {
	t.Setenv("WEB_PORT", "1111") // the process environment must not leak in
	p := Load(context.Background(), t.TempDir(), read(t, "app/compose.yaml", "app/compose.override.yaml"), nil)
	if len(p.Issues) > 0 {
		t.Fatalf("issues: %v", p.Issues)
	}
	if len(p.Services) != 2 {
		t.Fatalf("services (debug profile must be inactive): %+v", p.Services)
	}
	db, web := p.Services[0], p.Services[1]
	if web.Name != "web" || web.Line != 3 || web.Path != "app/compose.yaml" {
		t.Errorf("web: %+v", web.Loc)
	}
	if web.Image.Value != "example/web:1.0" || web.User.Value != "root" || web.User.Line != 5 {
		t.Errorf("web image/user: %+v %+v", web.Image, web.User)
	}
	wantPorts := []Port{
		{Target: 80, Published: "8080", Protocol: "tcp", Loc: Loc{Path: "app/compose.yaml", Line: 7, Column: 9}},
		{Target: 9229, Published: "9229", HostIP: "127.0.0.1", Protocol: "tcp", Loc: Loc{Path: "app/compose.yaml", Line: 8, Column: 9}},
		{Target: 443, Published: "8443", Protocol: "tcp", Loc: Loc{Path: "app/compose.yaml", Line: 9, Column: 9}},
	}
	got := web.Ports
	for i := range got {
		got[i].Mode = ""
	}
	if diff := cmp.Diff(wantPorts, got); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	if len(web.Expose) != 1 || web.Expose[0].Target != 3000 || web.Expose[0].Line != 13 {
		t.Errorf("expose: %+v", web.Expose)
	}
	if len(web.CapAdd) != 1 || web.CapAdd[0].Line != 14 {
		t.Errorf("cap_add: %+v", web.CapAdd)
	}
	if len(web.Environment) != 2 || web.Environment[0].Name != "API_KEY" || web.Environment[0].Raw != "${API_KEY}" || web.Environment[0].Line != 17 ||
		web.Environment[1].Value != "hunter2" || web.Environment[1].Line != 16 {
		t.Errorf("environment: %+v", web.Environment)
	}
	if len(web.Volumes) != 1 || web.Volumes[0].Source != "/var/run/docker.sock" || web.Volumes[0].Line != 19 {
		t.Errorf("volumes: %+v", web.Volumes)
	}
	if !db.Privileged || db.PrivLoc.Path != "app/compose.override.yaml" || db.PrivLoc.Line != 3 || db.Pid.Value != "host" || db.NetworkMode.Value != "host" || db.NetworkMode.Line != 26 {
		t.Errorf("db: %+v", db)
	}
	if len(db.Environment) != 1 || db.Environment[0].Value != "changeme" || db.Environment[0].Line != 28 {
		t.Errorf("db env: %+v", db.Environment)
	}

	p = Load(context.Background(), t.TempDir(), read(t, "app/compose.yaml"), []string{"debug"})
	if len(p.Services) != 3 {
		t.Errorf("profile debug: %d services", len(p.Services))
	}
}

func TestLoadBadInput(t *testing.T) {
	for name, tc := range map[string]struct{ src, want string }{
		"syntax":         {"services:\n  a: [\n", "not parsed"},
		"not a mapping":  {"- a\n- b\n", "not loaded"},
		"bad port":       {"services:\n  a:\n    image: x\n    ports: [\"abc:def:ghi:jkl\"]\n", "read leniently"},
		"empty":          {"", "empty"},
		"required var":   {"services:\n  a:\n    image: x:${TAG:?tag required}\n    ports: [\"80:80\"]\n", ""},
		"remote include": {"include:\n  - oci://example.com/x\nservices:\n  a:\n    image: x\n", ""},
	} {
		t.Run(name, func(t *testing.T) {
			p := Load(context.Background(), t.TempDir(), []File{{Path: "compose.yaml", Data: []byte(tc.src)}}, nil)
			if tc.want == "" {
				if len(p.Issues) > 0 || len(p.Services) != 1 {
					t.Fatalf("want one service and no issue, got %+v", p)
				}
				return
			}
			if len(p.Issues) != 1 || !strings.Contains(p.Issues[0].Message, tc.want) || p.Issues[0].Path != "compose.yaml" {
				t.Fatalf("want an issue with %q, got %+v", tc.want, p.Issues)
			}
		})
	}
}

func TestLoadLenientKeepsEveryService(t *testing.T) {
	// One bad service (a port compose-go refuses) and a duplicate key:
	// compose-go refuses the whole project; the lenient reading judges
	// every service and says so.
	src := "services:\n" +
		"  web:\n    image: nginx:latest\n    privileged: true\n    ports:\n      - \"127.0.0.1:8080:80\"\n      - target: 443\n        published: \"8443\"\n    environment:\n      - DB_PASSWORD=${DB_PASSWORD:-hunter2}\n" +
		"  broken:\n    image: x\n    ports: [\"abc:def:ghi:jkl\"]\n    user: root\n    user: root\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n"
	p := Load(context.Background(), t.TempDir(), []File{{Path: "compose.yaml", Data: []byte(src)}}, nil)
	if !p.Lenient || len(p.Issues) != 1 || !p.Issues[0].Lenient || !strings.Contains(p.Issues[0].Message, "read leniently") {
		t.Fatalf("want one lenient issue, got %+v", p.Issues)
	}
	if len(p.Services) != 2 {
		t.Fatalf("services: %+v", p.Services)
	}
	b, w := p.Services[0], p.Services[1]
	if b.User.Value != "root" || len(b.Volumes) != 1 || b.Volumes[0].Source != "/var/run/docker.sock" || b.Volumes[0].Type != "bind" || b.Volumes[0].Line != 17 {
		t.Errorf("broken service: %+v", b)
	}
	if !w.Privileged || w.PrivLoc.Line != 4 || w.Image.Value != "nginx:latest" || len(w.Ports) != 2 ||
		w.Ports[0].HostIP != "127.0.0.1" || w.Ports[0].Published != "8080" || w.Ports[0].Target != 80 || w.Ports[1].Target != 443 {
		t.Errorf("web service: %+v", w)
	}
	if len(w.Environment) != 1 || w.Environment[0].Value != "hunter2" || w.Environment[0].Raw != "${DB_PASSWORD:-hunter2}" {
		t.Errorf("web environment: %+v", w.Environment)
	}
}

func TestLoadComposeGoPanic(t *testing.T) {
	// compose-go panics on a top-level key with no value; it is a per-file error.
	p := Load(context.Background(), t.TempDir(), []File{{Path: "compose.yaml", Data: []byte("  volumes:")}}, nil)
	if len(p.Issues) != 1 || !strings.Contains(p.Issues[0].Message, "could not load") {
		t.Fatalf("issues: %+v", p.Issues)
	}
}

func TestLoadKeepsComposeGoWarningsOffStderr(t *testing.T) {
	// compose-go warns through logrus's standard logger; none of it may
	// reach the user's stderr, and the logger's output is restored after.
	std := logrus.StandardLogger()
	var caught bytes.Buffer
	prev := std.Out
	std.SetOutput(&caught)
	t.Cleanup(func() { std.SetOutput(prev) })
	data := []byte("version: \"3\"\nservices:\n  app:\n    image: x:1\n    read_only: yes\nnetworks:\n  n:\n    external:\n      name: foo\n")
	p := Load(context.Background(), t.TempDir(), []File{{Path: "compose.yaml", Data: data}}, nil)
	if len(p.Issues) > 0 || len(p.Services) != 1 {
		t.Fatalf("project: %+v", p)
	}
	if caught.Len() > 0 {
		t.Errorf("compose-go logged to the standard logger: %s", caught.String())
	}
	if std.Out != &caught {
		t.Errorf("logrus output not restored")
	}
}

func TestLoadIgnoresWrongTypesNoCheckReads(t *testing.T) {
	// Only the fields the checks read are bound (serviceModel): a value of
	// the wrong type elsewhere (stop_grace_period) no longer costs the
	// project compose-go's reading, and profiles are still applied.
	src := "services:\n" +
		"  web:\n    image: nginx\n    ports: [\"8080:80\"]\n    stop_grace_period: [1]\n" +
		"  debug:\n    image: busybox\n    profiles: [debug]\n    privileged: true\n"
	p := Load(context.Background(), t.TempDir(), []File{{Path: "compose.yaml", Data: []byte(src)}}, nil)
	if p.Lenient || len(p.Issues) != 0 || !p.Interpolated {
		t.Fatalf("want compose-go's reading, got lenient=%v issues %+v", p.Lenient, p.Issues)
	}
	if len(p.Services) != 1 || p.Services[0].Name != "web" || len(p.Services[0].Ports) != 1 || p.Services[0].Ports[0].Published != "8080" || p.Services[0].Ports[0].Line != 4 {
		t.Fatalf("services (profile debug inactive): %+v", p.Services)
	}
	p = Load(context.Background(), t.TempDir(), []File{{Path: "compose.yaml", Data: []byte(src)}}, []string{"debug"})
	if len(p.Services) != 2 || p.Services[0].Name != "debug" || !p.Services[0].Privileged || p.Services[0].PrivLoc.Line != 9 {
		t.Fatalf("services (profile debug active): %+v", p.Services)
	}

	// compose-go's interpolation casts (boundCasts) still make the fields
	// read a number or a boolean; a value it cannot cast in a field no
	// check reads (cpus) no longer fails the project.
	src = "services:\n  web:\n    image: nginx\n    privileged: \"${PRIV:-yes}\"\n    cpus: \"${CPUS:-lots}\"\n" +
		"    ports:\n      - target: \"${PORT:-80}\"\n        published: \"8080\"\n" +
		"    volumes:\n      - type: bind\n        source: ./data\n        target: /data\n        read_only: \"${RO:-true}\"\n"
	p = Load(context.Background(), t.TempDir(), []File{{Path: "compose.yaml", Data: []byte(src)}}, nil)
	if p.Lenient || len(p.Issues) != 0 || !p.Interpolated {
		t.Fatalf("want compose-go's reading, got lenient=%v issues %+v", p.Lenient, p.Issues)
	}
	if w := p.Services[0]; !w.Privileged || len(w.Ports) != 1 || w.Ports[0].Target != 80 || len(w.Volumes) != 1 || w.Volumes[0].Target != "/data" {
		t.Fatalf("cast fields: %+v", w)
	}
}

// composeCorpus is every Compose file of the checks' test data and the
// fuzz corpus's inputs.
func composeCorpus(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		base := d.Name()
		switch {
		case strings.Contains(p, filepath.Join("fuzz", "FuzzLoad")):
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, line := range strings.Split(string(data), "\n") {
				if lit, ok := strings.CutPrefix(line, "[]byte("); ok {
					if s, err := strconv.Unquote(strings.TrimSuffix(lit, ")")); err == nil {
						out[p] = []byte(s)
					}
				}
			}
		case strings.Contains(base, "compose") && (strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")):
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[p] = data
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConfigFileIsTheText: compose-go reads a file given as the mapping
// its tree decodes to (configFile) as it reads the file's text — the same
// services, or the same error —, interpolated and not, for every Compose
// file of the test data and the fuzz corpus.
func TestConfigFileIsTheText(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	name := filepath.Join(root, "compose.yaml")
	details := func(f types.ConfigFile) types.ConfigDetails {
		return types.ConfigDetails{WorkingDir: root, ConfigFiles: []types.ConfigFile{f}, Environment: types.Mapping{}}
	}
	mappings := 0
	for p, data := range composeCorpus(t) {
		docs, err := parse.YAMLDocuments(data)
		if err != nil || len(docs) == 0 {
			continue
		}
		if configFile(name, data, docs).Config != nil {
			mappings++
		}
		for _, interpolate := range []bool{true, false} {
			want, wantErr := safeLoad(ctx, details(types.ConfigFile{Filename: name, Content: data}), loadOptions("p", interpolate))
			got, gotErr := safeLoad(ctx, details(configFile(name, data, docs)), loadOptions("p", interpolate))
			if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
				t.Errorf("%s (interpolate %v): error %v, from the text %v", p, interpolate, gotErr, wantErr)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (interpolate %v): services differ from the text's (-text +mapping):\n%s", p, interpolate, diff)
			}
		}
	}
	if mappings < 20 {
		t.Errorf("only %d files were given as mappings: the test tests little", mappings)
	}
}
