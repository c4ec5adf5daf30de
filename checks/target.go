package checks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/internal/readfile"
	"github.com/cemark/cemark/internal/treewalk"
)

// MaxFileSize is the largest file a check reads. Larger files are skipped
// with a per-file error: a product's configuration is never that large, and
// memory stays bounded on hostile trees.
const MaxFileSize = 4 << 20

// Target is what the checks look at: the product tree (walked once, each
// file read at most once), the configuration, and facts earlier pipeline
// stages already produced. It is built by the pipeline or by tests.
type Target struct {
	// Root is the product root, absolute.
	Root   string
	Config *config.Config
	// Now is the reference time for expiry checks (waivers, support period,
	// security.txt); the pipeline sets it from the run's clock.
	Now time.Time
	// Images are the configurations of container images given as SBOM sources.
	Images []ImageConfig
	// Artifacts are the shipped artefacts (absolute paths), for update signing.
	Artifacts []string
	// UpdateKeys are public key files given with --update-key (absolute paths).
	UpdateKeys []string
	// SBOM summarises the SBOM stage's output; nil when it did not run.
	SBOM *SBOMInfo
	// Vulns is the vulnerability scan of the SBOM (the CEM-VULN family
	// judges it); nil when no scan was attempted.
	Vulns *vulnscan.Scan
	// FirstRelease gives the repository's first release tag (the oldest
	// by creation date, ties by name) and when it was made: the support
	// period starts there when cemark.yaml does not say when the product
	// was first placed on the market. The pipeline asks git once for the
	// run and this waits for its answer; nil, or ok false, when there is
	// no repository, no tag, or no one asked.
	FirstRelease func() (tag string, at time.Time, ok bool)

	Files *FileIndex
	Memo  *Memo
}

// ImageConfig is the runtime configuration of a container image.
type ImageConfig struct {
	Source         string            `json:"source"` // the SBOM source it came from
	Name           string            `json:"name,omitempty"`
	ManifestDigest string            `json:"manifest_digest,omitempty"`
	ExposedPorts   []string          `json:"exposed_ports,omitempty"` // "8080/tcp"
	User           string            `json:"user,omitempty"`
	Env            []string          `json:"env,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
}

// SBOMInfo is what the checks need to know of the SBOM.
type SBOMInfo struct {
	CycloneDXPath string `json:"cyclonedx_path,omitempty"`
	SPDXPath      string `json:"spdx_path,omitempty"`
	Components    int    `json:"components"`
	// TopLevel are the product's direct dependencies found (name@version).
	TopLevel []string `json:"top_level,omitempty"`
	// DeclaredDirect counts direct dependencies declared in manifests
	// (go.mod require without // indirect, package.json dependencies …).
	DeclaredDirect int `json:"declared_direct"`
}

// NewTarget walks root once, leaving out what cfg excludes plus the
// default exclusions (.git, the evidence directory, the docs bundle).
// extraExclude holds more globs relative to root.
func NewTarget(ctx context.Context, root string, cfg *config.Config, extraExclude ...string) (*Target, error) {
	return newTarget(ctx, root, cfg, nil, extraExclude)
}

// NewTargetListed is NewTarget over a listing of root already made
// (treewalk.Walk, skipping no folder that the exclusions keep): the stage
// cache fingerprints a tree outside git from such a listing first.
func NewTargetListed(ctx context.Context, root string, cfg *config.Config, l *treewalk.Listing, extraExclude ...string) (*Target, error) {
	return newTarget(ctx, root, cfg, l, extraExclude)
}

func newTarget(ctx context.Context, root string, cfg *config.Config, l *treewalk.Listing, extraExclude []string) (*Target, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolve product root %s: %w", root, err)
	}
	if cfg == nil {
		cfg = &config.Config{}
	}
	excl := append(DefaultExclusions(cfg), cfg.Exclude...)
	excl = append(excl, extraExclude...)
	var idx *FileIndex
	switch {
	case l == nil:
		if idx, err = WalkFiles(ctx, abs, excl); err != nil {
			return nil, err
		}
	case l.Root != abs:
		return nil, fmt.Errorf("file index of %s from a listing of %s", abs, l.Root)
	default:
		idx = IndexListing(l, excl)
	}
	return &Target{Root: abs, Config: cfg, Now: time.Now().UTC(), Files: idx, Memo: NewMemo()}, nil
}

// DefaultExclusions are left out of every scan: version control, the
// evidence directory, the technical-file bundle and the baseline report
// (cemark's own output).
func DefaultExclusions(cfg *config.Config) []string {
	baseline := DefaultBaselineFile
	if cfg != nil && cfg.Checks.Baseline != "" {
		baseline = strings.TrimPrefix(filepath.ToSlash(cfg.Checks.Baseline), "./")
	}
	return []string{".git", cfg.EvidenceDir(), cfg.DocsDir(), "node_modules/.cache", baseline}
}

// FileEntry is one regular file of the product tree.
type FileEntry struct {
	Path string // slash-separated, relative to the root
	Size int64
}

// FileError is a file the walk or a read could not take, with the reason.
// Errors are reported and the run goes on.
type FileError struct {
	Path string `json:"path"`
	Err  string `json:"error"`
}

func (e FileError) Error() string { return e.Path + ": " + e.Err }

// FileIndex is the product tree, walked once. Reads are cached so each
// file is read at most once per run, whichever checks ask for it.
type FileIndex struct {
	root    string
	entries []FileEntry
	byPath  map[string]int

	mu      sync.Mutex
	content map[string]*cachedRead
	errs    []FileError
	// diskReads counts files opened, so tests can assert each file is read once.
	diskReads atomic.Int64
}

type cachedRead struct {
	once sync.Once
	data []byte
	err  error
}

// WalkFiles lists the regular files below root, skipping excluded globs,
// symlinks (a link may point outside the root) and special files.
func WalkFiles(ctx context.Context, root string, exclude []string) (*FileIndex, error) {
	excluded := newFolderGlobs(exclude)
	// The folders above a folder were asked first and did not match (an
	// excluded folder is skipped whole): its own path alone is left to test.
	l, err := treewalk.Walk(ctx, root, excluded.matches)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("read product root %s: %w", root, err)
	}
	return indexListing(l, excluded), nil
}

// IndexListing is WalkFiles over a listing of the root already made
// (treewalk.Walk, with any folders skipped that exclude also excludes): the
// stage cache's fingerprint of a tree outside git walks it first.
func IndexListing(l *treewalk.Listing, exclude []string) *FileIndex {
	return indexListing(l, newFolderGlobs(exclude))
}

func indexListing(l *treewalk.Listing, excluded *folderGlobs) *FileIndex {
	root := l.Root
	idx := &FileIndex{root: root, byPath: map[string]int{}, content: map[string]*cachedRead{}}
	for _, e := range l.Errors {
		if !excluded.excluded(e.Rel) {
			idx.errs = append(idx.errs, FileError{Path: e.Rel, Err: e.Err.Error()})
		}
	}
	for _, e := range l.Entries {
		if excluded.excluded(e.Rel) {
			continue
		}
		mode := e.Info.Mode()
		if mode&fs.ModeSymlink != 0 {
			target, lerr := filepath.EvalSymlinks(l.Abs(e.Rel))
			if lerr != nil || !within(root, target) {
				idx.errs = append(idx.errs, FileError{Path: e.Rel, Err: "symbolic link points outside the product root; not followed"})
			}
			continue
		}
		if !mode.IsRegular() {
			continue
		}
		idx.entries = append(idx.entries, FileEntry{Path: e.Rel, Size: e.Info.Size()})
	}
	sort.Slice(idx.entries, func(i, j int) bool { return idx.entries[i].Path < idx.entries[j].Path })
	for i, e := range idx.entries {
		idx.byPath[e.Path] = i
	}
	return idx
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// Root is the absolute root the index was walked from.
func (x *FileIndex) Root() string { return x.root }

// List returns every file, sorted by path.
func (x *FileIndex) List() []FileEntry { return x.entries }

// Has reports whether rel is in the index.
func (x *FileIndex) Has(rel string) bool { _, ok := x.byPath[rel]; return ok }

// Match returns the files whose path matches pred, sorted.
func (x *FileIndex) Match(pred func(rel string) bool) []FileEntry {
	var out []FileEntry
	for _, e := range x.entries {
		if pred(e.Path) {
			out = append(out, e)
		}
	}
	return out
}

// ErrTooLarge marks a file over MaxFileSize.
var ErrTooLarge = errors.New("file too large")

// Read returns a file's bytes, read once and cached. Files over
// MaxFileSize and files with NUL bytes in their first 8 KiB (binaries)
// give an error, also recorded in Errors.
func (x *FileIndex) Read(rel string) ([]byte, error) {
	x.mu.Lock()
	c, ok := x.content[rel]
	if !ok {
		c = &cachedRead{}
		x.content[rel] = c
	}
	x.mu.Unlock()
	c.once.Do(func() {
		c.data, c.err = x.readFile(rel)
		if c.err != nil {
			x.mu.Lock()
			x.errs = append(x.errs, FileError{Path: rel, Err: c.err.Error()})
			x.mu.Unlock()
		}
	})
	return c.data, c.err
}

// DropContents lets go of the files read so far: a later Read reads the
// file again. For a pipeline whose later stages no longer read the tree
// (the contents of a large tree are tens of MB).
func (x *FileIndex) DropContents() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.content = map[string]*cachedRead{}
}

// DiskReads is how many times a file was opened from disk (at most once
// per file, whatever number of checks asked).
func (x *FileIndex) DiskReads() int64 { return x.diskReads.Load() }

func (x *FileIndex) readFile(rel string) ([]byte, error) {
	x.diskReads.Add(1)
	// One buffer of the size the walk saw (io.ReadAll grows its own in
	// steps and copies them together); a file grown since then grows it.
	var size int64
	if i, ok := x.byPath[rel]; ok {
		size = x.entries[i].Size
	}
	data, err := readfile.Read(filepath.Join(x.root, filepath.FromSlash(rel)), size, MaxFileSize)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: over %d MiB, not read", ErrTooLarge, MaxFileSize>>20)
	}
	head := data
	if len(head) > 8192 {
		head = head[:8192]
	}
	for _, b := range head {
		if b == 0 {
			return nil, errors.New("binary file, not read")
		}
	}
	return data, nil
}

// Errors returns the files that could not be walked or read, sorted.
func (x *FileIndex) Errors() []FileError {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := append([]FileError(nil), x.errs...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Err < out[j].Err
	})
	// A file read by several checks is reported once.
	dedup := out[:0]
	for i, e := range out {
		if i > 0 && e == out[i-1] {
			continue
		}
		dedup = append(dedup, e)
	}
	return dedup
}

// Excluded reports whether rel (slash-separated) or any of its parent
// folders matches one of the globs. Globs use path.Match syntax plus "**"
// for any number of folders.
func Excluded(rel string, globs []string) bool {
	for _, g := range globs {
		if g = normalGlob(g); g == "" {
			continue
		}
		if MatchGlob(g, rel) {
			return true
		}
		// A glob naming a folder excludes what is below it.
		for dir := path.Dir(rel); dir != "." && dir != "/"; dir = path.Dir(dir) {
			if MatchGlob(g, dir) {
				return true
			}
		}
	}
	return false
}

// normalGlob is an exclusion glob as Excluded matches it: slash-separated,
// without a leading "./" or a trailing "/" ("" matches nothing).
func normalGlob(g string) string {
	return strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(g), "./"), "/")
}

// folderGlobs is Excluded for many paths against the same globs: what the
// globs say of a folder is kept, so the files of one folder ask it once
// (a finding's path is tested against every test-path glob, and a
// generated tree has thousands of findings in a few hundred folders). Not
// safe for concurrent use.
type folderGlobs struct {
	// globs are the globs as Excluded reads them (normalGlob) but for
	// those of the shape "**/name/**" with a plain name, the shape of
	// every default test path: a path matches one of those when one of
	// its segments is the name, which needs no walk of the glob — one
	// look-up per segment in segments, whatever their number.
	globs    []string
	segments map[string]bool
	folders  map[string]bool
}

func newFolderGlobs(globs []string) *folderGlobs {
	fg := &folderGlobs{folders: map[string]bool{}, segments: map[string]bool{}}
	for _, g := range globs {
		if g = normalGlob(g); g == "" {
			continue
		}
		if name := anySegment(g); name != "" {
			fg.segments[name] = true
		} else {
			fg.globs = append(fg.globs, g)
		}
	}
	return fg
}

// anySegment returns name when glob is "**/name/**" and name holds no
// character path.Match treats specially, else "".
func anySegment(glob string) string {
	name, ok := strings.CutPrefix(glob, "**/")
	if name, ok = strings.CutSuffix(name, "/**"); !ok || name == "" || strings.ContainsAny(name, `/*?[\`) {
		return ""
	}
	return name
}

// excluded is Excluded(rel, globs).
func (fg *folderGlobs) excluded(rel string) bool {
	return fg.matches(rel) || fg.folderExcluded(path.Dir(rel))
}

// folderExcluded reports whether dir or a folder above it matches.
func (fg *folderGlobs) folderExcluded(dir string) bool {
	if dir == "." || dir == "/" {
		return false
	}
	v, ok := fg.folders[dir]
	if !ok {
		v = fg.matches(dir) || fg.folderExcluded(path.Dir(dir))
		fg.folders[dir] = v
	}
	return v
}

func (fg *folderGlobs) matches(p string) bool {
	if len(fg.segments) > 0 {
		for seg := range strings.SplitSeq(p, "/") {
			if fg.segments[seg] {
				return true
			}
		}
	}
	for _, g := range fg.globs {
		if MatchGlob(g, p) {
			return true
		}
	}
	return false
}

// MatchGlob matches a slash-separated path against a glob where "**"
// stands for zero or more path segments and other segments use path.Match.
// It walks both strings in place: it runs for every file and finding
// against every exclusion, so it allocates nothing.
func MatchGlob(glob, rel string) bool {
	return matchSegments(glob, false, rel, false)
}

// matchSegments matches the segments of g against those of p; gDone and
// pDone say that no segment is left (an empty string alone is one empty
// segment, as strings.Split gives it).
func matchSegments(g string, gDone bool, p string, pDone bool) bool {
	for !gDone {
		gSeg, gRest, gLast := nextSegment(g)
		if gSeg == "**" {
			for {
				if matchSegments(gRest, gLast, p, pDone) {
					return true
				}
				if pDone {
					return false
				}
				_, p, pDone = nextSegment(p)
			}
		}
		if pDone {
			return false
		}
		pSeg, pRest, pLast := nextSegment(p)
		ok, err := path.Match(gSeg, pSeg)
		if err != nil || !ok {
			return false
		}
		g, gDone, p, pDone = gRest, gLast, pRest, pLast
	}
	return pDone
}

// nextSegment splits s at its first slash; last is true when there was
// none (seg is the last segment).
func nextSegment(s string) (seg, rest string, last bool) {
	seg, rest, found := strings.Cut(s, "/")
	return seg, rest, !found
}

// Memo caches parsed files and shared facts across checks, so that a
// Dockerfile parsed for the port inventory is not parsed again for the
// root-user check. Keys are chosen by the parser packages.
type Memo struct {
	mu sync.Mutex
	m  map[string]*memoEntry
}

type memoEntry struct {
	once sync.Once
	val  any
	err  error
}

// NewMemo returns an empty cache.
func NewMemo() *Memo { return &Memo{m: map[string]*memoEntry{}} }

// Get returns the cached value for key, computing it once with fn.
func (m *Memo) Get(key string, fn func() (any, error)) (any, error) {
	m.mu.Lock()
	e, ok := m.m[key]
	if !ok {
		e = &memoEntry{}
		m.m[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.val, e.err = fn() })
	return e.val, e.err
}

// Memoized is Get for one type: a parser or a check family caches its
// result under key and gets it back typed, with no assertion at each
// call site. Every user of a key must use the same T.
func Memoized[T any](m *Memo, key string, fn func() (T, error)) (T, error) {
	v, err := m.Get(key, func() (any, error) { return fn() })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}
