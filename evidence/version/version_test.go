package version

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestPinnedSyftMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/anchore/syft (v[^\s]+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("syft not in go.mod")
	}
	if string(m[1]) != pinnedSyft {
		t.Fatalf("pinnedSyft = %s, go.mod has %s", pinnedSyft, m[1])
	}
}

func TestGet(t *testing.T) {
	i := Get()
	if i.Cemark == "" || i.Syft == "" || i.GoVersion == "" {
		t.Fatalf("incomplete: %+v", i)
	}
}

// TestFromBuildInfo pins where each kind of build takes its version from.
func TestFromBuildInfo(t *testing.T) {
	deps := []*debug.Module{
		{Path: "github.com/anchore/syft", Version: "v1.57.1"},
		{Path: "github.com/in-toto/in-toto-golang", Version: "v0.9.0"},
	}
	tests := []struct {
		name    string
		bi      *debug.BuildInfo
		release string
		want    string
	}{
		{name: "go install @v1.2.3 records the module version",
			bi: &debug.BuildInfo{Main: debug.Module{Path: "github.com/cemark/cemark", Version: "v1.2.3"}, Deps: deps}, want: "v1.2.3"},
		{name: "go install @<commit> records a pseudo-version, not devel",
			bi:   &debug.BuildInfo{Main: debug.Module{Path: "github.com/cemark/cemark", Version: "v0.0.0-20260601120000-0123456789ab"}, Deps: deps},
			want: "v0.0.0-20260601120000-0123456789ab"},
		{name: "a build in a checkout says devel and the revision",
			bi: &debug.BuildInfo{Main: debug.Module{Path: "github.com/cemark/cemark", Version: "(devel)"}, Deps: deps,
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}}},
			want: "devel+0123456789ab"},
		{name: "the release stamp wins", release: "v1.4.0",
			bi: &debug.BuildInfo{Main: debug.Module{Path: "github.com/cemark/cemark", Version: "(devel)"}, Deps: deps}, want: "v1.4.0"},
		{name: "no build information", want: "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fromBuildInfo(tt.bi, tt.release)
			if got.Cemark != tt.want {
				t.Errorf("Cemark = %q, want %q", got.Cemark, tt.want)
			}
			if tt.bi != nil && (got.Syft != "v1.57.1" || got.InToto != "v0.9.0") {
				t.Errorf("dependency versions = %s, %s", got.Syft, got.InToto)
			}
		})
	}
}

// TestReleaseLdflags builds a program that prints version.Get().Cemark
// with the ldflags of .goreleaser.yaml, the tag filled in as goreleaser
// does, and runs it: the release binary must say the tag.
func TestReleaseLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	b, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Builds []struct {
			ID      string   `yaml:"id"`
			Flags   []string `yaml:"flags"`
			Ldflags []string `yaml:"ldflags"`
		} `yaml:"builds"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Builds) != 1 || len(cfg.Builds[0].Ldflags) == 0 {
		t.Fatalf("builds = %+v: want one build with ldflags", cfg.Builds)
	}
	const tag = "v9.8.7"
	ldflags := strings.ReplaceAll(strings.Join(cfg.Builds[0].Ldflags, " "), "{{ .Tag }}", tag)
	if strings.Contains(ldflags, "{{") {
		t.Fatalf("ldflags use a template this test does not fill: %s", ldflags)
	}
	if !strings.Contains(ldflags, "github.com/cemark/cemark/evidence/version.Release=") {
		t.Fatalf("ldflags do not stamp version.Release: %s", ldflags)
	}
	bin := filepath.Join(t.TempDir(), "printversion")
	args := append([]string{"build"}, cfg.Builds[0].Flags...)
	args = append(args, "-ldflags", ldflags, "-o", bin, "./testdata/printversion")
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != tag {
		t.Errorf("release build says %q, want %q", got, tag)
	}
}

func TestPinnedGrypeMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/anchore/grype (v[^\s]+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("grype not in go.mod")
	}
	if string(m[1]) != pinnedGrype {
		t.Fatalf("pinnedGrype = %s, go.mod has %s", pinnedGrype, m[1])
	}
}
