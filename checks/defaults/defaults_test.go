package defaults

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse/dockerfile"
)

func TestMeta(t *testing.T) {
	metas, err := Metas()
	if err != nil {
		t.Fatal(err)
	}
	cs := Checks()
	if len(cs) != len(metas) {
		t.Errorf("%d checks but %d metadata files: every check needs meta/<ID>.yml and every file a check", len(cs), len(metas))
	}
	for i, c := range cs {
		m := c.Meta()
		if err := checks.ValidateMeta(m); err != nil {
			t.Errorf("%s: %v", m.ID, err)
		}
		if want := "CEM-DEF-" + pad3(i+1); m.ID != want {
			t.Errorf("check %d has ID %s, want %s (IDs are stable and in order)", i, m.ID, want)
		}
		if m.Remediation == "" || m.Rationale == "" || len(m.Standards) == 0 {
			t.Errorf("%s: rationale, remediation and standards are required", m.ID)
		}
	}
	if _, err := checks.NewRegistry(cs...); err != nil {
		t.Fatal(err)
	}
	cat, err := checks.LoadCatalogue(MetaFS())
	if err != nil {
		t.Fatal(err)
	}
	if len(cat) != len(cs) {
		t.Errorf("catalogue has %d entries, registry %d", len(cat), len(cs))
	}
}

func pad3(n int) string { return fmt.Sprintf("%03d", n) }

func TestCredentialKey(t *testing.T) {
	for key, want := range map[string]bool{
		"DB_PASSWORD": true, "dbPassword": true, "spring.datasource.password": true, "PASSWD": true,
		"API_KEY": true, "x-api-key": true, "apiKey": true, "PRIVATE_KEY": true, "GITHUB_TOKEN": true,
		"CLIENT_SECRET": true, "AWS_SECRET_ACCESS_KEY": true, "requirepass": true, "DB_PASS": true, "DB_PWD": true,
		"PWD": false, "OLDPWD": false, "PASSWORD_FILE": false, "POSTGRES_PASSWORD_FILE": false, "TOKEN_TTL": false,
		"AWS_ACCESS_KEY_ID": false, "PASSWORD_MIN_LENGTH": false, "SECRET_NAME": false, "LOG_LEVEL": false,
		"TOKEN_URL": false, "SKIP_TOKEN_CHECK": false, "TOKEN_REFRESH_INTERVAL": false, "REFRESH_TOKEN": true, "PASSPORT": false, "BYPASS": false, "KEYBOARD": false, "DATABASE_URL": false,
	} {
		if got := isCredentialKey(key); got != want {
			t.Errorf("isCredentialKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestClassifyValue(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want credentialKind
	}{
		{"", notCredential}, {`""`, notCredential}, {"${DB_PASSWORD}", notCredential}, {"$DB_PASSWORD", notCredential},
		{"$(DB_PASSWORD)", notCredential}, {"<password>", notCredential}, {"{{ .Values.password }}", notCredential},
		{"********", notCredential}, {"xxxx", notCredential}, {"true", notCredential}, {"/run/secrets/db", notCredential},
		{"${DB_PASSWORD:?required}", notCredential}, {"prefix-${X}", notCredential}, {"vault:secret/data/db#password", notCredential},
		{"admin", defaultPassword}, {"Admin", defaultPassword}, {"changeme", defaultPassword}, {"change-me-in-prod", defaultPassword},
		{"${DB_PASSWORD:-admin}", defaultPassword}, {"${DB_PASSWORD:changeme}", defaultPassword}, {"'secret'", defaultPassword},
		{"Xk9mQ2vLr7", literalCredential}, {"1", notCredential}, {"42", notCredential}, {"${DB_PASSWORD:-Xk9mQ2vLr7}", literalCredential}, {"django-insecure-abc", literalCredential},
		// A bcrypt hash is a fixed login whatever its salt begins with (a
		// letter after "$" once read as a shell variable).
		{"$2a$10$Xk9mQ2vLr7Xk9mQ2vLr7XuTzL9aQ8bQ2xJwHh9Vf3cVjJ1b2c3d4e", literalCredential},
		{"$2b$12$0k9mQ2vLr7Xk9mQ2vLr7XuTzL9aQ8bQ2xJwHh9Vf3cVjJ1b2c3d4e", literalCredential},
		{"'$2y$10$.k9mQ2vLr7Xk9mQ2vLr7XuTzL9aQ8bQ2xJwHh9Vf3cVjJ1b2c3d4e'", literalCredential},
	} {
		if got := classifyValue(tc.raw, tc.raw); got != tc.want {
			t.Errorf("classifyValue(%q) = %v, want %v", tc.raw, got, tc.want)
		}
	}
}

func TestShellDetectors(t *testing.T) {
	for cmd, want := range map[string]bool{
		"curl -fsSL https://x | sh":                true,
		"curl -fsSL https://x | /bin/bash":         true,
		"wget -qO- https://x | sudo -E bash -s":    true,
		"sh -c \"$(curl -fsSL https://x)\"":        true,
		"bash <(curl -s https://x)":                true,
		"curl https://x | tar xz":                  false,
		"curl -o f https://x && sh f":              false,
		"echo curl | sh":                           false,
		"# curl https://x | sh\napk add curl":      false,
		"curl https://x | shasum -a 256":           false,
		"apk add curl && curl https://x | python3": true,
	} {
		if _, got := pipesToShell(cmd); got != want {
			t.Errorf("pipesToShell(%q) = %v, want %v", cmd, got, want)
		}
	}
	for cmd, want := range map[string]int{
		"curl -k https://x":                                        1,
		"curl -fsSLk https://x":                                    1,
		"curl --insecure https://x":                                1,
		"curl -K cfg https://x":                                    0,
		"curl -fsSL https://x -o k":                                0,
		"wget --no-check-certificate https://x":                    1,
		"FOO=1 sudo curl -k https://x":                             1,
		"apk add curl; curl -k a && wget --no-check-certificate b": 2,
		"echo curl -k":                                             0,
	} {
		if got := len(verifyOffInShell(cmd)); got != want {
			t.Errorf("verifyOffInShell(%q) found %d, want %d", cmd, got, want)
		}
	}
}

func TestConfigFormat(t *testing.T) {
	for p, want := range map[string]string{
		".env": formatEnv, "deploy/.env.production": formatEnv, "prod.env": formatEnv, "dev.env": "", "local.env": "", ".env.example": "", ".env.local": "",
		"app.ini": formatKV, "redis.conf": formatKV, "config.ini.sample": "", "application-prod.yml": formatYAML,
		"k8s/deploy.yaml": "", "appsettings.Production.json": formatYAML, "package.json": "", "app/settings.py": formatPython,
		"app/settings/prod.py": formatPython, "app/settings/dev.py": "", "main.py": "",
	} {
		if got := configFormat(p); got != want {
			t.Errorf("configFormat(%q) = %q, want %q", p, got, want)
		}
	}
}

// TestImages judges the configuration of images given as SBOM sources.
func TestImages(t *testing.T) {
	f := &Facts{Images: []checks.ImageConfig{
		{Source: "registry.example.com/app:1.0", User: ""},
		{Source: "registry.example.com/root:1.0", User: "0:0"},
		{Source: "registry.example.com/ok:1.0", User: "65532", Env: []string{"DEBUG=true", "DB_PASSWORD=admin", "PATH=/bin"}},
	}}
	for _, img := range f.Images {
		f.Settings = append(f.Settings, imageSettings(img)...)
	}
	type row struct{ Path, Key string }
	var got []row
	for _, fd := range append(append(evalRootUser(f), evalDebugMode(f)...), evalDefaultPassword(f)...) {
		if fd.Outcome != checks.Fail {
			t.Errorf("%s: outcome %s, want fail", fd.Key, fd.Outcome)
		}
		got = append(got, row{fd.Path, fd.Key})
	}
	want := []row{
		{"registry.example.com/app:1.0", "image:user"},
		{"registry.example.com/root:1.0", "image:user"},
		{"registry.example.com/ok:1.0", "image:env:DEBUG"},
		{"registry.example.com/ok:1.0", "image:env:DB_PASSWORD"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("image findings (-want +got):\n%s", diff)
	}
}

// TestEvaluateRejectsWrongFacts: a check handed facts of another type
// returns an error (the runner turns it into an error finding).
func TestEvaluateRejectsWrongFacts(t *testing.T) {
	for _, c := range Checks() {
		if _, err := c.Evaluate("not facts"); err == nil {
			t.Errorf("%s: no error for wrong facts", c.Meta().ID)
		}
	}
}

// TestEvaluateFromFacts runs the pure evaluation on hand-made facts.
func TestEvaluateFromFacts(t *testing.T) {
	df := dockerfile.Parse("Dockerfile", []byte("FROM alpine:3.20 AS build\nRUN curl -k https://x | sh\nFROM build\nUSER root\n"), nil)
	f := &Facts{Dockerfiles: []*dockerfile.File{df}, Workloads: []Workload{{
		Source: "kubernetes", Path: "k.yaml", Line: 3, Name: "Pod p, container c", Key: "Pod/p:container:c",
		RunAsNonRoot: &At{Field: "runAsNonRoot", Value: "true", Line: 5}, AllowPrivilegeEscalation: &At{Field: "allowPrivilegeEscalation", Value: "false", Line: 6},
		CapAdd: []At{{Field: "capabilities.add", Value: "sys_admin", Line: 7}, {Field: "capabilities.add", Value: "CHOWN", Line: 8}},
	}}}
	type row struct {
		ID, Key string
		Line    int
		Outcome checks.Outcome
	}
	var got []row
	for _, c := range Checks() {
		fs, err := c.Evaluate(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range fs {
			got = append(got, row{x.Check, x.Key, x.Line, x.Outcome})
		}
	}
	want := []row{
		{IDRootUser, "stage:final:user", 4, checks.Fail},
		{IDCapabilities, "Pod/p:container:c:cap:SYS_ADMIN", 7, checks.Fail},
		{IDTLSVerifyOff, "stage:build:RUN:curl:insecure", 2, checks.Fail},
		{IDRemoteCode, "stage:build:RUN:curl|sh", 2, checks.Fail},
		{IDUnpinnedBase, "stage:build:from", 1, checks.Info},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestNoSecretInReport runs every corpus case and checks that no value
// the family classified as a credential appears anywhere in the report.
func TestNoSecretInReport(t *testing.T) {
	reg, err := checks.NewRegistry(corpusChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*"))
	checked := 0
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		tgt, err := checks.NewTarget(context.Background(), dir, nil, "expect.yaml", "cemark.yaml")
		if err != nil {
			t.Fatal(err)
		}
		tgt.Now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
		facts, err := Collect(context.Background(), tgt)
		if err != nil {
			t.Fatal(err)
		}
		var secrets []string
		for _, s := range facts.Settings {
			if k, _ := credential(s); k != notCredential {
				v := strings.TrimSpace(unquote(s.Value))
				if pw, ok := urlPassword(v); ok {
					v = pw
				}
				if len(v) >= 4 {
					secrets = append(secrets, v)
				}
			}
		}
		if len(secrets) == 0 {
			continue
		}
		rep, err := checks.Run(context.Background(), reg, tgt, checks.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// Findings only: metadata legitimately names default passwords. An
		// image reference is public and may equal a default password
		// (image postgres, POSTGRES_PASSWORD=postgres): CEM-DEF-013 names it.
		var fs []checks.Finding
		for _, f := range rep.Findings() {
			if f.Check != IDUnpinnedImage {
				fs = append(fs, f)
			}
		}
		out, _ := json.Marshal(fs)
		for _, s := range secrets {
			if strings.Contains(string(out), s) {
				t.Errorf("%s: the report contains a credential value (%d chars)", dir, len(s))
			}
		}
		checked++
	}
	if checked < 20 {
		t.Errorf("only %d corpus cases hold credentials; the test is not testing much", checked)
	}
}

// TestDeterministic runs the families over the whole corpus as one tree,
// twice, and wants byte-identical reports.
func TestDeterministic(t *testing.T) {
	reg, err := checks.NewRegistry(corpusChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	run := func() []byte {
		tgt, err := checks.NewTarget(context.Background(), filepath.Join("testdata", "corpus"), nil)
		if err != nil {
			t.Fatal(err)
		}
		tgt.Now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
		rep, err := checks.Run(context.Background(), reg, tgt, checks.RunOptions{ToolVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := run(), run()
	if string(a) != string(b) {
		t.Errorf("two runs over the same tree gave different reports (%d and %d bytes)", len(a), len(b))
	}
}

// TestMovingTag pins which tags CEM-DEF-012 and CEM-DEF-013 treat as
// :latest: latest and a variant's latest, nothing that merely contains it.
func TestMovingTag(t *testing.T) {
	t.Parallel()
	for tag, want := range map[string]bool{
		"latest": true, "LATEST": true, "postgresql-latest": true, "alpine_latest": true, "1.2-latest": true,
		"latest-2024.05": false, "greatest": false, "notlatest": false, "stable": false, "edge": false, "16.4": false,
	} {
		if got := movingTag(tag); got != want {
			t.Errorf("movingTag(%q) = %v, want %v", tag, got, want)
		}
	}
	if got := movingTagWords("postgresql-latest"); got != "the moving tag postgresql-latest (a latest)" {
		t.Errorf("movingTagWords = %q", got)
	}
}
