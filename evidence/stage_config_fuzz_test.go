package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/detect"
	"github.com/cemark/cemark/evidence/failure"
)

// FuzzConfigStage feeds cemark.yaml through the whole config stage — the
// loader, the plan of every path written and read, the checks of globs,
// paths and check IDs, the defaults — as a run does before any work. It
// must never panic, never fail as a broken tool (exit 1) and never write
// anything: a bad file is exit 2.
func FuzzConfigStage(f *testing.F) {
	for _, seed := range []string{
		"",
		"product: {name: Widget, version: \"1\"}\n",
		"outputs:\n  dir: ..\n",
		"outputs:\n  dir: /tmp\n",
		"outputs:\n  dir: .git\n",
		"outputs:\n  dir: src\n",
		"outputs: {dir: ev}\ndocs: {dir: ev/cra}\n",
		"docs:\n  dir: ../outside\n  templates: ../../etc\n",
		"updates:\n  artifacts: [\"/etc/*\", \"../../etc/*\", \"dist/[\"]\n  keys: [{path: /etc/passwd}]\n  trusted_root: ../x\n",
		"attestations:\n  subjects: [\"**/*\", \"../*\"]\n",
		"sources: [\"file:/dev/zero\", \"dir:..\", \"oci-dir:src\", \"docker-archive:main.go\"]\n",
		"exclude: [\"{a,b\", \"[z-a]\"]\n",
		"checks:\n  select: [CEM-DEF-001, cem-port-001, CEM-XYZ-000]\nwaivers:\n  - {check: CEM-NOPE-001, justification: x}\n",
		"advisories: {folder: ../../x, csaf: /etc/csaf.json}\n",
		"limits: {max_file_size: 0}\n",
		"product:\n  name: [a\n",
		"a: &x [*x]\n",
	} {
		f.Add([]byte(seed))
	}
	top := f.TempDir()
	root := filepath.Join(top, "product")
	for rel, content := range map[string]string{
		"product/go.mod":          "module example.com/widget\n",
		"product/src/keep.txt":    "source\n",
		"product/dist/app":        "app\n",
		"product/docs/cra/x.md":   "# x\n",
		"outside/important.txt":   "outside\n",
		"product/.git/HEAD":       "ref: refs/heads/main\n",
		"product/ev/.placeholder": "",
	} {
		p := filepath.Join(top, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	os.Remove(filepath.Join(root, "ev", ".placeholder"))
	cfgPath := filepath.Join(root, config.FileName)
	before := treeDigest(top, cfgPath)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(cfgPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		err := configStageOnly(root)
		if err != nil && failure.KindOf(err) != failure.ErrUsage {
			t.Fatalf("exit %v, want 0 or 2: %v", failure.KindOf(err), err)
		}
		if after := treeDigest(top, cfgPath); after != before {
			t.Fatal("the config stage wrote to the tree")
		}
	})
}

// configStageOnly is what the config stage of `cemark run` does before
// any work: load, plan (every path of a run that writes), defaults.
func configStageOnly(root string) error {
	ctx := context.Background()
	cfg, _, err := loadConfigOnce(root, "")
	if err != nil {
		return err
	}
	if _, err := planRun(root, Options{Root: root}, RunStages, cfg.Config); err != nil {
		return err
	}
	return detect.ApplyDefaults(ctx, root, cfg.Config, "")
}

// treeDigest hashes every path below dir but skip.
func treeDigest(dir, skip string) string {
	h := sha256.New()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == skip {
			return nil
		}
		h.Write([]byte(p + "\x00" + d.Type().String() + "\x00"))
		if d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}
