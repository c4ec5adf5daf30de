package contain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/failure"
)

func tree(t *testing.T) (top, product string) {
	t.Helper()
	top = t.TempDir()
	product = filepath.Join(top, "ws", "product")
	for _, d := range []string{"ws/product/src", "ws/product/.git", "ws/product/ev", "ws/sibling", "outside"} {
		os.MkdirAll(filepath.Join(top, d), 0o755)
	}
	os.WriteFile(filepath.Join(product, "src", "a.go"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(top, "ws", "sibling", "f"), []byte("x"), 0o644)
	return top, product
}

func TestEvidenceDir(t *testing.T) {
	top, product := tree(t)
	os.Symlink(filepath.Join(top, "outside"), filepath.Join(product, "out-link"))
	os.Symlink("src", filepath.Join(product, "src-link"))
	os.Symlink(".git", filepath.Join(product, "git-link"))
	marked := filepath.Join(product, "marked")
	os.MkdirAll(marked, 0o755)
	os.WriteFile(filepath.Join(marked, Marker), MarkerContent, 0o644)
	os.WriteFile(filepath.Join(marked, "report.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(product, "file"), []byte("x"), 0o644)

	product1, _ := New(product, "")
	ci, _ := New(product, filepath.Join(top, "ws"))
	tests := []struct {
		name   string
		b      Bounds
		path   string
		refuse string // "" when accepted
	}{
		{"default", product1, ".cemark", ""},
		{"empty folder", product1, "ev", ""},
		{"marked folder", product1, "marked", ""},
		{"nested new", product1, "build/evidence", ""},
		{"root", product1, ".", "is the product root itself"},
		{"root by absolute path", product1, product, "is the product root itself"},
		{"parent", product1, "..", "contains the product root"},
		{"grand parent", product1, "../..", "contains the product root"},
		{".git", product1, ".git", "inside .git"},
		{"inside .git", product1, ".git/x", "inside .git"},
		{".GIT", product1, ".GIT/x", "inside .git"},
		{"src", product1, "src", "cemark did not make"},
		{"a file", product1, "file", "is not a folder"},
		{"sibling", product1, "../sibling", "outside the product root"},
		{"absolute outside", product1, filepath.Join(top, "outside"), "outside the product root"},
		{"symlink out", product1, "out-link", "outside the product root"},
		{"symlink out, below", product1, "out-link/new", "outside the product root"},
		{"symlink to src", product1, "src-link", "cemark did not make"},
		{"symlink to .git", product1, "git-link/x", "inside .git"},
		{"CI: beside the product", ci, "../new-evidence", ""},
		{"CI: a sibling project", ci, "../sibling", "cemark did not make"},
		{"CI: the workspace", ci, "..", "is the workspace"},
		{"CI: outside", ci, "../../outside/x", "outside the workspace"},
		{"empty", product1, " ", "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.b.EvidenceDir(tt.path, Flag("--out"))
			if tt.refuse == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !filepath.IsAbs(got) {
					t.Fatalf("not absolute: %s", got)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted as %s", got)
			}
			if failure.KindOf(err) != failure.ErrUsage || !strings.Contains(err.Error(), tt.refuse) || !strings.HasPrefix(err.Error(), "--out ") {
				t.Fatalf("error %q (exit %v), want exit 2 naming --out and %q", err, failure.KindOf(err), tt.refuse)
			}
		})
	}
}

func TestLegacyEvidenceDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "run.json"), []byte(`{"outputs":[{"name":"report.json"}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "report.json"), []byte("{}"), 0o644)
	if ok, err := IsEvidenceDir(dir); !ok || err != nil {
		t.Fatalf("legacy evidence not recognised: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "notes.md"), []byte("mine"), 0o644)
	if ok, _ := IsEvidenceDir(dir); ok {
		t.Fatal("a folder with a file run.json does not list was taken for evidence")
	}
}

func TestReadPath(t *testing.T) {
	top, product := tree(t)
	os.Symlink(filepath.Join(top, "outside"), filepath.Join(product, "out-link"))
	b, _ := New(product, "")
	cfg := Origin{Key: "updates.trusted_root", Where: "cemark.yaml:3:17"}
	for _, p := range []string{"/etc/passwd", "../sibling/f", "out-link/x", "src/../../x"} {
		if _, err := b.ReadPath(p, cfg, false); err == nil || failure.KindOf(err) != failure.ErrUsage || !strings.HasPrefix(err.Error(), "cemark.yaml:3:17: updates.trusted_root") {
			t.Errorf("ReadPath(%q) from cemark.yaml = %v", p, err)
		}
	}
	if got, err := b.ReadPath("/etc/passwd", Flag("--update-key"), true); err != nil || got != "/etc/passwd" {
		t.Errorf("absolute path from the command line: %q, %v", got, err)
	}
	if _, err := b.ReadPath("src/a.go", cfg, false); err != nil {
		t.Errorf("inside: %v", err)
	}
}

func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := OutputFile(filepath.Join(dir, "sbom.json"), Flag("-o")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, "/dev/null", filepath.Join(dir, ".git", "x")} {
		if _, err := OutputFile(p, Flag("-o")); err == nil || failure.KindOf(err) != failure.ErrUsage {
			t.Errorf("OutputFile(%q) = %v", p, err)
		}
	}
}
