package surface

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

// tree writes files under a temp dir and returns a Target over it.
func tree(t testing.TB, cfg *config.Config, files map[string]string) *checks.Target {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return target(t, dir, cfg)
}

func target(t testing.TB, dir string, cfg *config.Config) *checks.Target {
	t.Helper()
	tgt, err := checks.NewTarget(context.Background(), dir, cfg, "expect.yaml", "cemark.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tgt.Now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	return tgt
}

func tru() *bool { v := true; return &v }
func fls() *bool { v := false; return &v }
