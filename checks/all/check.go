package all

import (
	"context"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/input"
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
