package evidence

import (
	"context"
	"os"
	"sort"
	"time"

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

// startGitFacts asks git in the background, from the config stage on,
// what the later stages name: the build pipelines git tracks (the docs
// stage), the first release tag (the checks stage's key, and the start
// of the support period for the vulnerability-handling checks) and the
// remote (the attest stage). gitinfo reads each from the repository's
// files, or runs git when it must; the stages need not wait for either.
// Every command runs the config stage, so a stage that needs one finds it
// asked; outside git there is no tag and no remote.
func (r *runState) startGitFacts(ctx context.Context) {
	root := r.ev.Root
	if r.sel.Has(StageDocs) {
		r.pipelines = startLater(r, func() []string { return buildPipelines(ctx, root) })
	}
	if !r.inRepo {
		return
	}
	if r.sel.Has(StageChecks) && r.ev.Config.Product.FirstPlacedOnMarket == nil {
		r.firstTag = startLater(r, func() firstTag {
			tag, when, err := gitinfo.FirstTagTime(ctx, root)
			return firstTag{tag, when, err == nil}
		})
	}
	if r.sel.Has(StageAttest) {
		r.remote = startLater(r, func() string {
			remote, _ := gitinfo.Remote(ctx, root)
			return remote
		})
	}
}

// firstTag is the first release tag and when it was made
// (gitinfo.FirstTagTime); ok is false when there is none.
type firstTag struct {
	tag  string
	when time.Time
	ok   bool
}
