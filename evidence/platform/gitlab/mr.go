// Package gitlab runs cemark in a GitLab CI job: it reads the CI_*
// variables and the CEMARK_* settings the CI/CD component passes, runs the
// evidence pipeline, and keeps the technical file current through a merge
// request opened with git push options, or gates on it (`check`).
package gitlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// DocsBranch is the branch the technical-file merge request comes from.
const DocsBranch = "cemark/technical-file"

// Context is what GitLab tells a job about its pipeline.
type Context struct {
	ProjectDir     string // CI_PROJECT_DIR
	ServerURL      string // CI_SERVER_URL
	ProjectPath    string // CI_PROJECT_PATH, group/project
	DefaultBranch  string // CI_DEFAULT_BRANCH
	RefName        string // CI_COMMIT_REF_NAME
	Branch         string // CI_COMMIT_BRANCH (empty for tags and MR pipelines)
	CommitSHA      string // CI_COMMIT_SHA
	PipelineSource string // CI_PIPELINE_SOURCE: push | merge_request_event | schedule | …
	// MRSourceProject is CI_MERGE_REQUEST_SOURCE_PROJECT_PATH (a fork's path
	// in a merge request from a fork).
	MRSourceProject string
}

// ReadContext reads the CI_* variables.
func ReadContext(getenv func(string) string) (Context, error) {
	c := Context{
		ProjectDir:      getenv("CI_PROJECT_DIR"),
		ServerURL:       strings.TrimSuffix(getenv("CI_SERVER_URL"), "/"),
		ProjectPath:     getenv("CI_PROJECT_PATH"),
		DefaultBranch:   getenv("CI_DEFAULT_BRANCH"),
		RefName:         getenv("CI_COMMIT_REF_NAME"),
		Branch:          getenv("CI_COMMIT_BRANCH"),
		CommitSHA:       getenv("CI_COMMIT_SHA"),
		PipelineSource:  getenv("CI_PIPELINE_SOURCE"),
		MRSourceProject: getenv("CI_MERGE_REQUEST_SOURCE_PROJECT_PATH"),
	}
	if c.ProjectDir == "" {
		return c, errors.New("CI_PROJECT_DIR is not set: this runs in a GitLab CI job")
	}
	return c, nil
}

// FromFork reports a merge-request pipeline whose source is another project.
func (c Context) FromFork() bool {
	return c.PipelineSource == "merge_request_event" && c.MRSourceProject != "" && c.MRSourceProject != c.ProjectPath
}

// RemoteURL is the project's HTTPS URL with the user name GitLab expects
// for access tokens. The token itself is never put in the URL: git gets
// it from a credential helper reading the environment, so it cannot show
// up in an error message, the process list or .git/config.
func (c Context) RemoteURL() (string, error) {
	if c.ServerURL == "" || c.ProjectPath == "" {
		return "", errors.New("CI_SERVER_URL or CI_PROJECT_PATH is not set")
	}
	u, err := url.Parse(c.ServerURL)
	if err != nil {
		return "", fmt.Errorf("CI_SERVER_URL %q: %w", c.ServerURL, err)
	}
	u.User = url.User("oauth2")
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + c.ProjectPath + ".git"
	return u.String(), nil
}

// MergeRequest describes a docs merge request.
type MergeRequest struct {
	// Dir is the repository (CI_PROJECT_DIR).
	Dir string
	// Paths are the technical file's files, relative to Dir.
	Paths []string
	// Remote is where to push: the project's URL (RemoteURL) or, in tests,
	// a path.
	Remote string
	// Token is the project access token (scope write_repository), or "".
	Token string
	// Target is the merge request's target branch.
	Target string
	Title  string
	// Getenv supplies SOURCE_DATE_EPOCH (commit dates) and GIT_AUTHOR_*.
	Getenv func(string) string
}

// Result says what a push did.
type Result struct {
	Changed bool   // a commit was pushed
	Commit  string // the pushed commit
}

// tokenEnv carries the token to git's credential helper.
const tokenEnv = "CEMARK_GIT_TOKEN"

// Push commits the files on top of HEAD — in a scratch index, so the
// checkout is left alone — and pushes the commit to DocsBranch with the
// push options that open (or, when one is open, update) the merge request.
// Nothing is pushed when HEAD already has these files, or when the docs
// branch already holds this exact tree.
func Push(ctx context.Context, mr MergeRequest) (Result, error) {
	var res Result
	g := gitRunner{dir: mr.Dir, token: mr.Token, getenv: mr.Getenv}
	if g.getenv == nil {
		g.getenv = func(string) string { return "" }
	}
	tmp, err := os.MkdirTemp("", "cemark-index-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(tmp)
	g.index = filepath.Join(tmp, "index")

	headTree, err := g.run(ctx, "rev-parse", "HEAD^{tree}")
	if err != nil {
		return res, err
	}
	if _, err := g.run(ctx, "read-tree", "HEAD"); err != nil {
		return res, err
	}
	if _, err := g.run(ctx, append([]string{"add", "--"}, mr.Paths...)...); err != nil {
		return res, err
	}
	tree, err := g.run(ctx, "write-tree")
	if err != nil {
		return res, err
	}
	if tree == headTree {
		return res, nil // the commit already holds the current technical file
	}
	// The docs branch may already hold this tree from an earlier run.
	if _, err := g.run(ctx, "fetch", "--quiet", "--no-tags", mr.Remote, "+refs/heads/"+DocsBranch+":refs/cemark/technical-file"); err == nil {
		if t, err := g.run(ctx, "rev-parse", "refs/cemark/technical-file^{tree}"); err == nil && t == tree {
			return res, nil
		}
	}
	msg := mr.Title + "\n\nRegenerated by cemark from " + shortSHA(g.mustRev(ctx)) + ".\n"
	commit, err := g.run(ctx, "commit-tree", tree, "-p", "HEAD", "-m", msg)
	if err != nil {
		return res, err
	}
	args := []string{"push", "--force", "--porcelain",
		"-o", "merge_request.create",
		"-o", "merge_request.target=" + mr.Target,
		"-o", "merge_request.title=" + mr.Title,
		"-o", "merge_request.remove_source_branch",
		mr.Remote, commit + ":refs/heads/" + DocsBranch}
	if _, err := g.run(ctx, args...); err != nil {
		return res, err
	}
	return Result{Changed: true, Commit: commit}, nil
}

type gitRunner struct {
	dir, index, token string
	getenv            func(string) string
}

func (g gitRunner) mustRev(ctx context.Context) string {
	s, _ := g.run(ctx, "rev-parse", "HEAD")
	return s
}

func (g gitRunner) run(ctx context.Context, args ...string) (string, error) {
	full := []string{
		// The helper prints the token from the environment; a leading
		// empty helper drops any helper configured elsewhere.
		"-c", "credential.helper=",
		"-c", "credential.helper=!f() { test \"$1\" = get && echo username=oauth2 && echo \"password=$" + tokenEnv + "\"; }; f",
		"-c", "user.name=cemark", "-c", "user.email=cemark@noreply.invalid",
	}
	cmd := exec.CommandContext(ctx, "git", append(full, args...)...)
	cmd.Dir = g.dir
	env := append(os.Environ(), "GIT_TERMINAL_PROMPT=0", tokenEnv+"="+g.token)
	if g.index != "" {
		env = append(env, "GIT_INDEX_FILE="+g.index)
	}
	if epoch := g.getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		env = append(env, "GIT_AUTHOR_DATE=@"+epoch+" +0000", "GIT_COMMITTER_DATE=@"+epoch+" +0000")
	}
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"} {
		if v := g.getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if g.token != "" {
			msg = strings.ReplaceAll(msg, g.token, "[MASKED]")
		}
		return "", fmt.Errorf("git %s: %w: %s", args[0], err, msg)
	}
	return strings.TrimSpace(stdout.String()), nil
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
