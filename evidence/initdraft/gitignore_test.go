package initdraft

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIgnoreEvidenceDir outside git: a new .gitignore when there is none,
// nothing when one already ignores .cemark/, lines proposed otherwise —
// and never an edit of a file cemark did not write.
func TestIgnoreEvidenceDir(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	res, err := IgnoreEvidenceDir(ctx, dir)
	if err != nil || !res.Created {
		t.Fatalf("no .gitignore: %+v, %v", res, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if !strings.HasSuffix(string(b), "\n.cemark/\n") {
		t.Errorf(".gitignore = %q", b)
	}
	if res, err := IgnoreEvidenceDir(ctx, dir); err != nil || res.Created || len(res.Propose) != 0 {
		t.Errorf("second call: %+v, %v", res, err)
	}
	for body, ignored := range map[string]bool{"node_modules/\n/.cemark\n": true, "**/.cemark/\n": true, "# .cemark/\ncemark\n": false} {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, ".gitignore"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := IgnoreEvidenceDir(ctx, d)
		if err != nil || res.Created || (len(res.Propose) == 0) != ignored {
			t.Errorf("%q: %+v, %v", body, res, err)
		}
		if after, _ := os.ReadFile(filepath.Join(d, ".gitignore")); string(after) != body {
			t.Errorf("%q was edited to %q", body, after)
		}
	}
}
