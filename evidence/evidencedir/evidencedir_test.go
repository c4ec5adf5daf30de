package evidencedir

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cemark/cemark/evidence/contain"
)

func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// commit writes one generation: evidence files and one document, all
// holding gen, through a Txn with hook.
func commit(t *testing.T, root, gen string, hook func(string) error) error {
	t.Helper()
	txn := Begin(root, filepath.Join(root, ".git"))
	txn.AfterStep = hook
	if err := txn.SetEvidence(filepath.Join(root, ".cemark"), map[string][]byte{
		"a.json": []byte(gen), "run.json": []byte(gen),
	}); err != nil {
		t.Fatal(err)
	}
	txn.AddFile(filepath.Join(root, "docs", "cra", "README.md"), []byte(gen))
	txn.AddFile(filepath.Join(root, "docs", "cra", "01.md"), []byte(gen))
	return txn.Commit(context.Background())
}

// commitStreamed writes the generation commit writes, with the evidence
// files staged one by one after Prepare (as a run does), and gives up as
// a run does when a step fails.
func commitStreamed(t *testing.T, root, gen string, hook func(string) error) error {
	return stageGeneration(t, root, gen, hook, false)
}

// commitDocumentsLate writes the generation commitStreamed writes, with
// the documents added after the evidence files are staged (as a run that
// stages them while its last stages make the documents does).
func commitDocumentsLate(t *testing.T, root, gen string, hook func(string) error) error {
	return stageGeneration(t, root, gen, hook, true)
}

func stageGeneration(t *testing.T, root, gen string, hook func(string) error, docsLate bool) error {
	t.Helper()
	ctx := context.Background()
	txn := Begin(root, filepath.Join(root, ".git"))
	txn.AfterStep = hook
	txn.EvidenceDir(filepath.Join(root, ".cemark"))
	addDocs := func() {
		txn.AddFile(filepath.Join(root, "docs", "cra", "README.md"), []byte(gen))
		txn.AddFile(filepath.Join(root, "docs", "cra", "01.md"), []byte(gen))
	}
	if !docsLate {
		addDocs()
	}
	if err := txn.Prepare(ctx); err != nil {
		return err
	}
	for _, n := range []string{"run.json", "a.json"} {
		if _, err := txn.StageEvidence(ctx, n, WriteBytes([]byte(gen))); err != nil {
			return errors.Join(err, txn.Abort())
		}
	}
	if docsLate {
		addDocs()
	}
	return txn.Commit(ctx)
}

// generation says which generation the tree holds, failing on a mix or a
// leftover.
func generation(t *testing.T, root string) string {
	t.Helper()
	ev := readAll(t, filepath.Join(root, ".cemark"))
	docs := readAll(t, filepath.Join(root, "docs", "cra"))
	gens := map[string]bool{}
	for n, v := range ev {
		if n != contain.Marker {
			gens[v] = true
		}
	}
	for _, v := range docs {
		gens[v] = true
	}
	if len(gens) != 1 {
		t.Fatalf("evidence %v and documents %v are of different runs", ev, docs)
	}
	if ev[contain.Marker] == "" {
		t.Fatal("no marker in the evidence directory")
	}
	if len(docs) != 2 {
		t.Fatalf("documents: %v", docs)
	}
	assertNoLeftovers(t, root)
	for g := range gens {
		return g
	}
	return ""
}

func assertNoLeftovers(t *testing.T, root string) {
	t.Helper()
	var left []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		name := d.Name()
		if strings.Contains(name, StageSuffix) || strings.Contains(name, ".cemark-old") || strings.Contains(name, ".tmp-") || strings.HasSuffix(name, JournalFileName) {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Fatalf("left behind: %v", left)
	}
}

func TestCommitReplacesEvidenceAndDocuments(t *testing.T) {
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, ".git"), 0o755)
	if err := commit(t, root, "one", nil); err != nil {
		t.Fatal(err)
	}
	if g := generation(t, root); g != "one" {
		t.Fatalf("generation %q", g)
	}
	// A file the new set no longer has disappears with the old directory.
	os.WriteFile(filepath.Join(root, ".cemark", "stale.json"), []byte("one"), 0o644)
	if err := commit(t, root, "two", nil); err != nil {
		t.Fatal(err)
	}
	if g := generation(t, root); g != "two" {
		t.Fatalf("generation %q", g)
	}
}

// TestCrashAtEveryStep stops the commit after each write step, as a crash
// would, then recovers as the next run does: the tree holds the old pair
// before the commit point and the new pair from it on, never a mix, and no
// staged or temporary file is left.
func TestCrashAtEveryStep(t *testing.T) {
	for way, commit := range map[string]func(*testing.T, string, string, func(string) error) error{
		"SetEvidence": commit, "StageEvidence": commitStreamed, "DocumentsAfterPrepare": commitDocumentsLate,
	} {
		t.Run(way, func(t *testing.T) { crashAtEveryStep(t, commit) })
	}
}

func crashAtEveryStep(t *testing.T, commit func(*testing.T, string, string, func(string) error) error) {
	// Learn the steps of one commit.
	var steps []string
	probe := t.TempDir()
	os.Mkdir(filepath.Join(probe, ".git"), 0o755)
	commit(t, probe, "one", nil)
	if err := commit(t, probe, "two", func(s string) error { steps = append(steps, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(steps) < 8 {
		t.Fatalf("steps: %v", steps)
	}
	committedAt := -1
	for i, s := range steps {
		if s == "journal-committed" {
			committedAt = i
		}
	}
	crash := errors.New("crash")
	for i, step := range steps {
		t.Run(step, func(t *testing.T) {
			root := t.TempDir()
			os.Mkdir(filepath.Join(root, ".git"), 0o755)
			if err := commit(t, root, "one", nil); err != nil {
				t.Fatal(err)
			}
			n := 0
			err := commit(t, root, "two", func(string) error {
				if n == i {
					return crash
				}
				n++
				return nil
			})
			if !errors.Is(err, crash) {
				t.Fatalf("commit = %v, want the crash", err)
			}
			if _, err := Recover(root, filepath.Join(root, ".git"), filepath.Join(root, ".cemark")); err != nil {
				t.Fatal(err)
			}
			want := "one"
			if i >= committedAt {
				want = "two"
			}
			if g := generation(t, root); g != want {
				t.Fatalf("after a crash at %s the tree holds %q, want %q", step, g, want)
			}
		})
	}
}

func TestCancelledCommitLeavesPreviousWhole(t *testing.T) {
	root := t.TempDir()
	if err := commit(t, root, "one", nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	txn := Begin(root, root)
	txn.SetEvidence(filepath.Join(root, ".cemark"), map[string][]byte{"a.json": []byte("two"), "run.json": []byte("two")})
	txn.AddFile(filepath.Join(root, "docs", "cra", "README.md"), []byte("two"))
	if err := txn.Commit(ctx); err == nil {
		t.Fatal("commit with a cancelled context succeeded")
	}
	if g := generation(t, root); g != "one" {
		t.Fatalf("generation %q", g)
	}
}

// TestStageEvidence: files staged one by one make the directory SetEvidence
// makes, with their digests; a name staged twice, a path, or a file whose
// writer fails are refused, and the failure removes what was staged.
func TestStageEvidence(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := commit(t, a, "one", nil); err != nil {
		t.Fatal(err)
	}
	if err := commitStreamed(t, b, "one", nil); err != nil {
		t.Fatal(err)
	}
	if DirDigest(filepath.Join(a, ".cemark")) != DirDigest(filepath.Join(b, ".cemark")) {
		t.Fatalf("streamed %v, set %v", readAll(t, filepath.Join(b, ".cemark")), readAll(t, filepath.Join(a, ".cemark")))
	}
	ctx := context.Background()
	txn := Begin(b, filepath.Join(b, ".git"))
	txn.EvidenceDir(filepath.Join(b, ".cemark"))
	if _, err := txn.StageEvidence(ctx, "a.json", WriteBytes(nil)); err == nil {
		t.Error("StageEvidence before Prepare accepted")
	}
	if err := txn.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	sum, err := txn.StageEvidence(ctx, "a.json", WriteBytes([]byte("two")))
	if err != nil || sum != sha256.Sum256([]byte("two")) {
		t.Fatalf("StageEvidence = %x, %v", sum, err)
	}
	for _, n := range []string{"a.json", "../x", contain.Marker} {
		if _, err := txn.StageEvidence(ctx, n, WriteBytes(nil)); err == nil {
			t.Errorf("StageEvidence(%q) accepted", n)
		}
	}
	broken := errors.New("encoder broke")
	if _, err := txn.StageEvidence(ctx, "b.json", func(io.Writer) error { return broken }); !errors.Is(err, broken) {
		t.Fatalf("StageEvidence = %v, want the writer's error", err)
	}
	if g := generation(t, b); g != "one" {
		t.Fatalf("generation %q", g)
	}
}

// TestStageEvidenceFiles: files staged several at a time make the
// directory one at a time makes, their digests come back in the files'
// order, and the write steps follow that order whatever the timing; a
// failing writer gives the first failure in that order and removes what
// was staged.
func TestStageEvidenceFiles(t *testing.T) {
	ctx := context.Background()
	var names []string
	for i := range 12 {
		names = append(names, fmt.Sprintf("f%02d.json", 11-i))
	}
	stage := func(root string, workers int, fail map[string]error) ([][32]byte, []string, error) {
		txn := Begin(root, filepath.Join(root, ".git"))
		var steps []string
		txn.AfterStep = func(s string) error { steps = append(steps, s); return nil }
		txn.EvidenceDir(filepath.Join(root, ".cemark"))
		if err := txn.Prepare(ctx); err != nil {
			t.Fatal(err)
		}
		var files []EvidenceFile
		for i, n := range names {
			files = append(files, EvidenceFile{Name: n, Write: func(w io.Writer) error {
				// Later files finish first.
				time.Sleep(time.Duration(len(names)-i) * time.Millisecond)
				if err := fail[n]; err != nil {
					return err
				}
				_, err := w.Write([]byte(n))
				return err
			}})
		}
		sums, err := txn.StageEvidenceFiles(ctx, files, workers)
		if err != nil {
			return nil, steps, errors.Join(err, txn.Abort())
		}
		return sums, steps, txn.Commit(ctx)
	}
	one, four := t.TempDir(), t.TempDir()
	sums1, steps1, err := stage(one, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	sums4, steps4, err := stage(four, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if DirDigest(filepath.Join(one, ".cemark")) != DirDigest(filepath.Join(four, ".cemark")) {
		t.Fatal("four at a time made another directory than one at a time")
	}
	if !slices.Equal(sums1, sums4) || !slices.Equal(steps1, steps4) {
		t.Fatalf("four at a time: sums or steps differ\n%v\n%v", steps1, steps4)
	}
	for i, n := range names {
		if sums4[i] != sha256.Sum256([]byte(n)) {
			t.Errorf("sum %d is not %s's", i, n)
		}
	}
	first, second := errors.New("first in order"), errors.New("second in order")
	_, _, err = stage(four, 4, map[string]error{names[3]: first, names[9]: second})
	if !errors.Is(err, first) || errors.Is(err, second) {
		t.Fatalf("StageEvidenceFiles = %v, want the first failure in the files' order", err)
	}
	if _, err := os.Stat(evidenceStage(filepath.Join(four, ".cemark"))); !os.IsNotExist(err) {
		t.Fatalf("a failed staging left its folder (%v)", err)
	}
	if DirDigest(filepath.Join(four, ".cemark")) != DirDigest(filepath.Join(one, ".cemark")) {
		t.Fatal("a failed staging changed the evidence directory")
	}
}

func TestSwapWithoutExchange(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "ev")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "x"), []byte("old"), 0o644)
	newDir := filepath.Join(parent, "new")
	os.MkdirAll(newDir, 0o755)
	os.WriteFile(filepath.Join(newDir, "x"), []byte("new"), 0o644)
	aside := filepath.Join(parent, "aside")
	// The path without an exchange: move aside, rename.
	if err := os.Rename(dir, aside); err != nil {
		t.Fatal(err)
	}
	if err := swap(newDir, dir, aside); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, dir); got["x"] != "new" {
		t.Fatalf("got %v", got)
	}
}

func TestRecoverLegacyLeftovers(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, ".cemark")
	os.MkdirAll(dir+".previous", 0o755)
	os.WriteFile(filepath.Join(dir+".previous", "run.json"), []byte("old"), 0o644)
	os.MkdirAll(filepath.Join(parent, ".cemark.new-123"), 0o755)
	did, err := Recover(parent, parent, dir)
	if err != nil || !did {
		t.Fatalf("Recover = %v, %v", did, err)
	}
	if got := readAll(t, dir); got["run.json"] != "old" {
		t.Fatalf("not restored: %v", got)
	}
	if _, err := os.Stat(filepath.Join(parent, ".cemark.new-123")); !os.IsNotExist(err) {
		t.Fatal("leftover temporary folder not removed")
	}
}

func TestSetEvidenceRejectsPaths(t *testing.T) {
	txn := Begin(t.TempDir(), t.TempDir())
	for _, n := range []string{"", "../x", "a/b", "..", contain.Marker} {
		if err := txn.SetEvidence(t.TempDir(), map[string][]byte{n: nil}); err == nil {
			t.Errorf("SetEvidence(%q) accepted", n)
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.md")
	if err := WriteFileAtomic(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "two" {
		t.Fatalf("got %q", b)
	}
}

func TestStateDir(t *testing.T) {
	root := t.TempDir()
	ev := filepath.Join(root, "out", ".cemark")
	if got := StateDir(root, ev); got != filepath.Join(root, "out") {
		t.Errorf("without git: %s", got)
	}
	if got := LockPath(StateDir(root, ev)); filepath.Base(got) != ".cemark.lock" {
		t.Errorf("lock outside git: %s", got)
	}
	gd := filepath.Join(t.TempDir(), "worktrees", "x")
	os.MkdirAll(gd, 0o755)
	os.WriteFile(filepath.Join(root, ".git"), []byte("gitdir: "+gd+"\n"), 0o644)
	if got := StateDir(root, ev); got != gd {
		t.Errorf("linked work tree: %s", got)
	}
	os.Remove(filepath.Join(root, ".git"))
	os.Mkdir(filepath.Join(root, ".git"), 0o755)
	if got := LockPath(StateDir(root, ev)); got != filepath.Join(root, ".git", LockFileName) {
		t.Errorf("git: %s", got)
	}
}

func TestLockSerialisesAndNamesTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), LockFileName)
	ctx := context.Background()
	held, err := Acquire(ctx, path, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(ctx, path, 0)
	var busy *BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("second Acquire = %v, want a BusyError", err)
	}
	want := fmt.Sprintf("another cemark run holds %s (pid %d)", path, os.Getpid())
	if !strings.Contains(err.Error(), want) {
		t.Errorf("message %q does not say %q", err, want)
	}
	// A waiting run gets the lock once it is released.
	var wg sync.WaitGroup
	wg.Add(1)
	var waited error
	go func() {
		defer wg.Done()
		l, err := Acquire(ctx, path, 5*time.Second)
		waited = err
		if err == nil {
			l.Release()
		}
	}()
	time.Sleep(100 * time.Millisecond)
	held.Release()
	wg.Wait()
	if waited != nil {
		t.Fatalf("waiting Acquire = %v", waited)
	}
	// A cancelled wait stops at once.
	held, _ = Acquire(ctx, path, 0)
	defer held.Release()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Acquire(cctx, path, time.Minute); err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait = %v", err)
	}
}

func TestSetDigestIsOrderFree(t *testing.T) {
	a := SetDigest(map[string][]byte{"x": []byte("1"), "y": []byte("2")})
	names := []string{"y", "x"}
	sort.Strings(names)
	b := SetDigest(map[string][]byte{names[1]: []byte("2"), names[0]: []byte("1")})
	if a != b {
		t.Fatal("digest depends on order")
	}
}
