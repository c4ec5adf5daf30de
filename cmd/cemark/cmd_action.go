package main

import (
	"github.com/spf13/cobra"

	ghaction "github.com/cemark/cemark/evidence/platform/github"
)

// newActionCmd is the GitHub Action's entry point: action.yml runs the
// container image with `action`, and every setting comes from the step's
// INPUT_* and GITHUB_* variables.
func newActionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "action",
		Short: "Run as the GitHub Action step (reads INPUT_* and GITHUB_* variables)",
		Long: `Run cemark as the step of action.yml: read the inputs from INPUT_* variables,
run the pipeline in GITHUB_WORKSPACE, set the step's outputs, annotate
findings, write the job summary and keep the technical file current
(docs: pr | commit | check | off). Outside GitHub Actions use ` + "`cemark run`" + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return ghaction.Run(cmd.Context(), ghaction.Deps{
				Actions:  ghaction.NewActions(e.stdout, e.getenv),
				Getenv:   e.getenv,
				Progress: newStageUI(e.stderr, e.getenv),
			})
		},
	}
}
