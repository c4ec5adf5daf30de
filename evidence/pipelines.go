package evidence

import (
	"context"
	"os"
	"sort"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/cemark/cemark/evidence/gitinfo"
)

// pipelineGlobs are where CI/CD systems keep their pipeline definitions,
// relative to the repository's top level.
var pipelineGlobs = []string{
	".github/workflows/*.yml", ".github/workflows/*.yaml",
	".gitlab-ci.yml",
	".forgejo/workflows/*.yml", ".forgejo/workflows/*.yaml",
	".gitea/workflows/*.yml", ".gitea/workflows/*.yaml",
	".circleci/config.yml",
	".buildkite/pipeline.yml",
	".woodpecker.yml", ".woodpecker/*.yml", ".woodpecker/*.yaml",
	".drone.yml",
	".travis.yml",
	"Jenkinsfile",
	"azure-pipelines.yml",
	"bitbucket-pipelines.yml",
	"cloudbuild.yaml",
}

// buildPipelines names the pipeline definitions the product is built by:
// the files git tracks at those places, or, outside git, the files found
// there under root. They describe the production process (Annex VII
// 2(c)) from the repository itself, so the technical file says the same
// on a laptop and in CI.
func buildPipelines(ctx context.Context, root string) []string {
	// TrackedFiles fails outside a repository; that is the fallback's cue.
	if files, err := gitinfo.TrackedFiles(ctx, root, pipelineGlobs...); err == nil {
		return files
	}
	var files []string
	fsys := os.DirFS(root)
	for _, g := range pipelineGlobs {
		matches, err := doublestar.Glob(fsys, g, doublestar.WithFilesOnly(), doublestar.WithNoFollow())
		if err != nil {
			continue
		}
		files = append(files, matches...)
	}
	sort.Strings(files)
	return files
}

// startPipelines lists the build pipelines for the docs stage in the
// background (buildPipelines): a git process the stage need not wait for.
func (r *runState) startPipelines(ctx context.Context) {
	if !r.sel.Has(StageDocs) {
		return
	}
	done := make(chan struct{})
	var files []string
	r.warmUps.Go(func() {
		defer close(done)
		files = buildPipelines(ctx, r.ev.Root)
	})
	r.pipelines = func() []string {
		<-done
		return files
	}
}

// buildPipelines are the pipelines startPipelines listed, or listed now.
func (r *runState) buildPipelines(ctx context.Context) []string {
	if r.pipelines == nil {
		return buildPipelines(ctx, r.ev.Root)
	}
	return r.pipelines()
}
