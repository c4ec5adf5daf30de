package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/evidence/techfile"
)

// Docs modes (the `docs` input).
const (
	DocsPR     = "pr"
	DocsCommit = "commit"
	DocsCheck  = "check"
	DocsOff    = "off"
)

// Inputs are the action's inputs, read and checked.
type Inputs struct {
	Path, Config, OutputDir string
	Subjects, Checks        []string
	Sources                 []string // SBOM sources (the `source` input)
	SigningKey              string
	FailOn                  checks.Severity
	Docs                    string
	Token                   string
	// Signing is `cemark run --sign`: keyless, key, none, or "" for
	// cemark's default (a key when given, else keyless when the job may
	// request an OIDC token, else none).
	Signing string
	// FulcioURL, RekorURL and TrustedRoot (a file relative to the
	// workspace) point keyless signing at a private Sigstore instance.
	FulcioURL, RekorURL, TrustedRoot string
	// Baseline is a previous report.json, relative to the workspace
	// (`--baseline`): the findings it holds do not count for fail-on.
	Baseline string
	// VulnDB is the vulnerability database folder (`--vuln-db`), relative
	// to the workspace or absolute (a runner's own cache); empty: the
	// folder the action caches, which it passes as CEMARK_VULN_DB.
	VulnDB string
	// VulnDBUpdate downloads a newer database before the scan
	// (`--vuln-db-update`); true unless the input says false.
	VulnDBUpdate bool
}

// ReadInputs reads and checks the INPUT_* values. Secrets are masked by
// Run before anything else is done with them.
func ReadInputs(a Actions) (Inputs, error) {
	in := Inputs{
		Path: a.GetInput("path"), Config: a.GetInput("config"), OutputDir: a.GetInput("output-dir"),
		Subjects: list(a.GetInput("subjects")), Checks: list(a.GetInput("checks")), Sources: list(a.GetInput("source")),
		SigningKey: a.GetInput("signing-key"), Docs: strings.ToLower(a.GetInput("docs")), Token: a.GetInput("github-token"),
		Signing: strings.ToLower(a.GetInput("signing")), FulcioURL: a.GetInput("fulcio-url"), RekorURL: a.GetInput("rekor-url"),
		TrustedRoot: a.GetInput("trusted-root"), Baseline: a.GetInput("baseline"), VulnDB: a.GetInput("vuln-db"),
	}
	if in.Path == "" {
		in.Path = "."
	}
	if in.Docs == "" {
		in.Docs = DocsCheck // action.yml's default, and the GitLab component's
	}
	switch in.Docs {
	case DocsPR, DocsCommit, DocsCheck, DocsOff:
	default:
		return in, fmt.Errorf("input docs: %q is not one of pr, commit, check, off", in.Docs)
	}
	if in.Signing != "" && !slices.Contains(attest.SignModes, in.Signing) {
		return in, fmt.Errorf("input signing: %q is not one of %s (or empty for cemark's default)", in.Signing, strings.Join(attest.SignModes, ", "))
	}
	sev, err := checks.ParseSeverity(a.GetInput("fail-on"))
	if err != nil {
		return in, fmt.Errorf("input fail-on: %w", err)
	}
	in.FailOn = sev
	if in.VulnDBUpdate, err = boolInput(a.GetInput("vuln-db-update"), true); err != nil {
		return in, fmt.Errorf("input vuln-db-update: %w", err)
	}
	return in, nil
}

// boolInput reads a boolean input as GitHub's YAML 1.2 core schema
// spells it (true, True, TRUE, false …); empty is def.
func boolInput(s string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return def, fmt.Errorf("%q is not true or false", s)
}

// list splits an input on newlines and commas.
func list(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// RunFunc runs the evidence pipeline (evidence.Run; tests may wrap it).
type RunFunc func(ctx context.Context, opts evidence.Options) (*evidence.Evidence, error)

// Deps are what Run needs from the outside world.
type Deps struct {
	Actions Actions
	Getenv  func(string) string
	Run     RunFunc
	// Progress receives pipeline stage events (nil: silent).
	Progress evidence.Progress
	// HTTPClient, Sleep and Now reach the REST API (nil: defaults).
	HTTPClient *http.Client
	Sleep      Sleeper
	Now        func() time.Time
}

// Run is the action's entry point: inputs → pipeline → outputs,
// annotations, job summary → technical file. The returned error says its
// kind (evidence/failure): not conformant when a finding fails at fail-on
// or the technical file is stale under `docs: check`.
func Run(ctx context.Context, d Deps) error {
	a := d.Actions
	getenv := d.Getenv
	if getenv == nil {
		getenv = a.Getenv
	}
	// Mask first: no secret may reach a log line, not even an error.
	for _, secret := range []string{a.GetInput("signing-key"), a.GetInput("github-token")} {
		if err := maskSecret(a, secret); err != nil {
			return err
		}
	}
	in, err := ReadInputs(a)
	if err != nil {
		return failure.Usage(err)
	}
	gctx, err := ReadContext(getenv)
	if err != nil {
		return failure.Usage(err)
	}
	root, _, err := insideWorkspace(gctx.Workspace, in.Path)
	if err != nil {
		return failure.Usage(fmt.Errorf("input path: %w", err))
	}
	stages := evidence.RunStages
	if in.Docs == DocsOff {
		stages = stages.Without(evidence.StageDocs)
	}
	opts := evidence.Options{
		Root: root, Checks: in.Checks, Subjects: in.Subjects, Sources: in.Sources, FailOn: in.FailOn,
		Sign: in.Signing, FulcioURL: in.FulcioURL, RekorURL: in.RekorURL, VulnDBUpdate: in.VulnDBUpdate,
		Stages: stages, DocsCheck: in.Docs == DocsCheck,
		Progress: d.Progress, RepoRoot: gctx.Workspace,
		// Every write — the output-dir input, cemark.yaml's outputs.dir —
		// stays inside the workspace (evidence/contain).
		Workspace: gctx.Workspace, OutDirFrom: "input output-dir",
		// The key reaches the signer through the environment lookup, so
		// it is never written to a file.
		Getenv: func(k string) string {
			if k == "CEMARK_SIGNING_KEY" && in.SigningKey != "" {
				return in.SigningKey
			}
			return getenv(k)
		},
	}
	// Paths from the workspace, never outside it.
	for _, p := range []struct {
		input, value string
		to           *string
	}{
		{"config", in.Config, &opts.ConfigPath}, {"output-dir", in.OutputDir, &opts.OutDir},
		{"trusted-root", in.TrustedRoot, &opts.TrustedRoot}, {"baseline", in.Baseline, &opts.Baseline},
	} {
		if p.value == "" {
			continue
		}
		if *p.to, _, err = insideWorkspace(gctx.Workspace, p.value); err != nil {
			return failure.Usage(fmt.Errorf("input %s: %w", p.input, err))
		}
	}

	// The database is read (and updated) where the input says: inside the
	// workspace or, absolute, a runner's own cache.
	if opts.VulnDB = in.VulnDB; opts.VulnDB != "" && !filepath.IsAbs(opts.VulnDB) {
		opts.VulnDB = filepath.Join(gctx.Workspace, opts.VulnDB)
	}

	run := d.Run
	if run == nil {
		run = evidence.Run
	}
	ev, runErr := run(ctx, opts)
	if ev == nil {
		if runErr != nil {
			_ = a.Log(LevelError, "cemark: "+runErr.Error())
		}
		return runErr
	}

	status := ConformityOutput(ev.Status())
	outputs := [][2]string{{"conformity", status}}
	for _, o := range [][2]string{
		{"sbom-cyclonedx", evidencedir.SBOMCycloneDX}, {"sbom-spdx", evidencedir.SBOMSPDX}, {"report", evidencedir.Report},
		{"sarif", evidencedir.ReportSARIF}, {"attestations", evidencedir.Attestations},
	} {
		if _, ok := ev.Files[o[1]]; ok {
			// Paths relative to the workspace: the container sees it at
			// /github/workspace, later steps at $GITHUB_WORKSPACE.
			outputs = append(outputs, [2]string{o[0], relSlash(gctx.Workspace, filepath.Join(ev.OutDir, o[1]))})
		}
	}

	docs, docsErr := keepDocs(ctx, d, gctx, in, ev, root)
	outputs = append(outputs, [2]string{"docs-changed", fmt.Sprint(docs.changed)}, [2]string{"pull-request-url", docs.prURL})
	for _, o := range outputs {
		if err := a.SetOutput(o[0], o[1]); err != nil {
			return err
		}
	}

	// One located report for annotations and summary: paths from the
	// repository root, every finding on a file that exists.
	ci := ev.CIReport()
	fullReport := ""
	if _, ok := ev.Files[evidencedir.ReportMarkdown]; ok {
		fullReport = relSlash(gctx.Workspace, filepath.Join(ev.OutDir, evidencedir.ReportMarkdown))
	}
	for _, an := range Annotations(ci, MaxAnnotationsPerLevel, fullReport) {
		if err := a.Annotate(an); err != nil {
			return err
		}
	}
	sum := SummaryInput{Status: status, Assessment: ev.Assessment, Report: ci, SBOM: ev.SBOM,
		Signing: ev.Signing, Docs: docs.line}
	if ev.Config != nil {
		sum.Product, sum.Version = ev.Config.Product.Name, ev.Config.Product.Version
	}
	for _, m := range ev.Missing {
		sum.Missing = append(sum.Missing, m.Field)
	}
	if err := a.AddStepSummary(RenderSummary(sum)); err != nil {
		return err
	}
	if docsErr != nil {
		_ = a.Log(LevelError, "cemark: "+docsErr.Error())
		return docsErr
	}
	if runErr != nil {
		_ = a.Log(LevelError, "cemark: "+runErr.Error())
	}
	return runErr
}

// maskSecret masks a secret line by line: a workflow command is one line,
// so `::add-mask::` with a multi-line value (a PEM key) would print every
// line after the first in clear.
func maskSecret(a Actions, s string) error {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			if err := a.AddMask(line); err != nil {
				return err
			}
		}
	}
	return nil
}

// insideWorkspace resolves p against the workspace and refuses anything
// outside it. It returns the absolute path and the slash path relative to
// the workspace ("" for the workspace itself).
func insideWorkspace(ws, p string) (abs, rel string, err error) {
	abs = p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(ws, p)
	}
	abs = filepath.Clean(abs)
	r, err := filepath.Rel(ws, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", "", fmt.Errorf("%s is outside the workspace %s", p, ws)
	}
	if r == "." {
		r = ""
	}
	return abs, filepath.ToSlash(r), nil
}

func relSlash(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil || strings.HasPrefix(r, "..") {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

type docsOutcome struct {
	changed bool
	prURL   string
	line    string
}

// keepDocs applies the `docs` mode once the pipeline has rendered the
// technical file into the workspace.
func keepDocs(ctx context.Context, d Deps, g Context, in Inputs, ev *evidence.Evidence, root string) (docsOutcome, error) {
	var out docsOutcome
	tf := ev.TechFile
	a := d.Actions
	switch in.Docs {
	case DocsOff:
		out.line = "Technical file not kept by this step (`docs: off`)."
		return out, nil
	case DocsCheck:
		if tf == nil {
			return out, errors.New("the technical file was not rendered")
		}
		if notice := ev.TechFileNotice(); notice != "" {
			_ = a.Log(LevelNotice, notice)
			out.line = "Technical file: " + notice + "."
			return out, nil
		}
		if tf.Stale() {
			out.changed = true
			out.line = fmt.Sprintf("Technical file `%s` is **stale**: run `cemark docs` and commit the result.", tf.Dir)
			return out, failure.NotConformant(fmt.Errorf("the technical file in %s is stale: run `cemark docs` and commit the result\n%s", tf.Dir, tf.Diff))
		}
		out.line = fmt.Sprintf("Technical file `%s` is current.", tf.Dir)
		return out, nil
	}
	if tf == nil {
		return out, errors.New("the technical file was not rendered")
	}
	if g.FromFork() {
		msg := "this pull request comes from a fork, whose token is read-only: the technical file is not updated (it is, once merged)"
		_ = a.Log(LevelNotice, msg)
		out.line = "Technical file not updated: " + msg + "."
		return out, nil
	}
	if in.Docs == DocsCommit && (g.EventName != "push" || g.Branch() == "") {
		msg := fmt.Sprintf("`docs: commit` commits on pushes to a branch only; this is a %s event on %s, so nothing is committed", g.EventName, g.Ref)
		_ = a.Log(LevelNotice, msg)
		out.line = msg + "."
		return out, nil
	}
	if in.Token == "" {
		return out, failure.Usage(fmt.Errorf("docs: %s needs the github-token input (default ${{ github.token }})", in.Docs))
	}
	files, err := docsFiles(g.Workspace, root, tf.Files)
	if err != nil {
		return out, err
	}
	client, err := NewClient(ClientOptions{APIURL: g.APIURL, Token: in.Token, Repository: g.Repository,
		HTTPClient: d.HTTPClient, Sleep: d.Sleep, Now: d.Now, ToolVersion: ev.Tool.Cemark, SourceCommit: g.SHA})
	if err != nil {
		return out, failure.Usage(err)
	}
	var res DocsResult
	if in.Docs == DocsCommit {
		res, err = client.CommitToBranch(ctx, g.Branch(), g.SHA, files)
	} else {
		branch, sha := g.DocsBase()
		res, err = client.OpenPullRequest(ctx, branch, sha, files, prBody(ev, g))
	}
	if err != nil {
		return out, err
	}
	out.changed, out.prURL = res.Changed, res.PullRequestURL
	switch {
	case res.Changed && in.Docs == DocsCommit:
		out.line = fmt.Sprintf("Technical file `%s` updated in commit `%s`.", tf.Dir, short(res.Commit))
	case res.Changed:
		out.line = fmt.Sprintf("Technical file `%s` updated in pull request %s.", tf.Dir, res.PullRequestURL)
	case res.PullRequestURL != "":
		out.line = fmt.Sprintf("Technical file `%s`: pull request %s is current.", tf.Dir, res.PullRequestURL)
	default:
		out.line = fmt.Sprintf("Technical file `%s` is current.", tf.Dir)
	}
	return out, nil
}

// docsFiles reads the rendered files; their paths become relative to the
// repository root.
func docsFiles(workspace, root string, rendered []techfile.FileResult) ([]DocsFile, error) {
	out := make([]DocsFile, 0, len(rendered))
	for _, f := range rendered {
		abs := filepath.Join(root, filepath.FromSlash(f.Path))
		b, err := os.ReadFile(abs)
		if err != nil {
			return nil, fmt.Errorf("read the rendered %s: %w", f.Path, err)
		}
		out = append(out, DocsFile{Path: relSlash(workspace, abs), Content: b})
	}
	return out, nil
}

func prBody(ev *evidence.Evidence, g Context) string {
	var b strings.Builder
	b.WriteString("cemark regenerated the technical file (Annex VII of the Cyber Resilience Act) from the evidence of ")
	fmt.Fprintf(&b, "commit %s.\n\n", g.SHA)
	b.WriteString("Only the generated regions change; text written by hand outside them is kept. ")
	b.WriteString("Review the changes: cemark shows evidence and gaps, the manufacturer declares conformity.\n")
	if tf := ev.TechFile; tf != nil && len(tf.Substantial) > 0 {
		b.WriteString("\n**Possible substantial modification** — assess before the next release:\n\n")
		for _, c := range tf.Substantial {
			fmt.Fprintf(&b, "- %s: %q → %q\n", c.Aspect, c.Before, c.After)
		}
	}
	return b.String()
}
