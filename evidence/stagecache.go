package evidence

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"

	"github.com/cemark/cemark/evidence/cache"
	"github.com/cemark/cemark/evidence/detect"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/internal/treewalk"
)

// The stage cache (evidence/cache): the sbom, vulns, checks, attest and
// sign stages key their outputs by the digest of their declared inputs
// and reuse an earlier run's outputs when the key is the same. Every key
// holds what every stage depends on (stageKey): cemark's build, the
// product root, cemark.yaml's bytes and the configuration with its
// defaults (product name, version, licence), the reference time and the
// product revision. Each stage adds its own inputs (its file). The config,
// docs and write stages always run: the first decides the keys, the docs
// stage reads the technical file the last run itself wrote, and the write
// stage commits.

// keepEntries is how many entries of each stage the cache keeps (the most
// recently used): a few branches or configurations back and forth.
const keepEntries = 4

// stageCache is the run's view of the cache.
type stageCache struct {
	store *cache.Store
	// tree is the product tree's fingerprint, taken once when a stage
	// first needs it, and taken again before anything is stored.
	tree    *cache.Tree
	outside *cache.Tree
	// treeDone is closed when the fingerprints taken in the background
	// (startTree) are there, with treeErr.
	treeDone chan struct{}
	treeErr  error
	// recheckDone is closed when the tree's second fingerprint, taken
	// in the background once no stage reads the tree any more
	// (startRecheck), is there, with recheckErr.
	recheckDone chan struct{}
	recheck     cache.Tree
	recheckErr  error
	pending     []*pendingEntry
	// keeping counts the entries keep is still making.
	keeping sync.WaitGroup
}

// pendingEntry is a stage's outputs waiting to be kept at the end of the
// run: their blobs are already in the store (so the run need not hold
// them), the manifest that makes them an entry is not.
type pendingEntry struct {
	stage Stage
	key   cache.Key
	// files names each output's blob (cache.Store.PutBlobs); nil when
	// they could not be made or stored (a cache that cannot be written
	// costs speed, never the run).
	files   map[string]string
	summary string
	notices []string
	// byContent is true for an entry keyed by the very bytes it was made
	// from (not by the tree's fingerprint): kept whatever the tree did.
	byContent bool
}

// stageRecord is what an entry keeps besides the outputs: what the stage
// said, so that a reused stage says the same.
type stageRecord struct {
	Summary string   `json:"summary"`
	Notices []string `json:"notices,omitempty"`
}

const stageRecordFile = "stage.json"

// openStageCache opens the cache beside the run lock — in .git, or hidden
// beside the evidence directory — when that lies inside the product root
// (contain's rule for everything cemark writes); else the run has none.
func openStageCache(plan *runPlan) *stageCache {
	dir := evidencedir.CacheDir(plan.stateDir)
	if !plan.bounds.Inside(filepath.Dir(dir)) {
		return nil
	}
	return &stageCache{store: cache.Open(dir)}
}

// stageKey starts the key of stage with the inputs every stage has.
func (r *runState) stageKey(stage Stage) *cache.KeyBuilder {
	ev := r.ev
	return cache.NewKey(string(stage)).
		Add("build", cache.BuildID()).
		Add("tool", ev.Tool.Cemark).
		Add("root", ev.Root).
		Add("config-file", ev.ConfigPath).
		AddBytes("cemark.yaml", ev.configFile).
		AddJSON("config", ev.Config).
		Add("time", ev.Time.UTC().String()).
		Add("commit", ev.Commit)
}

// startTree fingerprints the product tree (without cemark's own folders)
// and the command line's paths outside it in the background, while the
// config stage goes on: git reads the tree in processes of its own.
func (r *runState) startTree(ctx context.Context) {
	c := r.cache
	if c == nil || c.treeDone != nil {
		return
	}
	c.treeDone = make(chan struct{})
	go func() {
		defer close(c.treeDone)
		labelWork(ctx, "tree-fingerprint")
		t, err := cache.TreeFingerprint(ctx, r.ev.Root, r.gitPrefix, r.inRepo, r.plan.fingerprintSkips())
		if err != nil {
			c.treeErr = err
			return
		}
		o, err := cache.PathsFingerprint(ctx, r.plan.outside)
		if err != nil {
			c.treeErr = err
			return
		}
		c.tree, c.outside = &t, &o
	}()
}

// walkedListing waits for the first fingerprint and returns the listing
// of the tree it walked: nil without the cache or when it failed. In git
// there is none to wait for (git fingerprints the tree).
func (r *runState) walkedListing() *treewalk.Listing {
	c := r.cache
	if c == nil || c.treeDone == nil || r.inRepo {
		return nil
	}
	<-c.treeDone
	if c.tree == nil {
		return nil
	}
	return c.tree.Listing()
}

// startRecheck fingerprints the tree again in the background, once the
// stages that read it are done: the docs, sign and write stages read and
// write only cemark's own places (left out of the fingerprint), so the
// check overlaps them. flushCache keeps nothing made from a tree that
// changed meanwhile.
func (r *runState) startRecheck(ctx context.Context) {
	c := r.cache
	if c == nil || c.treeDone == nil || c.recheckDone != nil || c.unkept() {
		return
	}
	c.recheckDone = make(chan struct{})
	go func() {
		defer close(c.recheckDone)
		c.recheck, c.recheckErr = r.recheckTree(ctx)
	}()
}

// unkept reports whether the first fingerprints are known and say that
// nothing keyed by the tree will be kept (flushCache): a file changed
// just before them (Racy). Then neither the second
// fingerprint nor the outputs' blobs are worth making. It never waits.
func (c *stageCache) unkept() bool {
	if c.treeDone == nil {
		return false
	}
	select {
	case <-c.treeDone:
		return c.tree != nil && (c.tree.Racy || c.outside.Racy)
	default:
		return false
	}
}

// pathsKey adds a fingerprint of files the configuration names that may
// lie where the tree's fingerprint does not look (cemark's own folders:
// Art. 14 event files and advisories live beside the technical file).
func (r *runState) pathsKey(ctx context.Context, k *cache.KeyBuilder, name string, paths []string) error {
	abs := make([]string, 0, len(paths))
	for _, p := range paths {
		if p != "" {
			abs = append(abs, absPath(r.ev.Root, filepath.FromSlash(p)))
		}
	}
	t, err := cache.PathsFingerprint(ctx, abs)
	if err != nil {
		return err
	}
	k.Add(name, t.Digest)
	return nil
}

// treeKey adds the fingerprints of startTree.
func (r *runState) treeKey(ctx context.Context, k *cache.KeyBuilder) error {
	c := r.cache
	r.startTree(ctx)
	<-c.treeDone
	if c.treeErr != nil {
		return c.treeErr
	}
	k.Add("tree", c.tree.Digest).Add("outside", c.outside.Digest)
	return nil
}

// treeNow is the tree's fingerprint after the stages read it: the one
// startRecheck took, else a new one.
func (r *runState) treeNow(ctx context.Context) (cache.Tree, error) {
	if c := r.cache; c.recheckDone != nil {
		<-c.recheckDone
		return c.recheck, c.recheckErr
	}
	return r.recheckTree(ctx)
}

// recheckTree fingerprints the tree again, from what the first
// fingerprint saw (startTree) when there is one.
func (r *runState) recheckTree(ctx context.Context) (cache.Tree, error) {
	var first cache.Tree
	if c := r.cache; c != nil && c.treeDone != nil {
		<-c.treeDone
		if c.tree != nil {
			first = *c.tree
		}
	}
	return cache.RecheckTree(ctx, first, r.ev.Root, r.gitPrefix, r.inRepo, r.plan.fingerprintSkips())
}

// fingerprintSkips are the places the tree's fingerprints leave out:
// cemark's own, and the folders the write stage's commit makes beside the
// evidence directory — the second fingerprint runs while the last stages
// do, the commit's staging included.
func (p *runPlan) fingerprintSkips() []string {
	skips := append([]string{}, p.own...)
	if p.outDir == "" {
		return skips
	}
	for _, dir := range evidencedir.WorkDirs(p.outDir) {
		if rel := relIfInside(p.bounds.Product, dir); rel != "" && rel != "." {
			skips = append(skips, rel)
		}
	}
	return skips
}

// restore takes stage's outputs under key from the cache: decode puts
// them on the run. It returns what the stage said when it made them, and
// false when there is no usable entry (then the stage runs).
func (r *runState) restore(stage Stage, key cache.Key, decode func(cache.Entry) error) (string, bool) {
	if r.cache == nil {
		return "", false
	}
	e, ok := r.cache.store.Get(string(stage), key)
	if !ok {
		return "", false
	}
	var rec stageRecord
	if json.Unmarshal(e[stageRecordFile], &rec) != nil {
		return "", false
	}
	if err := decode(e); err != nil {
		return "", false
	}
	for _, n := range rec.Notices {
		r.p.Notice(n)
	}
	r.reused = true
	return rec.Summary, true
}

// keep stores stage's outputs under key, with the notices the stage gave
// so far (a notice given after keep is about this run, not the outputs,
// and is given again when they are reused) and the stage's summary: the
// outputs during the run, the entry naming them at the end of it.
//
// entry makes the outputs' bytes. It runs in the background, beside the
// stages that follow (a large product's report is tens of MB to encode
// and store), and not at all when the cache already knows that nothing
// made from this tree will be kept: it may only read what no later stage
// changes.
func (r *runState) keep(stage Stage, key cache.Key, entry func() (cache.Entry, error)) {
	c := r.cache
	if c == nil || c.unkept() {
		return
	}
	p := &pendingEntry{stage: stage, key: key, notices: append([]string(nil), r.p.notices...)}
	c.pending = append(c.pending, p)
	c.keeping.Add(1)
	go func() {
		defer c.keeping.Done()
		if e, err := entry(); err == nil {
			p.files, _ = c.store.PutBlobs(string(p.stage), e)
		}
	}()
}

// keepEntry stores a small entry at once (keep's work, without the
// goroutine).
func (r *runState) keepEntry(p *pendingEntry, e cache.Entry) {
	if r.cache == nil || (!p.byContent && r.cache.unkept()) {
		return
	}
	files, err := r.cache.store.PutBlobs(string(p.stage), e)
	if err != nil {
		return // a cache that cannot be written costs speed, never the run
	}
	p.files = files
	r.cache.pending = append(r.cache.pending, p)
}

// stageDone gives the entry the running stage keeps its summary.
func (r *runState) stageDone(stage Stage, summary string) {
	if r.cache == nil {
		return
	}
	for _, p := range r.cache.pending {
		if p.stage == stage {
			p.summary = summary
		}
	}
}

// flushCache stores the run's pending entries — unless the run was
// stopped, or the tree changed while the stages read it (their outputs
// may then belong to neither state) — and prunes the cache when the run
// holds the lock. A cache that cannot be written costs speed, never the
// run: errors are dropped on purpose.
func (r *runState) flushCache(ctx context.Context) {
	c := r.cache
	if c == nil {
		return
	}
	// No goroutine outlives the run.
	c.keeping.Wait()
	if ctx.Err() != nil {
		return
	}
	if len(c.pending) > 0 {
		// A tree changed just before the run may change again unseen
		// (cache.Tree.Racy), and one that changed during it gave outputs
		// of neither state: nothing made from it is kept then.
		treeKept := true
		if c.treeDone != nil {
			<-c.treeDone
		}
		if c.tree != nil {
			if c.tree.Racy || c.outside.Racy {
				treeKept = false
			} else if now, err := r.treeNow(ctx); err != nil || now.Digest != c.tree.Digest {
				treeKept = false
			}
		}
		for _, p := range c.pending {
			if p.files == nil || !treeKept && !p.byContent {
				continue
			}
			rec, err := json.Marshal(stageRecord{Summary: p.summary, Notices: p.notices})
			if err != nil {
				continue
			}
			files, err := c.store.PutBlobs(string(p.stage), cache.Entry{stageRecordFile: rec})
			if err != nil {
				continue
			}
			p.files[stageRecordFile] = files[stageRecordFile]
			_ = c.store.PutManifest(string(p.stage), p.key, p.files)
		}
	}
	if r.lock != nil {
		_ = c.store.Prune(keepEntries)
	}
}

// cached runs a stage: its run function reuses or keeps outputs itself
// (restore, keep); here the stage's summary and notices go with them.
func (r *runState) cached(ctx context.Context, st stageDef) (string, bool, error) {
	r.reused = false
	summary, err := st.run(ctx, r)
	if err != nil {
		return "", false, err
	}
	r.stageDone(st.name, summary)
	return summary, r.reused, nil
}

// licenceStage names the cache's entries of licence texts.
const licenceStage Stage = "licence"

// licence names the licence a LICENSE text holds (detect.LicenceID), from
// the cache when the same text was matched before: building the matcher
// is most of the config stage's work.
func (r *runState) licence(text []byte) string {
	if r.cache == nil {
		return detect.LicenceID(text)
	}
	key := cache.NewKey(string(licenceStage)).Add("build", cache.BuildID()).AddBytes("text", text).Sum()
	if e, ok := r.cache.store.Get(string(licenceStage), key); ok {
		return string(e["licence"])
	}
	id := detect.LicenceID(text)
	r.keepEntry(&pendingEntry{stage: licenceStage, key: key, byContent: true}, cache.Entry{"licence": []byte(id)})
	return id
}
