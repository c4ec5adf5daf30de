package github

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	gogithub "github.com/google/go-github/v62/github"
)

// DocsBranch is the branch the technical-file pull request comes from.
const DocsBranch = "cemark/technical-file"

// DocsFile is one file of the rendered technical file.
type DocsFile struct {
	Path    string // relative to the repository root, slash-separated
	Content []byte
}

// DocsResult says what a docs update did.
type DocsResult struct {
	// Changed is true when a commit was made.
	Changed bool
	Commit  string
	// PullRequestURL is the open docs pull request, if any.
	PullRequestURL string
	// Created is true when this run opened the pull request.
	Created bool
}

// Client talks to the GitHub REST API for the docs updates.
type Client struct {
	gh           *gogithub.Client
	owner, repo  string
	toolVersion  string
	sourceCommit string
}

// ClientOptions configure NewClient.
type ClientOptions struct {
	// APIURL is GITHUB_API_URL (https://api.github.com, or
	// https://HOST/api/v3 on GitHub Enterprise Server).
	APIURL     string
	Token      string
	Repository string // owner/name
	// HTTPClient is the base client (nil: http.DefaultClient's transport).
	HTTPClient *http.Client
	// Sleep waits between retries (nil: SleepContext); Attempts bounds them
	// (0: 4); Now is the clock for rate-limit resets (nil: time.Now).
	Sleep    Sleeper
	Attempts int
	Now      func() time.Time
	// ToolVersion and SourceCommit go into the commit message.
	ToolVersion, SourceCommit string
}

// NewClient makes a REST client with bounded retries.
func NewClient(o ClientOptions) (*Client, error) {
	owner, repo, ok := strings.Cut(o.Repository, "/")
	if !ok || owner == "" || repo == "" {
		return nil, fmt.Errorf("GITHUB_REPOSITORY %q is not owner/name", o.Repository)
	}
	base := http.DefaultTransport
	if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
		base = o.HTTPClient.Transport
	}
	rt := &retryTransport{next: base, sleep: o.Sleep, attempts: o.Attempts, maxWait: 5 * time.Minute, now: o.Now}
	if rt.sleep == nil {
		rt.sleep = SleepContext
	}
	if rt.attempts <= 0 {
		rt.attempts = 4
	}
	if rt.now == nil {
		rt.now = time.Now
	}
	gh := gogithub.NewClient(&http.Client{Transport: rt})
	if o.Token != "" {
		gh = gh.WithAuthToken(o.Token)
	}
	if api := strings.TrimSuffix(o.APIURL, "/"); api != "" && api != "https://api.github.com" {
		var err error
		if gh, err = gh.WithEnterpriseURLs(api, api); err != nil {
			return nil, fmt.Errorf("GITHUB_API_URL %q: %w", o.APIURL, err)
		}
	}
	return &Client{gh: gh, owner: owner, repo: repo, toolVersion: o.ToolVersion, sourceCommit: o.SourceCommit}, nil
}

// Permissions a docs update needs, as the workflow's `permissions:` names them.
const (
	permContents = "contents: write"
	permPulls    = "pull-requests: write"
)

// apiError words a failed call; a 403 or 404 names the permission the
// workflow's token lacks.
func apiError(op, perm string, resp *gogithub.Response, err error) error {
	var er *gogithub.ErrorResponse
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	msg := err.Error()
	if errors.As(err, &er) {
		msg = er.Message
	}
	switch status {
	case http.StatusForbidden, http.StatusNotFound:
		hint := fmt.Sprintf("the workflow's token lacks `%s`: add it to the job's `permissions:` (and use a token that can write to this repository)", perm)
		if strings.Contains(strings.ToLower(msg), "not permitted to create or approve pull requests") {
			hint = "the repository does not allow GitHub Actions to create pull requests: enable Settings → Actions → General → \"Allow GitHub Actions to create and approve pull requests\", or pass a token with `pull-requests: write` as github-token"
		}
		return fmt.Errorf("%s: GitHub answered %d (%s): %s", op, status, msg, hint)
	}
	if status != 0 {
		return fmt.Errorf("%s: GitHub answered %d: %s", op, status, msg)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// getRef returns the commit a branch points to, or "" when it does not exist.
func (c *Client) getRef(ctx context.Context, branch string) (string, error) {
	ref, resp, err := c.gh.Git.GetRef(ctx, c.owner, c.repo, "heads/"+branch)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return "", nil
	}
	if err != nil {
		return "", apiError("read branch "+branch, permContents, resp, err)
	}
	return ref.GetObject().GetSHA(), nil
}

func (c *Client) treeOf(ctx context.Context, sha string) (string, error) {
	cm, resp, err := c.gh.Git.GetCommit(ctx, c.owner, c.repo, sha)
	if err != nil {
		return "", apiError("read commit "+sha, permContents, resp, err)
	}
	return cm.GetTree().GetSHA(), nil
}

// buildTree uploads the files as blobs and makes a tree on baseTree.
// Trees are content-addressed: the result equals baseTree exactly when
// the files are already there as they are.
func (c *Client) buildTree(ctx context.Context, baseTree string, files []DocsFile) (string, error) {
	entries := make([]*gogithub.TreeEntry, 0, len(files))
	for _, f := range files {
		blob := &gogithub.Blob{Content: gogithub.String(string(f.Content)), Encoding: gogithub.String("utf-8")}
		if !utf8.Valid(f.Content) {
			blob = &gogithub.Blob{Content: gogithub.String(base64.StdEncoding.EncodeToString(f.Content)), Encoding: gogithub.String("base64")}
		}
		b, resp, err := c.gh.Git.CreateBlob(ctx, c.owner, c.repo, blob)
		if err != nil {
			return "", apiError("upload "+f.Path, permContents, resp, err)
		}
		entries = append(entries, &gogithub.TreeEntry{Path: gogithub.String(f.Path), Mode: gogithub.String("100644"), Type: gogithub.String("blob"), SHA: b.SHA})
	}
	tree, resp, err := c.gh.Git.CreateTree(ctx, c.owner, c.repo, baseTree, entries)
	if err != nil {
		return "", apiError("create the tree", permContents, resp, err)
	}
	return tree.GetSHA(), nil
}

func (c *Client) commit(ctx context.Context, tree, parent string) (string, error) {
	msg := "docs(cra): update the technical file\n\nRegenerated by cemark"
	if c.toolVersion != "" {
		msg += " " + c.toolVersion
	}
	if c.sourceCommit != "" {
		msg += " from " + c.sourceCommit
	}
	msg += ".\n"
	cm, resp, err := c.gh.Git.CreateCommit(ctx, c.owner, c.repo, &gogithub.Commit{
		Message: gogithub.String(msg),
		Tree:    &gogithub.Tree{SHA: gogithub.String(tree)},
		Parents: []*gogithub.Commit{{SHA: gogithub.String(parent)}},
	}, nil)
	if err != nil {
		return "", apiError("create the commit", permContents, resp, err)
	}
	return cm.GetSHA(), nil
}

// OpenPullRequest puts the files on DocsBranch, made from baseSHA, and
// opens or updates the one pull request into baseBranch. Nothing is
// committed when the files on the base already are the rendered ones, or
// when the docs branch already holds exactly this tree.
func (c *Client) OpenPullRequest(ctx context.Context, baseBranch, baseSHA string, files []DocsFile, body string) (DocsResult, error) {
	var res DocsResult
	if baseBranch == "" || baseSHA == "" {
		return res, errors.New("docs pull request: no base branch or commit (GITHUB_REF/GITHUB_SHA or the event payload)")
	}
	head, err := c.getRef(ctx, DocsBranch)
	if err != nil {
		return res, err
	}
	baseTree, err := c.treeOf(ctx, baseSHA)
	if err != nil {
		return res, err
	}
	headTree := ""
	if head != "" {
		if headTree, err = c.treeOf(ctx, head); err != nil {
			return res, err
		}
	}
	tree, err := c.buildTree(ctx, baseTree, files)
	if err != nil {
		return res, err
	}
	if tree == baseTree {
		return res, nil // the base already has the current technical file
	}
	if tree != headTree {
		if res.Commit, err = c.commit(ctx, tree, baseSHA); err != nil {
			return res, err
		}
		ref := &gogithub.Reference{Ref: gogithub.String("refs/heads/" + DocsBranch), Object: &gogithub.GitObject{SHA: gogithub.String(res.Commit)}}
		var resp *gogithub.Response
		if head == "" {
			_, resp, err = c.gh.Git.CreateRef(ctx, c.owner, c.repo, ref)
		} else {
			// The branch belongs to cemark: it is rebuilt on the base each time.
			_, resp, err = c.gh.Git.UpdateRef(ctx, c.owner, c.repo, ref, true)
		}
		if err != nil {
			return res, apiError("update branch "+DocsBranch, permContents, resp, err)
		}
		res.Changed = true
	}
	prs, resp, err := c.gh.PullRequests.List(ctx, c.owner, c.repo, &gogithub.PullRequestListOptions{
		State: "open", Head: c.owner + ":" + DocsBranch, Base: baseBranch,
	})
	if err != nil {
		return res, apiError("list pull requests", permPulls, resp, err)
	}
	const title = "docs(cra): update the technical file"
	if len(prs) > 0 {
		pr := prs[0]
		res.PullRequestURL = pr.GetHTMLURL()
		if !res.Changed {
			return res, nil // nothing new: leave the pull request as it is
		}
		if _, resp, err := c.gh.PullRequests.Edit(ctx, c.owner, c.repo, pr.GetNumber(), &gogithub.PullRequest{Title: gogithub.String(title), Body: gogithub.String(body)}); err != nil {
			return res, apiError(fmt.Sprintf("update pull request #%d", pr.GetNumber()), permPulls, resp, err)
		}
		return res, nil
	}
	if !res.Changed {
		// The branch is current but its pull request was closed by a
		// person: do not reopen what someone decided to close.
		return res, nil
	}
	pr, resp, err := c.gh.PullRequests.Create(ctx, c.owner, c.repo, &gogithub.NewPullRequest{
		Title: gogithub.String(title), Head: gogithub.String(DocsBranch), Base: gogithub.String(baseBranch),
		Body: gogithub.String(body), MaintainerCanModify: gogithub.Bool(true),
	})
	if err != nil {
		return res, apiError("open the pull request", permPulls, resp, err)
	}
	res.PullRequestURL, res.Created = pr.GetHTMLURL(), true
	return res, nil
}

// CommitToBranch commits the files on top of sha and moves branch to the
// new commit (fast-forward only). Nothing is committed when they are
// already there.
func (c *Client) CommitToBranch(ctx context.Context, branch, sha string, files []DocsFile) (DocsResult, error) {
	var res DocsResult
	baseTree, err := c.treeOf(ctx, sha)
	if err != nil {
		return res, err
	}
	tree, err := c.buildTree(ctx, baseTree, files)
	if err != nil {
		return res, err
	}
	if tree == baseTree {
		return res, nil
	}
	if res.Commit, err = c.commit(ctx, tree, sha); err != nil {
		return res, err
	}
	ref := &gogithub.Reference{Ref: gogithub.String("refs/heads/" + branch), Object: &gogithub.GitObject{SHA: gogithub.String(res.Commit)}}
	if _, resp, err := c.gh.Git.UpdateRef(ctx, c.owner, c.repo, ref, false); err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnprocessableEntity {
			return res, fmt.Errorf("update branch %s: it moved on since %s (not a fast-forward); the run for the newer commit updates the technical file", branch, short(sha))
		}
		return res, apiError("update branch "+branch, permContents, resp, err)
	}
	res.Changed = true
	return res, nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
