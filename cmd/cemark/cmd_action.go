package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/evidence/failure"
	ghaction "github.com/cemark/cemark/evidence/platform/github"
	"github.com/cemark/cemark/evidence/platform/gitlab"
)

// newActionCmd is the CI entry point. The GitHub Action (action.yml, a
// composite action) runs the verified release binary with `action`; the
// GitLab component runs `cemark action` in the container image. Settings come from the environment — INPUT_*
// on GitHub, CEMARK_* on GitLab — so no input is ever pasted into a shell
// script.
func newActionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "action",
		Short: "Run as a CI step: the GitHub Action or the GitLab component",
		Long: `Run cemark as a CI step, configured from the environment.

On GitHub Actions (GITHUB_ACTIONS=true) it reads the inputs of action.yml from
INPUT_* variables, runs the pipeline in GITHUB_WORKSPACE, sets the step's
outputs, annotates findings, writes the job summary and keeps the technical
file current (docs: pr | commit | check | off).

On GitLab CI (GITLAB_CI=true) it reads CEMARK_PATH, CEMARK_OUTPUT_DIR,
CEMARK_FAIL_ON, CEMARK_DOCS (mr | check | off), CEMARK_CHECKS,
CEMARK_SUBJECTS, CEMARK_SOURCE, CEMARK_SIGNING (keyless | key | none),
CEMARK_FULCIO_URL, CEMARK_REKOR_URL, CEMARK_TRUSTED_ROOT and CEMARK_BASELINE,
runs the pipeline in CI_PROJECT_DIR (keyless signing with the job's
SIGSTORE_ID_TOKEN) and, with docs: mr on the default branch, pushes the
technical file to cemark/technical-file with push options that open a merge
request (token: CEMARK_GITLAB_TOKEN).

Elsewhere use ` + "`cemark run`" + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case e.getenv("GITLAB_CI") == "true":
				return gitlab.Run(cmd.Context(), gitlab.Deps{
					Getenv: e.getenv, Log: e.stderr, Progress: newStageUI(e.stderr, e.getenv),
				})
			case e.getenv("GITHUB_ACTIONS") != "true":
				hint := "; elsewhere use `cemark run`"
				if e.getenv("GITLAB_CI") == "false" {
					// gitlab-ci-local says so on purpose; a maintainer
					// trying the component locally needs to override it.
					hint = "; gitlab-ci-local sets GITLAB_CI=false: run it with --variable GITLAB_CI=true"
				}
				return failure.Usage(fmt.Errorf("`cemark action` runs as a GitHub Action step (GITHUB_ACTIONS=true) or a GitLab CI job (GITLAB_CI=true), and neither is set%s", hint))
			}
			return ghaction.Run(cmd.Context(), ghaction.Deps{
				Actions:  ghaction.NewActions(e.stdout, e.getenv),
				Getenv:   e.getenv,
				Progress: newStageUI(e.stderr, e.getenv),
			})
		},
	}
}
