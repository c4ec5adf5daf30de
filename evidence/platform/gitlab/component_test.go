package gitlab

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// TestComponent reads templates/cemark.yml the way GitLab does: a spec
// document, then the jobs. It checks the inputs, that the only job has no
// global keyword beside it, publishes the reports the encoders write and
// passes every input to `cemark action` as the variable Run reads.
func TestComponent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "templates", "cemark.yml"))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var spec struct {
		Spec struct {
			Inputs map[string]struct {
				Default any      `yaml:"default"`
				Options []string `yaml:"options"`
			} `yaml:"inputs"`
		} `yaml:"spec"`
	}
	if err := dec.Decode(&spec); err != nil {
		t.Fatalf("spec: %v", err)
	}
	var names []string
	for n := range spec.Spec.Inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	want := []string{"checks", "docs", "fail-on", "image-tag", "job-prefix", "output-dir", "path", "stage", "subjects"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{DocsCheck, DocsMR, DocsOff}, spec.Spec.Inputs["docs"].Options); diff != "" {
		t.Errorf("docs options (-want +got):\n%s", diff)
	}

	var jobs map[string]struct {
		Image struct {
			Name       string   `yaml:"name"`
			Entrypoint []string `yaml:"entrypoint"`
		} `yaml:"image"`
		Variables map[string]string `yaml:"variables"`
		Script    []string          `yaml:"script"`
		Artifacts struct {
			When    string   `yaml:"when"`
			Paths   []string `yaml:"paths"`
			Reports struct {
				CodeQuality string   `yaml:"codequality"`
				CycloneDX   []string `yaml:"cyclonedx"`
			} `yaml:"reports"`
		} `yaml:"artifacts"`
	}
	if err := dec.Decode(&jobs); err != nil {
		t.Fatalf("jobs: %v", err)
	}
	if len(jobs) != 1 {
		t.Fatalf("want exactly one job and no global keywords, got %d keys", len(jobs))
	}
	job, ok := jobs["$[[ inputs.job-prefix ]]-evidence"]
	if !ok {
		t.Fatalf("job name does not use job-prefix: %v", jobs)
	}
	if !strings.HasPrefix(job.Image.Name, "ghcr.io/cemark/cemark:$[[ inputs.image-tag ]]") || len(job.Image.Entrypoint) != 1 || job.Image.Entrypoint[0] != "" {
		t.Errorf("image = %+v", job.Image)
	}
	a := job.Artifacts
	if a.When != "always" || a.Reports.CodeQuality != "$[[ inputs.output-dir ]]/codequality.json" ||
		len(a.Reports.CycloneDX) != 1 || a.Reports.CycloneDX[0] != "$[[ inputs.output-dir ]]/sbom.cdx.json" ||
		len(a.Paths) != 1 || a.Paths[0] != "$[[ inputs.output-dir ]]/" {
		t.Errorf("artifacts = %+v", a)
	}
	for _, s := range job.Script {
		if strings.Contains(s, "$[[") {
			t.Errorf("script line interpolates an input: %q", s)
		}
	}
	if job.Script[len(job.Script)-1] != "cemark action" {
		t.Errorf("script = %v", job.Script)
	}
	// Every setting Run reads comes from an input.
	wantVars := map[string]string{
		"CEMARK_PATH": "path", "CEMARK_OUTPUT_DIR": "output-dir", "CEMARK_FAIL_ON": "fail-on",
		"CEMARK_DOCS": "docs", "CEMARK_CHECKS": "checks", "CEMARK_SUBJECTS": "subjects",
	}
	for v, in := range wantVars {
		if got := job.Variables[v]; got != "$[[ inputs."+in+" ]]" {
			t.Errorf("variable %s = %q, want input %s", v, got, in)
		}
	}
	// The defaults are settings Run accepts.
	env := map[string]string{}
	for v, in := range wantVars {
		if d, ok := spec.Spec.Inputs[in].Default.(string); ok {
			env[v] = d
		}
	}
	if _, err := ReadSettings(func(k string) string { return env[k] }); err != nil {
		t.Errorf("component defaults: %v", err)
	}
}
