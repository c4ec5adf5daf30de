package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
	"github.com/cemark/cemark/checks/art14"
	rptchecks "github.com/cemark/cemark/checks/report"
	"github.com/cemark/cemark/evidence/cache"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
	formatjson "github.com/cemark/cemark/evidence/format/json"
	"github.com/cemark/cemark/evidence/sbom"
)

// checksStage walks the product once and runs the selected checks; each
// family states its own fact sheet (checks.FactSheet). The report is then
// mapped onto Annex I.
var checksStage = stageDef{
	name: StageChecks,
	inputs: "the tree (without the run's exclusions), the configuration, the checks selected (--checks, else checks.select), " +
		"the SBOM's components and images — without the sbom stage, the image sources' configuration —, the vulnerability scan, " +
		"the shipped artefacts and update keys, the baseline, the day (waiver and support-period expiry) and the state of each Art. 14 deadline",
	outputs:   "report.json and its SARIF, Code Quality and Markdown forms, ports.json, conformity.json; the Annex I assessment and the conformity route",
	run:       runChecks,
	cached:    true,
	readsTree: true,
}

func runChecks(ctx context.Context, r *runState) (string, error) {
	ev := r.ev
	cfg := ev.Config
	sel := r.checkSelection()
	key, err := r.keyChecks(ctx, sel)
	if err != nil {
		return "", err
	}
	if key != "" {
		var rep checks.Report
		var encoded []byte
		if summary, ok := r.restore(StageChecks, key, func(e cache.Entry) error {
			encoded = e[evidencedir.Report]
			return json.Unmarshal(encoded, &rep)
		}); ok {
			r.dropChecksWarm()
			r.setReport(&rep, encoded)
			return summary, nil
		}
	}
	t, err := r.checksTarget(ctx)
	if err != nil {
		return "", err
	}
	report, _, err := all.RunSelected(ctx, r.plan.checks, t, sel, checks.RunOptions{
		ToolVersion: ev.Tool.Cemark,
		Product:     checks.Product{Name: cfg.Product.Name, Version: cfg.Product.Version},
		ConfigFile:  relIfInside(ev.Root, ev.ConfigPath),
		Baseline:    r.baseline,
	})
	if err != nil {
		return "", err
	}
	r.setReport(report, nil)
	if r.stagesAfterChecks {
		// The stages left read the report, not the tree: the files read
		// and the parsers' results are let go (the target stays, for what
		// it says about the walk).
		t.Memo = checks.NewMemo()
		t.Files.DropContents()
	}
	if key != "" {
		// report.json itself, in the background: no stage changes the
		// report, and its bytes decode to it (checks.Run leaves no slice
		// nil that report.json writes as []). The early staging writes the
		// same bytes: the report is encoded once for both.
		r.keep(StageChecks, key, func() (cache.Entry, error) {
			b, err := r.ev.reportJSON()
			return cache.Entry{evidencedir.Report: b}, err
		})
	}
	s := report.Summary
	return fmt.Sprintf("%d checks: %d fail, %d warn, %d waived, %d error", s.Checks, s.Fail, s.Warn, s.Waived, s.Error), nil
}

// checkSelection is the checks the run selects: --checks, else
// checks.select (empty: every check).
func (r *runState) checkSelection() []string {
	if len(r.opts.Checks) > 0 {
		return r.opts.Checks
	}
	return r.ev.Config.Checks.Select
}

// setReport sets the report the checks made, or restored with encoded,
// the report.json they had.
func (r *runState) setReport(report *checks.Report, encoded []byte) {
	ev := r.ev
	ev.Report = report
	ev.reportJSON = sync.OnceValues(func() ([]byte, error) {
		if encoded != nil {
			return encoded, nil
		}
		return formatjson.Marshal(report)
	})
	// Part I (2)(a) is decided by the scan of the SBOM (its own rule).
	vulnSum := ev.VulnSummary()
	ev.Assessment = conformity.AssessWith(ev.Config, report, conformity.Inputs{VulnScan: &vulnSum})
	ev.Route = conformity.RouteFor(ev.Config)
}

// keyChecks is the digest of what the checks read; "" without a cache.
// The checks judge the tree at a time: waivers and the support period
// expire by the day, and Art. 14 deadlines run in hours, so the key holds
// the day and the state of every deadline (a deadline that passes is a
// new key). Other clock-bound verdicts (a security.txt's Expires, a key's
// validity) are judged afresh each day.
func (r *runState) keyChecks(ctx context.Context, sel []string) (cache.Key, error) {
	if r.cache == nil {
		return "", nil
	}
	ev := r.ev
	k := r.stageKey(StageChecks).AddJSON("select", sel).
		AddJSON("artifacts", r.opts.Artifacts).AddJSON("update-keys", r.opts.UpdateKeys).
		Add("day", ev.Now.UTC().Format(time.DateOnly))
	var deadlines []string
	for _, st := range art14.Assess(ev.events, ev.Now) {
		for _, d := range st.Deadlines {
			deadlines = append(deadlines, st.Event.ID+"/"+string(d.Stage)+"="+string(d.State))
		}
	}
	k.AddJSON("art14", deadlines).AddJSON("events", ev.events)
	// The event files and a local advisories folder the families read
	// may lie in the technical file's folder, which the tree's
	// fingerprint leaves out.
	adv := ev.Config.Advisories
	local := []string{art14.EventsDir(ev.Config), adv.Folder}
	if adv.CSAF != "" && !strings.Contains(adv.CSAF, "://") {
		local = append(local, adv.CSAF)
	}
	if err := r.pathsKey(ctx, k, "named-files", local); err != nil {
		return "", err
	}
	if ev.SBOM != nil {
		k.Add("sbom", ev.SBOM.CycloneDXSHA256()).AddJSON("images", ev.SBOM.Images)
	} else {
		k.AddJSON("sources", r.sources())
	}
	if ev.Vulns != nil {
		b, err := json.Marshal(ev.Vulns)
		if err != nil {
			return "", err
		}
		k.Add("vulns", sha256Hex(b))
	}
	if r.baseline != nil {
		k.Add("baseline", r.baseline.Source+" "+r.baseline.Digest)
	}
	// The first release tag starts the support period when cemark.yaml
	// does not say (CEM-VH): tags are not in the tree.
	if first := r.firstTag.get(); first.ok {
		k.Add("first-tag", first.tag+" "+first.when.UTC().String())
	}
	if err := r.treeKey(ctx, k); err != nil {
		return "", err
	}
	key := k.Sum()
	r.checksKey = key
	return key, nil
}

// sources are the SBOM sources of the run: the command line's, else
// cemark.yaml's.
func (r *runState) sources() []string {
	if len(r.opts.Sources) > 0 {
		return r.opts.Sources
	}
	return r.ev.Config.Sources
}

// newChecksTarget walks the tree for the checks, or takes the listing the
// stage cache's first fingerprint walked (a tree outside git): the same
// files, walked once.
func (r *runState) newChecksTarget(ctx context.Context) (*checks.Target, error) {
	ev := r.ev
	var t *checks.Target
	if l := r.walkedListing(); l != nil {
		// A listing that does not fit is walked again below.
		t, _ = checks.NewTargetListed(ctx, ev.Root, ev.Config, l, r.plan.own...)
	}
	if t == nil {
		var err error
		if t, err = checks.NewTarget(ctx, ev.Root, ev.Config, r.plan.own...); err != nil {
			return nil, err
		}
	}
	// The family that measures the support period takes the tag the run
	// asked git for, rather than asking again.
	if first := r.firstTag; first != nil {
		t.FirstRelease = func() (string, time.Time, bool) {
			f := first.get()
			return f.tag, f.when, f.ok
		}
	}
	return t, nil
}

// checksTarget is what the checks look at: the tree walked once without
// the run's exclusions, the shipped artefacts, the update keys, the SBOM's
// facts (or the image sources' configuration when no SBOM was made in this
// run) and the vulnerability scan.
func (r *runState) checksTarget(ctx context.Context) (*checks.Target, error) {
	ev := r.ev
	cfg := ev.Config
	// The tree walked and parsed beside the SBOM, when it was.
	t := r.takeChecksWarm()
	var err error
	if t == nil {
		if t, err = r.newChecksTarget(ctx); err != nil {
			return nil, err
		}
	}
	t.Now = ev.Now
	var skipped []string
	if t.Artifacts, skipped, err = expandArtifacts(ev.Root, append(append([]string{}, cfg.Updates.Artifacts...), r.opts.Artifacts...)); err != nil {
		return nil, failure.Usage(err)
	}
	for _, s := range skipped {
		r.p.Notice(s)
	}
	for _, k := range r.opts.UpdateKeys {
		t.UpdateKeys = append(t.UpdateKeys, absPath(ev.Root, k))
	}
	switch {
	case ev.SBOM != nil:
		t.Images = imageConfigs(ev.SBOM.Images)
		t.SBOM = sbomInfo(ev.SBOM)
		t.SBOM.DeclaredDirect = declaredDirect(t)
	case len(r.sources()) > 0:
		// No SBOM in this run (cemark check, ports): the image sources
		// give their configuration all the same.
		imgs, err := sbom.Images(ctx, ev.Root, r.sources())
		if err != nil {
			return nil, failure.Usage(fmt.Errorf("read image configuration: %w", err))
		}
		t.Images = imageConfigs(imgs)
	}
	t.Vulns = ev.Vulns
	if obs, ok := art14.Observations(ev.Vulns); ok {
		rptchecks.ProvideObservations(t, obs) // CEM-RPT-001: KEV findings are candidate Art. 14 events
	}
	ev.target = t
	return t, nil
}

// imageConfigs converts the images' facts to what the checks read.
func imageConfigs(imgs []sbom.Image) []checks.ImageConfig {
	out := make([]checks.ImageConfig, 0, len(imgs))
	for _, im := range imgs {
		out = append(out, checks.ImageConfig{Source: im.Source, Name: im.Name, ManifestDigest: im.ManifestDigest,
			ExposedPorts: im.ExposedPorts, User: im.User, Env: im.Env, Labels: im.Labels})
	}
	return out
}

// expandArtifacts resolves artefact globs (relative to root, or absolute
// when the command line gave them) to regular files, sorted. Only regular
// files are read: a FIFO, a device or a socket that matches is skipped, and
// so is a match that a symbolic link takes outside the root when its glob
// is relative; each skip is one line in skipped, for a notice. A glob that
// matches no file it may read is an error, since a missing artefact is
// never fine.
func expandArtifacts(root string, globs []string) (files, skipped []string, err error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve product root %s: %w", root, err)
	}
	seen := map[string]bool{}
	for _, g := range globs {
		p, relative := g, !filepath.IsAbs(g)
		if relative {
			p = filepath.Join(root, p)
		}
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, nil, fmt.Errorf("artefact glob %q: %w", g, err)
		}
		n := 0
		for _, m := range matches {
			fi, err := os.Stat(m)
			if err != nil {
				skipped = append(skipped, fmt.Sprintf("artefact %s skipped: %v", m, err))
				continue
			}
			if !fi.Mode().IsRegular() {
				if !fi.IsDir() {
					skipped = append(skipped, fmt.Sprintf("artefact %s skipped: it is %s, not a regular file", m, contain.Kind(fi.Mode())))
				}
				continue
			}
			if relative {
				real, err := filepath.EvalSymlinks(m)
				if err != nil || !contain.Within(realRoot, real) {
					skipped = append(skipped, fmt.Sprintf("artefact %s skipped: a symbolic link takes it outside the product root", m))
					continue
				}
			}
			n++
			if !seen[m] {
				seen[m] = true
				files = append(files, m)
			}
		}
		if n == 0 {
			return nil, skipped, fmt.Errorf("artefact glob %q matches no regular file inside the product root", g)
		}
	}
	sort.Strings(files)
	return files, skipped, nil
}
