package all

import (
	"context"
	"slices"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/defaults"
	"github.com/cemark/cemark/checks/input"
	"github.com/cemark/cemark/checks/surface"
)

// RunSelected runs the checks with these IDs (all of them when sel is
// empty) over t: the checks stage of the pipeline (evidence), for every
// command that runs checks. The full catalogue goes into opts.Catalogue, so
// a waiver naming a check that exists but was not selected is not taken
// for a typo. An unknown ID is a usage error (exit 2). It returns the
// report — with the fact sheets of the families that ran — and the
// registry that ran.
func RunSelected(ctx context.Context, t *checks.Target, sel []string, opts checks.RunOptions) (*checks.Report, *checks.Registry, error) {
	reg, err := Registry()
	if err != nil {
		return nil, nil, err
	}
	opts.Catalogue = reg.IDs()
	if len(sel) > 0 {
		if reg, err = reg.Select(sel); err != nil {
			return nil, nil, input.Usage(err)
		}
	}
	report, err := checks.Run(ctx, reg, t, opts)
	if err != nil {
		return nil, nil, err
	}
	return report, reg, nil
}

// WarmTree does ahead of RunSelected, on the same target and for the same
// selection, the work of the selected checks that reads only the tree and
// the configuration: the surface family's parsers (surface.ParseTree),
// whose results the checks then find memoized, and the defaults family's
// known-credential rules (defaults.PrepareRules, built once per process).
// It reads nothing the pipeline adds later (images, SBOM, scan, artefacts,
// update keys, the clock), so it may run while those are made; and it
// parses only what RunSelected would parse, so the report — its file
// errors included — is the same. After an error t must be dropped (a memo
// may be spent).
func WarmTree(ctx context.Context, t *checks.Target, sel []string) error {
	reg, err := Registry()
	if err != nil {
		return err
	}
	if len(sel) > 0 {
		if reg, err = reg.Select(sel); err != nil {
			return err
		}
	}
	ids := reg.IDs()
	selects := func(family string) bool {
		return slices.ContainsFunc(FamilyIDs(family), func(id string) bool { return slices.Contains(ids, id) })
	}
	if selects("defaults") {
		defaults.PrepareRules()
	}
	if selects("surface") {
		return surface.ParseTree(ctx, t)
	}
	return nil
}
