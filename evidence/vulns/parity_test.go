package vulns

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/anchore/clio"
	"github.com/google/go-cmp/cmp"

	"github.com/anchore/grype/cmd/grype/cli/options"
	"github.com/anchore/grype/grype"
	v6dist "github.com/anchore/grype/grype/db/v6/distribution"
	v6inst "github.com/anchore/grype/grype/db/v6/installation"
	"github.com/anchore/grype/grype/matcher"
	"github.com/anchore/grype/grype/matcher/dotnet"
	"github.com/anchore/grype/grype/matcher/dpkg"
	"github.com/anchore/grype/grype/matcher/golang"
	"github.com/anchore/grype/grype/matcher/hex"
	"github.com/anchore/grype/grype/matcher/java"
	"github.com/anchore/grype/grype/matcher/javascript"
	"github.com/anchore/grype/grype/matcher/python"
	"github.com/anchore/grype/grype/matcher/rpm"
	"github.com/anchore/grype/grype/matcher/ruby"
	"github.com/anchore/grype/grype/matcher/rust"
	"github.com/anchore/grype/grype/matcher/stock"
	grypepkg "github.com/anchore/grype/grype/pkg"

	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

// grypeMatcherConfig is the matcher configuration the grype CLI builds
// from its default options (cmd/grype/cli/commands/root.go getMatcherConfig).
func grypeMatcherConfig() matcher.Config {
	o := options.DefaultGrype(clio.Identification{Name: "grype"})
	m := o.Match
	return matcher.Config{
		Java:       java.MatcherConfig{ExternalSearchConfig: o.ExternalSources.ToJavaMatcherConfig(), UseCPEs: m.Java.UseCPEs},
		Ruby:       ruby.MatcherConfig(m.Ruby),
		Python:     python.MatcherConfig(m.Python),
		Dotnet:     dotnet.MatcherConfig(m.Dotnet),
		Javascript: javascript.MatcherConfig(m.Javascript),
		Golang:     golang.MatcherConfig{UseCPEs: m.Golang.UseCPEs, AlwaysUseCPEForStdlib: m.Golang.AlwaysUseCPEForStdlib, AllowMainModulePseudoVersionComparison: m.Golang.AllowMainModulePseudoVersionComparison},
		Rust:       rust.MatcherConfig(m.Rust),
		Hex:        hex.MatcherConfig(m.Hex),
		Stock:      stock.MatcherConfig(m.Stock),
		Dpkg:       dpkg.MatcherConfig{MissingEpochStrategy: m.Dpkg.MissingEpochStrategy, UseCPEsForEOL: m.Dpkg.UseCPEsForEOL, UseCPEs: m.Dpkg.UseCPEs},
		Rpm:        rpm.MatcherConfig{MissingEpochStrategy: m.Rpm.MissingEpochStrategy, UseCPEsForEOL: m.Rpm.UseCPEsForEOL, UseCPEs: m.Rpm.UseCPEs},
	}
}

// cemark's matcher configuration is grype's CLI default in every field
// that decides a match (Maven Central look-ups are off in grype's default
// too: external sources are disabled).
func TestMatcherConfigIsGrypeDefault(t *testing.T) {
	want := grypeMatcherConfig()
	want.Java.ExternalSearchConfig = java.ExternalSearchConfig{}
	if want.Java.SearchMavenUpstream {
		t.Fatal("grype's default searches Maven Central")
	}
	if d := cmp.Diff(want, MatcherConfig()); d != "" {
		t.Errorf("matcher config differs from grype's default (-grype +cemark):\n%s", d)
	}
}

// idsByPackage maps "name@version" to its sorted vulnerability IDs.
type idsByPackage map[string][]string

func (m idsByPackage) add(pkg, id string) {
	m[pkg] = append(m[pkg], id)
	sort.Strings(m[pkg])
}

// cemarkIDs is cemark's result on the product fixture, by package.
func cemarkIDs(t *testing.T, dbDir string) idsByPackage {
	t.Helper()
	scan := scanWith(t, dbDir, time.Now())
	got := idsByPackage{}
	for _, m := range scan.Matches {
		got.add(m.Package.Name+"@"+m.Package.Version, m.ID)
	}
	return got
}

// The result equals grype's own library entry point on the same SBOM and
// database: grype.LoadVulnerabilityDB, pkg.Provide reading the SBOM file
// cemark wrote (sbom.cdx.json), and the VulnerabilityMatcher with the
// CLI's default matchers — the path `grype sbom:sbom.cdx.json` takes.
func TestParityWithGrypeLibrary(t *testing.T) {
	dbDir := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	res := productSBOM(t)
	cdxPath := filepath.Join(t.TempDir(), "sbom.cdx.json")
	if err := os.WriteFile(cdxPath, res.CycloneDX, 0o644); err != nil {
		t.Fatal(err)
	}

	vp, status, err := grype.LoadVulnerabilityDB(v6dist.DefaultConfig(), v6inst.Config{DBRootDir: dbDir, ValidateChecksum: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer vp.Close()
	if status.Error != nil {
		t.Fatal(status.Error)
	}
	pkgs, pctx, _, err := grypepkg.Provide("sbom:"+cdxPath, grypepkg.ProviderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	vm := grype.VulnerabilityMatcher{VulnerabilityProvider: vp, Matchers: matcher.NewDefaultMatchers(grypeMatcherConfig()), IgnoreRules: IgnoreRules()}
	remaining, _, err := vm.FindMatchesContext(context.Background(), pkgs, pctx)
	if err != nil {
		t.Fatal(err)
	}
	want := idsByPackage{}
	for _, m := range remaining.Sorted() {
		want.add(m.Package.Name+"@"+m.Package.Version, m.Vulnerability.ID)
	}

	got := cemarkIDs(t, dbDir)
	if len(want) == 0 {
		t.Fatal("grype found nothing: the fixture does not exercise the matcher")
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("vulnerability IDs per package differ (-grype +cemark):\n%s", d)
	}
}

// With the grype CLI on PATH (.ci/run installs v0.121.3), `grype
// sbom:sbom.cdx.json -o json` on the same database gives the same IDs
// per package. Skipped with a notice when grype is not installed.
func TestParityWithGrypeCLI(t *testing.T) {
	bin, err := exec.LookPath("grype")
	if err != nil {
		t.Skip("grype is not on PATH: the CLI interop test is skipped (go install github.com/anchore/grype/cmd/grype@v0.121.3)")
	}
	dbDir := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	res := productSBOM(t)
	cdxPath := filepath.Join(t.TempDir(), "sbom.cdx.json")
	if err := os.WriteFile(cdxPath, res.CycloneDX, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "sbom:"+cdxPath, "-o", "json", "-q")
	cmd.Env = append(os.Environ(),
		"GRYPE_DB_CACHE_DIR="+dbDir, "GRYPE_DB_AUTO_UPDATE=false", "GRYPE_DB_VALIDATE_AGE=false",
		"GRYPE_CHECK_FOR_APP_UPDATE=false", "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("grype: %v\n%s", err, stderr.String())
	}
	var doc struct {
		Matches []struct {
			Vulnerability struct{ ID string }            `json:"vulnerability"`
			Artifact      struct{ Name, Version string } `json:"artifact"`
		} `json:"matches"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := idsByPackage{}
	for _, m := range doc.Matches {
		want.add(m.Artifact.Name+"@"+m.Artifact.Version, m.Vulnerability.ID)
	}
	if len(want) == 0 {
		t.Fatalf("grype found nothing on the fixture:\n%s", stderr.String())
	}
	if d := cmp.Diff(want, cemarkIDs(t, dbDir)); d != "" {
		t.Errorf("vulnerability IDs per package differ (-grype CLI +cemark):\n%s", d)
	}
}
