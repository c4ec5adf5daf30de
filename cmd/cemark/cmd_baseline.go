package main

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/evidencedir"
	reportjson "github.com/cemark/cemark/evidence/format/json"
)

// baselineOptions are the flags of `cemark baseline write`.
type baselineOptions struct {
	out, from, config string
	checks, sources   []string
}

func newBaselineCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "baseline",
		Short: "Accept the current findings as existing, so that CI fails only on new ones",
		Long: `A baseline lets an existing repository adopt cemark without fixing every
finding on day one. It is a report.json: cemark check --baseline FILE and
cemark run --baseline FILE (or checks.baseline in cemark.yaml) report the
findings it holds as existing ("baseline": true, outcome kept) and count only
new ones for --fail-on. The technical file and conformity.json still show every
finding: a baseline gates CI, it does not hide evidence.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newBaselineWriteCmd(e))
	return cmd
}

func newBaselineWriteCmd(e *env) *cobra.Command {
	var o baselineOptions
	cmd := &cobra.Command{
		Use:   "write [PATH]",
		Short: "Write the current report as the baseline",
		Long: `write runs the checks on the product at PATH (default ".") and writes the
report as the baseline: to --output, else checks.baseline in cemark.yaml, else
PATH/cemark-baseline.json (left out of the scan). --from takes an existing
report.json instead of running the checks (e.g. .cemark/report.json after
cemark run). Commit the file; findings it holds no longer fail --fail-on.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			// The checks, as cemark check runs them; with --from only the
			// configuration (it says where the baseline goes).
			stages := evidence.CheckStages
			if o.from != "" {
				stages = evidence.ConfigStages
			}
			ev, err := evidence.Run(cmd.Context(), evidence.Options{
				Stages: stages, Root: root, ConfigPath: o.config, Checks: o.checks, Sources: o.sources,
				Getenv: e.getenv, Progress: noticesOnly{newStageUI(e.stderr, e.getenv)},
			})
			if err != nil {
				return err
			}
			rep, err := ev.CurrentBaseline(o.from)
			if err != nil {
				return err
			}
			path := ev.BaselineFile(o.out)
			if err := writeBaseline(path, rep); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "cemark: baseline of %d findings written to %s\n", checks.NewBaseline("", rep).Len(), path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "baseline file (default checks.baseline, else PATH/cemark-baseline.json)")
	f.StringVar(&o.from, "from", "", "take this report.json instead of running the checks")
	f.StringVar(&o.config, "config", "", "configuration file (default PATH/cemark.yaml; optional)")
	f.StringSliceVar(&o.checks, "checks", nil, "run only these check IDs (comma-separated)")
	f.StringArrayVar(&o.sources, "source", nil, "source as in cemark check (repeatable; default cemark.yaml's sources)")
	return cmd
}

// writeBaseline writes the baseline report atomically: a reader never sees
// half a file, and a failed write leaves the previous baseline whole.
func writeBaseline(path string, rep *checks.Report) error {
	var buf bytes.Buffer
	if err := reportjson.Encode(&buf, rep); err != nil {
		return err
	}
	if err := evidencedir.WriteFileAtomic(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write baseline %s: %w", filepath.Clean(path), err)
	}
	return nil
}
