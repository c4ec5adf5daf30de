package github

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const baseSHA = "basecommit0000000000000000000000000000001"

func testClient(t *testing.T, srv string, sleeps *[]time.Duration) *Client {
	t.Helper()
	c, err := NewClient(ClientOptions{
		APIURL: srv + apiPrefix, Token: "ghs_faketoken123", Repository: "acme/widget",
		Sleep: func(_ context.Context, d time.Duration) error {
			if sleeps != nil {
				*sleeps = append(*sleeps, d)
			}
			return nil
		},
		Now:         func() time.Time { return time.Unix(1_800_000_000, 0) },
		ToolVersion: "v0.1.0", SourceCommit: baseSHA,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var docsV1 = []DocsFile{
	{Path: "docs/cra/README.md", Content: []byte("# Technical file\n")},
	{Path: "docs/cra/.cemark-state.json", Content: []byte("{}\n")},
}

func TestOpenPullRequestCallsAndIdempotency(t *testing.T) {
	ctx := context.Background()
	f, srv := newFakeGitHub(t)
	c := testClient(t, srv.URL, nil)

	// First run: new branch, new pull request.
	res, err := c.OpenPullRequest(ctx, "main", baseSHA, docsV1, "body")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /repos/acme/widget/git/ref/heads/cemark/technical-file",
		"GET /repos/acme/widget/git/commits/" + baseSHA,
		"POST /repos/acme/widget/git/blobs",
		"POST /repos/acme/widget/git/blobs",
		"POST /repos/acme/widget/git/trees",
		"POST /repos/acme/widget/git/commits",
		"POST /repos/acme/widget/git/refs",
		"GET /repos/acme/widget/pulls",
		"POST /repos/acme/widget/pulls",
	}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("first run calls (-want +got):\n%s", diff)
	}
	if !res.Changed || !res.Created || res.PullRequestURL != "https://github.example/acme/widget/pull/7" {
		t.Errorf("first run result = %+v", res)
	}
	files := f.refFiles("heads/" + DocsBranch)
	if string(f.blobs[files["docs/cra/README.md"]]) != "# Technical file\n" || files["main.go"] == "" {
		t.Errorf("branch tree = %v", files)
	}
	if len(f.pulls) != 1 || f.pulls[0].Base != "main" || f.pulls[0].Head != DocsBranch {
		t.Errorf("pulls = %+v", f.pulls)
	}

	// Second run, nothing changed: no commit, no ref update, no PR call
	// beyond finding the open one.
	res, err = c.OpenPullRequest(ctx, "main", baseSHA, docsV1, "body")
	if err != nil {
		t.Fatal(err)
	}
	head := f.refs["heads/"+DocsBranch]
	want = []string{
		"GET /repos/acme/widget/git/ref/heads/cemark/technical-file",
		"GET /repos/acme/widget/git/commits/" + baseSHA,
		"GET /repos/acme/widget/git/commits/" + head,
		"POST /repos/acme/widget/git/blobs",
		"POST /repos/acme/widget/git/blobs",
		"POST /repos/acme/widget/git/trees",
		"GET /repos/acme/widget/pulls",
	}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("second run calls (-want +got):\n%s", diff)
	}
	if res.Changed || res.Created || res.PullRequestURL == "" {
		t.Errorf("second run result = %+v", res)
	}

	// Third run, a file changed: the branch is moved, the PR updated.
	v2 := []DocsFile{docsV1[0], {Path: "docs/cra/.cemark-state.json", Content: []byte("{\"v\":2}\n")}}
	res, err = c.OpenPullRequest(ctx, "main", baseSHA, v2, "body 2")
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		"GET /repos/acme/widget/git/ref/heads/cemark/technical-file",
		"GET /repos/acme/widget/git/commits/" + baseSHA,
		"GET /repos/acme/widget/git/commits/" + head,
		"POST /repos/acme/widget/git/blobs",
		"POST /repos/acme/widget/git/blobs",
		"POST /repos/acme/widget/git/trees",
		"POST /repos/acme/widget/git/commits",
		"PATCH /repos/acme/widget/git/refs/heads/cemark/technical-file",
		"GET /repos/acme/widget/pulls",
		"PATCH /repos/acme/widget/pulls/7",
	}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("third run calls (-want +got):\n%s", diff)
	}
	if !res.Changed || res.Created || len(f.pulls) != 1 || f.pulls[0].Body != "body 2" {
		t.Errorf("third run result = %+v, pulls %+v", res, f.pulls)
	}
}

func TestOpenPullRequestBaseAlreadyCurrent(t *testing.T) {
	f, srv := newFakeGitHub(t)
	c := testClient(t, srv.URL, nil)
	// The base already holds exactly these files.
	files := map[string]string{"main.go": f.putBlob([]byte("package main\n"))}
	for _, d := range docsV1 {
		files[d.Path] = f.putBlob(d.Content)
	}
	f.commit["current0000000000000000000000000000000002"] = f.putTree(files)
	res, err := c.OpenPullRequest(context.Background(), "main", "current0000000000000000000000000000000002", docsV1, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range f.Calls() {
		if strings.Contains(call, "/git/commits") && strings.HasPrefix(call, "POST") || strings.Contains(call, "/pulls") {
			t.Errorf("unexpected call %s", call)
		}
	}
	if res != (DocsResult{}) {
		t.Errorf("result = %+v", res)
	}
}

func TestPermissionErrors(t *testing.T) {
	tests := []struct {
		name, call string
		status     int
		message    string
		want       string
	}{
		{"blob 403", "POST /repos/acme/widget/git/blobs", 403, "Resource not accessible by integration",
			"upload docs/cra/README.md: GitHub answered 403 (Resource not accessible by integration): the workflow's token lacks `contents: write`"},
		{"commit 404", "GET /repos/acme/widget/git/commits/" + baseSHA, 404, "Not Found",
			"read commit " + baseSHA + ": GitHub answered 404 (Not Found): the workflow's token lacks `contents: write`"},
		{"ref 403", "POST /repos/acme/widget/git/refs", 403, "Resource not accessible by integration",
			"update branch cemark/technical-file: GitHub answered 403 (Resource not accessible by integration): the workflow's token lacks `contents: write`"},
		{"list pulls 404", "GET /repos/acme/widget/pulls", 404, "Not Found",
			"list pull requests: GitHub answered 404 (Not Found): the workflow's token lacks `pull-requests: write`"},
		{"create pull 403", "POST /repos/acme/widget/pulls", 403, "Resource not accessible by integration",
			"open the pull request: GitHub answered 403 (Resource not accessible by integration): the workflow's token lacks `pull-requests: write`"},
		{"actions may not open PRs", "POST /repos/acme/widget/pulls", 403, "GitHub Actions is not permitted to create or approve pull requests.",
			"enable Settings → Actions → General → \"Allow GitHub Actions to create and approve pull requests\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFakeGitHub(t)
			c := testClient(t, srv.URL, nil)
			f.failNext(tt.call, tt.status, tt.message, 1, nil)
			_, err := c.OpenPullRequest(context.Background(), "main", baseSHA, docsV1, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		times      int
		wantSleeps []time.Duration
		wantErr    bool
	}{
		{"server error then success", 502, nil, 2, []time.Duration{time.Second, 2 * time.Second}, false},
		{"secondary rate limit", 403, map[string]string{"Retry-After": "30"}, 1, []time.Duration{30 * time.Second}, false},
		{"primary rate limit", 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1800000090"}, 1, []time.Duration{90 * time.Second}, false},
		{"too many requests", 429, nil, 1, []time.Duration{time.Second}, false},
		{"bounded", 503, nil, 10, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, true},
		{"rate limit too far away", 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1800009000"}, 1, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFakeGitHub(t)
			var sleeps []time.Duration
			c := testClient(t, srv.URL, &sleeps)
			f.failNext("POST /repos/acme/widget/git/trees", tt.status, "try later", tt.times, tt.header)
			_, err := c.OpenPullRequest(context.Background(), "main", baseSHA, docsV1, "")
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantSleeps, sleeps); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommitToBranch(t *testing.T) {
	ctx := context.Background()
	f, srv := newFakeGitHub(t)
	c := testClient(t, srv.URL, nil)
	res, err := c.CommitToBranch(ctx, "main", baseSHA, docsV1)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /repos/acme/widget/git/commits/" + baseSHA,
		"POST /repos/acme/widget/git/blobs",
		"POST /repos/acme/widget/git/blobs",
		"POST /repos/acme/widget/git/trees",
		"POST /repos/acme/widget/git/commits",
		"PATCH /repos/acme/widget/git/refs/heads/main",
	}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if !res.Changed || f.refs["heads/main"] != res.Commit {
		t.Errorf("result %+v, main at %s", res, f.refs["heads/main"])
	}
	// Again from the new commit: nothing to do.
	res, err = c.CommitToBranch(ctx, "main", res.Commit, docsV1)
	if err != nil || res.Changed {
		t.Errorf("second commit: %+v, %v", res, err)
	}
	for _, call := range f.Calls() {
		if strings.HasPrefix(call, "POST /repos/acme/widget/git/commits") || strings.HasPrefix(call, "PATCH") {
			t.Errorf("unexpected %s", call)
		}
	}
	// The branch moved on: not a fast-forward.
	f.failNext("PATCH /repos/acme/widget/git/refs/heads/main", 422, "Update is not a fast forward", 1, nil)
	_, err = c.CommitToBranch(ctx, "main", baseSHA, []DocsFile{{Path: "docs/cra/README.md", Content: []byte("new\n")}})
	if err == nil || !strings.Contains(err.Error(), "not a fast-forward") {
		t.Errorf("error = %v", err)
	}
}
