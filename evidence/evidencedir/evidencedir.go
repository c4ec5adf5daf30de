// Package evidencedir commits what one cemark run writes — the evidence
// directory and the technical file's documents — as one unit, so that after
// a crash at any moment the next run finds either the old evidence with the
// old documents or the new evidence with the new documents: never a mix,
// never a temporary file left behind.
//
// The design is one journal and staged files (a Txn):
//
//  1. the journal is written in state "prepared", naming every staged path;
//  2. the new evidence directory is written completely into a hidden sibling
//     folder (with the contain.Marker file), and each new document into a
//     hidden file beside its target, every file synced;
//  3. the journal is switched to "committed" (an atomic rename): the commit
//     point;
//  4. each staged document is renamed over its target, and the staged
//     evidence directory takes the place of the old one (one atomic exchange
//     on Linux, a move aside and a rename elsewhere);
//  5. what is left over is removed, then the journal.
//
// Recover, run under the run lock before anything else is written, finishes
// what a crashed run left: a "prepared" journal is rolled back (the staged
// files are deleted; the old evidence and documents were never touched), a
// "committed" one is rolled forward (every step above is idempotent). Runs
// are serialised by an advisory lock (Acquire), so recovery never touches
// the staging of a run that is still alive.
package evidencedir

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/cemark/cemark/evidence/contain"
)

// Journal states.
const (
	statePrepared  = "prepared"
	stateCommitted = "committed"
)

// journalVersion versions the journal file.
const journalVersion = 1

// journal is the record of one commit. Paths are slash paths relative to
// the product root, so a repository that was moved is still recovered.
type journal struct {
	Version  int            `json:"version"`
	State    string         `json:"state"`
	Evidence *journalDir    `json:"evidence,omitempty"`
	Files    []journalEntry `json:"files,omitempty"`
}

type journalDir struct {
	Dir   string `json:"dir"`
	Stage string `json:"stage"`
	Aside string `json:"aside"`
	// Digest is SetDigest of the new evidence: recovery tells by it whether
	// the new directory is already in place. It is known once every file
	// is staged, so only the committed journal has it (a prepared one is
	// rolled back without it).
	Digest string `json:"digest"`
}

type journalEntry struct {
	Path  string `json:"path"`
	Stage string `json:"stage"`
}

// Txn is one commit of an evidence directory and documents.
type Txn struct {
	root     string
	state    string // folder of the journal (the lock's folder)
	journal  string
	evDir    string
	evidence map[string][]byte
	files    []pendingFile
	// j is the journal once Prepare wrote it; sums are the SHA-256 of
	// every evidence file staged so far, by name.
	j    *journal
	sums map[string][32]byte
	// journalStale is set when documents were added after Prepare: the
	// prepared journal does not name them yet.
	journalStale bool
	// crashed is set when AfterStep stopped a step: nothing is cleaned up
	// after that, exactly as after a crash.
	crashed bool
	// AfterStep, when set, is called after each write step with its name
	// ("journal-prepared", "evidence-file report.json", "journal-documents",
	// "doc-staged docs/cra/README.md", "journal-committed", "doc-renamed …",
	// "evidence-swapped", "done"). An error from it stops Commit where it
	// is, exactly as a crash would: nothing is cleaned up. For tests.
	AfterStep func(step string) error
}

type pendingFile struct {
	path string
	data []byte
}

// Begin starts a commit for the product at root, with its journal in
// stateDir (see StateDir). The caller holds the run lock.
func Begin(root, stateDir string) *Txn {
	return &Txn{root: filepath.Clean(root), state: stateDir, journal: JournalPath(stateDir)}
}

// SetEvidence replaces the evidence directory dir with exactly files
// (plain file names) and the marker; Commit stages them.
func (t *Txn) SetEvidence(dir string, files map[string][]byte) error {
	for name := range files {
		if err := checkEvidenceName(name); err != nil {
			return err
		}
	}
	t.evDir = filepath.Clean(dir)
	t.evidence = files
	return nil
}

// EvidenceDir says that the commit replaces the evidence directory dir
// with the marker and exactly the files StageEvidence writes after
// Prepare: a run streams its large files into the staging folder instead
// of holding them all until Commit.
func (t *Txn) EvidenceDir(dir string) {
	t.evDir = filepath.Clean(dir)
}

func checkEvidenceName(name string) error {
	if !plainName(name) || name == contain.Marker {
		return fmt.Errorf("evidence file name %q must be a plain file name", name)
	}
	return nil
}

// AddFile writes one file (a document of the technical file) at path.
// Documents added after Prepare are named in the prepared journal again
// (Commit rewrites it) before they are staged: a run prepares while its
// last stages still make the documents, to stage its large evidence files
// meanwhile.
func (t *Txn) AddFile(path string, data []byte) {
	t.files = append(t.files, pendingFile{path: filepath.Clean(path), data: data})
	if t.j != nil {
		t.journalStale = true
	}
}

func plainName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `/\`)
}

// StageName is the hidden name a file is staged under beside its target.
func StageName(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+StageSuffix)
}

// StageSuffix ends every staged file's and folder's name.
const StageSuffix = ".cemark-stage"

func evidenceStage(dir string) string { return StageName(dir) }

// WorkDirs are the folders beside the evidence directory dir that a commit
// makes while it runs: the new directory staged, and the old one put
// aside. They are cemark's own, like dir: a fingerprint of the product
// taken while a commit runs must not see them.
func WorkDirs(dir string) []string { return []string{evidenceStage(dir), evidenceAside(dir)} }
func evidenceAside(dir string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".cemark-old")
}

func (t *Txn) rel(p string) string {
	r, err := filepath.Rel(t.root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

func (t *Txn) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(t.root, filepath.FromSlash(p))
}

func (t *Txn) step(name string) error {
	if t.AfterStep == nil {
		return nil
	}
	return t.AfterStep(name)
}

// crash marks an error from AfterStep: Commit stops without cleaning up.
type crash struct{ err error }

func (c crash) Error() string { return c.err.Error() }
func (c crash) Unwrap() error { return c.err }

// Prepare writes the prepared journal and, for an evidence directory, its
// staging folder with the marker, after which StageEvidence adds the
// files. Documents added before are named in it at once, documents
// added after when Commit stages them. An error removes what was staged.
// Commit prepares by itself when it was not called.
func (t *Txn) Prepare(ctx context.Context) error {
	if t.j != nil {
		return errors.New("commit already prepared")
	}
	j := &journal{Version: journalVersion, State: statePrepared}
	if t.evDir != "" {
		j.Evidence = &journalDir{Dir: t.rel(t.evDir), Stage: t.rel(evidenceStage(t.evDir)), Aside: t.rel(evidenceAside(t.evDir))}
	}
	t.j = j
	t.nameDocuments()
	return t.undoUnlessCrash(t.prepare(ctx))
}

// nameDocuments puts the documents, in path order, in the journal.
func (t *Txn) nameDocuments() {
	sort.Slice(t.files, func(a, b int) bool { return t.files[a].path < t.files[b].path })
	t.j.Files = nil
	for _, f := range t.files {
		t.j.Files = append(t.j.Files, journalEntry{Path: t.rel(f.path), Stage: t.rel(StageName(f.path))})
	}
	t.journalStale = false
}

// undoUnlessCrash removes what a prepared commit staged when err is not
// nil, unless AfterStep stopped it (a simulated crash leaves everything).
func (t *Txn) undoUnlessCrash(err error) error {
	if err == nil {
		return nil
	}
	var c crash
	if errors.As(err, &c) {
		t.crashed = true
		return c.err
	}
	if t.crashed {
		return err
	}
	return t.abort(err)
}

func (t *Txn) abort(err error) error {
	if rerr := t.rollBack(*t.j); rerr != nil {
		return fmt.Errorf("%w (and removing the staged files failed: %v)", err, rerr)
	}
	return err
}

// Abort removes what a prepared commit staged, and its journal, when the
// run gives up before Commit; after a simulated crash (AfterStep) it
// leaves everything, as a crash would.
func (t *Txn) Abort() error {
	if t.j == nil || t.crashed {
		return nil
	}
	return t.rollBack(*t.j)
}

// EvidenceFile is one evidence file to stage: its name, and the function
// that writes it.
type EvidenceFile struct {
	Name  string
	Write func(io.Writer) error
}

// StageEvidence writes one evidence file into the staging folder after
// Prepare: write gets the file (buffered), which is then synced. It
// returns the file's SHA-256. An error removes what was staged.
func (t *Txn) StageEvidence(ctx context.Context, name string, write func(io.Writer) error) ([32]byte, error) {
	sums, err := t.StageEvidenceFiles(ctx, []EvidenceFile{{Name: name, Write: write}}, 1)
	if err != nil {
		return [32]byte{}, err
	}
	return sums[0], nil
}

// StageEvidenceFiles stages files as StageEvidence does, up to workers at
// a time: a large product's report files are tens of MB each to encode,
// and each may take a processor. It returns their SHA-256 in files'
// order. The write steps (AfterStep) follow files' order once every file
// is written, so that a commit's steps are the same whatever the timing;
// the first error in that order is returned, and removes what was staged.
func (t *Txn) StageEvidenceFiles(ctx context.Context, files []EvidenceFile, workers int) ([][32]byte, error) {
	if t.j == nil || t.j.Evidence == nil {
		return nil, errors.New("stage evidence: no evidence directory prepared")
	}
	seen := map[string]bool{}
	for _, f := range files {
		if err := checkEvidenceName(f.Name); err != nil {
			return nil, err
		}
		if _, ok := t.sums[f.Name]; ok || seen[f.Name] {
			return nil, fmt.Errorf("evidence file %s staged twice", f.Name)
		}
		seen[f.Name] = true
	}
	sums, err := t.stageFiles(ctx, files, workers)
	return sums, t.undoUnlessCrash(err)
}

// stageEvidence stages one file, with no check of its name and no undo.
func (t *Txn) stageEvidence(ctx context.Context, name string, write func(io.Writer) error) error {
	_, err := t.stageFiles(ctx, []EvidenceFile{{Name: name, Write: write}}, 1)
	return err
}

// stageFiles writes files into the staging folder, up to workers at a
// time, each synced in the background while its worker writes the next
// (the worker does not wait for the disk), then records their digests
// and takes their write steps in files' order once all are synced. Its
// errors are undone by the caller (a step's is a crash).
func (t *Txn) stageFiles(ctx context.Context, files []EvidenceFile, workers int) ([][32]byte, error) {
	sums, errs := make([][32]byte, len(files)), make([]error, len(files))
	next := make(chan int)
	var wg, syncs sync.WaitGroup
	for range max(1, min(workers, len(files))) {
		wg.Go(func() {
			for i := range next {
				f := files[i]
				if err := ctx.Err(); err != nil {
					errs[i] = fmt.Errorf("write evidence: %w", err)
					continue
				}
				file, sum, err := writeFile(filepath.Join(evidenceStage(t.evDir), f.Name), f.Write)
				if err != nil {
					errs[i] = fmt.Errorf("write evidence %s: %w", f.Name, err)
					continue
				}
				sums[i] = sum
				syncs.Go(func() {
					if err := syncClose(file); err != nil {
						errs[i] = fmt.Errorf("write evidence %s: %w", f.Name, err)
					}
				})
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	syncs.Wait()
	if t.sums == nil {
		t.sums = map[string][32]byte{}
	}
	for i, f := range files {
		if errs[i] != nil {
			return nil, errs[i]
		}
		t.sums[f.Name] = sums[i]
		if err := t.step("evidence-file " + f.Name); err != nil {
			return nil, crash{err}
		}
	}
	return sums, nil
}

// Commit stages what is left (SetEvidence's files, the documents), passes
// the commit point and applies it. An error before the commit point
// (including a cancelled ctx) leaves the old evidence and documents
// untouched and removes what was staged; once the journal says committed,
// the commit is finished whatever ctx says, and an error leaves the
// journal for the next run's Recover to finish.
func (t *Txn) Commit(ctx context.Context) error {
	if t.j == nil {
		if err := t.Prepare(ctx); err != nil {
			return err
		}
	}
	if t.crashed {
		return errors.New("commit after a simulated crash")
	}
	if err := t.undoUnlessCrash(t.stageRest(ctx)); err != nil {
		return err
	}
	j := *t.j
	if j.Evidence != nil {
		e := *j.Evidence
		e.Digest = setDigestOf(t.sums)
		j.Evidence = &e
	}
	j.State = stateCommitted
	if err := writeJournal(t.journal, j); err != nil {
		return t.abort(err)
	}
	if err := t.step("journal-committed"); err != nil {
		return err
	}
	if err := t.rollForward(j); err != nil {
		var c crash
		if errors.As(err, &c) {
			return c.err
		}
		return fmt.Errorf("finish the commit (the next run completes it): %w", err)
	}
	return nil
}

// prepare writes the prepared journal and the evidence staging folder
// with the marker.
func (t *Txn) prepare(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := os.MkdirAll(t.state, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", t.state, err)
	}
	if err := writeJournal(t.journal, *t.j); err != nil {
		return err
	}
	if err := t.step("journal-prepared"); err != nil {
		return crash{err}
	}
	if t.evDir == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(t.evDir), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(t.evDir), err)
	}
	if err := os.Mkdir(evidenceStage(t.evDir), 0o755); err != nil {
		return fmt.Errorf("create the staging folder: %w", err)
	}
	return t.stageEvidence(ctx, contain.Marker, WriteBytes(contain.MarkerContent))
}

// stageDocuments writes each document beside its path (StageName), each
// synced in the background while the next is written, then takes their
// write steps in order once all are synced.
func (t *Txn) stageDocuments(ctx context.Context) error {
	errs := make([]error, len(t.files))
	var syncs sync.WaitGroup
	for i, f := range t.files {
		if err := ctx.Err(); err != nil {
			errs[i] = fmt.Errorf("write %s: %w", f.path, err)
			break
		}
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			errs[i] = fmt.Errorf("create %s: %w", filepath.Dir(f.path), err)
			break
		}
		file, _, err := writeFile(StageName(f.path), WriteBytes(f.data))
		if err != nil {
			errs[i] = fmt.Errorf("write %s: %w", f.path, err)
			break
		}
		syncs.Go(func() {
			if err := syncClose(file); err != nil {
				errs[i] = fmt.Errorf("write %s: %w", f.path, err)
			}
		})
	}
	syncs.Wait()
	for i, f := range t.files {
		if errs[i] != nil {
			return errs[i]
		}
		if err := t.step("doc-staged " + t.rel(f.path)); err != nil {
			return crash{err}
		}
	}
	return nil
}

// stageRest stages SetEvidence's files and the documents, and syncs the
// folders.
func (t *Txn) stageRest(ctx context.Context) error {
	names := make([]string, 0, len(t.evidence))
	for n := range t.evidence {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, ok := t.sums[n]; ok {
			return fmt.Errorf("evidence file %s staged twice", n)
		}
		if err := t.stageEvidence(ctx, n, WriteBytes(t.evidence[n])); err != nil {
			return err
		}
	}
	if t.evDir != "" {
		if err := syncDir(evidenceStage(t.evDir)); err != nil {
			return err
		}
	}
	if t.journalStale {
		// Documents added after Prepare: the prepared journal names them
		// before any is staged, so that Recover removes them after a crash.
		t.nameDocuments()
		if err := writeJournal(t.journal, *t.j); err != nil {
			return err
		}
		if err := t.step("journal-documents"); err != nil {
			return crash{err}
		}
	}
	if err := t.stageDocuments(ctx); err != nil {
		return err
	}
	for _, d := range t.dirsTouched() {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// WriteBytes writes b, for StageEvidence.
func WriteBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}

func (t *Txn) dirsTouched() []string {
	seen := map[string]bool{}
	var out []string
	add := func(d string) {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if t.evDir != "" {
		add(filepath.Dir(t.evDir))
	}
	for _, f := range t.files {
		add(filepath.Dir(f.path))
	}
	return out
}

// rollBack removes what a prepared commit staged, then its journal.
func (t *Txn) rollBack(j journal) error {
	var errs []error
	if j.Evidence != nil {
		if err := os.RemoveAll(t.abs(j.Evidence.Stage)); err != nil {
			errs = append(errs, err)
		}
	}
	for _, f := range j.Files {
		if err := os.Remove(t.abs(f.Stage)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		if err := os.Remove(t.journal); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// rollForward applies a committed journal; every step may be repeated.
func (t *Txn) rollForward(j journal) error {
	for _, f := range j.Files {
		stage, target := t.abs(f.Stage), t.abs(f.Path)
		if _, err := os.Lstat(stage); errors.Is(err, fs.ErrNotExist) {
			continue // renamed before a crash
		}
		if err := os.Rename(stage, target); err != nil {
			return fmt.Errorf("put %s in place: %w", f.Path, err)
		}
		if err := t.step("doc-renamed " + f.Path); err != nil {
			return crash{err}
		}
	}
	if e := j.Evidence; e != nil {
		dir, stage, aside := t.abs(e.Dir), t.abs(e.Stage), t.abs(e.Aside)
		if DirDigest(dir) != e.Digest {
			if _, err := os.Lstat(stage); err != nil {
				return fmt.Errorf("the staged evidence %s is gone and %s is not the committed one: %w", e.Stage, e.Dir, err)
			}
			if err := swap(stage, dir, aside); err != nil {
				return fmt.Errorf("replace %s: %w", e.Dir, err)
			}
		}
		if err := t.step("evidence-swapped"); err != nil {
			return crash{err}
		}
		// After an exchange the staging folder holds the old evidence.
		for _, p := range []string{stage, aside} {
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("remove the previous evidence %s: %w", p, err)
			}
		}
	}
	for _, d := range t.dirsOf(j) {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	if err := os.Remove(t.journal); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the journal: %w", err)
	}
	if err := syncDir(t.state); err != nil {
		return err
	}
	if err := t.step("done"); err != nil {
		return crash{err}
	}
	return nil
}

func (t *Txn) dirsOf(j journal) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		d := filepath.Dir(t.abs(p))
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if j.Evidence != nil {
		add(j.Evidence.Dir)
	}
	for _, f := range j.Files {
		add(f.Path)
	}
	return out
}

// swap puts newDir at dir. When dir exists it is exchanged atomically
// where the platform allows (newDir then holds the old evidence); else the
// old one is moved to aside first.
func swap(newDir, dir, aside string) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(newDir, dir)
	}
	if err := exchange(newDir, dir); err == nil {
		return nil
	}
	if err := os.RemoveAll(aside); err != nil {
		return err
	}
	if err := os.Rename(dir, aside); err != nil {
		return err
	}
	return os.Rename(newDir, dir)
}

// Recover finishes the commit a crashed run left in stateDir: a prepared
// journal is rolled back, a committed one rolled forward. It also removes
// what cemark versions before the journal left beside evidenceDir. The
// caller holds the run lock. It reports whether there was anything to do.
func Recover(root, stateDir, evidenceDir string) (bool, error) {
	t := Begin(root, stateDir)
	did := false
	data, err := os.ReadFile(t.journal)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return false, fmt.Errorf("read the journal %s: %w", t.journal, err)
	default:
		var j journal
		if err := json.Unmarshal(data, &j); err != nil || j.Version != journalVersion {
			return false, fmt.Errorf("the journal %s of an interrupted run cannot be read (%v): restore the evidence and the technical file from version control, then delete it", t.journal, err)
		}
		did = true
		if j.State == stateCommitted {
			err = t.rollForward(j)
		} else {
			err = t.rollBack(j)
		}
		if err != nil {
			return did, fmt.Errorf("finish the run interrupted in %s: %w", t.journal, err)
		}
	}
	// A journal write interrupted before its rename leaves a temp file.
	tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(t.journal), TempPrefix(t.journal)+"*"))
	for _, p := range tmps {
		did = true
		if err := os.Remove(p); err != nil {
			return did, err
		}
	}
	if evidenceDir != "" {
		legacy, err := recoverLegacy(evidenceDir)
		if err != nil {
			return did, err
		}
		did = did || legacy
	}
	return did, nil
}

// recoverLegacy undoes what an interrupted run of a cemark version before
// the journal left: evidence moved aside (".previous") and temporary
// folders (".<name>.new-*"), each a name only cemark made.
func recoverLegacy(dir string) (bool, error) {
	did := false
	aside := dir + ".previous"
	if fi, err := os.Lstat(aside); err == nil && fi.IsDir() {
		did = true
		if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
			if err := os.Rename(aside, dir); err != nil {
				return did, fmt.Errorf("restore previous evidence from %s: %w", aside, err)
			}
		} else if err := os.RemoveAll(aside); err != nil {
			return did, err
		}
	}
	base := filepath.Base(dir)
	if !strings.HasPrefix(base, ".") {
		base = "." + base
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), base+".new-*"))
	for _, l := range leftovers {
		did = true
		if err := os.RemoveAll(l); err != nil {
			return did, err
		}
	}
	return did, nil
}

// SetDigest is a SHA-256 over a set of files: each name and content digest,
// sorted by name.
func SetDigest(files map[string][]byte) string {
	sums := make(map[string][32]byte, len(files))
	for n, b := range files {
		sums[n] = sha256.Sum256(b)
	}
	return setDigestOf(sums)
}

// setDigestOf is SetDigest of files whose digests are sums.
func setDigestOf(sums map[string][32]byte) string {
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%x  %s\n", sums[n], n)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DirDigest is SetDigest of the regular files directly in dir, "" when it
// cannot be read.
func DirDigest(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			return ""
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return ""
		}
		files[e.Name()] = b
	}
	return SetDigest(files)
}

func writeJournal(path string, j journal) error {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write the journal: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// writeFile creates the new file path, lets write fill it through a
// buffer and returns it open, not yet synced, with its SHA-256. The
// caller syncs and closes it (syncClose), in the background: an fsync
// waits for the disk, not for a processor, so the next file is written
// meanwhile.
func writeFile(path string, write func(io.Writer) error) (*os.File, [32]byte, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, [32]byte{}, err
	}
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 64<<10)
	if err := write(bw); err != nil {
		f.Close()
		return nil, [32]byte{}, err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return nil, [32]byte{}, err
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return f, sum, nil
}

// syncClose syncs the file writeFile made and closes it.
func syncClose(f *os.File) error {
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some filesystems refuse fsync on directories; durability is best effort there.
	_ = d.Sync()
	return nil
}
