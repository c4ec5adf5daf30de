package evidence

import (
	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
	"github.com/cemark/cemark/evidence/config"
)

// loadBaseline reads the run's baseline (--baseline, else
// checks.baseline; none when neither is given) before any work is done,
// and records it as an input of the run: it decides which findings count
// for --fail-on.
func loadBaseline(root string, cfg *config.Config, flagPath string, rec *RunRecord) (*checks.Baseline, error) {
	b, err := all.LoadBaseline(root, cfg, flagPath)
	if b != nil {
		rec.Inputs = append(rec.Inputs, Input{Name: b.Source, Kind: "baseline", Digest: "sha256:" + b.Digest})
	}
	return b, err
}
