package all

import (
	"context"
	"slices"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/input"
)

// RunSelected runs the checks of reg (Registry's, made once for a run)
// with these IDs (all of them when sel is empty) over t: the checks stage
// of the pipeline (evidence), for every command that runs checks. The full
// catalogue goes into opts.Catalogue, so a waiver naming a check that
// exists but was not selected is not taken for a typo. An unknown ID is a
// usage error (exit 2). It returns the report — with the fact sheets of
// the families that ran — and the registry that ran.
func RunSelected(ctx context.Context, reg *checks.Registry, t *checks.Target, sel []string, opts checks.RunOptions) (*checks.Report, *checks.Registry, error) {
	opts.Catalogue = reg.IDs()
	if len(sel) > 0 {
		selected, err := reg.Select(sel)
		if err != nil {
			return nil, nil, input.Usage(err)
		}
		reg = selected
	}
	report, err := checks.Run(ctx, reg, t, opts)
	if err != nil {
		return nil, nil, err
	}
	return report, reg, nil
}

// WarmTree does ahead of RunSelected, on the same target and for the same
// selection, the work of the selected families that reads only the tree
// and the configuration (each family's Family.WarmTree: the surface
// parsers, the defaults family's credential scan and bcrypt tests, the
// updates family's pipeline and client detection, the vulnerability-
// handling policy and first release tag), whose results the checks then
// find memoized. It reads nothing the pipeline adds later (images, SBOM,
// scan, artefacts, update keys, the clock), so it may run while those are
// made; and it reads only what RunSelected would read, so the report —
// its file errors included — is the same. After an error t must be
// dropped (a memo may be spent). reg is the run's Registry.
func WarmTree(ctx context.Context, reg *checks.Registry, t *checks.Target, sel []string) error {
	// A selection is matched against each family's checks, made again
	// for it; without one every family runs (and Registry parsed every
	// family's metadata once already).
	var ids []string
	if len(sel) > 0 {
		selected, err := reg.Select(sel)
		if err != nil {
			return err
		}
		ids = selected.IDs()
	}
	for _, f := range Families() {
		if f.WarmTree == nil || (len(sel) > 0 && !slices.ContainsFunc(f.Checks(), func(c checks.Check) bool { return slices.Contains(ids, c.Meta().ID) })) {
			continue
		}
		if err := f.WarmTree(ctx, t); err != nil {
			return err
		}
	}
	return nil
}
