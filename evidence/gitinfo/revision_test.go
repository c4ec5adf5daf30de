package gitinfo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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
