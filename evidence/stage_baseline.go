package evidence

import (
	"fmt"
	"path/filepath"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/failure"
)

// loadBaseline reads the run's baseline — flagPath (--baseline, relative
// to the working directory) when given, else checks.baseline (relative to
// root), else none — in the config stage, before any work is done, and
// records it as an input of the run: it decides which findings count for
// --fail-on. A baseline that is missing or is not a cemark report.json is
// a usage error (exit 2).
func loadBaseline(root string, cfg *config.Config, flagPath string, rec *RunRecord) (*checks.Baseline, error) {
	path, display := flagPath, flagPath
	if path == "" && cfg.Checks.Baseline != "" {
		display = cfg.Checks.Baseline
		path = filepath.Join(root, filepath.FromSlash(display))
	}
	if path == "" {
		return nil, nil
	}
	b, err := checks.LoadBaseline(path, display)
	if err != nil {
		return nil, failure.Usage(err)
	}
	rec.Inputs = append(rec.Inputs, Input{Name: b.Source, Kind: "baseline", Digest: "sha256:" + b.Digest})
	return b, nil
}

// BaselineFile is where `cemark baseline write` writes for this run's
// product: out (relative to the working directory) when given, else
// checks.baseline (relative to the root), else checks.DefaultBaselineFile
// at the root.
func (ev *Evidence) BaselineFile(out string) string {
	switch {
	case out != "":
		return out
	case ev.Config.Checks.Baseline != "":
		return filepath.Join(ev.Root, filepath.FromSlash(ev.Config.Checks.Baseline))
	}
	return filepath.Join(ev.Root, checks.DefaultBaselineFile)
}

// CurrentBaseline is the report `cemark baseline write` writes: the
// report.json at from when given (a run's .cemark/report.json), else this
// run's report; with no finding marked existing. A from file that is not
// a cemark report is a usage error (exit 2).
func (ev *Evidence) CurrentBaseline(from string) (*checks.Report, error) {
	rep := ev.Report
	if from != "" {
		var err error
		if rep, _, err = checks.ReadReport(from, from); err != nil {
			return nil, failure.Usage(fmt.Errorf("report %w", err))
		}
	}
	if rep == nil {
		return nil, fmt.Errorf("no report: the checks did not run")
	}
	for i := range rep.Results {
		for j := range rep.Results[i].Findings {
			rep.Results[i].Findings[j].Baseline = false
		}
	}
	rep.Summary = checks.Summarise(rep)
	return rep, nil
}
