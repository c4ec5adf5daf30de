package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// world is a workspace that holds a small product, a sibling project and
// a folder outside the workspace, so a test can tell whether anything
// beyond the evidence directory changed.
type world struct {
	top       string // everything below is hashed
	workspace string // the CI workspace
	product   string // the product root, inside the workspace
	outside   string // a folder outside the workspace
}

func newWorld(t *testing.T) world {
	t.Helper()
	top := t.TempDir()
	w := world{top: top, workspace: filepath.Join(top, "ws"), outside: filepath.Join(top, "outside")}
	w.product = filepath.Join(w.workspace, "product")
	files := map[string]string{
		"product/go.mod":             "module example.com/widget\n\ngo 1.22\n",
		"product/main.go":            "package main\n\nfunc main() {}\n",
		"product/src/keep.txt":       "tracked source\n",
		"product/docs/guide.md":      "# Guide\n",
		"product/dist/app.tar.gz":    "not really a tarball\n",
		"sibling/important.txt":      "a sibling project\n",
		"victim/important.txt":       "a folder beside the product\n",
		"../outside/important.txt":   "outside the workspace\n",
		"../outside/nested/data.bin": "data\n",
	}
	for rel, content := range files {
		p := filepath.Join(w.workspace, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitInit(t, w.product)
	return w
}

func gitInit(t *testing.T, dir string) {
	t.Helper()
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-11-01T12:00:00Z", "GIT_COMMITTER_DATE=2026-11-01T12:00:00Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

func (w world) config(t *testing.T, yaml string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.product, "cemark.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hashTree maps every path below dir to its type and content digest (a
// symlink to its target), so any change shows.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "link " + target
		case d.IsDir():
			out[rel] = "dir"
		case d.Type().IsRegular():
			b, _ := os.ReadFile(p)
			s := sha256.Sum256(b)
			out[rel] = "file " + hex.EncodeToString(s[:])
		default:
			out[rel] = "special " + d.Type().String()
		}
		return nil
	})
	return out
}

func diffTrees(before, after map[string]string) []string {
	var out []string
	for k, v := range before {
		if after[k] != v {
			out = append(out, "changed or removed: "+k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			out = append(out, "added: "+k)
		}
	}
	sort.Strings(out)
	return out
}

// TestRefusedPaths: every way to aim cemark's writes or reads at a place
// it must not touch is a usage error (exit 2) that names the path's origin,
// found before any work, and nothing at all changes on disk.
func TestRefusedPaths(t *testing.T) {
	tests := []struct {
		name   string
		config string
		args   []string          // after "run PRODUCT"; nil with env runs `cemark action`
		env    map[string]string // GitHub Action inputs
		setup  func(t *testing.T, w world)
		want   []string
	}{
		{name: "--out .", args: []string{"--out", "."}, want: []string{`--out ".": is the product root itself`}},
		{name: "--out ..", args: []string{"--out", ".."}, want: []string{`--out "..": is a folder that contains the product root`}},
		{name: "--out .git", args: []string{"--out", ".git"}, want: []string{`--out ".git": is inside .git`}},
		{name: "--out .git/x", args: []string{"--out", ".git/evidence"}, want: []string{"is inside .git"}},
		{name: "--out src", args: []string{"--out", "src"}, want: []string{`--out "src": is a folder cemark did not make`}},
		{name: "--out sibling", args: []string{"--out", "../sibling"}, want: []string{`--out "../sibling": resolves to`, "outside the product root"}},
		{name: "--out absolute", setup: nil, args: []string{"--out", "OUTSIDE"}, want: []string{"outside the product root"}},
		{name: "--out symlink out", setup: func(t *testing.T, w world) {
			if err := os.Symlink(w.outside, filepath.Join(w.product, "ev")); err != nil {
				t.Fatal(err)
			}
		}, args: []string{"--out", "ev"}, want: []string{`--out "ev": resolves to`, "outside the product root"}},
		{name: "--out symlink to src", setup: func(t *testing.T, w world) {
			if err := os.Symlink("src", filepath.Join(w.product, "ev")); err != nil {
				t.Fatal(err)
			}
		}, args: []string{"--out", "ev"}, want: []string{"is a folder cemark did not make"}},
		{name: "outputs.dir ..", config: "outputs:\n  dir: ..\n", want: []string{`cemark.yaml:2:8: outputs.dir "..": is a folder that contains the product root`}},
		{name: "outputs.dir src", config: "outputs:\n  dir: src\n", want: []string{`cemark.yaml:2:8: outputs.dir "src": is a folder cemark did not make`}},
		{name: "outputs.dir absolute", config: "outputs:\n  dir: OUTSIDE\n", want: []string{"cemark.yaml:2:8: outputs.dir", "outside the product root"}},
		{name: "outputs.dir .git", config: "outputs:\n  dir: .git\n", want: []string{"cemark.yaml:2:8: outputs.dir", "is inside .git"}},
		{name: "docs.dir outside", config: "docs:\n  dir: ../victim\n", want: []string{`cemark.yaml:2:8: docs.dir "../victim"`, "outside the product root"}},
		{name: "--docs-dir .", args: []string{"--docs-dir", "."}, want: []string{`--docs-dir ".": is the product root itself`}},
		{name: "--docs-dir .git", args: []string{"--docs-dir", ".git/cra"}, want: []string{"is inside .git"}},
		{name: "docs inside the evidence", args: []string{"--out", "out", "--docs-dir", "out/cra"}, want: []string{"overlap"}},
		{name: "host artefacts", config: "updates:\n  artifacts: [\"/etc/*\"]\n", want: []string{`cemark.yaml:2:15: updates.artifacts[0] "/etc/*": is an absolute path`}},
		{name: "artefacts above the root", config: "updates:\n  artifacts: [\"../../etc/*\"]\n", want: []string{`cemark.yaml:2:15: updates.artifacts[0] "../../etc/*": leaves the product root`}},
		{name: "subjects above the root", config: "attestations:\n  subjects:\n    - ../victim/*\n", want: []string{`cemark.yaml:3:7: attestations.subjects[0] "../victim/*": leaves the product root`}},
		{name: "bad exclude glob", config: "exclude: [\"src/[\"]\n", want: []string{`cemark.yaml:1:11: exclude[0] "src/[": is not a valid glob`}},
		{name: "unknown selected check", config: "checks:\n  select: [CEM-DEF-001, CEM-NOPE-001]\n", want: []string{`cemark.yaml:2:25: unknown check ID "CEM-NOPE-001" in checks.select`}},
		{name: "unknown waived check", config: "waivers:\n  - {check: CEM-NOPE-001, justification: x}\n", want: []string{`cemark.yaml:2:13: waivers[0] names no known check "CEM-NOPE-001"`}},
		{name: "--checks unknown", args: []string{"--checks", "CEM-NOPE-001"}, want: []string{`--checks: unknown check ID "CEM-NOPE-001"`}},
		{name: "missing templates", config: "docs:\n  templates: tmpl\n", want: []string{`cemark.yaml:2:14: docs.templates "tmpl": is not a readable folder`}},
		{name: "missing source folder", config: "sources: [\"dir:missing\"]\n", want: []string{`cemark.yaml:1:11: sources[0] "dir:missing": cannot be read`}},
		{name: "source outside", config: "sources: [\"file:/dev/zero\"]\n", want: []string{`cemark.yaml:1:11: sources[0] "/dev/zero": is an absolute path`}},
		{name: "--source device", args: []string{"--source", "file:/dev/zero"}, want: []string{`--source "file:/dev/zero": is a device`}},
		{name: "key outside", config: "updates:\n  keys:\n    - {path: ../victim/important.txt}\n", want: []string{`cemark.yaml:3:14: updates.keys[0].path "../victim/important.txt": leaves the product root`}},
		{name: "yaml syntax", config: "product:\n  name: [a\n", want: []string{"cemark.yaml:2:9: did not find expected ',' or ']'"}},
		{name: "corrupt state", setup: func(t *testing.T, w world) {
			os.MkdirAll(filepath.Join(w.product, "docs", "cra"), 0o755)
			os.WriteFile(filepath.Join(w.product, "docs", "cra", ".cemark-state.json"), []byte("{not json"), 0o644)
		}, want: []string{"docs/cra/.cemark-state.json: parse .cemark-state.json"}},
		{name: "symlinked document", setup: func(t *testing.T, w world) {
			os.MkdirAll(filepath.Join(w.product, "docs", "cra"), 0o755)
			os.Symlink(filepath.Join(w.outside, "important.txt"), filepath.Join(w.product, "docs", "cra", "README.md"))
		}, want: []string{"README.md is not a regular file"}},
		{name: "action output-dir", env: map[string]string{"INPUT_OUTPUT-DIR": "victim"}, want: []string{`input output-dir "`, `/ws/victim": is a folder cemark did not make`}},
		{name: "action output-dir outside", env: map[string]string{"INPUT_OUTPUT-DIR": "../../outside"}, want: []string{"input output-dir: ../../outside is outside the workspace"}},
		{name: "action config outputs.dir", env: map[string]string{}, config: "outputs:\n  dir: ../victim\n", want: []string{`cemark.yaml:2:8: outputs.dir "../victim": is a folder cemark did not make`}},
		{name: "action config outputs.dir outside", env: map[string]string{}, config: "outputs:\n  dir: ../../outside/ev\n", want: []string{"cemark.yaml:2:8: outputs.dir", "outside the workspace"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			if tt.config != "" {
				w.config(t, strings.ReplaceAll(tt.config, "OUTSIDE", w.outside))
			}
			if tt.setup != nil {
				tt.setup(t, w)
			}
			before := hashTree(t, w.top)
			var code int
			var stderr string
			if tt.env != nil {
				vars := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": w.workspace, "INPUT_PATH": "product",
					"GITHUB_REPOSITORY": "example/widget", "GITHUB_SHA": strings.Repeat("a", 40), "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_NAME": "push"}
				for k, v := range tt.env {
					vars[k] = v
				}
				code, _, stderr = cli(t, vars, "action")
			} else {
				args := []string{"run", w.product}
				for _, a := range tt.args {
					args = append(args, strings.ReplaceAll(a, "OUTSIDE", w.outside))
				}
				old, _ := os.Getwd()
				os.Chdir(w.product) // relative flags are relative to the working directory
				defer os.Chdir(old)
				code, _, stderr = cli(t, nil, args...)
			}
			if code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", code, exitUsage, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stderr, "sbom") && strings.Contains(stderr, "packages") {
				t.Errorf("the SBOM was made before the refusal:\n%s", stderr)
			}
			if diff := diffTrees(before, hashTree(t, w.top)); len(diff) > 0 {
				t.Errorf("the tree changed:\n%s", strings.Join(diff, "\n"))
			}
		})
	}
}

// TestEvidenceDirIsReplacedOnlyWhenCemarkMadeIt: a run writes its marker;
// the next run replaces that folder; an evidence directory of an older
// cemark (run.json lists every file) is replaced too.
func TestEvidenceDirIsReplacedOnlyWhenCemarkMadeIt(t *testing.T) {
	w := newWorld(t)
	if code, _, stderr := cli(t, nil, "run", w.product, "--out", filepath.Join(w.product, "out"), "--no-docs"); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(w.product, "out", ".cemark-evidence")); err != nil {
		t.Fatalf("no marker: %v", err)
	}
	// An older cemark's evidence: no marker, run.json lists the files.
	os.Remove(filepath.Join(w.product, "out", ".cemark-evidence"))
	if code, _, stderr := cli(t, nil, "run", w.product, "--out", filepath.Join(w.product, "out"), "--no-docs"); code != exitOK {
		t.Fatalf("legacy evidence: exit %d\n%s", code, stderr)
	}
	// Anything else in it, and it is not cemark's alone any more.
	os.Remove(filepath.Join(w.product, "out", ".cemark-evidence"))
	os.WriteFile(filepath.Join(w.product, "out", "notes.txt"), []byte("mine"), 0o644)
	code, _, stderr := cli(t, nil, "run", w.product, "--out", filepath.Join(w.product, "out"), "--no-docs")
	if code != exitUsage || !strings.Contains(stderr, "is a folder cemark did not make") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
}

// TestCommandLineOutsideIsRecorded: an absolute path on the command line
// is a conscious act; run.json records it.
func TestCommandLineOutsideIsRecorded(t *testing.T) {
	w := newWorld(t)
	code, _, stderr := cli(t, nil, "run", w.product, "--no-docs", "--artifacts", filepath.Join(w.outside, "important.txt"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var rec struct {
		ReadOutside []string `json:"read_outside_root"`
	}
	b, _ := os.ReadFile(filepath.Join(w.product, ".cemark", "run.json"))
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.ReadOutside) != 1 || rec.ReadOutside[0] != filepath.Join(w.outside, "important.txt") {
		t.Fatalf("read_outside_root = %v", rec.ReadOutside)
	}
}

// TestOutputFilesNeverReplaceSpecialFiles: a single output file named on
// the command line is refused, before any work, when it is in .git or is
// not a regular file (a rename over /dev/null would replace the device).
func TestOutputFilesNeverReplaceSpecialFiles(t *testing.T) {
	w := newWorld(t)
	for _, args := range [][]string{
		{"sbom", w.product, "-o", "cyclonedx-json=/dev/null"},
		{"sbom", w.product, "-o", "spdx-json=" + filepath.Join(w.product, ".git", "sbom.json")},
		{"check", w.product, "--out", filepath.Join(w.product, "src")},
	} {
		before := hashTree(t, w.top)
		code, _, stderr := cli(t, nil, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
		}
		if strings.Contains(stderr, "components") {
			t.Errorf("%v: the SBOM was made before the refusal", args)
		}
		if diff := diffTrees(before, hashTree(t, w.top)); len(diff) > 0 {
			t.Errorf("%v: the tree changed: %v", args, diff)
		}
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v", err)
	}
}
