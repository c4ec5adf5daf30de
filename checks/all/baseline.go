package all

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/input"
	"github.com/cemark/cemark/evidence/config"
)

// LoadBaseline reads the baseline a run compares against: flagPath
// (--baseline, relative to the working directory) when given, else
// checks.baseline (relative to root), else none (nil). A baseline that is
// missing or is not a cemark report.json is a usage error (exit 2), found
// before any work is done.
func LoadBaseline(root string, cfg *config.Config, flagPath string) (*checks.Baseline, error) {
	path, display := flagPath, flagPath
	if path == "" && cfg != nil && cfg.Checks.Baseline != "" {
		display = cfg.Checks.Baseline
		path = filepath.Join(root, filepath.FromSlash(display))
	}
	if path == "" {
		return nil, nil
	}
	b, err := checks.LoadBaseline(path, display)
	if err != nil {
		return nil, input.Usage(err)
	}
	return b, nil
}

// BaselineOutput is where `cemark baseline write` writes: out (relative to
// the working directory) when given, else checks.baseline (relative to
// root), else checks.DefaultBaselineFile at root.
func BaselineOutput(root string, cfg *config.Config, out string) string {
	switch {
	case out != "":
		return out
	case cfg != nil && cfg.Checks.Baseline != "":
		return filepath.Join(root, filepath.FromSlash(cfg.Checks.Baseline))
	}
	return filepath.Join(root, checks.DefaultBaselineFile)
}

// CurrentBaseline is what `cemark baseline write` writes, and where: the
// report.json at from when given (a run's .cemark/report.json), else the
// report of a check run with opts; with no finding marked existing. The
// place is BaselineOutput's. A from file that is not a cemark report is a
// usage error (exit 2).
func CurrentBaseline(ctx context.Context, opts Options, from, out string) (*checks.Report, string, error) {
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, "", fmt.Errorf("resolve product root %s: %w", opts.Root, err)
	}
	cfg, err := loadConfig(root, opts.ConfigPath)
	if err != nil {
		return nil, "", err
	}
	var rep *checks.Report
	if from != "" {
		if rep, _, err = checks.ReadReport(from, from); err != nil {
			return nil, "", input.Usage(fmt.Errorf("report %w", err))
		}
	} else {
		opts.Baseline = "" // the whole current report, none of it marked
		if rep, err = Check(ctx, opts); err != nil {
			return nil, "", err
		}
	}
	for i := range rep.Results {
		for j := range rep.Results[i].Findings {
			rep.Results[i].Findings[j].Baseline = false
		}
	}
	rep.Summary = checks.Summarise(rep)
	return rep, BaselineOutput(root, cfg, out), nil
}
