package gitlab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/evidence/evidencedir"
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
				Type    string   `yaml:"type"`
				Regex   string   `yaml:"regex"`
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
	want := []string{"baseline", "checks", "docs", "fail-on", "fulcio-url", "image-tag", "job-prefix", "output-dir", "path", "rekor-url",
		"signing", "source", "stage", "subjects", "trusted-root", "vuln-db", "vuln-db-update"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{DocsCheck, DocsMR, DocsOff}, spec.Spec.Inputs["docs"].Options); diff != "" {
		t.Errorf("docs options (-want +got):\n%s", diff)
	}
	for _, in := range []string{"checks", "subjects", "source"} {
		if spec.Spec.Inputs[in].Type != "array" {
			t.Errorf("input %s: type %q, want array", in, spec.Spec.Inputs[in].Type)
		}
	}
	// GitLab checks an input against its regex (RE2); the defaults pass, and
	// the inputs the job quotes keep quotes out.
	for name, in := range spec.Spec.Inputs {
		if in.Regex == "" {
			continue
		}
		re, err := regexp.Compile(in.Regex)
		if err != nil {
			t.Errorf("input %s: regex %q: %v", name, in.Regex, err)
			continue
		}
		if d, ok := in.Default.(string); ok && !re.MatchString(d) {
			t.Errorf("input %s: its default %q does not match its regex %s", name, d, in.Regex)
		}
	}
	for _, in := range []string{"signing", "fulcio-url", "rekor-url", "trusted-root", "baseline", "vuln-db"} {
		if re := regexp.MustCompile(spec.Spec.Inputs[in].Regex); spec.Spec.Inputs[in].Regex == "" || re.MatchString("x' && true '") {
			t.Errorf("input %s: regex %q lets a quote through", in, spec.Spec.Inputs[in].Regex)
		}
	}

	var jobs map[string]struct {
		Image struct {
			Name       string   `yaml:"name"`
			Entrypoint []string `yaml:"entrypoint"`
		} `yaml:"image"`
		Variables map[string]string `yaml:"variables"`
		IDTokens  map[string]struct {
			Aud string `yaml:"aud"`
		} `yaml:"id_tokens"`
		Script []string `yaml:"script"`
		Cache  struct {
			Key   string   `yaml:"key"`
			Paths []string `yaml:"paths"`
			When  string   `yaml:"when"`
		} `yaml:"cache"`
		Artifacts struct {
			When    string   `yaml:"when"`
			Paths   []string `yaml:"paths"`
			Reports struct {
				CodeQuality        string   `yaml:"codequality"`
				CycloneDX          []string `yaml:"cyclonedx"`
				DependencyScanning string   `yaml:"dependency_scanning"`
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
		len(a.Reports.CycloneDX) != 1 || a.Reports.CycloneDX[0] != "$[[ inputs.output-dir ]]/gl-sbom-*.cdx.json" ||
		len(a.Paths) != 1 || a.Paths[0] != "$[[ inputs.output-dir ]]/" ||
		a.Reports.DependencyScanning != "$[[ inputs.output-dir ]]/"+evidencedir.DependencyScanning {
		t.Errorf("artifacts = %+v", a)
	}
	// The vulnerability database: the folder CEMARK_VULN_DB names, kept by
	// the cache also when a failing finding fails the job.
	if c := job.Cache; c.Key == "" || len(c.Paths) != 1 || c.Paths[0] != "$[[ inputs.vuln-db ]]/" || c.When != "always" {
		t.Errorf("cache = %+v", c)
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
		"CEMARK_DOCS": "docs", "CEMARK_CHECKS": "checks", "CEMARK_SUBJECTS": "subjects", "CEMARK_SOURCE": "source",
		"CEMARK_SIGNING": "signing", "CEMARK_FULCIO_URL": "fulcio-url", "CEMARK_REKOR_URL": "rekor-url",
		"CEMARK_TRUSTED_ROOT": "trusted-root", "CEMARK_BASELINE": "baseline",
		"CEMARK_VULN_DB": "vuln-db", "CEMARK_VULN_DB_UPDATE": "vuln-db-update",
	}
	for v, in := range wantVars {
		if got := job.Variables[v]; got != "$[[ inputs."+in+" ]]" {
			t.Errorf("variable %s = %q, want input %s", v, got, in)
		}
	}
	// Keyless signing: GitLab puts an ID token for Sigstore in the job's
	// environment as SIGSTORE_ID_TOKEN, where cemark (and cosign) read it.
	if tok, ok := job.IDTokens["SIGSTORE_ID_TOKEN"]; !ok || tok.Aud != "sigstore" || len(job.IDTokens) != 1 {
		t.Errorf("id_tokens = %+v: want SIGSTORE_ID_TOKEN with aud sigstore", job.IDTokens)
	}
	// The defaults are settings Run accepts; arrays arrive as GitLab
	// stringifies them.
	env := map[string]string{}
	for v, in := range wantVars {
		switch d := spec.Spec.Inputs[in].Default.(type) {
		case string:
			env[v] = d
		case bool:
			env[v] = fmt.Sprint(d)
		case []any:
			b, _ := json.Marshal(d)
			env[v] = string(b)
		}
	}
	got, err := ReadSettings(func(k string) string { return env[k] })
	if err != nil {
		t.Errorf("component defaults: %v", err)
	}
	if got.Docs != DocsCheck || len(got.Checks)+len(got.Subjects)+len(got.Sources) != 0 || !got.VulnDBUpdate || got.VulnDB != ".cemark-cache/grype-db" {
		t.Errorf("component defaults read as %+v", got)
	}
	env["CEMARK_CHECKS"] = `["CEM-DEF-001", "CEM-PORT-001"]`
	env["CEMARK_SOURCE"] = `["dir:.", "docker-archive:dist/image.tar"]`
	if got, _ := ReadSettings(func(k string) string { return env[k] }); strings.Join(got.Checks, " ") != "CEM-DEF-001 CEM-PORT-001" || len(got.Sources) != 2 {
		t.Errorf("array inputs read as checks %q, sources %q", got.Checks, got.Sources)
	}
}
