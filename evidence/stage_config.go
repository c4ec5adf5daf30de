package evidence

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/ci"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/detect"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/evidence/gitinfo"
	"github.com/cemark/cemark/evidence/sbom"
	"github.com/cemark/cemark/evidence/techfile"
)

// configStage reads cemark.yaml once and decides everything the other
// stages go by, before any of them does work: every path the run writes
// and reads (each bad one exit 2 with its origin), the product's name and
// version, the reference time, how to sign. A run that writes takes the
// run lock here.
var configStage = stageDef{
	name: StageConfig,
	inputs: "cemark.yaml (read once), the flags, the product's manifests and LICENSE (name, licence), " +
		"git (product revision, version, folder in the repository), SOURCE_DATE_EPOCH and the CI's environment, " +
		"the baseline, attestations.signers keys, Art. 14 event files",
	outputs: "the configuration with its defaults, where the run reads and writes (with the exclusions), " +
		"the reference time, the signing plan, the run lock",
	run: runConfig,
}

func runConfig(ctx context.Context, r *runState) (string, error) {
	ev, opts := r.ev, r.opts
	cfg, cfgPath, err := loadConfigOnce(ev.Root, opts.ConfigPath)
	if err != nil {
		return "", err
	}
	ev.configFile = cfg.data
	// Every path the run writes and reads is decided here, before any
	// work: a bad one is exit 2 with its origin.
	plan, err := planRun(ev.Root, opts, r.sel, cfg.Config)
	if err != nil {
		return "", err
	}
	// A vulnerability database kept inside the product (a GitLab cache
	// must lie in the project) is never part of it: the SBOM, the checks
	// and the tree's fingerprint leave it out like cemark's own places.
	if rel := vulnDBWithin(ev.Root, cfg.Config, opts, r.getenv); rel != "" {
		plan.own = append(plan.own, rel)
	}
	r.plan, ev.plan = plan, plan
	ev.OutDir = plan.outDir
	if !opts.NoCache {
		r.cache = openStageCache(plan)
	}
	// syft's licence scanner, the slowest thing the SBOM stage builds, is
	// built while the configuration is read and git is asked — unless the
	// SBOM will likely be reused: then building it would cost CPU for
	// nothing (a miss starts it at the stage).
	if r.sel.Has(StageSBOM) && (r.cache == nil || !r.cache.store.Holds(string(StageSBOM))) {
		r.licences = sbom.StartLicenceScanner()
	}
	if r.sel.Has(StageSign) {
		// The sign stage checks the conformity statement against its
		// schema: compiled meanwhile, not after the SBOM.
		r.warmUps.Go(attest.CompileConformitySchema)
	}
	ev.Record.ReadOutside = plan.outside
	// Evidence is made from the product revision: the newest commit that
	// changed something other than the technical file and the evidence
	// directory, so committing the regenerated file does not make it stale.
	r.gitPrefix, r.inRepo = gitinfo.RepoPrefix(ctx, ev.Root)
	ev.RepoPrefix = repoPrefix(ev.Root, r.gitPrefix, r.inRepo, opts)
	if r.lastTreeReader != "" {
		r.startTree(ctx)
	}
	productVersion := opts.ProductVersion
	needVersion := productVersion == "" && cfg.Product.Version == ""
	// The revision, its time and (when needed) its version from one git
	// process; outside a repository there is none, and no version either.
	rev, revErr := gitinfo.ReadProductRevision(ctx, ev.Root, []string{relIfInside(ev.Root, ev.OutDir), plan.docsDir}, needVersion)
	ev.Commit = rev.Commit
	if needVersion {
		productVersion = rev.Version()
		if revErr != nil {
			productVersion = detect.Unversioned
		}
	}
	if err := (detect.Detector{Licence: r.licence}).ApplyDefaults(ctx, ev.Root, cfg.Config, productVersion); err != nil {
		return "", err
	}
	ev.Config, ev.ConfigPath = cfg.Config, cfgPath
	r.startGitFacts(ctx)
	if err := checkConformityStatements(cfg.Config, cfgPath, cfg.data); err != nil {
		return "", err
	}
	if ev.signers, err = loadSigners(ev.Root, cfg.Config, cfgPath, cfg.data); err != nil {
		return "", err
	}
	if ev.events, err = loadEvents(ev.Root, cfg.Config); err != nil {
		return "", err
	}
	if r.baseline, err = loadBaseline(ev.Root, cfg.Config, opts.Baseline, &ev.Record); err != nil {
		return "", err
	}
	ev.Missing = config.Missing(cfg.Config)
	if ev.Time, err = referenceTime(ctx, rev, r.getenv); err != nil {
		return "", failure.Usage(err)
	}
	ev.CI = ci.Detect(r.getenv)
	// Decide how to sign before the long stages, so that a wrong key,
	// COSIGN_PASSWORD or a missing OIDC permission fails the run at once.
	if r.sel.Has(StageSign) {
		if r.signing, err = prepareSigning(ctx, opts, r.getenv); err != nil {
			return "", err
		}
	}
	if cfgPath != "" {
		ev.Record.addInput("config", ev.Root, cfgPath, cfg.data)
	}
	// One run at a time per product: the lock is held from here to the
	// end, and an interrupted earlier run is completed or rolled back first.
	if plan.writes() {
		if r.lock, err = lockRun(ctx, plan, opts.LockTimeout, r.p); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%s %s", ev.Config.Product.Name, ev.Config.Product.Version), nil
}

// loadedConfig is cemark.yaml parsed, with the bytes it was parsed from.
type loadedConfig struct {
	*config.Config
	data []byte
}

// loadConfigOnce reads the configuration file — path (relative to the
// product root) when given, else root/cemark.yaml when it exists — once:
// the bytes it keeps are the ones parsed, digested in run.json and quoted
// for positions in later errors. No file is an empty configuration.
func loadConfigOnce(root, path string) (loadedConfig, string, error) {
	if path == "" {
		path = filepath.Join(root, config.FileName)
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			return loadedConfig{Config: &config.Config{}}, "", nil
		}
	} else {
		path = absPath(root, path)
	}
	data, err := config.ReadFile(path)
	if err != nil {
		return loadedConfig{}, path, err
	}
	cfg, err := config.Parse(path, data)
	if err != nil {
		return loadedConfig{}, path, err
	}
	return loadedConfig{Config: cfg, data: data}, path, nil
}

// referenceTime is SOURCE_DATE_EPOCH when set, else the product
// revision's commit time, else gitinfo's fixed fallback: never the clock.
func referenceTime(ctx context.Context, rev gitinfo.Revision, getenv func(string) string) (time.Time, error) {
	if t, ok, err := gitinfo.SourceDateEpochTime(getenv); ok || err != nil {
		return t, err
	}
	if rev.Commit != "" {
		return rev.Time, nil
	}
	return time.Unix(gitinfo.FallbackUnix, 0).UTC(), ctx.Err()
}

// runPlan is where one run reads and writes, decided in the config stage
// before any work is done.
type runPlan struct {
	bounds contain.Bounds
	// outDir is the evidence directory, absolute.
	outDir string
	// docsDir is the technical file's folder relative to the product root,
	// slash-separated; docsAbs the same, absolute.
	docsDir, docsAbs string
	// writesEvidence and writesDocs say what the run commits.
	writesEvidence, writesDocs bool
	// stateDir holds the run lock and the commit journal.
	stateDir string
	// checks is every check of every family, made once: the check IDs
	// the run names are validated against it, and the checks stage runs
	// its selection of it.
	checks *checks.Registry
	// own are the places, relative to the product root, where cemark keeps
	// what it makes — the evidence directory, the technical file, the
	// stage cache, the run lock and journal outside git — which no scan
	// reads: decided once, for the SBOM, the checks and the stage cache's
	// fingerprint of the tree.
	own []string
	// outside lists command-line paths outside the product root that the
	// run reads: a conscious act, recorded in run.json.
	outside []string
}

// writes reports whether the run writes anything (and so takes the lock).
func (p *runPlan) writes() bool { return p.writesEvidence || p.writesDocs }

// planRun resolves every path the run writes through contain, with the
// origin of each (a flag, a CI input or cemark.yaml:line:column), and
// checks every path, glob and check ID the configuration and the command
// line name — all before the SBOM is made. Each problem is exit 2.
func planRun(root string, opts Options, sel Selection, cfg *config.Config) (*runPlan, error) {
	b, err := contain.New(root, opts.Workspace)
	if err != nil {
		return nil, err
	}
	// The evidence directory is written whole or not at all: only by a
	// run that signs (or knowingly leaves unsigned) its statements.
	docs := sel.Has(StageDocs)
	p := &runPlan{bounds: b,
		writesEvidence: sel.Has(StageWrite) && sel.Has(StageSign),
		writesDocs:     sel.Has(StageWrite) && docs && !opts.DocsCheck}

	// The evidence directory.
	outPath, outFrom := config.DefaultEvidenceDir, contain.Origin{Key: "the default evidence directory"}
	switch {
	case opts.OutDir != "":
		outPath, outFrom = opts.OutDir, contain.Flag(orDefault(opts.OutDirFrom, "--out"))
	case cfg.Outputs.Dir != "":
		outPath, outFrom = cfg.Outputs.Dir, configOrigin(cfg, "outputs.dir")
	}
	if p.writesEvidence {
		if p.outDir, err = b.EvidenceDir(outPath, outFrom); err != nil {
			return nil, err
		}
	} else {
		p.outDir = absPath(b.Product, outPath)
	}

	// The technical file's folder: inside the product root, whatever the
	// boundary, because its links are relative to the root.
	docsPath, docsFrom := techfile.DefaultDir, contain.Origin{Key: "the default technical-file folder"}
	switch {
	case opts.DocsDir != "":
		docsPath, docsFrom = opts.DocsDir, contain.Flag(orDefault(opts.DocsDirFrom, "--docs-dir"))
	case cfg.Docs.Dir != "":
		docsPath, docsFrom = cfg.Docs.Dir, configOrigin(cfg, "docs.dir")
	}
	if docs {
		pb, err := contain.New(b.Product, "")
		if err != nil {
			return nil, err
		}
		if p.docsAbs, err = pb.Dir(docsPath, docsFrom); err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(b.Product, p.docsAbs)
		p.docsDir = filepath.ToSlash(rel)
		if err := techfile.Precheck(p.docsAbs, p.docsDir, opts.AcceptChanges); err != nil {
			return nil, err
		}
		if p.writesEvidence && (contain.Within(p.outDir, p.docsAbs) || contain.Within(p.docsAbs, p.outDir)) {
			return nil, failure.Usage(fmt.Errorf("%s %q and %s %q overlap: cemark replaces the evidence directory whole, so the technical file must live elsewhere",
				outFrom, outPath, docsFrom, docsPath))
		}
	} else {
		p.docsDir = filepath.ToSlash(filepath.Clean(docsPath))
		p.docsAbs = absPath(b.Product, docsPath)
	}
	p.stateDir = evidencedir.StateDir(b.Product, p.outDir)
	for _, dir := range []string{p.outDir, p.docsAbs, evidencedir.CacheDir(p.stateDir),
		evidencedir.LockPath(p.stateDir), evidencedir.JournalPath(p.stateDir)} {
		if rel := relIfInside(b.Product, dir); rel != "" && rel != "." && !strings.HasPrefix(rel, ".git/") {
			p.own = append(p.own, rel)
		}
	}

	if err := p.checkInputs(opts, sel, cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// exclude is the exclusion list of the run's scans: cemark's own places
// and cemark.yaml's exclude.
func (p *runPlan) exclude(cfg *config.Config) []string {
	return append(append([]string{}, p.own...), cfg.Exclude...)
}

// checkInputs validates what the run will read: globs, paths and check IDs
// from cemark.yaml (inside the product root, with their position) and from
// the command line (absolute paths allowed and recorded).
func (p *runPlan) checkInputs(opts Options, sel Selection, cfg *config.Config) error {
	b := p.bounds
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	globs := func(key string, vals []string) {
		for i, g := range vals {
			add(contain.CheckGlob(g, configOrigin(cfg, fmt.Sprintf("%s[%d]", key, i)), false))
		}
	}
	globs("exclude", cfg.Exclude)
	globs("updates.artifacts", cfg.Updates.Artifacts)
	globs("attestations.subjects", cfg.Attestations.Subjects)
	for _, g := range opts.Artifacts {
		add(contain.CheckGlob(g, contain.Flag("--artifacts"), true))
		p.noteOutside(g)
	}
	for _, g := range opts.Subjects {
		add(contain.CheckGlob(g, contain.Flag("--subject"), true))
		p.noteOutside(g)
	}

	// Sources: those of the command line win over cemark.yaml's.
	if len(opts.Sources) > 0 {
		for _, s := range opts.Sources {
			add(p.checkSource(s, contain.Flag("--source"), true))
		}
	} else {
		for i, s := range cfg.Sources {
			add(p.checkSource(s, configOrigin(cfg, fmt.Sprintf("sources[%d]", i)), false))
		}
	}

	// Files and folders cemark.yaml names for reading.
	readPath := func(key, val string) string {
		if val == "" {
			return ""
		}
		abs, err := b.ReadPath(val, configOrigin(cfg, key), false)
		add(err)
		return abs
	}
	for i, k := range cfg.Updates.Keys {
		readPath(fmt.Sprintf("updates.keys[%d].path", i), k.Path)
	}
	readPath("updates.trusted_root", cfg.Updates.TrustedRoot)
	readPath("advisories.folder", cfg.Advisories.Folder)
	if c := cfg.Advisories.CSAF; c != "" && !strings.Contains(c, "://") {
		readPath("advisories.csaf", c)
	}
	if sel.Has(StageDocs) {
		if opts.TemplatesDir != "" {
			abs, err := b.ReadPath(opts.TemplatesDir, contain.Flag("--templates"), true)
			add(err)
			if err == nil {
				add(mustBeDir(abs, opts.TemplatesDir, contain.Flag("--templates")))
				p.noteOutside(abs)
			}
		} else if abs := readPath("docs.templates", cfg.Docs.Templates); abs != "" {
			add(mustBeDir(abs, cfg.Docs.Templates, configOrigin(cfg, "docs.templates")))
		}
	}
	for _, k := range opts.UpdateKeys {
		abs, err := b.ReadPath(k, contain.Flag("--update-key"), true)
		add(err)
		if err == nil {
			if _, serr := os.Stat(abs); serr != nil {
				add(&contain.PathError{Path: k, Origin: contain.Flag("--update-key"), Reason: "cannot be read: " + errors.Unwrap(serr).Error()})
			}
			p.noteOutside(abs)
		}
	}

	// Check IDs.
	reg, err := all.Registry()
	if err != nil {
		return err
	}
	p.checks = reg
	known := map[string]bool{}
	for _, id := range reg.IDs() {
		known[id] = true
	}
	unknown := func(id string) bool { return !known[strings.ToUpper(strings.TrimSpace(id))] }
	valid := strings.Join(reg.IDs(), ", ")
	if len(opts.Checks) > 0 {
		for _, id := range opts.Checks {
			if strings.TrimSpace(id) != "" && unknown(id) {
				add(failure.Usage(fmt.Errorf("--checks: unknown check ID %q; expected one of: %s", id, valid)))
			}
		}
	} else {
		for i, id := range cfg.Checks.Select {
			if unknown(id) {
				add(cfg.ErrorAt(fmt.Sprintf("checks.select[%d]", i), "unknown check ID %q in checks.select; expected one of: %s", id, valid))
			}
		}
	}
	for i, w := range cfg.Waivers {
		if unknown(w.Check) {
			add(cfg.ErrorAt(fmt.Sprintf("waivers[%d].check", i), "waivers[%d] names no known check %q, so it would waive nothing; expected one of: %s", i, w.Check, valid))
		}
	}
	sort.Strings(p.outside)
	return joinUsage(errs)
}

// checkSource validates one SBOM source: its path inside the product root
// (or absolute from the command line), present, and of the right kind —
// a folder for dir: and oci-dir:, a regular file (never a FIFO or a
// device) for file:, docker-archive: and oci-archive:.
func (p *runPlan) checkSource(src string, o contain.Origin, fromCommandLine bool) error {
	kind, path, ok := strings.Cut(src, ":")
	if !ok {
		kind, path = "dir", src
	}
	if path == "" {
		path = "."
	}
	switch kind {
	case sbom.KindDir, sbom.KindFile, sbom.KindDockerArchive, sbom.KindOCIArchive, sbom.KindOCIDir:
	default:
		return &contain.PathError{Path: src, Origin: o, Reason: fmt.Sprintf("unknown kind %q (want dir, file, docker-archive, oci-archive or oci-dir)", kind)}
	}
	abs, err := p.bounds.ReadPath(path, o, fromCommandLine)
	if err != nil {
		return err
	}
	if fromCommandLine {
		p.noteOutside(abs)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return &contain.PathError{Path: src, Origin: o, Reason: "cannot be read: " + reason(err)}
	}
	switch kind {
	case "dir", "oci-dir":
		if !fi.IsDir() {
			return &contain.PathError{Path: src, Origin: o, Reason: fmt.Sprintf("is %s; a %s: source is a folder", contain.Kind(fi.Mode()), kind)}
		}
	default:
		if !fi.Mode().IsRegular() {
			return &contain.PathError{Path: src, Origin: o, Reason: fmt.Sprintf("is %s; a %s: source is a regular file", contain.Kind(fi.Mode()), kind)}
		}
	}
	return nil
}

// noteOutside records a command-line path that lies outside the product root.
func (p *runPlan) noteOutside(path string) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.bounds.Product, path)
	}
	if !contain.Within(p.bounds.Product, filepath.Clean(path)) {
		p.outside = append(p.outside, filepath.Clean(path))
	}
}

func mustBeDir(abs, given string, o contain.Origin) error {
	fi, err := os.Stat(abs)
	if err != nil {
		return &contain.PathError{Path: given, Origin: o, Reason: "is not a readable folder: " + reason(err)}
	}
	if !fi.IsDir() {
		return &contain.PathError{Path: given, Origin: o, Reason: fmt.Sprintf("is %s; expected a folder of templates", contain.Kind(fi.Mode()))}
	}
	return nil
}

func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// configOrigin is the origin of a setting of cemark.yaml, with its position.
func configOrigin(cfg *config.Config, key string) contain.Origin {
	where := cfg.Where(key)
	if where == "" {
		where = config.FileName
	}
	return contain.Origin{Key: key, Where: where}
}

// joinUsage joins usage errors into one exit-2 error, or returns nil.
func joinUsage(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return failure.Usage(errors.Join(errs...))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
