package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/gitinfo"
	"github.com/cemark/cemark/internal/treewalk"
)

// racyWindow: a file changed this close to the moment the fingerprint is
// taken may change again within the file system's timestamp granularity
// (2 s on FAT, 1 s on ext3 and HFS+) without its size or times changing:
// git's "racily clean" entries. Such a tree is Racy.
const racyWindow = 2 * time.Second

// Tree is the fingerprint of a product tree: it changes whenever a file
// the scans may read changes.
type Tree struct {
	// Digest is the fingerprint.
	Digest string
	// Files is how many files it covers.
	Files int
	// Racy is true when a file changed within racyWindow before the
	// fingerprint: it may change again unseen, so what is made from the
	// tree now must not be kept for later runs (reading is fine: nothing
	// was kept under a racy fingerprint).
	Racy bool
	// walked is the walk a fingerprint outside git was made from, for
	// RecheckTree; nil in git.
	walked *walked
}

// walked is a walk of the product root and the fingerprint's time.
type walked struct {
	l     *treewalk.Listing
	taken time.Time
}

// TreeFingerprint fingerprints the files under root, leaving out the
// folders in skip (slash paths relative to root: cemark's own outputs,
// which no scan reads) and .git. prefix is root's folder in its git
// repository, and inRepo says whether there is one.
//
// In a git work tree it is content-addressed where git already is: the
// index (each tracked file's blob digest), plus the size, times, inode and
// mode of every file that differs from it — modified, untracked and
// ignored files alike, since the SBOM scan and the checks read ignored
// files too. A fresh checkout of the same commit gives the same
// fingerprint. Outside git it is the size, times, inode and mode of every
// file.
func TreeFingerprint(ctx context.Context, root, prefix string, inRepo bool, skip []string) (Tree, error) {
	f := newFingerprint(root, skip)
	if inRepo {
		index, status, err := gitinfo.TreeState(ctx, root)
		if err == nil {
			if err := f.git(prefix, index, status); err != nil {
				return Tree{}, err
			}
			return f.sum(), nil
		}
		// A repository git cannot read (a damaged index, a safe.directory
		// refusal) is fingerprinted like a plain folder.
	}
	return walkTree(ctx, f)
}

// walkTree fingerprints f's root by a walk.
func walkTree(ctx context.Context, f *fingerprint) (Tree, error) {
	l, err := f.walk(ctx, f.root, "")
	if err != nil {
		return Tree{}, err
	}
	t := f.sum()
	t.walked = &walked{l: l, taken: f.now}
	return t, nil
}

// Listing is the listing of the root the fingerprint was made from when it
// walked the tree (outside git; nil in git), for the checks' file index to
// take rather than walk the tree again.
func (t Tree) Listing() *treewalk.Listing {
	if t.walked == nil {
		return nil
	}
	return t.walked.l
}

// RecheckTree is TreeFingerprint again, for a run to tell whether the tree
// changed while its stages read it; first is the fingerprint taken before.
// Outside git it lists again only the folders whose times changed since
// first's walk (or were too recent then to tell): a folder's modification
// and change times move whenever an entry is added, removed or renamed in
// it, so the others still hold the names they held. When every folder
// holds the names it held and every file lstats as it did (mode, size,
// times, inode: a symbolic link pointed elsewhere is a new inode), the
// tree is first's, and so is its fingerprint. Anything else makes a full
// walk, as does a first walk that could not read everything, and a system
// where folder times are not known to follow their entries.
func RecheckTree(ctx context.Context, first Tree, root, prefix string, inRepo bool, skip []string) (Tree, error) {
	w := first.walked
	if w == nil || !folderTimesFollowEntries || len(w.l.Errors) > 0 || w.l.Root != root {
		return TreeFingerprint(ctx, root, prefix, inRepo, skip)
	}
	skipped := newFingerprint(root, skip).skipped
	same, _, err := w.sameNames(ctx, skipped)
	if err != nil {
		return Tree{}, err
	}
	if same {
		if same, err = w.sameFiles(ctx, skipped); err != nil {
			return Tree{}, err
		}
	}
	if !same {
		return TreeFingerprint(ctx, root, prefix, inRepo, skip)
	}
	return Tree{Digest: first.Digest, Files: first.Files}, nil
}

// sameFiles reports whether every file of the walk (those skipped aside)
// lstats as it did.
func (w *walked) sameFiles(ctx context.Context, skipped func(rel string) bool) (bool, error) {
	for _, e := range w.l.Entries {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if skipped(e.Rel) {
			continue
		}
		fi, err := os.Lstat(w.l.Abs(e.Rel))
		if err != nil || !sameStat(e.Info, fi) {
			return false, nil
		}
	}
	return true, nil
}

// sameNames reports whether every folder of the walk still holds the
// names it held (those skipped aside), and how many folders it listed
// again to tell.
func (w *walked) sameNames(ctx context.Context, skipped func(rel string) bool) (same bool, listed int, err error) {
	var held map[string][]string
	for _, d := range w.l.Dirs {
		if err := ctx.Err(); err != nil {
			return false, listed, err
		}
		abs := w.l.Abs(d.Rel)
		fi, err := os.Lstat(abs)
		if err != nil {
			return false, listed, nil
		}
		// A folder's times too close to the walk cannot tell a later
		// change from them.
		if !changedWithin(w.taken, d.Info) && sameStamp(d.Info, fi) {
			continue
		}
		if held == nil {
			held = w.names(skipped)
		}
		listed++
		names, err := readNames(abs)
		if err != nil {
			return false, listed, nil
		}
		kept := names[:0]
		for _, n := range names {
			if !skipped(path.Join(d.Rel, n)) {
				kept = append(kept, n)
			}
		}
		sort.Strings(kept)
		if !slices.Equal(kept, held[d.Rel]) {
			return false, listed, nil
		}
	}
	return true, listed, nil
}

// names are the names the walk saw in each folder, sorted, those skipped
// aside.
func (w *walked) names(skipped func(rel string) bool) map[string][]string {
	held := map[string][]string{}
	add := func(rel string) {
		if rel != "." && !skipped(rel) {
			dir := path.Dir(rel)
			held[dir] = append(held[dir], path.Base(rel))
		}
	}
	for _, d := range w.l.Dirs {
		add(d.Rel)
	}
	for _, e := range w.l.Entries {
		add(e.Rel)
	}
	for _, names := range held {
		sort.Strings(names)
	}
	return held
}

// sameStamp reports whether two lstats of a folder agree on its times,
// inode and mode.
func sameStamp(a, b fs.FileInfo) bool {
	return a.Mode() == b.Mode() && a.ModTime().Equal(b.ModTime()) && statOf(a) == statOf(b)
}

// sameStat reports whether two lstats of a file agree on what its
// fingerprint line holds (statInfo): mode, size, times and inode.
func sameStat(a, b fs.FileInfo) bool {
	return sameStamp(a, b) && a.Size() == b.Size()
}

func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// PathsFingerprint fingerprints files and folders outside the product
// root that the command line named (sources, artefacts, keys, templates):
// each path, glob or folder, by the stat of every file it holds.
func PathsFingerprint(ctx context.Context, paths []string) (Tree, error) {
	f := newFingerprint("", nil)
	for _, p := range paths {
		matches, err := filepath.Glob(p)
		if err != nil || len(matches) == 0 {
			matches = []string{p}
		}
		for _, m := range matches {
			if _, err := f.walk(ctx, m, filepath.ToSlash(m)); err != nil {
				return Tree{}, err
			}
		}
	}
	return f.sum(), nil
}

type fingerprint struct {
	root string
	skip []string
	// skipTemp are the name prefixes of the temporary files written
	// beside the skipped places (evidencedir.TempPrefix): a run writes
	// its journal while the second fingerprint is taken.
	skipTemp []string
	now      time.Time
	lines    []string
	racy     bool
}

func newFingerprint(root string, skip []string) *fingerprint {
	f := &fingerprint{root: root, skip: skip, now: time.Now()}
	for _, s := range skip {
		f.skipTemp = append(f.skipTemp, path.Join(path.Dir(s), evidencedir.TempPrefix(s)))
	}
	return f
}

// skipped reports whether rel (a slash path relative to the root) lies in
// .git or one of the skipped places, or is a temporary file of one.
func (f *fingerprint) skipped(rel string) bool {
	if rel == ".git" || strings.HasPrefix(rel, ".git/") {
		return true
	}
	for _, s := range f.skip {
		if rel == s || strings.HasPrefix(rel, s+"/") {
			return true
		}
	}
	for _, t := range f.skipTemp {
		if strings.HasPrefix(rel, t) {
			return true
		}
	}
	return false
}

func (f *fingerprint) sum() Tree {
	sort.Strings(f.lines)
	h := sha256.New()
	for _, l := range f.lines {
		h.Write([]byte(l))
		h.Write([]byte{0})
	}
	return Tree{Digest: hex.EncodeToString(h.Sum(nil)), Files: len(f.lines), Racy: f.racy}
}

// git reads `git ls-files --stage -z` and `git status --porcelain=v2 -z`
// output (paths from the repository's top level).
func (f *fingerprint) git(prefix string, index, status []byte) error {
	prefix = strings.Trim(prefix, "/")
	rel := func(p string) (string, bool) {
		if prefix == "" {
			return p, true
		}
		r, ok := strings.CutPrefix(p, prefix+"/")
		return r, ok
	}
	for _, rec := range bytes.Split(index, []byte{0}) {
		// "<mode> <object> <stage>\t<path>"
		meta, p, ok := bytes.Cut(rec, []byte{'\t'})
		if !ok {
			continue
		}
		r, ok := rel(string(p))
		if !ok || f.skipped(r) {
			continue
		}
		f.lines = append(f.lines, "index "+r+" "+string(meta))
	}
	recs := bytes.Split(status, []byte{0})
	seen := map[string]bool{}
	for i := 0; i < len(recs); i++ {
		rec := string(recs[i])
		if rec == "" || rec[0] == '#' {
			continue
		}
		var p string
		switch rec[0] {
		case '1': // ordinary change: 8 fields, then the path
			p = field(rec, 8)
		case '2': // rename or copy: 9 fields, the path, then the old path
			p = field(rec, 9)
			if i+1 < len(recs) {
				if old, ok := rel(string(recs[i+1])); ok && !f.skipped(old) && !seen[old] {
					seen[old] = true
					f.stat(old)
				}
				i++
			}
		case 'u': // unmerged: 10 fields, then the path
			p = field(rec, 10)
		case '?', '!':
			p = rec[2:]
		default:
			return fmt.Errorf("git status: unexpected record %q", rec)
		}
		r, ok := rel(p)
		if !ok || f.skipped(r) || seen[r] {
			continue
		}
		seen[r] = true
		f.stat(r)
	}
	return nil
}

// field is what follows the first n space-separated fields of rec.
func field(rec string, n int) string {
	for range n {
		_, rest, ok := strings.Cut(rec, " ")
		if !ok {
			return ""
		}
		rec = rest
	}
	return rec
}

// stat records one file (a slash path relative to the root) by its
// metadata, or as gone.
func (f *fingerprint) stat(rel string) {
	f.statPath(filepath.Join(f.root, filepath.FromSlash(rel)), rel)
}

func (f *fingerprint) statPath(abs, name string) {
	fi, err := os.Lstat(abs)
	if err != nil {
		f.lines = append(f.lines, "gone "+name)
		return
	}
	f.statInfo(abs, name, fi)
}

// statInfo records one file by the metadata lstat gave.
func (f *fingerprint) statInfo(abs, name string, fi fs.FileInfo) {
	st := statOf(fi)
	// The line as fmt's "file %s %v %d %d %d %d" gives it, built without
	// fmt: it is made for every file of a tree outside git.
	b := make([]byte, 0, 80+len(name))
	b = append(append(append(b, "file "...), name...), ' ')
	b = append(append(b, fi.Mode().String()...), ' ')
	b = append(strconv.AppendInt(b, fi.Size(), 10), ' ')
	b = append(strconv.AppendInt(b, fi.ModTime().UnixNano(), 10), ' ')
	b = append(strconv.AppendInt(b, st.ctime, 10), ' ')
	b = strconv.AppendUint(b, st.inode, 10)
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(abs)
		b = append(append(b, " -> "...), target...)
	}
	if changedWithin(f.now, fi) {
		f.racy = true
	}
	f.lines = append(f.lines, string(b))
}

// changedWithin reports whether fi's modification or change time lies
// within racyWindow before now (or after it: a clock set back).
func changedWithin(now time.Time, fi fs.FileInfo) bool {
	ctime := statOf(fi).ctime
	return now.Sub(fi.ModTime()) < racyWindow || (ctime != 0 && now.Sub(time.Unix(0, ctime)) < racyWindow)
}

// walk records every file under abs (itself when it is a file); name is
// how abs is named in the fingerprint. It returns the listing of abs when
// abs is a folder.
func (f *fingerprint) walk(ctx context.Context, abs, name string) (*treewalk.Listing, error) {
	fi, err := os.Lstat(abs)
	if err != nil || !fi.IsDir() {
		f.statPath(abs, name)
		return nil, nil
	}
	// Only the product root has places to leave out.
	skipped := func(rel string) bool { return name == "" && f.skipped(rel) }
	l, err := treewalk.Walk(ctx, abs, skipped)
	if err != nil {
		return nil, err
	}
	for _, e := range l.Errors {
		if skipped(e.Rel) {
			continue
		}
		switch {
		case errors.Is(e.Err, fs.ErrPermission):
			f.lines = append(f.lines, "unreadable "+path.Join(name, e.Rel))
		case errors.Is(e.Err, fs.ErrNotExist): // gone since its folder was read
			f.lines = append(f.lines, "gone "+path.Join(name, e.Rel))
		default:
			return nil, e.Err
		}
	}
	for _, e := range l.Entries {
		if skipped(e.Rel) {
			continue
		}
		f.statInfo(l.Abs(e.Rel), path.Join(name, e.Rel), e.Info)
	}
	return l, nil
}
