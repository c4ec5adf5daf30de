package github

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// TestActionYML checks action.yml against what Run reads and writes.
func TestActionYML(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Inputs  yaml.Node `yaml:"inputs"`
		Outputs yaml.Node `yaml:"outputs"`
		Runs    struct {
			Using string   `yaml:"using"`
			Image string   `yaml:"image"`
			Args  []string `yaml:"args"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	keys := func(n yaml.Node) []string {
		var out []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			out = append(out, n.Content[i].Value)
			var v struct {
				Description string `yaml:"description"`
			}
			if err := n.Content[i+1].Decode(&v); err != nil || len(v.Description) < 20 {
				t.Errorf("%s: no precise description", n.Content[i].Value)
			}
		}
		return out
	}
	wantIn := []string{"path", "config", "output-dir", "subjects", "signing-key", "fail-on", "docs", "github-token", "checks"}
	if diff := cmp.Diff(wantIn, keys(a.Inputs)); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	wantOut := []string{"sbom-cyclonedx", "sbom-spdx", "report", "sarif", "attestations", "conformity", "docs-changed", "pull-request-url"}
	if diff := cmp.Diff(wantOut, keys(a.Outputs)); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if a.Runs.Using != "docker" || !regexp.MustCompile(`^docker://ghcr\.io/cemark/cemark:v\d+\.\d+\.\d+$`).MatchString(a.Runs.Image) {
		t.Errorf("runs = %+v: want a docker image pinned to a release tag", a.Runs)
	}
	if diff := cmp.Diff([]string{"action"}, a.Runs.Args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
}
