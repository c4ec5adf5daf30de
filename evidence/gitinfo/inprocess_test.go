package gitinfo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// isolateUserConfig gives the test a home of its own, so the in-process
// readers and git both see no user configuration but what the test
// writes.
func isolateUserConfig(t *testing.T) (home string) {
	t.Helper()
	home = t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	return home
}

// factsRepo is a repository holding what the facts read: files in
// folders, an executable, a symbolic link, a submodule entry, pipeline
// files, tags of both kinds (two of them made in the same second), a
// remote with a token, packed and loose references and objects.
func factsRepo(t *testing.T) string {
	t.Helper()
	isolateUserConfig(t)
	dir := newRepo(t)
	for f, body := range map[string]string{
		"README.md":                            "product\n",
		"svc/api/main.go":                      "package main\n",
		"svc/api/.github/workflows/nested.yml": "on: push\n",
		".github/workflows/ci.yml":             "on: push\n",
		".gitlab-ci.yml":                       "job: {}\n",
		"Jenkinsfile/inside":                   "a folder a glob names\n",
		"bin/run.sh":                           "#!/bin/sh\n",
	} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "bin/run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("README.md", filepath.Join(dir, "svc", "link")); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "2024-03-01T10:00:00Z", "add", "-A")
	run(t, dir, "2024-03-01T10:00:00Z", "update-index", "--add", "--cacheinfo",
		"160000,1111111111111111111111111111111111111111,vendor/sub")
	run(t, dir, "2024-03-01T10:00:00Z", "commit", "-q", "-m", "first")
	run(t, dir, "2024-03-01T10:00:00Z", "tag", "v0.2.0")
	run(t, dir, "2024-03-01T10:00:00Z", "tag", "v0.1.0")
	run(t, dir, "2023-12-01T10:00:00Z", "tag", "-a", "-m", "annotated, older than its commit", "r0")
	run(t, dir, "", "pack-refs", "--all")
	run(t, dir, "", "gc", "-q")
	commit(t, dir, "svc/api/more.go", "2025-03-01T10:00:00Z")
	run(t, dir, "2025-03-01T10:00:00Z", "tag", "-a", "-m", "one", "v1.0.0")
	run(t, dir, "", "remote", "add", "origin", "https://x-access-token:secret@example.com/org/product.git")
	return dir
}

// TestInProcessFactsAreGits: every fact read in-process is what the git
// process it replaces says, from the top level and from a subfolder.
func TestInProcessFactsAreGits(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("read by git on Windows")
	}
	dir := factsRepo(t)
	compareFacts(t, dir, true)
	compareFacts(t, filepath.Join(dir, "svc", "api"), true)

	// Index version 4 compresses paths; a merge conflict puts three
	// stages of one path in the index.
	run(t, dir, "", "update-index", "--index-version", "4")
	compareFacts(t, dir, true)
	conflict(t, dir)
	compareFacts(t, dir, true)
}

// TestInProcessLinkedWorkTree: a linked work tree has a .git file, its own
// HEAD and index, and shares the rest.
func TestInProcessLinkedWorkTree(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("read by git on Windows")
	}
	dir := factsRepo(t)
	wt := filepath.Join(t.TempDir(), "wt")
	run(t, dir, "", "worktree", "add", "-q", wt, "v0.1.0")
	compareFacts(t, wt, true)
	compareFacts(t, filepath.Join(wt, "svc"), true)
}

// TestInProcessLeavesToGit: what the in-process readers cannot be sure of
// goes to git, and the answers are git's all the same.
func TestInProcessLeavesToGit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("read by git on Windows")
	}
	t.Run("split index", func(t *testing.T) {
		dir := factsRepo(t)
		run(t, dir, "", "update-index", "--split-index")
		compareFacts(t, dir, false)
		if _, err := mustOpen(t, dir).lsFilesStage(); !errors.Is(err, errAskGit) {
			t.Errorf("split index read in-process: %v", err)
		}
	})
	t.Run("include", func(t *testing.T) {
		dir := factsRepo(t)
		run(t, dir, "", "config", "include.path", "../extra")
		if _, err := openRepo(dir); !errors.Is(err, errAskGit) {
			t.Errorf("openRepo with an include: %v, want errAskGit", err)
		}
		compareFacts(t, dir, false)
	})
	t.Run("insteadOf", func(t *testing.T) {
		dir := factsRepo(t)
		home, _ := os.UserHomeDir()
		if err := os.WriteFile(filepath.Join(home, ".gitconfig"),
			[]byte("[url \"https://mirror.example.net/\"]\n\tinsteadOf = https://x-access-token:secret@example.com/\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := mustOpen(t, dir).remote(); !errors.Is(err, errAskGit) {
			t.Errorf("remote with a user insteadOf read in-process: %v", err)
		}
		compareFacts(t, dir, false)
		if got, _ := Remote(context.Background(), dir); got != "https://mirror.example.net/org/product.git" {
			t.Errorf("Remote = %q, want git's rewrite", got)
		}
	})
	t.Run("GIT_DIR", func(t *testing.T) {
		dir := factsRepo(t)
		t.Setenv("GIT_DIR", filepath.Join(dir, ".git"))
		if _, err := openRepo(dir); !errors.Is(err, errAskGit) {
			t.Errorf("openRepo with GIT_DIR set: %v, want errAskGit", err)
		}
	})
	t.Run("no git", func(t *testing.T) {
		dir := factsRepo(t)
		t.Setenv("PATH", t.TempDir())
		// git would say nothing at all; nor is anything said in-process.
		if _, in := RepoPrefix(context.Background(), dir); in {
			t.Error("RepoPrefix: in a repository without git")
		}
		if _, err := Remote(context.Background(), dir); err == nil {
			t.Error("Remote: a remote without git")
		}
	})
	t.Run("no remote origin", func(t *testing.T) {
		dir := factsRepo(t)
		run(t, dir, "", "remote", "rename", "origin", "upstream")
		compareFacts(t, dir, true)
	})
	t.Run("outside a repository", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := openRepo(dir); !errors.Is(err, errAskGit) {
			t.Errorf("openRepo outside a repository: %v, want errAskGit (git says)", err)
		}
		if _, in := RepoPrefix(context.Background(), dir); in {
			t.Error("RepoPrefix: in a repository")
		}
	})
}

func mustOpen(t *testing.T, root string) *repo {
	t.Helper()
	r, err := openRepo(root)
	if err != nil {
		t.Fatalf("openRepo(%s): %v", root, err)
	}
	return r
}

// compareFacts checks the public readers against git's own answers in
// root, and, with inProcess, that openRepo reads root itself.
func compareFacts(t *testing.T, root string, inProcess bool) {
	t.Helper()
	ctx := context.Background()
	if inProcess {
		// Each fact below is read without git here.
		r := mustOpen(t, root)
		if _, err := r.lsFilesStage(); err != nil {
			t.Errorf("%s: index not read in-process: %v", root, err)
		}
		if _, err := r.trackedMatching(nil); err != nil {
			t.Errorf("%s: tracked files not read in-process: %v", root, err)
		}
		if _, ok := r.config.Remotes["origin"]; ok {
			if _, err := r.remote(); err != nil {
				t.Errorf("%s: remote not read in-process: %v", root, err)
			}
		}
	}

	out, err := git(ctx, root, "rev-parse", "--is-inside-work-tree", "--show-prefix")
	if err != nil {
		t.Fatal(err)
	}
	_, wantPrefix, _ := strings.Cut(out, "\n")
	if prefix, in := RepoPrefix(ctx, root); !in || prefix != strings.TrimSuffix(wantPrefix, "/") {
		t.Errorf("%s: RepoPrefix = %q, %v; git says %q", root, prefix, in, wantPrefix)
	}

	index, _, err := TreeState(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	wantIndex, err := gitRaw(ctx, root, "ls-files", "--stage", "-z", "--full-name", "--", ".")
	if err != nil {
		t.Fatal(err)
	}
	if string(index) != string(wantIndex) {
		t.Errorf("%s: index\n%q\ngit says\n%q", root, index, wantIndex)
	}

	globs := []string{".github/workflows/*.yml", ".gitlab-ci.yml", "Jenkinsfile", "**/nested.yml"}
	files, err := TrackedFiles(ctx, root, globs...)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"ls-files", "-z", "--full-name", "--"}
	for _, g := range globs {
		args = append(args, ":(top,glob)"+g)
	}
	raw, err := gitRaw(ctx, root, args...)
	if err != nil {
		t.Fatal(err)
	}
	var wantFiles []string
	for _, f := range strings.Split(string(raw), "\x00") {
		if f != "" && (len(wantFiles) == 0 || wantFiles[len(wantFiles)-1] != f) {
			wantFiles = append(wantFiles, f)
		}
	}
	if strings.Join(files, " ") != strings.Join(wantFiles, " ") {
		t.Errorf("%s: TrackedFiles = %q, git says %q", root, files, wantFiles)
	}

	remote, err := Remote(ctx, root)
	wantRemote, _ := git(ctx, root, "remote", "get-url", "origin")
	if wantRemote == "" {
		wantRemote, _ = git(ctx, root, "remote", "get-url", "upstream")
	}
	if err != nil || remote != stripCredentials(wantRemote) || strings.Contains(remote, "secret") {
		t.Errorf("%s: Remote = %q, %v; git says %q", root, remote, err, wantRemote)
	}

	tag, at, err := FirstTagTime(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	first, err := git(ctx, root, "for-each-ref", "--count=1", "--sort=refname", "--sort=creatordate",
		"--format=%(creatordate:unix)%09%(refname:short)", "refs/tags")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join([]string{strconv.FormatInt(at.Unix(), 10), tag}, "\t"); got != first || at.Location().String() != "UTC" {
		t.Errorf("%s: FirstTagTime = %q (%s); git says %q", root, got, at.Location(), first)
	}
}

// conflict leaves a merge conflict in dir's README.md.
func conflict(t *testing.T, dir string) {
	t.Helper()
	run(t, dir, "", "checkout", "-q", "-b", "side", "v0.1.0")
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("side\n"), 0o644)
	run(t, dir, "2025-04-01T00:00:00Z", "commit", "-q", "-am", "side")
	run(t, dir, "", "checkout", "-q", "main")
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("main\n"), 0o644)
	run(t, dir, "2025-04-02T00:00:00Z", "commit", "-q", "-am", "main")
	cmd := []string{"merge", "-q", "side"}
	if out, err := git(context.Background(), dir, cmd...); err == nil {
		t.Fatalf("merge without a conflict: %s", out)
	}
}
