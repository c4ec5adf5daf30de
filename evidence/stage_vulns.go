package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	syftformat "github.com/anchore/syft/syft/format"
	syftsbom "github.com/anchore/syft/syft/sbom"
	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/checks"
	checkvulns "github.com/cemark/cemark/checks/vulns"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/exitcode"
	"github.com/cemark/cemark/evidence/format/gitlabds"
	"github.com/cemark/cemark/evidence/gitinfo"
	"github.com/cemark/cemark/evidence/vulns"
)

// maxPreviousReport bounds the previous run's report.json read for
// first-seen dates.
const maxPreviousReport = 64 << 20

// vulnStage matches the SBOM just made against the vulnerability
// database (opened once, closed at the end of the stage), applies the VEX
// documents and the first-seen dates of the previous run, and keeps the
// scan on the evidence for the checks, the statements and the encoders.
// It never downloads unless opts.VulnDBUpdate. No database is not an
// error: the scan says "not assessed" and how to fix it.
func vulnStage(ctx context.Context, ev *Evidence, opts Options, getenv func(string) string, p Progress) error {
	stage := startStage(p, &ev.Record, "vulns")
	scan, err := scanVulnerabilities(ctx, ev, opts, getenv, p)
	if err != nil {
		return stage.fail(err)
	}
	ev.Vulns = scan
	if !scan.Assessed {
		p.Notice("vulnerabilities not assessed: " + scan.NotAssessed + "; fix: " + scan.Fix)
		stage.done("not assessed")
		return nil
	}
	for _, w := range scan.Warnings {
		p.Notice(w)
	}
	db := scan.DB
	ev.Record.VulnDB = db
	ev.Record.Inputs = append(ev.Record.Inputs, Input{Name: "vulnerability database " + db.Schema + " built " + db.Built.UTC().Format(time.RFC3339), Kind: "vuln-db", Digest: db.Checksum})
	sum := vulnscan.Summarise(scan, vulnscan.PolicyFrom(ev.Config.Vulnerabilities))
	stage.done(fmt.Sprintf("%d packages, %d vulnerabilities (%d open, %d in KEV), database built %s",
		scan.Packages, sum.Total, sum.Open, len(sum.KEVOpen), db.Built.UTC().Format(time.DateOnly)))
	return nil
}

func scanVulnerabilities(ctx context.Context, ev *Evidence, opts Options, getenv func(string) string, p Progress) (*vulnscan.Scan, error) {
	in := vulnScanInput{
		Root: ev.Root, Config: ev.Config, OutDir: ev.OutDir, Time: ev.Time, Now: ev.Now, ToolVersion: ev.Tool.Cemark,
		DBFlag: opts.VulnDB, Update: opts.VulnDBUpdate, UpdateURL: opts.VulnDBURL, Getenv: getenv, Progress: p,
		Baseline: baselinePath(ev.Root, ev.Config, opts.Baseline),
	}
	if ev.SBOM == nil || ev.SBOM.Catalogue == nil {
		return in.notAssessed("no SBOM was made in this run", "cemark run (the SBOM stage makes what is matched)"), nil
	}
	in.Catalogue, in.SBOMName, in.SBOMSHA256 = ev.SBOM.Catalogue, "sbom.cdx.json", sha256Hex(ev.SBOM.CycloneDX)
	return in.scan(ctx)
}

// vulnScanInput is what one vulnerability scan needs.
type vulnScanInput struct {
	Root        string
	Config      *config.Config
	OutDir      string // where the previous report.json is
	Baseline    string // the baseline report.json, "" for none: first-seen days too
	Time, Now   time.Time
	ToolVersion string
	Catalogue   *syftsbom.SBOM
	SBOMName    string
	SBOMSHA256  string
	DBFlag      string
	Update      bool
	UpdateURL   string
	Getenv      func(string) string
	Progress    Progress
}

func (in vulnScanInput) notAssessed(why, fix string) *vulnscan.Scan {
	return &vulnscan.Scan{Scanner: vulns.Scanner(), NotAssessed: why, Fix: fix, Matches: []vulnscan.Match{}, Time: in.Time.UTC()}
}

func (in vulnScanInput) scan(ctx context.Context) (*vulnscan.Scan, error) {
	p := in.Progress
	if p == nil {
		p = silentProgress{}
	}
	loc, err := vulns.ResolveDir(in.DBFlag, in.Config, in.Root, in.Getenv)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, err)
	}
	maxAge := vulns.MaxAge(in.Config)
	if in.Update {
		p.StageUpdate("vulns", "updating the vulnerability database in "+loc.Dir)
		res, err := vulns.Update(ctx, vulns.UpdateOptions{Dir: loc.Dir, ListingURL: in.UpdateURL, ToolVersion: in.ToolVersion, MaxAge: maxAge, Now: in.Now})
		if err != nil {
			// The scan goes on with the database already there, if any;
			// the notice says the update failed.
			p.Notice(fmt.Sprintf("vulnerability database update failed: %v", err))
		} else if res.Updated {
			p.Notice(fmt.Sprintf("vulnerability database updated: %s built %s", res.DB.Schema, res.DB.Built.UTC().Format(time.RFC3339)))
		}
	}
	db, err := vulns.Open(ctx, loc.Dir, maxAge, in.Now)
	if errors.Is(err, vulns.ErrNoDB) {
		// The folder is in the notice only: the finding reaches the
		// technical file, which names no machine's paths.
		p.Notice(fmt.Sprintf("no vulnerability database in %s (from %s)", loc.Dir, loc.From))
		return in.notAssessed("no vulnerability database was found (`cemark db status` shows where cemark looks)",
			fmt.Sprintf("`%s` (or cemark run --vuln-db-update), or point --vuln-db, vulnerabilities.db or %s at a grype database folder", vulns.UpdateCommand, vulns.EnvDB)), nil
	}
	if err != nil {
		return nil, fmt.Errorf("open the vulnerability database: %w", err)
	}
	defer db.Close()
	scan, err := db.Match(ctx, in.Catalogue, vulns.MatchInput{SBOMName: in.SBOMName, SBOMSHA256: in.SBOMSHA256, Time: in.Time})
	if err != nil {
		return nil, err
	}
	stmts, docs := vulns.LoadVEX(in.Root, in.Config.Vulnerabilities.VEX)
	scan.VEX = docs
	for _, d := range docs {
		if d.Error != "" {
			scan.Warnings = append(scan.Warnings, fmt.Sprintf("VEX document %s could not be read: %s", d.Path, d.Error))
		}
	}
	vulns.ApplyVEX(scan, stmts)
	earlier := []*checks.Report{previousReport(filepath.Join(in.OutDir, "report.json"))}
	if in.Baseline != "" {
		earlier = append(earlier, previousReport(in.Baseline))
	}
	seen := checkvulns.FirstSeen(scan.Matches, in.Time.UTC().Format(time.DateOnly), earlier...)
	for i := range scan.Matches {
		scan.Matches[i].FirstSeen = seen[scan.Matches[i].Key()]
	}
	return scan, nil
}

// CheckVulnOptions configure the scan `cemark check` runs on the SBOM of
// the last `cemark run` (check makes no SBOM of its own).
type CheckVulnOptions struct {
	// DB is --vuln-db.
	DB     string
	Getenv func(string) string
	// Now is the wall clock, for the database's age.
	Now func() time.Time
}

// CheckVulnScanner returns the scanner `cemark check` injects into
// checks/all: it matches the CycloneDX SBOM the last cemark run left in
// the evidence directory (decoded with syft's own decoder), or reports
// "not assessed" when there is none.
func CheckVulnScanner(o CheckVulnOptions) func(ctx context.Context, cfg *config.Config, root string) (*vulnscan.Scan, error) {
	return func(ctx context.Context, cfg *config.Config, root string) (*vulnscan.Scan, error) {
		getenv := o.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		now := time.Now
		if o.Now != nil {
			now = o.Now
		}
		// The evidence directory as a run would place it (planRun owns
		// that decision); only read here.
		outDir := filepath.Join(root, ".cemark")
		if p, err := planRun(root, Options{NoDocs: true}, cfg); err == nil {
			outDir = p.outDir
		}
		t, err := gitinfo.ReferenceTime(ctx, root, getenv)
		if err != nil {
			t = now()
		}
		in := vulnScanInput{Root: root, Config: cfg, OutDir: outDir, Time: t, Now: now().UTC(), DBFlag: o.DB, Getenv: getenv,
			Baseline: baselinePath(root, cfg, "")}
		path := filepath.Join(outDir, "sbom.cdx.json")
		doc, err := readBounded(path, maxPreviousReport)
		if err != nil {
			return in.notAssessed("cemark check makes no SBOM and found none from a previous cemark run ("+relOrAbs(root, path)+")", "cemark run, which makes the SBOM and scans it"), nil
		}
		s, _, _, err := syftformat.Decode(bytes.NewReader(doc))
		if err != nil || s == nil {
			return nil, fmt.Errorf("read %s: %v", relOrAbs(root, path), err)
		}
		in.Catalogue, in.SBOMName, in.SBOMSHA256 = s, "sbom.cdx.json", sha256Hex(doc)
		return in.scan(ctx)
	}
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MB", path, limit>>20)
	}
	return b, nil
}

// previousReport reads the last run's report.json; nil when there is none
// or it cannot be read (first-seen dates then start today).
func previousReport(path string) *checks.Report {
	b, err := readBounded(path, maxPreviousReport)
	if err != nil {
		return nil
	}
	var r checks.Report
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&r); err != nil {
		return nil
	}
	return &r
}

// baselinePath is the baseline report's file as all.LoadBaseline finds it
// (--baseline, else checks.baseline under root), "" for none.
func baselinePath(root string, cfg *config.Config, flagPath string) string {
	if flagPath == "" && cfg != nil && cfg.Checks.Baseline != "" {
		return filepath.Join(root, filepath.FromSlash(cfg.Checks.Baseline))
	}
	return flagPath
}

// vulnDBWithin is the vulnerability database folder relative to the
// product root when it lies inside it (a GitLab cache must be inside the
// project), else "": it is never part of the product, so the SBOM and the
// checks leave it out.
func vulnDBWithin(root string, cfg *config.Config, opts Options, getenv func(string) string) string {
	loc, err := vulns.ResolveDir(opts.VulnDB, cfg, root, getenv)
	if err != nil || loc.Dir == "" {
		return ""
	}
	if rel := relIfInside(root, loc.Dir); rel != "." {
		return rel
	}
	return ""
}

// vulnFacts is the report's vulnerability fact sheet.
func vulnFacts(ev *Evidence) *vulnscan.Facts {
	if ev.Vulns == nil {
		return nil
	}
	return vulnscan.FactsOf(ev.Vulns, vulnscan.PolicyFrom(ev.Config.Vulnerabilities))
}

// VulnSummary is the typed summary of the run's vulnerability scan for
// Annex I Part I (2)(a) and the technical file: whether a scan ran with a
// fresh database, what remains open (KEV, fixable critical/high), what VEX
// waived. A run without the scan gives a "not assessed" summary.
func (ev *Evidence) VulnSummary() vulnscan.Summary {
	policy := vulnscan.DefaultPolicy()
	if ev.Config != nil {
		policy = vulnscan.PolicyFrom(ev.Config.Vulnerabilities)
	}
	return vulnscan.Summarise(ev.Vulns, policy)
}

// addVulnFiles adds the GitLab dependency-scanning report of the scan.
func addVulnFiles(ev *Evidence, files map[string][]byte) error {
	if ev.Vulns == nil {
		return nil
	}
	var buf bytes.Buffer
	// Files from the repository root, as SARIF and Code Quality name them.
	if err := gitlabds.Encode(&buf, ev.Vulns, gitlabds.Options{ToolVersion: ev.Tool.Cemark, File: ev.Location().File}); err != nil {
		return fmt.Errorf("encode %s: %w", gitlabds.FileName, err)
	}
	files[gitlabds.FileName] = buf.Bytes()
	return nil
}

// vulnStatement is the in-toto vulnerabilities statement of the scan,
// over the same subjects as the others; none when no scan ran.
func vulnStatement(ev *Evidence, subjects []*intotov1.ResourceDescriptor) ([]attest.Statement, error) {
	if ev.Vulns == nil || !ev.Vulns.Assessed {
		return nil, nil
	}
	st, err := attest.VulnsStatement(subjects, ev.Vulns)
	if err != nil {
		return nil, err
	}
	return []attest.Statement{st}, nil
}
