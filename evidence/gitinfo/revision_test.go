package gitinfo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitRun(t *testing.T, dir, date string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// Committing the regenerated technical file must not move the revision
// the evidence is made from.
func TestProductRevisionIgnoresGeneratedFolders(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gitRun(t, dir, "2026-01-01T00:00:00Z", "init", "-q")
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644)
	gitRun(t, dir, "2026-01-01T00:00:00Z", "add", "-A")
	gitRun(t, dir, "2026-01-01T00:00:00Z", "commit", "-q", "-m", "product")
	gitRun(t, dir, "2026-01-01T00:00:00Z", "tag", "v1.0.0")
	product, err := Head(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "docs", "cra"), 0o755)
	os.WriteFile(filepath.Join(dir, "docs", "cra", "README.md"), []byte("# file\n"), 0o644)
	gitRun(t, dir, "2026-02-01T00:00:00Z", "add", "-A")
	gitRun(t, dir, "2026-02-01T00:00:00Z", "commit", "-q", "-m", "docs")

	rev, err := ProductRevision(ctx, dir, []string{"docs/cra", ".cemark"})
	if err != nil || rev != product {
		t.Fatalf("ProductRevision = %q, %v; want the product commit %q", rev, err, product)
	}
	if v := ProductVersion(ctx, dir, rev); v != "v1.0.0" {
		t.Errorf("ProductVersion = %q, want v1.0.0 (HEAD describes as v1.0.0-1-g…)", v)
	}
	if tm, err := RevisionTime(ctx, dir, rev); err != nil || tm.Format("2006-01-02") != "2026-01-01" {
		t.Errorf("RevisionTime = %v, %v", tm, err)
	}
	// A product change moves it.
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	gitRun(t, dir, "2026-03-01T00:00:00Z", "commit", "-q", "-am", "change")
	head, _ := Head(ctx, dir)
	if rev, _ := ProductRevision(ctx, dir, []string{"docs/cra", ".cemark"}); rev != head {
		t.Errorf("after a product change ProductRevision = %q, want HEAD %q", rev, head)
	}
}

// TestReadProductRevision: one git log gives what ProductRevision,
// ShortRevision, RevisionTime and ProductVersion give.
func TestReadProductRevision(t *testing.T) {
	ctx := context.Background()
	dir := newRepo(t)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644)
	run(t, dir, "2026-01-01T00:00:00Z", "add", "-A")
	run(t, dir, "2026-01-01T00:00:00Z", "commit", "-q", "-m", "product")
	check := func(t *testing.T, root string, describe bool) {
		t.Helper()
		generated := []string{"docs/cra", ".cemark"}
		got, err := ReadProductRevision(ctx, root, generated, describe)
		if err != nil {
			t.Fatal(err)
		}
		rev, _ := ProductRevision(ctx, root, generated)
		short, _ := ShortRevision(ctx, root, rev)
		tm, _ := RevisionTime(ctx, root, rev)
		want := Revision{Commit: rev, Short: short, Time: tm}
		if describe {
			want.Describe, _ = DescribeRevision(ctx, root, rev)
			if got.Version() != ProductVersion(ctx, root, rev) {
				t.Errorf("Version() = %q, ProductVersion %q", got.Version(), ProductVersion(ctx, root, rev))
			}
		}
		if got != want {
			t.Errorf("ReadProductRevision = %+v, want %+v", got, want)
		}
	}
	t.Run("untagged", func(t *testing.T) { check(t, dir, true) })
	run(t, dir, "2026-01-02T00:00:00Z", "tag", "-a", "-m", "one", "v1.0.0")
	os.MkdirAll(filepath.Join(dir, "docs", "cra"), 0o755)
	os.WriteFile(filepath.Join(dir, "docs", "cra", "README.md"), []byte("# file\n"), 0o644)
	run(t, dir, "2026-02-01T00:00:00Z", "add", "-A")
	run(t, dir, "2026-02-01T00:00:00Z", "commit", "-q", "-m", "docs")
	t.Run("tagged, docs commit after", func(t *testing.T) { check(t, dir, true) })
	t.Run("without describe", func(t *testing.T) { check(t, dir, false) })
	// A folder with no history of its own: HEAD.
	os.MkdirAll(filepath.Join(dir, "empty"), 0o755)
	t.Run("folder without history", func(t *testing.T) { check(t, filepath.Join(dir, "empty"), true) })
	if _, err := ReadProductRevision(ctx, t.TempDir(), nil, true); err == nil {
		t.Error("outside a repository: want an error")
	}
}

// TestTrackedFilesFromASubfolder: one git process lists tracked files
// from the top level, whatever folder it starts in; untracked ones are
// left out.
func TestTrackedFilesFromASubfolder(t *testing.T) {
	ctx := context.Background()
	dir := newRepo(t)
	for _, f := range []string{".github/workflows/ci.yml", "svc/.github/workflows/nested.yml", "svc/main.go", "Jenkinsfile"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		os.WriteFile(filepath.Join(dir, f), []byte("x\n"), 0o644)
	}
	run(t, dir, "2026-01-01T00:00:00Z", "add", "-A")
	run(t, dir, "2026-01-01T00:00:00Z", "commit", "-q", "-m", "files")
	os.WriteFile(filepath.Join(dir, ".github/workflows/untracked.yml"), []byte("x\n"), 0o644)
	for _, root := range []string{dir, filepath.Join(dir, "svc")} {
		got, err := TrackedFiles(ctx, root, ".github/workflows/*.yml", "Jenkinsfile")
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{".github/workflows/ci.yml", "Jenkinsfile"}; strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("TrackedFiles from %s = %q, want %q", root, got, want)
		}
	}
	if _, err := TrackedFiles(ctx, t.TempDir(), "x"); err == nil {
		t.Error("outside a repository: want an error")
	}
}
