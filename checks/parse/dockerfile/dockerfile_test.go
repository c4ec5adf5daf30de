package dockerfile

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMultiStage(t *testing.T) {
	data, err := os.ReadFile("testdata/multistage.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	f := Parse("Dockerfile", data, nil)
	if len(f.Issues) > 0 {
		t.Fatalf("issues: %v", f.Issues)
	}
	if len(f.Stages) != 2 {
		t.Fatalf("stages: %d", len(f.Stages))
	}
	build, final := f.Stages[0], f.Stages[1]
	if build.Product || !final.Product || !final.Final {
		t.Errorf("product flags: build %v final %v", build.Product, final.Product)
	}
	if diff := cmp.Diff(From{Raw: "${BASE}", Image: "golang", Tag: "1.22", Line: 4}, build.From); diff != "" {
		t.Errorf("build FROM (-want +got):\n%s", diff)
	}
	if got := final.From; got.Image != "alpine" || got.Tag != "3.20" || got.Digest != "sha256:abc" {
		t.Errorf("final FROM: %+v", got)
	}
	wantPorts := []Port{
		{Raw: "${PORT}", Port: 8080, Protocol: "tcp", Line: 16, Column: 8},
		{Raw: "53/udp", Port: 53, Protocol: "udp", Line: 16, Column: 16},
		{Raw: "9000-9002", Port: 9000, EndPort: 9002, Protocol: "tcp", Line: 16, Column: 23},
	}
	if diff := cmp.Diff(wantPorts, final.Expose); diff != "" {
		t.Errorf("EXPOSE (-want +got):\n%s", diff)
	}
	if u := final.User(); u == nil || !u.Unresolved || u.IsRoot() {
		t.Errorf("USER via ARG without value must be unresolved, not root: %+v", u)
	}
	if u := build.User(); u == nil || !u.IsRoot() || u.Line != 5 {
		t.Errorf("build USER: %+v", u)
	}
	if len(build.Run) != 1 || build.Run[0].Line != 7 || len(build.Run[0].Heredocs) != 1 {
		t.Fatalf("RUN heredoc: %+v", build.Run)
	}
	if got := final.Env[0]; got.Name != "GREETING" || got.Value != "hello world" || got.Line != 14 {
		t.Errorf("ENV: %+v", got)
	}
	if got := final.Copies[0]; got.Keyword != "ADD" || got.Checksum != "sha256:0123" || len(got.URLs) != 1 {
		t.Errorf("ADD: %+v", got)
	}
	if got := final.Copies[1]; got.From != "build" {
		t.Errorf("COPY --from: %+v", got)
	}
	if final.Entrypoint == nil || final.Entrypoint.Shell || final.Healthcheck == nil {
		t.Errorf("ENTRYPOINT/HEALTHCHECK: %+v %+v", final.Entrypoint, final.Healthcheck)
	}
}

func TestParseEscapeDirectiveAndProductStages(t *testing.T) {
	src := "# escape=`\nFROM mcr.microsoft.com/windows AS svc\nEXPOSE 3389\nFROM scratch AS tools\nRUN echo a `\n  b\n"
	f := Parse("Containerfile", []byte(src), []string{"svc"})
	if f.Escape != "`" {
		t.Errorf("escape %q", f.Escape)
	}
	if !f.Stages[0].Product || !f.Stages[1].Product || !f.Stages[1].From.Scratch {
		t.Errorf("stages: %+v", f.Stages)
	}
	if f.Stages[1].Run[0].EndLine != 6 {
		t.Errorf("continuation: %+v", f.Stages[1].Run[0])
	}
}

func TestParseBadInput(t *testing.T) {
	for name, src := range map[string]string{
		"empty":        "",
		"only comment": "# nothing\n",
		"no from":      "RUN echo hi\n",
		"bad expose":   "FROM a\nEXPOSE\nUSER\n",
		"binaryish":    "\xff\xfe\x00FROM",
		"bad heredoc":  "FROM a\nRUN <<EOF\n",
	} {
		t.Run(name, func(t *testing.T) {
			f := Parse("Dockerfile", []byte(src), nil)
			if f == nil {
				t.Fatal("nil file")
			}
		})
	}
	f := Parse("Dockerfile", []byte("RUN echo hi\n"), nil)
	if len(f.Issues) != 1 || f.Issues[0].Line != 1 {
		t.Errorf("want an issue on line 1, got %v", f.Issues)
	}
}

func TestIsDockerfile(t *testing.T) {
	for p, want := range map[string]bool{
		"Dockerfile": true, "a/Containerfile": true, "api.Dockerfile": true, "Dockerfile.prod": true,
		"Dockerfile.dockerignore": false, "dockerfiles/readme.md": false, "x/dockerfile.go": false, "Dockerfile.dev": true, "Dockerfile.tmpl": false,
	} {
		if got := IsDockerfile(p); got != want {
			t.Errorf("IsDockerfile(%q) = %v", p, got)
		}
	}
}
