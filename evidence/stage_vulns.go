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
	"github.com/cemark/cemark/evidence/cache"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/evidence/format/gitlabds"
	"github.com/cemark/cemark/evidence/vulns"
)

// maxPreviousReport bounds the previous run's report.json and SBOM read
// for first-seen dates and for a scan without the sbom stage.
const maxPreviousReport = 64 << 20

// vulnsStage matches the SBOM against the vulnerability database (opened
// once, closed at the end of the stage), applies the VEX documents and the
// first-seen dates of the previous run, and keeps the scan on the evidence
// for the checks, the statements and the encoders. It never downloads
// unless --vuln-db-update. No database is not an error: the scan says "not
// assessed" and how to fix it.
var vulnsStage = stageDef{
	name: StageVulns,
	inputs: "this run's SBOM (syft's catalogue) — without the sbom stage, the SBOM the last run left in the evidence directory; " +
		"the vulnerability database (its recorded digest, build time and age against vulnerabilities.max_db_age); " +
		"the VEX documents; the previous report.json and the baseline (first-seen dates, applied after the cache); grype's version",
	outputs:   "the scan (matches with KEV, EPSS, fixes and VEX states), gl-dependency-scanning-report.json",
	run:       runVulns,
	cached:    true,
	readsTree: true,
}

func runVulns(ctx context.Context, r *runState) (string, error) {
	ev := r.ev
	in := vulnScanInput{
		Root: ev.Root, Config: ev.Config, Time: ev.Time, Now: ev.Now, ToolVersion: ev.Tool.Cemark,
		DBFlag: r.opts.VulnDB, Update: r.opts.VulnDBUpdate, UpdateURL: r.opts.VulnDBURL, Getenv: r.getenv, Progress: r.p,
	}
	loc, err := in.database(ctx)
	if err != nil {
		return "", err
	}
	// What the update said is this run's news, not the scan's: it is not
	// kept with the scan's outputs.
	r.p.begin()
	scan, err := r.vulnScan(ctx, in, loc)
	if err != nil {
		return "", err
	}
	// First-seen dates come from the previous run's report, the baseline
	// and today's date: applied to the (possibly reused) scan every run.
	earlier := []*checks.Report{previousReport(filepath.Join(ev.OutDir, evidencedir.Report))}
	if r.baseline != nil {
		earlier = append(earlier, r.baseline.Report) // read in the config stage
	}
	seen := checkvulns.FirstSeen(scan.Matches, ev.Time.UTC().Format(time.DateOnly), earlier...)
	for i := range scan.Matches {
		scan.Matches[i].FirstSeen = seen[scan.Matches[i].Key()]
	}
	ev.Vulns = scan
	if !scan.Assessed {
		return "not assessed", nil
	}
	db := scan.DB
	ev.Record.VulnDB = db
	ev.Record.Inputs = append(ev.Record.Inputs, Input{Name: "vulnerability database " + db.Schema + " built " + db.Built.UTC().Format(time.RFC3339), Kind: "vuln-db", Digest: db.Checksum})
	sum := vulnscan.Summarise(scan, vulnscan.PolicyFrom(ev.Config.Vulnerabilities))
	return fmt.Sprintf("%d packages, %d vulnerabilities (%d open, %d in KEV), database built %s",
		scan.Packages, sum.Total, sum.Open, len(sum.KEVOpen), db.Built.UTC().Format(time.DateOnly)), nil
}

// vulnScan is the scan of this run's SBOM, or of the last run's when the
// sbom stage did not run: reused when the SBOM, the database, the VEX
// documents (in the tree) and the configuration are those of an earlier
// scan.
func (r *runState) vulnScan(ctx context.Context, in vulnScanInput, loc vulns.Location) (*vulnscan.Scan, error) {
	ev := r.ev
	var doc []byte
	var docSum string
	switch {
	case ev.SBOM != nil:
		doc = ev.SBOM.CycloneDX
		docSum = ev.SBOM.CycloneDXSHA256()
	default:
		b, err := readBounded(filepath.Join(ev.OutDir, evidencedir.SBOMCycloneDX), maxPreviousReport)
		if err != nil {
			path := relOrAbs(ev.Root, filepath.Join(ev.OutDir, evidencedir.SBOMCycloneDX))
			scan := in.notAssessed("cemark check makes no SBOM and found none from a previous cemark run ("+path+")", "cemark run, which makes the SBOM and scans it")
			r.noticeScan(scan)
			return scan, nil
		}
		doc, docSum = b, sha256Hex(b)
	}
	in.SBOMName, in.SBOMSHA256 = evidencedir.SBOMCycloneDX, docSum
	var key cache.Key
	if r.cache != nil {
		k := r.stageKey(StageVulns).Add("grype", ev.Tool.Grype).Add("sbom", in.SBOMSHA256).
			Add("database", vulns.Fingerprint(loc.Dir, vulns.MaxAge(ev.Config), ev.Now))
		if err := r.treeKey(ctx, k); err != nil {
			return nil, err
		}
		if err := r.pathsKey(ctx, k, "vex", ev.Config.Vulnerabilities.VEX); err != nil {
			return nil, err
		}
		key = k.Sum()
		var scan vulnscan.Scan
		if _, ok := r.restore(StageVulns, key, func(e cache.Entry) error { return json.Unmarshal(e["scan.json"], &scan) }); ok {
			return &scan, nil
		}
	}
	if ev.SBOM != nil {
		cat, err := r.catalogue(ctx)
		if err != nil {
			return nil, err
		}
		in.Catalogue = cat
	} else {
		s, _, _, err := syftformat.Decode(bytes.NewReader(doc))
		if err != nil || s == nil {
			return nil, fmt.Errorf("read %s: %v", relOrAbs(ev.Root, filepath.Join(ev.OutDir, evidencedir.SBOMCycloneDX)), err)
		}
		in.Catalogue = s
	}
	scan, err := in.scan(ctx, loc)
	if err != nil {
		return nil, err
	}
	r.noticeScan(scan)
	if key != "" {
		b, err := json.Marshal(scan)
		r.keep(StageVulns, key, func() (cache.Entry, error) { return cache.Entry{"scan.json": b}, err })
	}
	return scan, nil
}

// noticeScan says what a person should know of the scan: why it was not
// assessed, or its warnings.
func (r *runState) noticeScan(scan *vulnscan.Scan) {
	if !scan.Assessed {
		r.p.Notice("vulnerabilities not assessed: " + scan.NotAssessed + "; fix: " + scan.Fix)
		return
	}
	for _, w := range scan.Warnings {
		r.p.Notice(w)
	}
}

// vulnScanInput is what one vulnerability scan needs.
type vulnScanInput struct {
	Root        string
	Config      *config.Config
	OutDir      string // where the previous report.json is
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

// database resolves the database folder and, with --vuln-db-update,
// updates it first.
func (in vulnScanInput) database(ctx context.Context) (vulns.Location, error) {
	p := in.Progress
	loc, err := vulns.ResolveDir(in.DBFlag, in.Config, in.Root, in.Getenv)
	if err != nil {
		return loc, failure.Usage(err)
	}
	if in.Update {
		p.StageUpdate(string(StageVulns), "updating the vulnerability database in "+loc.Dir)
		res, err := vulns.Update(ctx, vulns.UpdateOptions{Dir: loc.Dir, ListingURL: in.UpdateURL, ToolVersion: in.ToolVersion, MaxAge: vulns.MaxAge(in.Config), Now: in.Now})
		if err != nil {
			// The scan goes on with the database already there, if any;
			// the notice says the update failed.
			p.Notice(fmt.Sprintf("vulnerability database update failed: %v", err))
		} else if res.Updated {
			p.Notice(fmt.Sprintf("vulnerability database updated: %s built %s", res.DB.Schema, res.DB.Built.UTC().Format(time.RFC3339)))
		}
	}
	return loc, nil
}

// scan matches the catalogue against the database in loc and applies the
// VEX documents.
func (in vulnScanInput) scan(ctx context.Context, loc vulns.Location) (*vulnscan.Scan, error) {
	db, err := vulns.Open(ctx, loc.Dir, vulns.MaxAge(in.Config), in.Now)
	if errors.Is(err, vulns.ErrNoDB) {
		in.Progress.Notice(fmt.Sprintf("no vulnerability database in %s (from %s)", loc.Dir, loc.From))
		// The folder is in the notice only: the finding reaches the
		// technical file, which names no machine's paths.
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
	return scan, nil
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
		return fmt.Errorf("encode %s: %w", evidencedir.DependencyScanning, err)
	}
	files[evidencedir.DependencyScanning] = buf.Bytes()
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
