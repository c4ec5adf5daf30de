package gitinfo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cemark/cemark/evidence/failure"
)

// newRepo makes a repository in a temporary folder with fixed identities
// and dates, so every test sees the same commits.
func newRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run(t, dir, "", "init", "-q", "-b", "main")
	run(t, dir, "", "config", "user.name", "Test")
	run(t, dir, "", "config", "user.email", "test@example.com")
	run(t, dir, "", "config", "commit.gpgsign", "false")
	run(t, dir, "", "config", "tag.gpgsign", "false")
	return dir
}

// run runs git in dir with author and committer date date (RFC 3339 or "").
func run(t *testing.T, dir, date string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if date != "" {
		cmd.Env = append(cmd.Env, "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func commit(t *testing.T, dir, file, date string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(file+date), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, date, "add", file)
	run(t, dir, date, "commit", "-q", "-m", "add "+file)
}

func TestRepositoryFacts(t *testing.T) {
	ctx := context.Background()
	dir := newRepo(t)

	if !IsRepo(ctx, dir) {
		t.Fatal("IsRepo = false for a fresh repository")
	}
	if _, err := Head(ctx, dir); err == nil {
		t.Error("Head on a repository without commits: want an error")
	}
	if _, _, err := FirstTagTime(ctx, dir); err != ErrNoTags {
		t.Errorf("FirstTagTime without tags: err = %v, want ErrNoTags", err)
	}

	commit(t, dir, "a", "2024-01-02T03:04:05Z")
	// Annotated tag created later than its commit: creator date is the tag's.
	run(t, dir, "2024-06-01T00:00:00Z", "tag", "-a", "-m", "second", "v1.1.0")
	commit(t, dir, "b", "2024-03-01T00:00:00Z")
	// Lightweight tag: creator date is the commit's (2024-03-01), older.
	run(t, dir, "", "tag", "v1.0.0")
	commit(t, dir, "c", "2025-05-05T05:05:05Z")

	head, err := Head(ctx, dir)
	if err != nil || len(head) != 40 {
		t.Fatalf("Head = %q, %v; want 40 hex digits", head, err)
	}
	short, err := ShortHead(ctx, dir)
	if err != nil || !strings.HasPrefix(head, short) || len(short) != 12 {
		t.Errorf("ShortHead = %q, %v; want the 12-digit prefix of %s", short, err, head)
	}
	ct, err := CommitTime(ctx, dir)
	if want := time.Date(2025, 5, 5, 5, 5, 5, 0, time.UTC); err != nil || !ct.Equal(want) || ct.Location() != time.UTC {
		t.Errorf("CommitTime = %v, %v; want %v", ct, err, want)
	}
	desc, err := Describe(ctx, dir)
	if err != nil || !strings.HasPrefix(desc, "v1.0.0-1-g") {
		t.Errorf("Describe = %q, %v; want v1.0.0-1-g…", desc, err)
	}
	tag, tt, err := FirstTagTime(ctx, dir)
	if want := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC); err != nil || tag != "v1.0.0" || !tt.Equal(want) {
		t.Errorf("FirstTagTime = %q, %v, %v; want v1.0.0 %v", tag, tt, err, want)
	}

	if _, err := Remote(ctx, dir); err == nil {
		t.Error("Remote without remotes: want an error")
	}
	run(t, dir, "", "remote", "add", "upstream", "https://user:s3cret@example.com/org/repo.git")
	if got, err := Remote(ctx, dir); err != nil || got != "https://example.com/org/repo.git" {
		t.Errorf("Remote = %q, %v; want the first remote without credentials", got, err)
	}
	run(t, dir, "", "remote", "add", "origin", "git@github.com:org/repo.git")
	if got, err := Remote(ctx, dir); err != nil || got != "git@github.com:org/repo.git" {
		t.Errorf("Remote = %q, %v; want origin", got, err)
	}
}

func TestNotARepository(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if IsRepo(ctx, dir) {
		t.Error("IsRepo = true for a plain folder")
	}
	if _, err := Describe(ctx, dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Describe outside a repository: err = %v, want one naming %s", err, dir)
	}
}

func TestReferenceTime(t *testing.T) {
	ctx := context.Background()
	repo := newRepo(t)
	commit(t, repo, "a", "2024-01-02T03:04:05Z")
	plain := t.TempDir()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == SourceDateEpoch {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		root    string
		epoch   string
		want    time.Time
		wantErr string
	}{
		{"SOURCE_DATE_EPOCH wins", repo, "1700000000", time.Unix(1700000000, 0).UTC(), ""},
		{"commit time", repo, "", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), ""},
		{"no repository: the epoch", plain, "", time.Unix(0, 0).UTC(), ""},
		{"not an integer", repo, "yesterday", time.Time{}, `SOURCE_DATE_EPOCH="yesterday"`},
		{"negative", repo, "-1", time.Time{}, `SOURCE_DATE_EPOCH="-1"`},
		{"fraction", repo, "1.5", time.Time{}, `SOURCE_DATE_EPOCH="1.5"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReferenceTime(ctx, tc.root, env(tc.epoch))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || failure.KindOf(err) != failure.ErrUsage {
					t.Fatalf("err = %v (exit %v), want one containing %q with exit 2", err, failure.KindOf(err), tc.wantErr)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("ReferenceTime = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestStripCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"https://x-access-token:ghs_abc@github.com/o/r.git": "https://github.com/o/r.git",
		"https://github.com/o/r":                            "https://github.com/o/r",
		"ssh://git:pw@host:22/o/r.git":                      "ssh://git@host:22/o/r.git",
		"git@github.com:o/r.git":                            "git@github.com:o/r.git",
		"/srv/git/r.git":                                    "/srv/git/r.git",
	} {
		if got := stripCredentials(in); got != want {
			t.Errorf("stripCredentials(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalRemote(t *testing.T) {
	for _, tc := range []struct{ remote, want string }{
		{"git@github.com:Org/Repo.git", "https://github.com/Org/Repo"},
		{"https://github.com/Org/Repo", "https://github.com/Org/Repo"},
		{"https://github.com/Org/Repo.git/", "https://github.com/Org/Repo"},
		{"https://x-access-token:ghs_secret@github.com/Org/Repo.git", "https://github.com/Org/Repo"},
		{"https://gitlab-ci-token:glcbt-secret@GitLab.Example.com/group/sub/proj.git", "https://gitlab.example.com/group/sub/proj"},
		{"ssh://git@gitlab.example.com:2222/group/sub/proj.git", "https://gitlab.example.com/group/sub/proj"},
		{"git://git.example.org/proj", "https://git.example.org/proj"},
		{"https://git.example.org:8443/proj.git", "https://git.example.org:8443/proj"},
		{"http://git.internal/proj", "http://git.internal/proj"},
		{"/srv/git/proj.git", ""},
		{"./proj", ""},
		{"file:///srv/git/proj.git", ""},
		{"C:/repos/proj", ""},
		{"host:", ""},
		{"", ""},
	} {
		t.Run(tc.remote, func(t *testing.T) {
			if got := CanonicalRemote(tc.remote); got != tc.want {
				t.Errorf("CanonicalRemote(%q) = %q, want %q", tc.remote, got, tc.want)
			}
		})
	}
}
