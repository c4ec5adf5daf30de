package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
	"github.com/cemark/cemark/checks/surface"
	"github.com/cemark/cemark/checks/updates"
	"github.com/cemark/cemark/checks/vulnhandling"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/ci"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/evidencedir"
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
	Report     *checks.Report
	Assessment conformity.Assessment
	Route      conformity.Route

	Statements []attest.Statement
	Envelopes  []*attest.Envelope
	subjects   []*intotov1.ResourceDescriptor
	Signed     bool
	KeyID      string
	// SBOMByDigest is true when an SBOM was too large to attest inline.
	SBOMByDigest bool

	TechFile *techfile.Result
	// Files maps each evidence file name to its sha256.
	Files  map[string]string
	Record RunRecord
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
	// Evidence is made from the product revision: the newest commit that
	// changed something other than the technical file and the evidence
	// directory, so committing the regenerated file does not make it stale.
	ev.OutDir = resolveOutDir(absRoot, opts.OutDir, cfg)
	productVersion := opts.ProductVersion
	needVersion := productVersion == "" && cfg.Product.Version == ""
	// The revision, its time and (when needed) its version from one git
	// process; outside a repository there is none, and no version either.
	rev, revErr := gitinfo.ReadProductRevision(ctx, absRoot, []string{relIfInside(absRoot, ev.OutDir), docsDirOf(opts, cfg)}, needVersion)
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
	ev.Missing = config.Missing(cfg)
	if ev.Time, err = referenceTime(ctx, rev, getenv); err != nil {
		return nil, stage.fail(exitcode.Wrap(exitcode.Usage, err))
	}
	ev.CI = ci.Detect(getenv)
	// Load the signing key before the long stages, so that a wrong key or
	// COSIGN_PASSWORD fails the run at once, not after the SBOM.
	var signer attest.Signer
	if !opts.SkipAttest && opts.WriteEvidence {
		signer, err = attest.LoadSigner(ctx, opts.SigningKey, getenv)
		if errors.Is(err, attest.ErrNoSigningKey) {
			signer, err = nil, nil
		}
		if err != nil {
			return nil, stage.fail(exitcode.Wrap(exitcode.Usage, err))
		}
	}
	if cfgPath != "" {
		if ev.configFile, err = os.ReadFile(cfgPath); err != nil {
			return nil, stage.fail(fmt.Errorf("read %s: %w", cfgPath, err))
		}
		rec.addInput("config", absRoot, cfgPath, ev.configFile)
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
			Exclude:       append(cfg.Exclude, relIfInside(absRoot, ev.OutDir)),
			RemoteLookups: cfg.SBOM.RemoteLookups,
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

	// Checks.
	stage = startStage(p, rec, "checks")
	target, err := checks.NewTarget(ctx, absRoot, cfg, relIfInside(absRoot, ev.OutDir))
	if err != nil {
		return nil, stage.fail(err)
	}
	target.Now = ev.Now
	if target.Artifacts, err = all.ExpandArtifacts(absRoot, append(append([]string{}, cfg.Updates.Artifacts...), opts.Artifacts...)); err != nil {
		return nil, stage.fail(exitcode.Wrap(exitcode.Usage, err))
	}
	for _, k := range opts.UpdateKeys {
		target.UpdateKeys = append(target.UpdateKeys, absPath(absRoot, k))
	}
	if ev.SBOM != nil {
		target.Images = imageConfigs(ev.SBOM.Images)
		target.SBOM = sbomInfo(ev.SBOM)
		target.SBOM.DeclaredDirect = declaredDirect(target)
	}
	sel := opts.Checks
	if len(sel) == 0 {
		sel = cfg.Checks.Select
	}
	report, _, err := all.RunSelected(ctx, target, sel, checks.RunOptions{
		ToolVersion: ev.Tool.Cemark,
		Product:     checks.Product{Name: cfg.Product.Name, Version: cfg.Product.Version},
		ConfigFile:  relIfInside(absRoot, cfgPath),
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
	ev.Report = report
	ev.Assessment = conformity.Assess(cfg, report)
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

	// Technical file.
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
	}

	if !opts.SkipAttest && opts.WriteEvidence {
		stage = startStage(p, rec, "sign")
		if err := conformityAndSign(ctx, ev, signer, p); err != nil {
			return nil, stage.fail(err)
		}
		if ev.Signed {
			stage.done(fmt.Sprintf("%d envelopes signed by key %s", len(ev.Envelopes), short(ev.KeyID)))
		} else {
			stage.done(fmt.Sprintf("%d statements written unsigned", len(ev.Envelopes)))
		}
		files["attestations.intoto.jsonl"] = attest.EncodeJSONL(ev.Envelopes)
		for i, env := range ev.Envelopes {
			files[ev.Statements[i].Name+".dsse.json"] = env.JSON()
		}
	}

	if opts.WriteEvidence {
		stage = startStage(p, rec, "write")
		w := evidencedir.New(ev.OutDir)
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if err := w.Add(n, files[n]); err != nil {
				return nil, stage.fail(err)
			}
			ev.Files[n] = sha256Hex(files[n])
			rec.Outputs = append(rec.Outputs, Output{Name: n, SHA256: ev.Files[n]})
		}
		stage.done(fmt.Sprintf("%d files in %s", len(names)+1, relOrAbs(absRoot, ev.OutDir)))
		recBytes, err := json.MarshalIndent(rec, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := w.Add("run.json", append(recBytes, '\n')); err != nil {
			return nil, err
		}
		if err := w.Commit(ctx); err != nil {
			return nil, fmt.Errorf("write evidence to %s: %w", ev.OutDir, err)
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

// docsDirOf is the technical file's folder relative to the root.
func docsDirOf(opts Options, cfg *config.Config) string {
	switch {
	case opts.DocsDir != "":
		return filepath.ToSlash(filepath.Clean(opts.DocsDir))
	case cfg.Docs.Dir != "":
		return filepath.ToSlash(filepath.Clean(cfg.Docs.Dir))
	}
	return techfile.DefaultDir
}

func resolveOutDir(root, flag string, cfg *config.Config) string {
	switch {
	case flag != "":
		return absPath(root, flag)
	case cfg.Outputs.Dir != "":
		return absPath(root, cfg.Outputs.Dir)
	}
	return filepath.Join(root, ".cemark")
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
