package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"

	syftsbom "github.com/anchore/syft/syft/sbom"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/cache"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/sbom"
)

// sbomStage catalogues the product's sources with the syft library and
// makes the SBOM: CycloneDX 1.6 and SPDX 2.3, enriched to TR-03183-2.
var sbomStage = stageDef{
	name: StageSBOM,
	inputs: "the sources (--source, else cemark.yaml sources, else the product root) without the run's exclusions; " +
		"the product and manufacturer from the configuration; the reference time; syft's version",
	outputs:   "sbom.cdx.json, sbom.spdx.json, sbom-quality.json and .txt; the components, images and sources for the later stages",
	run:       runSBOM,
	cached:    true,
	readsTree: true,
}

func runSBOM(ctx context.Context, r *runState) (string, error) {
	sc := sbomConfig(r)
	// The key waits for the tree's fingerprint (tens of ms of git on a
	// large repository). With no entry of this stage in the cache there is
	// nothing it could find: syft starts at once, and the key is made
	// afterwards, for keeping.
	var key cache.Key
	var cacheable bool
	lookUp := r.cache != nil && r.cache.store.Holds(string(StageSBOM))
	if lookUp {
		var err error
		if key, cacheable, err = r.sbomKey(ctx, sc); err != nil {
			return "", err
		}
		if cacheable {
			if summary, ok := r.restore(StageSBOM, key, r.restoreSBOM); ok {
				return summary, nil
			}
		}
	}
	// The checks' tree work needs nothing syft makes: it runs meanwhile.
	r.startChecksWarm(ctx)
	// Generate lets the licence scanner go once it has catalogued; the
	// run needs it no more, since the catalogue it makes is kept for the
	// vulnerability scan.
	r.licences = nil
	res, err := sbom.Generate(ctx, sc)
	if err != nil {
		return "", fmt.Errorf("make the SBOM: %w", err)
	}
	r.setSBOM(res)
	r.startSBOMPredicates()
	if !lookUp {
		if key, cacheable, err = r.sbomKey(ctx, sc); err != nil {
			return "", err
		}
	}
	if cacheable {
		// Made in the background: it waits for the SPDX document.
		r.keep(StageSBOM, key, func() (cache.Entry, error) { return sbomEntry(res) })
	}
	return fmt.Sprintf("%d components", len(res.Components)), nil
}

// startSBOMPredicates makes the SBOM documents canonical for the attest
// stage's statements in the background, while the vulnerability scan and
// the checks run (they use one processor at most): on a product of
// thousands of packages that is MBs of JSON, tens of ms. One at a time,
// so as not to compete with those stages for the other processor:
// CycloneDX first, while the SPDX document is still being encoded. The
// predicates are listed once the SPDX document is; the attest stage takes
// over whatever is not made by then. Only for an SBOM just made: one
// reused from the cache comes with reused statements.
func (r *runState) startSBOMPredicates() {
	if !r.sel.Has(StageAttest) || runtime.GOMAXPROCS(0) < 2 {
		return
	}
	limit, res := r.ev.Config.Attestations.SBOMInlineLimit, r.ev.SBOM
	preds := startLater(r, func() []*attest.Predicate {
		var list []*attest.Predicate
		if cdx := attest.SBOMPredicate(res.CycloneDX, limit); cdx != nil {
			cdx.Make()
			list = append(list, cdx)
		}
		if doc, err := res.SPDX(); err == nil {
			if spdx := attest.SBOMPredicate(doc, limit); spdx != nil {
				list = append(list, spdx)
			}
		}
		return list
	})
	r.sbomPredicates = preds
	r.warmUps.Go(func() {
		for _, p := range preds.get() {
			p.Make() // once each: CycloneDX's is made already
		}
	})
}

// sbomKey is the digest of what the SBOM is made from: the tree (and the
// command line's sources outside it), the sources, the exclusions, the
// size bound, syft's version and, through stageKey, the configuration's
// product and manufacturer and the reference time. An SBOM made with
// remote look-ups depends on the network: it is never reused.
func (r *runState) sbomKey(ctx context.Context, sc sbom.Config) (cache.Key, bool, error) {
	if r.cache == nil || sc.RemoteLookups {
		return "", false, nil
	}
	k := r.stageKey(StageSBOM).Add("syft", r.ev.Tool.Syft).
		AddJSON("sources", sc.Sources).AddJSON("exclude", sc.Exclude).
		Add("max-file-size", fmt.Sprint(sc.MaxFileSize))
	if err := r.treeKey(ctx, k); err != nil {
		return "", false, err
	}
	return k.Sum(), true, nil
}

// The SBOM stage's entry: both documents as they are, and the rest of the
// result as JSON. syft's catalogue is not kept (it is syft's in-memory
// model): the vulns stage makes it again when it cannot reuse its own
// outputs (catalogue).
const (
	sbomEntryCycloneDX = "sbom.cdx.json"
	sbomEntrySPDX      = "sbom.spdx.json"
	sbomEntryResult    = "result.json"
)

// sbomFacts is the part of sbom.Result the entry keeps as JSON.
type sbomFacts struct {
	Quality    sbom.Quality
	Components []sbom.Component
	Images     []sbom.Image
	Sources    []sbom.SourceInfo
}

func sbomEntry(res *sbom.Result) (cache.Entry, error) {
	facts, err := json.Marshal(sbomFacts{Quality: res.Quality, Components: res.Components, Images: res.Images, Sources: res.Sources})
	if err != nil {
		return nil, err
	}
	spdx, err := res.SPDX()
	if err != nil {
		return nil, err
	}
	return cache.Entry{sbomEntryCycloneDX: res.CycloneDX, sbomEntrySPDX: spdx, sbomEntryResult: facts}, nil
}

func (r *runState) restoreSBOM(e cache.Entry) error {
	var f sbomFacts
	if err := json.Unmarshal(e[sbomEntryResult], &f); err != nil {
		return err
	}
	res := sbom.WithDocuments(e[sbomEntryCycloneDX], e[sbomEntrySPDX])
	res.Quality, res.Components, res.Images, res.Sources = f.Quality, f.Components, f.Images, f.Sources
	r.setSBOM(res)
	return nil
}

// catalogue is syft's catalogue of this run's SBOM, for the vulnerability
// matcher: the SBOM stage's own, or — when that stage reused its outputs
// and so has none — made again from the same sources.
func (r *runState) catalogue(ctx context.Context) (*syftsbom.SBOM, error) {
	if r.ev.SBOM.Catalogue == nil {
		res, err := sbom.Generate(ctx, sbomConfig(r))
		if err != nil {
			return nil, fmt.Errorf("make the SBOM's catalogue again: %w", err)
		}
		r.ev.SBOM.Catalogue = res.Catalogue
	}
	return r.ev.SBOM.Catalogue, nil
}

// setSBOM puts the SBOM on the evidence, records its sources as inputs of
// the run and keeps its files.
func (r *runState) setSBOM(res *sbom.Result) {
	r.ev.SBOM = res
	for _, s := range res.Sources {
		r.ev.Record.Inputs = append(r.ev.Record.Inputs, Input{Name: s.Input, Kind: "sbom-source", Digest: s.Digest})
	}
}

// sbomConfig is the one description of the SBOM a run makes, whichever
// command runs the stage: the same tree gives the same bytes through
// `cemark run`, `cemark sbom` and `cemark docs`.
func sbomConfig(r *runState) sbom.Config {
	ev, cfg := r.ev, r.ev.Config
	sources := r.opts.Sources
	if len(sources) == 0 {
		sources = cfg.Sources
	}
	return sbom.Config{
		Root:          ev.Root,
		Sources:       sources,
		Exclude:       r.plan.exclude(cfg),
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
			r.p.StageUpdate(string(StageSBOM), fmt.Sprintf("%s: %d packages", sp.Stage, sp.Packages))
		},
		LicenceScanner: r.licences,
	}
}

// sbomFiles adds the SBOM's quality report; its documents are written
// with the report's files (streamedFiles).
func sbomFiles(ev *Evidence, files map[string][]byte) error {
	if ev.SBOM == nil {
		return nil
	}
	q, err := marshal(ev.SBOM.Quality)
	if err != nil {
		return err
	}
	files[evidencedir.SBOMQuality] = q
	files[evidencedir.SBOMQualityText] = []byte(ev.SBOM.Quality.Summary())
	return nil
}

// sbomInfo is what the checks know of the SBOM.
func sbomInfo(r *sbom.Result) *checks.SBOMInfo {
	info := &checks.SBOMInfo{Components: len(r.Components), CycloneDXPath: evidencedir.SBOMCycloneDX, SPDXPath: evidencedir.SBOMSPDX}
	for _, c := range r.Components {
		if c.TopLevel {
			info.TopLevel = append(info.TopLevel, c.Name+"@"+c.Version)
		}
	}
	sort.Strings(info.TopLevel)
	return info
}
