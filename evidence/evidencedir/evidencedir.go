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
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
	// the new directory is already in place.
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
	// AfterStep, when set, is called after each write step with its name
	// ("journal-prepared", "evidence-file report.json", "doc-staged
	// docs/cra/README.md", "journal-committed", "doc-renamed …",
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
// (plain file names) and the marker.
func (t *Txn) SetEvidence(dir string, files map[string][]byte) error {
	for name := range files {
		if !plainName(name) || name == contain.Marker {
			return fmt.Errorf("evidence file name %q must be a plain file name", name)
		}
	}
	t.evDir = filepath.Clean(dir)
	t.evidence = files
	return nil
}

// AddFile writes one file (a document of the technical file) at path.
func (t *Txn) AddFile(path string, data []byte) {
	t.files = append(t.files, pendingFile{path: filepath.Clean(path), data: data})
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

// Commit stages everything, passes the commit point and applies it. An
// error before the commit point (including a cancelled ctx) leaves the old
// evidence and documents untouched and removes what was staged; once the
// journal says committed, the commit is finished whatever ctx says, and an
// error leaves the journal for the next run's Recover to finish.
func (t *Txn) Commit(ctx context.Context) error {
	j := journal{Version: journalVersion, State: statePrepared}
	if t.evDir != "" {
		all := t.evidenceFiles()
		j.Evidence = &journalDir{Dir: t.rel(t.evDir), Stage: t.rel(evidenceStage(t.evDir)), Aside: t.rel(evidenceAside(t.evDir)), Digest: SetDigest(all)}
	}
	sort.Slice(t.files, func(a, b int) bool { return t.files[a].path < t.files[b].path })
	for _, f := range t.files {
		j.Files = append(j.Files, journalEntry{Path: t.rel(f.path), Stage: t.rel(StageName(f.path))})
	}
	if err := t.prepare(ctx, &j); err != nil {
		var c crash
		if errors.As(err, &c) {
			return c.err
		}
		if rerr := t.rollBack(j); rerr != nil {
			return fmt.Errorf("%w (and removing the staged files failed: %v)", err, rerr)
		}
		return err
	}
	j.State = stateCommitted
	if err := writeJournal(t.journal, j); err != nil {
		if rerr := t.rollBack(j); rerr != nil {
			return fmt.Errorf("%w (and removing the staged files failed: %v)", err, rerr)
		}
		return err
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

func (t *Txn) evidenceFiles() map[string][]byte {
	all := make(map[string][]byte, len(t.evidence)+1)
	for n, b := range t.evidence {
		all[n] = b
	}
	all[contain.Marker] = contain.MarkerContent
	return all
}

// prepare writes the prepared journal and every staged file.
func (t *Txn) prepare(ctx context.Context, j *journal) error {
	if err := os.MkdirAll(t.state, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", t.state, err)
	}
	if err := writeJournal(t.journal, *j); err != nil {
		return err
	}
	if err := t.step("journal-prepared"); err != nil {
		return crash{err}
	}
	if t.evDir != "" {
		stage := evidenceStage(t.evDir)
		if err := os.MkdirAll(filepath.Dir(t.evDir), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(t.evDir), err)
		}
		if err := os.Mkdir(stage, 0o755); err != nil {
			return fmt.Errorf("create the staging folder: %w", err)
		}
		all := t.evidenceFiles()
		names := make([]string, 0, len(all))
		for n := range all {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("write evidence: %w", err)
			}
			if err := writeSynced(filepath.Join(stage, n), all[n]); err != nil {
				return fmt.Errorf("write evidence %s: %w", n, err)
			}
			if err := t.step("evidence-file " + n); err != nil {
				return crash{err}
			}
		}
		if err := syncDir(stage); err != nil {
			return err
		}
	}
	for _, f := range t.files {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(f.path), err)
		}
		if err := writeSynced(StageName(f.path), f.data); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		if err := t.step("doc-staged " + t.rel(f.path)); err != nil {
			return crash{err}
		}
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
	tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(t.journal), "."+filepath.Base(t.journal)+".tmp-*"))
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
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		s := sha256.Sum256(files[n])
		fmt.Fprintf(h, "%x  %s\n", s, n)
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

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
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
