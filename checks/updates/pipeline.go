package updates

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/checks"
)

// Signing-step tools (checks.SigningStep.Tool).
const (
	ToolGoreleaser = "goreleaser"
	ToolCosign     = "cosign"
	ToolSigstore   = "sigstore"
	ToolAttest     = "actions/attest"
	ToolSLSA       = "slsa-github-generator"
	ToolGPG        = "gpg"
	ToolMinisign   = "minisign"
	// ToolCemark: cemark's own signed in-toto attestations over the release
	// artefacts (`cemark attest`, `cemark run --key`), which `cemark verify
	// --subject ARTEFACT` checks.
	ToolCemark = "cemark"
)

// ActionInstall marks a step that installs a signing tool without signing
// anything (sigstore/cosign-installer): reported, but not counted as signing.
const ActionInstall = "install"

// goreleaserSigningKeys are the top-level goreleaser keys that sign or
// describe release output.
var goreleaserSigningKeys = map[string]bool{"signs": true, "binary_signs": true, "docker_signs": true, "sboms": true}

// cmdStart anchors a command at command position (line start, after
// ; && || | $( or sudo, optionally with a path), so that `echo "cosign
// sign-blob later"` is not taken for a signing step.
const cmdStart = `(?:^|[;&|(]\s*|\bsudo\s+|\bexec\s+)\s*(?:\S*/)?`

// commandPatterns find signing commands in shell lines of CI scripts.
var commandPatterns = []struct {
	tool, action string
	re           *regexp.Regexp
}{
	{ToolCosign, "", regexp.MustCompile(cmdStart + `cosign\s+(sign-blob|sign|attest-blob|attest)\b`)},
	{ToolGPG, "detach-sign", regexp.MustCompile(cmdStart + `gpg2?\b[^\n|;&]*\s(--detach-sign|--detach-sig|-b|-sb|-bs|--clearsign|--clear-sign)\b`)},
	{ToolMinisign, "sign", regexp.MustCompile(cmdStart + `minisign\b[^\n|;&]*\s-S\w*\b`)},
	{ToolSigstore, "sign", regexp.MustCompile(cmdStart + `(?:python3? -m sigstore|sigstore)\s+sign\b`)},
	{ToolCemark, "attest", regexp.MustCompile(cmdStart + `cemark\s+attest\b`)},
	{ToolCemark, "run --key", regexp.MustCompile(cmdStart + `cemark\s+run\b[^\n|;&]*\s--key\b`)},
}

// usesPatterns match `uses:` references of GitHub Actions and reusable workflows.
func classifyUses(ref string) (tool, action string, ok bool) {
	name := strings.ToLower(ref)
	if i := strings.IndexByte(name, '@'); i >= 0 {
		name = name[:i]
	}
	switch {
	case name == "sigstore/cosign-installer":
		return ToolSigstore, ActionInstall, true
	case strings.HasPrefix(name, "sigstore/gh-action-sigstore-python"):
		return ToolSigstore, "sign", true
	case name == "actions/attest", strings.HasPrefix(name, "actions/attest-"):
		return ToolAttest, path.Base(name), true
	case strings.HasPrefix(name, "slsa-framework/slsa-github-generator"):
		return ToolSLSA, path.Base(name), true
	}
	return "", "", false
}

// scriptKeys hold shell commands: GitHub's run, GitLab's script family.
var scriptKeys = map[string]bool{"run": true, "script": true, "before_script": true, "after_script": true}

// PipelineFiles are the release-configuration files read for signing
// steps: goreleaser, GitHub Actions workflows, GitLab CI (and its usual
// included files below .gitlab/).
func PipelineFiles(t *checks.Target) []string {
	var out []string
	for _, e := range t.Files.List() {
		p := e.Path
		base := path.Base(p)
		ext := path.Ext(p)
		switch {
		case p == ".goreleaser.yml" || p == ".goreleaser.yaml" || p == "goreleaser.yml" || p == "goreleaser.yaml":
			out = append(out, p)
		case strings.HasPrefix(p, ".github/workflows/") && (ext == ".yml" || ext == ".yaml"):
			out = append(out, p)
		case base == ".gitlab-ci.yml" || (strings.HasPrefix(p, ".gitlab/") && (ext == ".yml" || ext == ".yaml")):
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// DetectPipeline finds the signing steps in the release configuration.
// Files that cannot be parsed are returned as errors naming the file; the
// other files are still read.
func DetectPipeline(ctx context.Context, t *checks.Target) ([]checks.SigningStep, []string) {
	var steps []checks.SigningStep
	var errs []string
	for _, p := range PipelineFiles(t) {
		if ctx.Err() != nil {
			break
		}
		data, err := t.Files.Read(p)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		found, err := pipelineSteps(p, data)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		steps = append(steps, found...)
	}
	sortSteps(steps)
	return steps, errs
}

func sortSteps(steps []checks.SigningStep) {
	sort.SliceStable(steps, func(i, j int) bool {
		a, b := steps[i], steps[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Tool+a.Action < b.Tool+b.Action
	})
}

func pipelineSteps(p string, data []byte) ([]checks.SigningStep, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", p, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	top := doc.Content[0]
	var steps []checks.SigningStep
	if strings.Contains(path.Base(p), "goreleaser") && top.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(top.Content); i += 2 {
			k, v := top.Content[i], top.Content[i+1]
			if !goreleaserSigningKeys[k.Value] || v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				continue
			}
			for _, item := range v.Content {
				steps = append(steps, checks.SigningStep{
					Tool: ToolGoreleaser, Action: k.Value, Path: p, Line: item.Line,
					Detail: goreleaserDetail(k.Value, item),
				})
			}
		}
		return steps, nil
	}
	walkCI(p, top, "", 0, &steps)
	return steps, nil
}

// goreleaserDetail names the command a goreleaser sign or sbom entry runs
// (cosign, gpg, syft …), defaulting as goreleaser does.
func goreleaserDetail(key string, item *yaml.Node) string {
	cmd := ""
	if item.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(item.Content); i += 2 {
			if item.Content[i].Value == "cmd" {
				cmd = item.Content[i+1].Value
			}
		}
	}
	if cmd == "" {
		switch key {
		case "sboms":
			cmd = "syft"
		case "docker_signs":
			cmd = "cosign"
		default:
			cmd = "gpg"
		}
	}
	return key + " with " + cmd
}

// walkCI visits a workflow or GitLab CI document, looking at `uses:` values
// and at shell lines under run/script keys.
// maxCIDepth bounds the walk: GitLab files reuse scripts through YAML
// aliases, and an alias may point back at its own ancestor.
const maxCIDepth = 64

func walkCI(p string, n *yaml.Node, key string, depth int, steps *[]checks.SigningStep) {
	if n == nil || depth > maxCIDepth {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if k == "<<" {
				k = key // a merge key brings in the anchored mapping's keys
			}
			walkCI(p, n.Content[i+1], k, depth+1, steps)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			walkCI(p, c, key, depth+1, steps)
		}
	case yaml.AliasNode:
		walkCI(p, n.Alias, key, depth+1, steps)
	case yaml.ScalarNode:
		switch {
		case key == "uses":
			if tool, action, ok := classifyUses(n.Value); ok {
				*steps = append(*steps, checks.SigningStep{Tool: tool, Action: action, Path: p, Line: n.Line, Detail: n.Value})
			}
		case scriptKeys[key]:
			for i, line := range strings.Split(n.Value, "\n") {
				for _, pat := range commandPatterns {
					m := pat.re.FindStringSubmatch(line)
					if m == nil {
						continue
					}
					action := pat.action
					if action == "" && len(m) > 1 {
						action = m[1]
					}
					detail := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(m[0]), ";&|("))
					*steps = append(*steps, checks.SigningStep{
						Tool: pat.tool, Action: action, Path: p, Line: scalarLine(n, i),
						Detail: detail,
					})
				}
			}
		}
	}
}

// scalarLine is the file line of the i-th line of a scalar: block scalars
// (| and >) start on the line after their indicator.
func scalarLine(n *yaml.Node, i int) int {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Line + 1 + i
	}
	return n.Line + i
}

// Signs reports whether a step signs or attests release output. An
// installer step does not, and neither does goreleaser's sboms (it writes
// SBOMs; signing them is a signs entry).
func Signs(s checks.SigningStep) bool {
	return s.Action != ActionInstall && !(s.Tool == ToolGoreleaser && s.Action == "sboms")
}
