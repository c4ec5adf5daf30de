package gitlab

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sourceDateEpoch = "1780000000"

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Acme", "GIT_AUTHOR_EMAIL=dev@acme.example",
		"GIT_COMMITTER_NAME=Acme", "GIT_COMMITTER_EMAIL=dev@acme.example",
		"GIT_AUTHOR_DATE=@"+sourceDateEpoch+" +0000", "GIT_COMMITTER_DATE=@"+sourceDateEpoch+" +0000",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// bareRemote makes a bare repository that accepts push options and
// records them, as GitLab would receive them.
func bareRemote(t *testing.T) string {
	t.Helper()
	bare := filepath.Join(t.TempDir(), "widget.git")
	git(t, filepath.Dir(bare), "init", "-q", "--bare", "-b", "main", bare)
	git(t, bare, "config", "receive.advertisePushOptions", "true")
	hook := "#!/bin/sh\ncat >/dev/null\n: > \"$GIT_DIR/push-options\"\ni=0\nwhile [ \"$i\" -lt \"${GIT_PUSH_OPTION_COUNT:-0}\" ]; do\n  eval \"echo \\\"\\$GIT_PUSH_OPTION_$i\\\"\" >> \"$GIT_DIR/push-options\"\n  i=$((i+1))\ndone\n"
	if err := os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	return bare
}

// fixtureDir is the widget product, shared with the GitHub tests.
const fixtureDir = "../../../testdata/products/widget"

// checkout copies the widget fixture into a repository whose origin is bare,
// as GitLab's runner leaves CI_PROJECT_DIR.
func checkout(t *testing.T, bare string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(fixtureDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(fixtureDir, p)
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "widget 2.0.0")
	git(t, dir, "push", "-q", bare, "main")
	return dir
}

func pushOptions(t *testing.T, bare string) []string {
	b, err := os.ReadFile(filepath.Join(bare, "push-options"))
	if err != nil {
		t.Fatalf("no push options received: %v", err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestPushOpensMergeRequest(t *testing.T) {
	ctx := context.Background()
	bare := bareRemote(t)
	dir := checkout(t, bare)
	head := git(t, dir, "rev-parse", "HEAD")
	if err := os.MkdirAll(filepath.Join(dir, "docs/cra"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(content string) {
		if err := os.WriteFile(filepath.Join(dir, "docs/cra/README.md"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("# Technical file\n")
	getenv := func(k string) string { return map[string]string{"SOURCE_DATE_EPOCH": sourceDateEpoch}[k] }
	mr := MergeRequest{Dir: dir, Paths: []string{"docs/cra/README.md"}, Remote: bare, Token: "glpat-secret",
		Target: "main", Title: "docs(cra): update the technical file", Getenv: getenv}

	res, err := Push(ctx, mr)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed {
		t.Fatal("first push: nothing pushed")
	}
	if got := git(t, bare, "rev-parse", DocsBranch); got != res.Commit {
		t.Errorf("branch at %s, want %s", got, res.Commit)
	}
	if got := git(t, bare, "show", DocsBranch+":docs/cra/README.md"); got != "# Technical file" {
		t.Errorf("pushed README = %q", got)
	}
	if got := git(t, bare, "rev-parse", DocsBranch+"^"); got != head {
		t.Errorf("parent %s, want HEAD %s", got, head)
	}
	want := []string{"merge_request.create", "merge_request.target=main",
		"merge_request.title=docs(cra): update the technical file", "merge_request.remove_source_branch"}
	if diff := cmp.Diff(want, pushOptions(t, bare)); diff != "" {
		t.Errorf("push options (-want +got):\n%s", diff)
	}
	// The checkout is untouched: HEAD and its index stay as they were.
	if got := git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD moved to %s", got)
	}
	if st := git(t, dir, "status", "--porcelain"); st != "?? docs/" {
		t.Errorf("status = %q", st)
	}

	// Second run, same files: nothing pushed.
	os.Remove(filepath.Join(bare, "push-options"))
	if res, err = Push(ctx, mr); err != nil || res.Changed {
		t.Fatalf("second push: %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(bare, "push-options")); err == nil {
		t.Error("second run pushed")
	}

	// A change: the branch is rebuilt on HEAD and force-pushed.
	write("# Technical file\n\nUpdated.\n")
	if res, err = Push(ctx, mr); err != nil || !res.Changed {
		t.Fatalf("third push: %+v, %v", res, err)
	}
	if got := git(t, bare, "rev-parse", DocsBranch); got != res.Commit {
		t.Errorf("branch at %s, want %s", got, res.Commit)
	}

	// The files already committed on HEAD: nothing to do.
	git(t, dir, "add", "docs")
	git(t, dir, "commit", "-q", "-m", "docs")
	if res, err = Push(ctx, mr); err != nil || res.Changed {
		t.Fatalf("after commit: %+v, %v", res, err)
	}
}

func TestRemoteURL(t *testing.T) {
	c := Context{ServerURL: "https://gitlab.example.com", ProjectPath: "acme/iot/widget"}
	got, err := c.RemoteURL()
	if err != nil || got != "https://oauth2@gitlab.example.com/acme/iot/widget.git" {
		t.Errorf("RemoteURL = %q, %v", got, err)
	}
	if _, err := (Context{}).RemoteURL(); err == nil {
		t.Error("no error without CI_SERVER_URL")
	}
}

func TestPushFailureDoesNotLeakToken(t *testing.T) {
	bare := bareRemote(t)
	dir := checkout(t, bare)
	if err := os.MkdirAll(filepath.Join(dir, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "docs/x.md"), []byte("x\n"), 0o644)
	// A pre-receive hook that rejects and echoes the environment's token.
	hook := "#!/bin/sh\necho \"rejected: $CEMARK_GIT_TOKEN\" >&2\nexit 1\n"
	_ = os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755)
	_, err := Push(context.Background(), MergeRequest{Dir: dir, Paths: []string{"docs/x.md"}, Remote: bare,
		Token: "glpat-secret", Target: "main", Title: "t"})
	if err == nil {
		t.Fatal("push did not fail")
	}
	if strings.Contains(err.Error(), "glpat-secret") {
		t.Errorf("token in error: %v", err)
	}
}
