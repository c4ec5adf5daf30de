package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
	"github.com/cemark/cemark/checks/art14"
	rptchecks "github.com/cemark/cemark/checks/report"
	"github.com/cemark/cemark/checks/surface"
	"github.com/cemark/cemark/checks/updates"
	"github.com/cemark/cemark/checks/vulnhandling"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/ci"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/exitcode"
	"github.com/cemark/cemark/evidence/gitinfo"
	"github.com/cemark/cemark/evidence/sbom"
	"github.com/cemark/cemark/evidence/techfile"
	"github.com/cemark/cemark/evidence/version"
)

// Evidence is everything one run found and made.
type Evidence struct {
	Root       string
	OutDir     string
	ConfigPath string
	// configFile is cemark.yaml as read, for its digest in run.json and
	// the test-result statement (read once).
	configFile []byte
	Config     *config.Config
	// Time is the run's reference time (SOURCE_DATE_EPOCH or the commit time).
	Time time.Time
	// Now is the wall clock for expiry checks; it never reaches a file.
	Now     time.Time
	Commit  string
	CI      ci.Environment
	Tool    version.Info
	Missing []config.MissingInput

	SBOM       *sbom.Result
	Vulns      *vulnscan.Scan
	Report     *checks.Report
	Assessment conformity.Assessment
	Route      conformity.Route

	Statements []attest.Statement
	Envelopes  []*attest.Envelope
	subjects   []*intotov1.ResourceDescriptor
	Signed     bool
	KeyID      string
	// Signing says how the statements were signed: the key, or the
	// keyless identity, issuer and Rekor log indexes.
	Signing attest.Signing
	// SBOMByDigest is true when an SBOM was too large to attest inline.
	SBOMByDigest bool
	// signers are attestations.signers, keys by their key ID (stage_signers.go).
	signers []techfile.Signer
	// events are the Art. 14 events recorded with cemark report (stage_events.go).
	events []art14.Event

	// RepoPrefix is the product root's folder relative to the repository
	// root ("" at the root): CI outputs name files from the repository.
	RepoPrefix string

	TechFile *techfile.Result
	// Files maps each evidence file name to its sha256.
	Files  map[string]string
	Record RunRecord

	// plan is where the run reads and writes (the config stage decides it).
	plan *runPlan
}

// Run executes the pipeline.
func Run(ctx context.Context, opts Options) (*Evidence, error) {
	p := opts.Progress
	if p == nil {
		p = silentProgress{}
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	root := opts.Root
	if root == "" {
		root = "."
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", root, err)
	}
	if fi, err := os.Stat(absRoot); err != nil || !fi.IsDir() {
		return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("product root %s is not a directory", root))
	}
	ev := &Evidence{Root: absRoot, Tool: version.Get(), Files: map[string]string{}, Now: now().UTC()}
	rec := &ev.Record
	licences := startSBOM(opts)
	rec.Tool = ev.Tool

	// Configuration.
	stage := startStage(p, rec, "config")
	cfg, cfgPath, err := loadConfig(absRoot, opts.ConfigPath)
	if err != nil {
		return nil, stage.fail(err)
	}
	// Every path the run writes and reads is decided here, before any
	// work: a bad one is exit 2 with its origin.
	plan, err := planRun(absRoot, opts, cfg)
	if err != nil {
		return nil, stage.fail(err)
	}
	ev.plan = plan
	ev.OutDir = plan.outDir
	rec.ReadOutside = plan.outside
	// Evidence is made from the product revision: the newest commit that
	// changed something other than the technical file and the evidence
	// directory, so committing the regenerated file does not make it stale.
	gitPrefix, inRepo := gitinfo.RepoPrefix(ctx, absRoot)
	ev.RepoPrefix = repoPrefix(absRoot, gitPrefix, inRepo, opts)
	productVersion := opts.ProductVersion
	needVersion := productVersion == "" && cfg.Product.Version == ""
	// The revision, its time and (when needed) its version from one git
	// process; outside a repository there is none, and no version either.
	rev, revErr := gitinfo.ReadProductRevision(ctx, absRoot, []string{relIfInside(absRoot, ev.OutDir), plan.docsDir}, needVersion)
	ev.Commit = rev.Commit
	if needVersion {
		productVersion = rev.Version()
		if revErr != nil {
			productVersion = config.Unversioned
		}
	}
	if err := config.ApplyDefaults(ctx, absRoot, cfg, productVersion); err != nil {
		return nil, stage.fail(err)
	}
	ev.Config, ev.ConfigPath = cfg, cfgPath
	if err := checkConformityStatements(cfg, cfgPath); err != nil {
		return nil, stage.fail(err)
	}
	if ev.signers, err = loadSigners(absRoot, cfg, cfgPath); err != nil {
		return nil, stage.fail(err)
	}
	if ev.events, err = loadEvents(absRoot, cfg); err != nil {
		return nil, stage.fail(err)
	}
	baseline, err := loadBaseline(absRoot, cfg, opts.Baseline, rec)
	if err != nil {
		return nil, stage.fail(err)
	}
	ev.Missing = config.Missing(cfg)
	if ev.Time, err = referenceTime(ctx, rev, getenv); err != nil {
		return nil, stage.fail(exitcode.Wrap(exitcode.Usage, err))
	}
	ev.CI = ci.Detect(getenv)
	// Decide how to sign before the long stages, so that a wrong key,
	// COSIGN_PASSWORD or a missing OIDC permission fails the run at once.
	var signing *attest.SigningPlan
	if !opts.SkipAttest && opts.WriteEvidence {
		if signing, err = prepareSigning(ctx, opts, getenv); err != nil {
			return nil, stage.fail(err)
		}
	}
	if cfgPath != "" {
		if ev.configFile, err = contain.ReadRegular(cfgPath, config.MaxFileSize); err != nil {
			return nil, stage.fail(fmt.Errorf("read %s: %w", cfgPath, err))
		}
		rec.addInput("config", absRoot, cfgPath, ev.configFile)
	}
	// One run at a time per product: the lock is held from here to the
	// end, and an interrupted earlier run is completed or rolled back first.
	if plan.writes() {
		lock, err := lockRun(ctx, plan, opts.LockTimeout, p)
		if err != nil {
			return nil, stage.fail(err)
		}
		defer lock.Release()
	}
	stage.done(fmt.Sprintf("%s %s", cfg.Product.Name, cfg.Product.Version))

	// SBOM.
	if !opts.SkipSBOM {
		stage = startStage(p, rec, "sbom")
		sources := opts.Sources
		if len(sources) == 0 {
			sources = cfg.Sources
		}
		res, err := sbom.Generate(ctx, sbom.Config{
			Root:          absRoot,
			Sources:       sources,
			Exclude:       append(cfg.Exclude, relIfInside(absRoot, ev.OutDir), vulnDBWithin(absRoot, cfg, opts, getenv)),
			RemoteLookups: cfg.SBOM.RemoteLookups,
			MaxFileSize:   maxFileSize(cfg),
			Product: sbom.Product{
				Name: cfg.Product.Name, Version: cfg.Product.Version, Description: cfg.Product.Description,
				Licence: cfg.Product.Licence, Supplier: cfg.Manufacturer.Name,
				SupplierURL: cfg.Manufacturer.Website, SupplierEmail: cfg.Manufacturer.Email,
			},
			Created:     ev.Time,
			ToolName:    "cemark",
			ToolVersion: ev.Tool.Cemark,
			Progress: func(sp sbom.Progress) {
				p.StageUpdate("sbom", fmt.Sprintf("%s: %d packages", sp.Stage, sp.Packages))
			},
			LicenceScanner: licences,
		})
		if err != nil {
			return nil, stage.fail(fmt.Errorf("make the SBOM: %w", err))
		}
		ev.SBOM = res
		for _, s := range res.Sources {
			rec.Inputs = append(rec.Inputs, Input{Name: s.Input, Kind: "sbom-source", Digest: s.Digest})
		}
		stage.done(fmt.Sprintf("%d components", len(res.Components)))
	}

	if err := vulnStage(ctx, ev, opts, getenv, p); err != nil {
		return nil, err
	}

	// Checks.
	stage = startStage(p, rec, "checks")
	target, err := checks.NewTarget(ctx, absRoot, cfg, relIfInside(absRoot, ev.OutDir), vulnDBWithin(absRoot, cfg, opts, getenv))
	if err != nil {
		return nil, stage.fail(err)
	}
	target.Now = ev.Now
	var skipped []string
	if target.Artifacts, skipped, err = all.ExpandArtifacts(absRoot, append(append([]string{}, cfg.Updates.Artifacts...), opts.Artifacts...)); err != nil {
		return nil, stage.fail(exitcode.Wrap(exitcode.Usage, err))
	}
	for _, s := range skipped {
		p.Notice(s)
	}
	for _, k := range opts.UpdateKeys {
		target.UpdateKeys = append(target.UpdateKeys, absPath(absRoot, k))
	}
	if ev.SBOM != nil {
		target.Images = imageConfigs(ev.SBOM.Images)
		target.SBOM = sbomInfo(ev.SBOM)
		target.SBOM.DeclaredDirect = declaredDirect(target)
	}
	target.Vulns = ev.Vulns
	if obs, ok := art14.Observations(ev.Vulns); ok {
		rptchecks.ProvideObservations(target, obs) // CEM-RPT-001: KEV findings are candidate Art. 14 events
	}
	sel := opts.Checks
	if len(sel) == 0 {
		sel = cfg.Checks.Select
	}
	report, _, err := all.RunSelected(ctx, target, sel, checks.RunOptions{
		ToolVersion: ev.Tool.Cemark,
		Product:     checks.Product{Name: cfg.Product.Name, Version: cfg.Product.Version},
		ConfigFile:  relIfInside(absRoot, cfgPath),
		Baseline:    baseline,
	})
	if err != nil {
		return nil, stage.fail(err)
	}
	// Report-level facts; each family memoises, so nothing is parsed twice.
	if inv, err := surface.Inventory(ctx, target); err == nil {
		report.Facts.Inventory = inv
	}
	if us, err := updates.Facts(ctx, target); err == nil {
		report.Facts.UpdateSigning = us
	}
	if vh, err := vulnhandling.Facts(ctx, target); err == nil {
		report.Facts.VulnHandling = vh
	}
	report.Facts.Vulnerabilities = vulnFacts(ev)
	ev.Report = report
	// Part I (2)(a) is decided by the scan of the SBOM (its own rule).
	vulnSum := ev.VulnSummary()
	ev.Assessment = conformity.AssessWith(cfg, report, conformity.Inputs{VulnScan: &vulnSum})
	ev.Route = conformity.RouteFor(cfg)
	s := report.Summary
	stage.done(fmt.Sprintf("%d checks: %d fail, %d warn, %d waived, %d error", s.Checks, s.Fail, s.Warn, s.Waived, s.Error))

	// Evidence files other stages link to.
	files := map[string][]byte{}
	if err := encodeReports(ev, files); err != nil {
		return nil, err
	}

	// Attestations over everything but the conformity statement, which
	// needs the technical file's digest.
	if !opts.SkipAttest {
		stage = startStage(p, rec, "attest")
		if err := buildStatements(ctx, ev, opts, p); err != nil {
			return nil, stage.fail(err)
		}
		stage.done(fmt.Sprintf("%d statements; the conformity statement follows the technical file", len(ev.Statements)))
		for _, st := range ev.Statements {
			if st.ByDigest {
				p.Notice(fmt.Sprintf("%s: %s", st.Name, st.Note))
			}
		}
	}

	// Technical file: rendered now, written with the evidence.
	if !opts.NoDocs {
		stage = startStage(p, rec, "docs")
		tf, err := renderDocs(ctx, ev, opts, false)
		if err != nil {
			return nil, stage.fail(err)
		}
		ev.TechFile = tf
		stage.done(docsSummary(tf))
		for _, me := range tf.ManualEdits {
			p.Notice(DescribeManualEdit(me))
		}
		for _, n := range tf.Notices {
			p.Notice(n)
		}
	}

	if !opts.SkipAttest && opts.WriteEvidence {
		stage = startStage(p, rec, "sign")
		if err := conformityAndSign(ctx, ev, signing, p, files); err != nil {
			return nil, stage.fail(err)
		}
		stage.done(signSummary(ev))
	}

	if plan.writes() {
		if err := writeStage(ctx, ev, plan, files, opts.commitHook, p); err != nil {
			return nil, err
		}
	}

	if opts.FailOn != "" {
		if failing := checks.FailsAt(report, opts.FailOn); len(failing) > 0 {
			return ev, exitcode.Wrap(exitcode.NotConformant, &NotConformantError{FailOn: opts.FailOn, Findings: len(failing)})
		}
	}
	return ev, nil
}

// NotConformantError says the run found failing findings at or above the
// --fail-on severity (exit 3). The evidence is still written.
type NotConformantError struct {
	FailOn   checks.Severity
	Findings int
}

func (e *NotConformantError) Error() string {
	return fmt.Sprintf("%d failing finding(s) at or above severity %s", e.Findings, e.FailOn)
}

func loadConfig(root, path string) (*config.Config, string, error) {
	if path != "" {
		cfg, err := config.Load(absPath(root, path))
		return cfg, absPath(root, path), err
	}
	return config.LoadRoot(root)
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

func absPath(root, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(root, p)
}

func relIfInside(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return ""
	}
	return filepath.ToSlash(rel)
}

func relOrAbs(root, p string) string {
	if r := relIfInside(root, p); r != "" {
		return r
	}
	return p
}

func sbomInfo(r *sbom.Result) *checks.SBOMInfo {
	info := &checks.SBOMInfo{Components: len(r.Components), CycloneDXPath: "sbom.cdx.json", SPDXPath: "sbom.spdx.json"}
	for _, c := range r.Components {
		if c.TopLevel {
			info.TopLevel = append(info.TopLevel, c.Name+"@"+c.Version)
		}
	}
	sort.Strings(info.TopLevel)
	return info
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func short(s string) string {
	if len(s) > 16 {
		return s[:16]
	}
	return s
}

// maxFileSize is the bound on every file the run reads from the product
// (cemark.yaml limits.max_file_size, else contain.DefaultMaxFileSize).
func maxFileSize(cfg *config.Config) int64 {
	if cfg.Limits.MaxFileSize > 0 {
		return cfg.Limits.MaxFileSize
	}
	return contain.DefaultMaxFileSize
}
