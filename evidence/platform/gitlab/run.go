package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/evidence/format/gitlabsbom"
	"github.com/cemark/cemark/evidence/vulns"
)

// Docs modes (the component's `docs` input).
const (
	DocsMR    = "mr"
	DocsCheck = "check"
	DocsOff   = "off"
)

// Settings are what the component passes to the job as CEMARK_* variables
// (never interpolated into the script, so an input cannot inject shell).
type Settings struct {
	Path      string // CEMARK_PATH, relative to CI_PROJECT_DIR
	OutputDir string // CEMARK_OUTPUT_DIR, relative to CI_PROJECT_DIR
	FailOn    checks.Severity
	Docs      string   // CEMARK_DOCS: mr | check | off
	Checks    []string // CEMARK_CHECKS
	Subjects  []string // CEMARK_SUBJECTS
	Sources   []string // CEMARK_SOURCE: SBOM sources, relative to Path
	// Signing is CEMARK_SIGNING (`cemark run --sign`): keyless | key |
	// none, or "" for cemark's default.
	Signing string
	// FulcioURL, RekorURL and TrustedRoot (relative to CI_PROJECT_DIR):
	// CEMARK_FULCIO_URL, CEMARK_REKOR_URL, CEMARK_TRUSTED_ROOT, a private
	// Sigstore instance for keyless signing.
	FulcioURL, RekorURL, TrustedRoot string
	// Baseline is CEMARK_BASELINE, a previous report.json relative to
	// CI_PROJECT_DIR (`--baseline`).
	Baseline string
	// VulnDB is CEMARK_VULN_DB, the vulnerability database folder the
	// component caches, relative to CI_PROJECT_DIR (GitLab caches only
	// paths inside it) or absolute; the pipeline reads it as it reads
	// CEMARK_VULN_DB anywhere (after --vuln-db and vulnerabilities.db).
	VulnDB string
	// VulnDBUpdate is CEMARK_VULN_DB_UPDATE (`--vuln-db-update`): true
	// unless it says false.
	VulnDBUpdate bool
}

// ReadSettings reads and checks the CEMARK_* variables.
func ReadSettings(getenv func(string) string) (Settings, error) {
	s := Settings{Path: getenv("CEMARK_PATH"), OutputDir: getenv("CEMARK_OUTPUT_DIR"),
		Docs:   strings.ToLower(strings.TrimSpace(getenv("CEMARK_DOCS"))),
		Checks: list(getenv("CEMARK_CHECKS")), Subjects: list(getenv("CEMARK_SUBJECTS")), Sources: list(getenv("CEMARK_SOURCE")),
		Signing: strings.ToLower(strings.TrimSpace(getenv("CEMARK_SIGNING"))), FulcioURL: strings.TrimSpace(getenv("CEMARK_FULCIO_URL")),
		RekorURL: strings.TrimSpace(getenv("CEMARK_REKOR_URL")), TrustedRoot: strings.TrimSpace(getenv("CEMARK_TRUSTED_ROOT")),
		Baseline: strings.TrimSpace(getenv("CEMARK_BASELINE")), VulnDB: strings.TrimSpace(getenv(vulns.EnvDB)), VulnDBUpdate: true}
	if s.Path == "" {
		s.Path = "."
	}
	if s.Docs == "" {
		s.Docs = DocsCheck // the component's default, and the GitHub Action's
	}
	switch s.Docs {
	case DocsMR, DocsCheck, DocsOff:
	default:
		return s, fmt.Errorf("CEMARK_DOCS: %q is not one of mr, check, off", s.Docs)
	}
	if s.Signing != "" && !slices.Contains(attest.SignModes, s.Signing) {
		return s, fmt.Errorf("CEMARK_SIGNING: %q is not one of %s (or empty for cemark's default)", s.Signing, strings.Join(attest.SignModes, ", "))
	}
	sev, err := checks.ParseSeverity(getenv("CEMARK_FAIL_ON"))
	if err != nil {
		return s, fmt.Errorf("CEMARK_FAIL_ON: %w", err)
	}
	s.FailOn = sev
	switch u := strings.ToLower(strings.TrimSpace(getenv("CEMARK_VULN_DB_UPDATE"))); u {
	case "", "true":
	case "false":
		s.VulnDBUpdate = false
	default:
		return s, fmt.Errorf("CEMARK_VULN_DB_UPDATE: %q is not true or false", u)
	}
	return s, nil
}

// list reads a list setting: a JSON array, as GitLab interpolates a
// `type: array` input into a string (["CEM-DEF-001", "CEM-PORT-001"]),
// or items separated by newlines, commas or spaces.
func list(s string) []string {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "[") {
		var items []string
		if json.Unmarshal([]byte(t), &items) == nil {
			var out []string
			for _, it := range items {
				if it = strings.TrimSpace(it); it != "" {
					out = append(out, it)
				}
			}
			return out
		}
	}
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == ' ' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Deps are what Run needs from the outside world.
type Deps struct {
	Getenv func(string) string
	// Log receives the human summary and notices (the job log).
	Log      io.Writer
	Progress evidence.Progress
	// Run runs the pipeline (nil: evidence.Run).
	Run func(ctx context.Context, opts evidence.Options) (*evidence.Evidence, error)
	// Remote overrides the push URL (tests use a bare repository).
	Remote string
}

// Run is the GitLab job's entry point. The error carries the exit code:
// 3 for failing findings at fail-on or a stale technical file (`check`).
func Run(ctx context.Context, d Deps) error {
	getenv := d.Getenv
	gc, err := ReadContext(getenv)
	if err != nil {
		return failure.Usage(err)
	}
	s, err := ReadSettings(getenv)
	if err != nil {
		return failure.Usage(err)
	}
	root, err := inside(gc.ProjectDir, s.Path)
	if err != nil {
		return failure.Usage(fmt.Errorf("CEMARK_PATH: %w", err))
	}
	stages := evidence.RunStages
	if s.Docs == DocsOff {
		stages = stages.Without(evidence.StageDocs)
	}
	opts := evidence.Options{Root: root, Checks: s.Checks, Subjects: s.Subjects, Sources: s.Sources, FailOn: s.FailOn,
		Sign: s.Signing, FulcioURL: s.FulcioURL, RekorURL: s.RekorURL, VulnDBUpdate: s.VulnDBUpdate,
		Stages: stages, DocsCheck: s.Docs == DocsCheck,
		Getenv: vulnDBEnv(gc, s, signingEnv(gc, s, getenv, d.Log)), Progress: d.Progress, RepoRoot: gc.ProjectDir,
		// Every write — CEMARK_OUTPUT_DIR, cemark.yaml's outputs.dir — stays
		// inside the project directory (evidence/contain).
		Workspace: gc.ProjectDir, OutDirFrom: "CEMARK_OUTPUT_DIR"}
	// Paths from the project directory, never outside it.
	for _, p := range []struct {
		name, value string
		to          *string
	}{
		{"CEMARK_OUTPUT_DIR", s.OutputDir, &opts.OutDir}, {"CEMARK_TRUSTED_ROOT", s.TrustedRoot, &opts.TrustedRoot},
		{"CEMARK_BASELINE", s.Baseline, &opts.Baseline},
	} {
		if p.value == "" {
			continue
		}
		if *p.to, err = inside(gc.ProjectDir, p.value); err != nil {
			return failure.Usage(fmt.Errorf("%s: %w", p.name, err))
		}
	}
	run := d.Run
	if run == nil {
		run = evidence.Run
	}
	ev, runErr := run(ctx, opts)
	if ev == nil {
		return runErr
	}
	ev.WriteText(d.Log)
	if err := writeDependencyReports(ev, d.Log); err != nil {
		return err
	}
	tf := ev.TechFile
	switch s.Docs {
	case DocsCheck:
		if notice := ev.TechFileNotice(); notice != "" {
			fmt.Fprintf(d.Log, "cemark: %s\n", notice)
			break
		}
		if tf.Stale() {
			fmt.Fprintf(d.Log, "\n%s", tf.Diff)
			return failure.NotConformant(fmt.Errorf("the technical file in %s is stale: run `cemark docs` and commit the result", tf.Dir))
		}
	case DocsMR:
		if err := mergeRequest(ctx, d, gc, ev); err != nil {
			return err
		}
	}
	return runErr
}

func mergeRequest(ctx context.Context, d Deps, gc Context, ev *evidence.Evidence) error {
	tf := ev.TechFile
	if tf == nil {
		return errors.New("the technical file was not rendered")
	}
	switch {
	case gc.FromFork():
		fmt.Fprintln(d.Log, "cemark: a merge request from a fork cannot push to this project: the technical file is not updated (it is, once merged)")
		return nil
	case gc.Branch == "" || gc.Branch != gc.DefaultBranch:
		fmt.Fprintf(d.Log, "cemark: docs: mr opens merge requests from pipelines on the default branch (%s); this pipeline is for %s, so nothing is pushed (use docs: check to gate merge requests)\n", gc.DefaultBranch, gc.RefName)
		return nil
	}
	token := d.Getenv("CEMARK_GITLAB_TOKEN")
	remote := d.Remote
	if remote == "" {
		if token == "" {
			return failure.Usage(errors.New("docs: mr needs CEMARK_GITLAB_TOKEN, a project access token with the write_repository scope (a masked CI/CD variable); CI_JOB_TOKEN cannot push"))
		}
		var err error
		if remote, err = gc.RemoteURL(); err != nil {
			return failure.Usage(err)
		}
	}
	var paths []string
	for _, f := range tf.Files {
		rel, err := filepath.Rel(gc.ProjectDir, filepath.Join(ev.Root, filepath.FromSlash(f.Path)))
		if err != nil {
			return err
		}
		paths = append(paths, filepath.ToSlash(rel))
	}
	res, err := Push(ctx, MergeRequest{Dir: gc.ProjectDir, Paths: paths, Remote: remote, Token: token,
		Target: gc.DefaultBranch, Title: "docs(cra): update the technical file", Getenv: d.Getenv})
	if err != nil {
		return fmt.Errorf("push the technical file to %s: %w", DocsBranch, err)
	}
	if res.Changed {
		fmt.Fprintf(d.Log, "cemark: technical file pushed to %s (%s); the merge request into %s is opened or updated\n", DocsBranch, shortSHA(res.Commit), gc.DefaultBranch)
	} else {
		fmt.Fprintln(d.Log, "cemark: the technical file is current; nothing pushed")
	}
	return nil
}

// PublicGoodGitLab is the one GitLab whose OIDC issuer public-good
// Fulcio trusts for CI identities (besides GitLab's own build instances).
const PublicGoodGitLab = "https://gitlab.com"

// signingEnv is the environment the pipeline signs from. The component
// declares SIGSTORE_ID_TOKEN (id_tokens, aud: sigstore) for keyless
// signing; by default (no signing setting, no private Sigstore) a token
// from a self-managed GitLab is not offered to public-good Fulcio, which
// would refuse its issuer after the SBOM and the checks: the run signs with
// CEMARK_SIGNING_KEY when there is one, else writes the statements unsigned
// with cemark's notice, and the log says why.
func signingEnv(gc Context, s Settings, getenv func(string) string, log io.Writer) func(string) string {
	if s.Signing != "" || s.FulcioURL != "" || gc.ServerURL == "" || strings.EqualFold(gc.ServerURL, PublicGoodGitLab) ||
		strings.TrimSpace(getenv(attest.EnvSigstoreIDToken)) == "" || strings.TrimSpace(getenv(attest.EnvSigningKey)) != "" {
		return getenv
	}
	fmt.Fprintf(log, "cemark: %s is a self-managed GitLab, whose OIDC issuer public-good Sigstore does not trust: the statements are not signed keylessly by default. "+
		"Sign with a key (CEMARK_SIGNING_KEY), or set signing: keyless with fulcio-url, rekor-url and trusted-root of a Sigstore instance that trusts this GitLab\n", gc.ServerURL)
	return func(k string) string {
		if k == attest.EnvSigstoreIDToken {
			return ""
		}
		return getenv(k)
	}
}

// vulnDBEnv resolves a relative CEMARK_VULN_DB against the project
// directory, where the component's cache: puts the database.
func vulnDBEnv(gc Context, s Settings, getenv func(string) string) func(string) string {
	if s.VulnDB == "" || filepath.IsAbs(s.VulnDB) {
		return getenv
	}
	abs := filepath.Join(gc.ProjectDir, s.VulnDB)
	return func(k string) string {
		if k == vulns.EnvDB {
			return abs
		}
		return getenv(k)
	}
}

func inside(base, p string) (string, error) {
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(base, p)
	}
	abs = filepath.Clean(abs)
	r, err := filepath.Rel(base, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the project directory %s", p, base)
	}
	return abs, nil
}

// writeDependencyReports writes the GitLab dependency reports
// (gl-sbom-*.cdx.json, see evidence/format/gitlabsbom) beside the SBOM in
// the evidence directory, where the component's artifacts:reports:cyclonedx
// picks them up. Their file paths start from the repository root.
func writeDependencyReports(ev *evidence.Evidence, log io.Writer) error {
	if ev.SBOM == nil || len(ev.Files) == 0 {
		return nil
	}
	reps, err := gitlabsbom.Reports(ev.SBOM.CycloneDX, ev.RepoPrefix)
	if err != nil {
		return err
	}
	for _, r := range reps {
		if err := evidencedir.WriteFileAtomic(filepath.Join(ev.OutDir, r.Name), r.Data, 0o644); err != nil {
			return fmt.Errorf("write the dependency report %s: %w", r.Name, err)
		}
		fmt.Fprintf(log, "cemark: dependency report %s: %d components of %s (%s)\n", r.Name, r.Components, r.InputFile, r.PackageManager)
	}
	return nil
}
