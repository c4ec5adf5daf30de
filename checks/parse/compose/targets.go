package compose

import (
	"context"
	"path"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks"
)

// BuildTarget is a Dockerfile stage that a compose service builds with
// build.target: the image compose runs is that stage, so it ships.
type BuildTarget struct {
	// Dockerfile is the file's path relative to the product root.
	Dockerfile string `json:"dockerfile"`
	Stage      string `json:"stage"`
	Service    string `json:"service"`
	// Loc is where build.target is written.
	Loc
}

// ProductTargets lists the build targets of the target's compose projects
// that make a Dockerfile stage ship, sorted by Dockerfile, stage, then
// place. It leaves out, for precision:
//
//   - projects whose files are all named as development or test variants
//     (compose.dev.yaml), unless checks.compose_files names the files;
//   - targets named as development or test stages ("dev", "test",
//     "debug" …): compose files for local work build those. Naming one in
//     checks.product_stages still makes it ship — the configuration wins;
//   - services in inactive profiles (Projects applies them);
//   - a build context that is a URL or outside the product root, an
//     inline Dockerfile, and a target still holding an unset ${VAR}.
func ProductTargets(ctx context.Context, t *checks.Target) ([]BuildTarget, error) {
	projects, err := Projects(ctx, t)
	if err != nil {
		return nil, err
	}
	configured := t.Config != nil && len(t.Config.Checks.ComposeFiles) > 0
	var out []BuildTarget
	for _, p := range projects {
		if !configured && p.DevVariant() {
			continue
		}
		for _, s := range p.Services {
			b := s.Build
			if b == nil || b.Target == "" || b.Inline || strings.Contains(b.Target, "$") || checks.DevName(b.Target) {
				continue
			}
			df, ok := dockerfilePath(p.Dir, b.Context, b.Dockerfile)
			if !ok {
				continue
			}
			out = append(out, BuildTarget{Dockerfile: df, Stage: b.Target, Service: s.Name, Loc: b.Loc})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Dockerfile != b.Dockerfile {
			return a.Dockerfile < b.Dockerfile
		}
		if a.Stage != b.Stage {
			return a.Stage < b.Stage
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Line < b.Line
	})
	return out, nil
}

// dockerfilePath resolves a service's Dockerfile against the project
// folder and build context, as compose does: Dockerfile (default
// "Dockerfile") relative to the context, the context relative to the
// folder of the project's first file. ok is false for a remote context
// (git or http URL) and for anything outside the product root.
func dockerfilePath(dir, context, dockerfile string) (string, bool) {
	if context == "" {
		context = "."
	}
	if strings.Contains(context, "://") || strings.HasPrefix(context, "git@") || strings.HasPrefix(context, "github.com/") {
		return "", false
	}
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	context = strings.ReplaceAll(context, `\`, "/")
	dockerfile = strings.ReplaceAll(dockerfile, `\`, "/")
	if path.IsAbs(context) || path.IsAbs(dockerfile) {
		return "", false // a machine path: not the product tree's file
	}
	p := path.Join(dir, context, dockerfile)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// DevVariant reports whether every file of the project is named as a
// development or test variant (compose.dev.yaml, docker-compose.test.yml):
// such a project is not what ships.
func (p *Project) DevVariant() bool {
	for _, f := range p.Files {
		if !checks.DevVariant(f) {
			return false
		}
	}
	return len(p.Files) > 0
}
