package github

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// actionYML is action.yml as the tests read it.
type actionYML struct {
	Inputs  yaml.Node `yaml:"inputs"`
	Outputs yaml.Node `yaml:"outputs"`
	Runs    struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

// actionStep is one step of the composite action.
type actionStep struct {
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	With  map[string]string `yaml:"with"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	Run   string            `yaml:"run"`
}

// inputSpec is one declared input.
type inputSpec struct {
	Name, Description, Default string
}

func readActionYML(t *testing.T) (actionYML, []inputSpec) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionYML
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	var ins []inputSpec
	for i := 0; i+1 < len(a.Inputs.Content); i += 2 {
		var v struct {
			Description string `yaml:"description"`
			Default     string `yaml:"default"`
		}
		if err := a.Inputs.Content[i+1].Decode(&v); err != nil {
			t.Fatal(err)
		}
		ins = append(ins, inputSpec{Name: a.Inputs.Content[i].Value, Description: v.Description, Default: v.Default})
	}
	return a, ins
}

// TestActionYML checks action.yml against what Run reads and writes: the
// inputs and outputs, a composite action whose last step runs `cemark
// action` with every input passed through env (never pasted into a
// script), and the same `docs` default as the GitLab component.
func TestActionYML(t *testing.T) {
	a, ins := readActionYML(t)
	var names []string
	env := map[string]string{}
	for _, in := range ins {
		names = append(names, in.Name)
		if len(in.Description) < 20 {
			t.Errorf("input %s: no precise description", in.Name)
		}
		if !strings.Contains(in.Default, "${{") {
			env["INPUT_"+strings.ToUpper(in.Name)] = in.Default
		}
	}
	wantIn := []string{"path", "config", "output-dir", "subjects", "signing-key", "fail-on", "docs", "github-token", "checks", "version", "source",
		"signing", "fulcio-url", "rekor-url", "trusted-root", "baseline", "vuln-db", "vuln-db-update"}
	if diff := cmp.Diff(wantIn, names); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	// The defaults are inputs Run accepts.
	if _, err := ReadInputs(NewActions(&bytes.Buffer{}, func(k string) string { return env[k] })); err != nil {
		t.Errorf("action.yml's defaults: %v", err)
	}

	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q: want a composite action (a Docker action runs as root, on Linux only)", a.Runs.Using)
	}
	steps := map[string]actionStep{}
	for _, s := range a.Runs.Steps {
		if s.ID != "" {
			steps[s.ID] = s
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q pastes an expression into its script: pass it through env", s.ID)
		}
		if s.Run != "" && s.Shell != "bash" {
			t.Errorf("step %q: shell %q; bash is the shell every runner OS has", s.ID, s.Shell)
		}
	}
	// `cemark action` is the last step but for the caches it fills, which
	// save whatever its outcome.
	n := len(a.Runs.Steps) - 1
	for ; n > 0 && strings.HasPrefix(a.Runs.Steps[n].Uses, "actions/cache/save@"); n-- {
		if !strings.Contains(a.Runs.Steps[n].If, "always()") {
			t.Errorf("cache save after the cemark step without always(): %+v", a.Runs.Steps[n])
		}
	}
	last := a.Runs.Steps[n]
	if last.ID != "cemark" || strings.TrimSpace(last.Run) != `"$CEMARK_BIN" action` {
		t.Fatalf("last step = %+v: want id cemark running \"$CEMARK_BIN\" action", last)
	}
	// Every input reaches `cemark action` as INPUT_<NAME>, hyphens as
	// underscores (runnerActions.GetInput reads both spellings).
	for _, in := range ins {
		if in.Name == "version" {
			continue // the setup steps' business
		}
		key := "INPUT_" + strings.ToUpper(strings.ReplaceAll(in.Name, "-", "_"))
		if got, want := last.Env[key], "${{ inputs."+in.Name+" }}"; got != want {
			t.Errorf("step cemark: env %s = %q, want %q", key, got, want)
		}
	}

	var outs []string
	for i := 0; i+1 < len(a.Outputs.Content); i += 2 {
		name := a.Outputs.Content[i].Value
		outs = append(outs, name)
		var v struct {
			Description string `yaml:"description"`
			Value       string `yaml:"value"`
		}
		if err := a.Outputs.Content[i+1].Decode(&v); err != nil {
			t.Fatal(err)
		}
		if len(v.Description) < 20 {
			t.Errorf("output %s: no precise description", name)
		}
		if want := "${{ steps.cemark.outputs." + name + " }}"; v.Value != want {
			t.Errorf("output %s: value %q, want %q", name, v.Value, want)
		}
	}
	wantOut := []string{"sbom-cyclonedx", "sbom-spdx", "report", "sarif", "attestations", "conformity", "docs-changed", "pull-request-url"}
	if diff := cmp.Diff(wantOut, outs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}

	// The Action and the GitLab component keep the technical file the same
	// way by default.
	c, err := os.ReadFile(filepath.Join("..", "..", "..", "templates", "cemark.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var comp struct {
		Spec struct {
			Inputs map[string]struct {
				Default any `yaml:"default"`
			} `yaml:"inputs"`
		} `yaml:"spec"`
	}
	if err := yaml.NewDecoder(bytes.NewReader(c)).Decode(&comp); err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		if in.Name == "docs" && comp.Spec.Inputs["docs"].Default != in.Default {
			t.Errorf("docs default: action %q, component %v", in.Default, comp.Spec.Inputs["docs"].Default)
		}
	}
}
