package evidence

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/evidencedir/evidencetest"
	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

// smallProduct is a git repository with a tiny Go program and a
// cemark.yaml whose version is v.
func smallProduct(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range map[string]string{
		"go.mod":  "module example.com/widget\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() {}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	setVersion(t, dir, "1")
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-11-01T12:00:00Z", "GIT_COMMITTER_DATE=2026-11-01T12:00:00Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// setVersion changes the product version, so that a run changes both the
// evidence and the technical file.
func setVersion(t *testing.T, dir, v string) {
	t.Helper()
	yaml := "product:\n  name: Widget\n  version: \"" + v + "\"\n  intended_purpose: Purpose " + v + "\n"
	if err := os.WriteFile(filepath.Join(dir, "cemark.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runOpts(dir string) Options {
	return Options{Root: dir, Getenv: func(string) string { return "" }}
}

// fastOpts leaves the SBOM out: the commit is the same whatever the
// evidence holds, and the crash test runs the pipeline many times.
func fastOpts(dir string) Options {
	o := runOpts(dir)
	o.Stages = RunStages.Without(StageSBOM)
	return o
}

// TestCrashConsistency stops a run after each write step of its commit, as
// a crash there would, and recovers as the next run does: the next run
// finds the old evidence with the old technical file, or the new with the
// new — never a mix — and no staged or temporary file, and then runs
// cleanly.
func TestCrashConsistency(t *testing.T) {
	ctx := context.Background()
	// Learn the steps of a commit that changes both.
	probe := smallProduct(t)
	if _, err := Run(ctx, fastOpts(probe)); err != nil {
		t.Fatal(err)
	}
	setVersion(t, probe, "2")
	var steps []string
	o := fastOpts(probe)
	o.commitHook = func(s string) error { steps = append(steps, s); return nil }
	if _, err := Run(ctx, o); err != nil {
		t.Fatal(err)
	}
	committed := -1
	for i, s := range steps {
		if s == "journal-committed" {
			committed = i
		}
	}
	if committed < 0 {
		t.Fatalf("no commit point among %v", steps)
	}
	crash := errors.New("simulated crash")
	for i := range steps {
		t.Run(steps[i], func(t *testing.T) {
			dir := smallProduct(t)
			if _, err := Run(ctx, fastOpts(dir)); err != nil {
				t.Fatal(err)
			}
			old, err := evidencetest.Check(dir, filepath.Join(dir, ".cemark"), "docs/cra")
			if err != nil {
				t.Fatal(err)
			}
			setVersion(t, dir, "2")
			n := 0
			o := fastOpts(dir)
			o.commitHook = func(string) error {
				if n == i {
					return crash
				}
				n++
				return nil
			}
			if _, err := Run(ctx, o); !errors.Is(err, crash) {
				t.Fatalf("run = %v, want the crash", err)
			}
			// What the next run does first, under the lock.
			if _, err := evidencedir.Recover(dir, filepath.Join(dir, ".git"), filepath.Join(dir, ".cemark")); err != nil {
				t.Fatal(err)
			}
			got, err := evidencetest.Check(dir, filepath.Join(dir, ".cemark"), "docs/cra")
			if err != nil {
				t.Fatalf("after a crash at %s: %v", steps[i], err)
			}
			if (got == old) != (i < committed) {
				t.Fatalf("after a crash at %s: technical file changed=%v, want %v", steps[i], got != old, i >= committed)
			}
			// The next run goes on from there (once is enough to show it).
			if i == committed {
				if _, err := Run(ctx, fastOpts(dir)); err != nil {
					t.Fatal(err)
				}
				if _, err := evidencetest.Check(dir, filepath.Join(dir, ".cemark"), "docs/cra"); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestConformityPinsCommittedDocs: the technical-file digest in the
// conformity statement is that of the documents committed with it.
func TestConformityPinsCommittedDocs(t *testing.T) {
	dir := smallProduct(t)
	ctx := context.Background()
	for _, v := range []string{"1", "2"} {
		setVersion(t, dir, v)
		if _, err := Run(ctx, fastOpts(dir)); err != nil {
			t.Fatal(err)
		}
		if _, err := evidencetest.Check(dir, filepath.Join(dir, ".cemark"), "docs/cra"); err != nil {
			t.Fatalf("version %s: %v", v, err)
		}
	}
}

// TestDocsCheckFailsOnStrayTemporaryFiles: a temporary file an interrupted
// write left makes `docs --check` stale; a writing run removes it.
func TestDocsCheckFailsOnStrayTemporaryFiles(t *testing.T) {
	dir := smallProduct(t)
	ctx := context.Background()
	if _, err := Run(ctx, fastOpts(dir)); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(dir, "docs", "cra", ".README.md.tmp-123456")
	os.WriteFile(stray, []byte("half"), 0o644)
	o := fastOpts(dir)
	o.Stages, o.DocsCheck = DocsStages.Without(StageSBOM, StageWrite), true
	ev, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.TechFile.Stale() || !strings.Contains(ev.TechFile.Diff, "stray temporary file docs/cra/.README.md.tmp-123456") {
		t.Fatalf("docs --check is not stale with a stray temporary file:\n%s", ev.TechFile.Diff)
	}
	if _, err := Run(ctx, fastOpts(dir)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Fatal("a writing run left the stray temporary file")
	}
	// A file that only looks like one is the user's and stays.
	mine := filepath.Join(dir, "docs", "cra", ".notes.tmp-1")
	os.WriteFile(mine, []byte("mine"), 0o644)
	if _, err := Run(ctx, fastOpts(dir)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Fatal("a user's file was removed")
	}
}

// TestStagedEvidenceMatchesRecord: the evidence files are encoded one by
// one into the commit; run.json lists each with the digest of what is on
// disk, and attestations.intoto.jsonl holds the envelope files, one a
// line, in the statements' order.
func TestStagedEvidenceMatchesRecord(t *testing.T) {
	dir := smallProduct(t)
	ev, err := Run(context.Background(), fastOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, ".cemark")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(ev.Record.Outputs) + 2; len(entries) != want { // and run.json, the marker
		t.Errorf("%d files in %s, run.json lists %d", len(entries), out, len(ev.Record.Outputs))
	}
	for _, o := range ev.Record.Outputs {
		if got := sha256Hex(read(o.Name)); got != o.SHA256 || ev.Files[o.Name] != o.SHA256 {
			t.Errorf("%s: sha256 %s on disk, %s in run.json, %s on the evidence", o.Name, got, o.SHA256, ev.Files[o.Name])
		}
	}
	var lines [][]byte
	for _, st := range ev.Statements {
		lines = append(lines, read(st.Name+evidencedir.EnvelopeSuffix))
	}
	if len(lines) < 2 || !bytes.Equal(read(evidencedir.Attestations), attest.JoinJSONL(lines)) {
		t.Errorf("%s is not the %d envelope files joined", evidencedir.Attestations, len(lines))
	}
}

// TestEvidenceWhateverTheProcessors: on several processors the checks
// run side by side, the write stage's commit begins after the checks (the
// report's files staged while the attest, docs and sign stages run) and
// the files are written several at a time; the evidence, the technical
// file and run.json's list of outputs are those of a run on one
// processor, byte for byte. A run stopped before the write stage aborts
// the early commit: the evidence stays as it was and nothing staged is
// left.
func TestEvidenceWhateverTheProcessors(t *testing.T) {
	db := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	dir := cacheProduct(t, "")
	for rel, content := range map[string]string{
		"compose.yaml":     "services:\n  web:\n    build: .\n    ports:\n      - \"8081:80\"\n",
		"deploy/app.yaml":  "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - port: 80\n",
		"app/server.py":    "import uvicorn\nuvicorn.run(app, host='0.0.0.0', port=5000)\n",
		"units/app.socket": "[Socket]\nListenStream=7000\n",
	} {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(rel)), content)
	}
	opts := Options{Root: dir, Getenv: cacheEnv(t, db), NoCache: true}
	mustRunOpts(t, opts) // the technical file exists from here on: the runs compared find it alike
	run := func(procs int) (map[string][]byte, []Output, []string) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var steps []string
		o := opts
		o.commitHook = func(s string) error { steps = append(steps, s); return nil }
		ev := mustRunOpts(t, o)
		return evidenceAndDocs(t, dir), ev.Record.Outputs, steps
	}
	want, wantOut, seqSteps := run(1)
	got, gotOut, steps := run(4)
	sameFiles(t, "four processors against one", want, got)
	if !slices.Equal(wantOut, gotOut) {
		t.Errorf("run.json's outputs differ:\n%v\n%v", wantOut, gotOut)
	}
	early := func(steps []string) bool {
		return slices.Index(steps, "evidence-file "+evidencedir.Report) < slices.Index(steps, "evidence-file "+evidencedir.Attestations)
	}
	if early(seqSteps) || !early(steps) {
		t.Fatalf("the report's files were not staged before the other files on four processors only:\n%v\n%v", seqSteps, steps)
	}

	// The run is stopped after the attest stage: the commit begun early
	// is undone.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	before := evidenceAndDocs(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := opts
	o.Progress = cancelAt{stage: string(StageAttest), cancel: cancel}
	if _, err := Run(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("run = %v, want it stopped", err)
	}
	sameFiles(t, "after a stopped run", before, evidenceAndDocs(t, dir))
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), evidencedir.StageSuffix) {
			t.Errorf("a failed run left %s", e.Name())
		}
	}
	if _, err := os.Stat(evidencedir.JournalPath(filepath.Join(dir, ".git"))); !os.IsNotExist(err) {
		t.Errorf("a failed run left its journal (%v)", err)
	}
}
