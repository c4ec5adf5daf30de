package github

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Context is what the runner tells a step about its workflow run.
type Context struct {
	Workspace  string // GITHUB_WORKSPACE
	Repository string // owner/name
	SHA        string // GITHUB_SHA
	Ref        string // GITHUB_REF, e.g. refs/heads/main
	EventName  string // push | pull_request | release | …
	APIURL     string // GITHUB_API_URL
	ServerURL  string // GITHUB_SERVER_URL
	Event      Event
}

// Event is the part of the event payload cemark reads.
type Event struct {
	Repository struct {
		FullName      string `json:"full_name"`
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
	PullRequest *struct {
		Number int `json:"number"`
		Head   struct {
			Ref  string `json:"ref"`
			SHA  string `json:"sha"`
			Repo *struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"head"`
		Base struct {
			Ref string `json:"ref"`
		} `json:"base"`
	} `json:"pull_request"`
}

// ReadContext reads the GITHUB_* variables and the event payload file.
func ReadContext(getenv func(string) string) (Context, error) {
	c := Context{
		Workspace:  getenv("GITHUB_WORKSPACE"),
		Repository: getenv("GITHUB_REPOSITORY"),
		SHA:        getenv("GITHUB_SHA"),
		Ref:        getenv("GITHUB_REF"),
		EventName:  getenv("GITHUB_EVENT_NAME"),
		APIURL:     strings.TrimSuffix(getenv("GITHUB_API_URL"), "/"),
		ServerURL:  strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/"),
	}
	if c.Workspace == "" {
		return c, fmt.Errorf("GITHUB_WORKSPACE is not set: `cemark action` runs as a GitHub Action step")
	}
	if c.APIURL == "" {
		c.APIURL = "https://api.github.com"
	}
	if p := getenv("GITHUB_EVENT_PATH"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return c, fmt.Errorf("read the event payload %s: %w", p, err)
		}
		if err := json.Unmarshal(b, &c.Event); err != nil {
			return c, fmt.Errorf("parse the event payload %s: %w", p, err)
		}
	}
	return c, nil
}

// FromFork reports a pull request whose head lives in another repository:
// its token is read-only, so nothing can be pushed.
func (c Context) FromFork() bool {
	pr := c.Event.PullRequest
	if pr == nil || !strings.HasPrefix(c.EventName, "pull_request") {
		return false
	}
	if pr.Head.Repo == nil { // the fork was deleted
		return true
	}
	base := c.Event.Repository.FullName
	if base == "" {
		base = c.Repository
	}
	return !strings.EqualFold(pr.Head.Repo.FullName, base)
}

// Branch is the branch a push went to ("" for tags and other refs).
func (c Context) Branch() string {
	b, ok := strings.CutPrefix(c.Ref, "refs/heads/")
	if !ok {
		return ""
	}
	return b
}

// DocsBase is the branch and commit a docs pull request builds on: the head
// branch of a pull request (GITHUB_SHA is then a merge commit), the pushed
// branch, or else the default branch at GITHUB_SHA (release, dispatch).
func (c Context) DocsBase() (branch, sha string) {
	if pr := c.Event.PullRequest; pr != nil && strings.HasPrefix(c.EventName, "pull_request") {
		return pr.Head.Ref, pr.Head.SHA
	}
	if b := c.Branch(); b != "" {
		return b, c.SHA
	}
	return c.Event.Repository.DefaultBranch, c.SHA
}
