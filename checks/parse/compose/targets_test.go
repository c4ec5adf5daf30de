package compose

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

func TestDockerfilePath(t *testing.T) {
	for _, tc := range []struct {
		dir, context, dockerfile string
		want                     string
		ok                       bool
	}{
		{".", ".", "Dockerfile", "Dockerfile", true},
		{".", "", "", "Dockerfile", true},
		{"deploy", "..", "Dockerfile", "Dockerfile", true},
		{"deploy", "../svc", "build/api.Dockerfile", "svc/build/api.Dockerfile", true},
		{".", `.\svc`, "Dockerfile", "svc/Dockerfile", true},
		{".", "..", "Dockerfile", "", false},
		{".", "/srv/app", "Dockerfile", "", false},
		{".", ".", "/srv/Dockerfile", "", false},
		{".", "https://github.com/example/app.git#main", "Dockerfile", "", false},
		{".", "git@github.com:example/app.git", "Dockerfile", "", false},
	} {
		t.Run(tc.dir+" "+tc.context+" "+tc.dockerfile, func(t *testing.T) {
			got, ok := dockerfilePath(tc.dir, tc.context, tc.dockerfile)
			if got != tc.want || ok != tc.ok {
				t.Errorf("got %q %v, want %q %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestProductTargets(t *testing.T) {
	files := map[string]string{
		"compose.yaml": `services:
  api:
    build:
      context: ./svc
      target: runtime
  web:
    build: {context: ., dockerfile: web.Dockerfile, target: "${WEB_TARGET:-release}"}
  dev:
    build: {context: ., target: dev}
  inline:
    build:
      dockerfile_inline: "FROM alpine"
      target: app
  tools:
    profiles: [tools]
    build: {context: ., target: tools}
  pulled:
    image: example/app:1.0
`,
		"compose.test.yaml": "services:\n  it:\n    build: {context: ., target: it}\n",
	}
	root := t.TempDir()
	for p, body := range files {
		if err := os.WriteFile(filepath.Join(root, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		cfg  *config.Config
		want []BuildTarget
	}{
		{"discovered", nil, []BuildTarget{
			{Dockerfile: "svc/Dockerfile", Stage: "runtime", Service: "api", Loc: Loc{Path: "compose.yaml", Line: 5, Column: 7}},
			{Dockerfile: "web.Dockerfile", Stage: "release", Service: "web", Loc: Loc{Path: "compose.yaml", Line: 7, Column: 53}},
		}},
		// Files named in checks.compose_files ship, whatever their name.
		{"configured test variant", &config.Config{Checks: config.Checks{ComposeFiles: []string{"compose.test.yaml"}}}, []BuildTarget{
			{Dockerfile: "Dockerfile", Stage: "it", Service: "it", Loc: Loc{Path: "compose.test.yaml", Line: 3, Column: 25}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tgt, err := checks.NewTarget(context.Background(), root, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ProductTargets(context.Background(), tgt)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
		})
	}
}
