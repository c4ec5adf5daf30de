package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/cache"
	"github.com/cemark/cemark/evidence/ci"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
	art14 "github.com/cemark/cemark/evidence/report"
	"github.com/cemark/cemark/evidence/sbom"
	"github.com/cemark/cemark/evidence/techfile"
	"github.com/cemark/cemark/evidence/version"
)

// Evidence is everything one run found and made.
type Evidence struct {
	Root       string
	OutDir     string
	ConfigPath string
	// configFile is cemark.yaml as read, for its digest in run.json and
	// the test-result statement (read once).
	configFile []byte
	Config     *config.Config
	// Time is the run's reference time (SOURCE_DATE_EPOCH or the commit time).
	Time time.Time
	// Now is the wall clock for expiry checks; it never reaches a file.
	Now     time.Time
	Commit  string
	CI      ci.Environment
	Tool    version.Info
	Missing []config.MissingInput

	SBOM       *sbom.Result
	Vulns      *vulnscan.Scan
	Report     *checks.Report
	Assessment conformity.Assessment
	Route      conformity.Route
	// reportJSON is report.json's bytes, encoded once when first asked
	// (setReport): the evidence file, the checks stage's cache entry and
	// the report statement's digest are the same bytes.
	reportJSON func() ([]byte, error)

	Statements []attest.Statement
	Envelopes  []*attest.Envelope
	subjects   []*intotov1.ResourceDescriptor
	Signed     bool
	KeyID      string
	// Signing says how the statements were signed: the key, or the
	// keyless identity, issuer and Rekor log indexes.
	Signing attest.Signing
	// SBOMByDigest is true when an SBOM was too large to attest inline,
	// ReportByDigest when report.json was.
	SBOMByDigest   bool
	ReportByDigest bool
	// signers are attestations.signers, keys by their key ID (stage_signers.go).
	signers []techfile.Signer
	// events are the Art. 14 events recorded with cemark report (stage_events.go).
	events []art14.Event

	// RepoPrefix is the product root's folder relative to the repository
	// root ("" at the root): CI outputs name files from the repository.
	RepoPrefix string
	// existing are the files Location found (relative to the root).
	existing sync.Map

	TechFile *techfile.Result
	// Files maps each evidence file name to its sha256.
	Files  map[string]string
	Record RunRecord

	// plan is where the run reads and writes (the config stage decides it).
	plan *runPlan
	// target is what the checks stage looked at (the tree, read once);
	// cemark init drafts from it.
	target *checks.Target
}

// stageDef is one stage of the pipeline: what it reads and what it makes
// (said for people: Stages, docs/pipeline.md), and how it runs. A cached
// stage keys its outputs by its inputs and reuses an earlier run's when
// they are the same (stagecache.go); the others always run.
type stageDef struct {
	name    Stage
	inputs  string
	outputs string
	run     func(ctx context.Context, r *runState) (summary string, err error)
	cached  bool
	// readsTree is true for a stage that reads the product tree: its
	// cached outputs are keyed by the tree's fingerprint, taken before the
	// first such stage and again after the last (stagecache.go).
	readsTree bool
}

// lastTreeReader is the last stage of s that reads the product tree, ""
// when none does.
func (s Selection) lastTreeReader() Stage {
	var last Stage
	for _, st := range pipeline() {
		if st.readsTree && s.Has(st.name) {
			last = st.name
		}
	}
	return last
}

// after reports whether s selects a stage that runs after stage.
func (s Selection) after(stage Stage) bool {
	seen := false
	for _, st := range pipeline() {
		if seen && s.Has(st.name) {
			return true
		}
		seen = seen || st.name == stage
	}
	return false
}

// pipeline is every stage, in the order they run.
func pipeline() []stageDef {
	return []stageDef{configStage, sbomStage, vulnsStage, checksStage, attestStage, docsStage, signStage, writeStage}
}

// StageInfo describes one stage for people (docs/pipeline.md is tested
// against it).
type StageInfo struct {
	Name    Stage
	Inputs  string
	Outputs string
	// Cached is true when the stage reuses an earlier run's outputs for
	// unchanged inputs.
	Cached bool
	// Commands are the commands that select it.
	Commands []string
}

// commandStages are the selections of the commands, for StageInfo.
var commandStages = []struct {
	command string
	stages  Selection
}{
	{"run", RunStages}, {"action", RunStages}, {"docs", DocsStages}, {"check", CheckStages},
	{"baseline write", CheckStages}, {"vex draft", ScanStages}, {"sbom", SBOMStages}, {"ports", InventoryStages}, {"init", InventoryStages},
}

// Stages describes the pipeline's stages, in order.
func Stages() []StageInfo {
	var out []StageInfo
	for _, st := range pipeline() {
		info := StageInfo{Name: st.name, Inputs: st.inputs, Outputs: st.outputs, Cached: st.cached}
		for _, c := range commandStages {
			if c.stages.Has(st.name) {
				info.Commands = append(info.Commands, c.command)
			}
		}
		out = append(out, info)
	}
	return out
}

// runState is one run in progress: the evidence so far and what the
// stages hand on that is not part of it.
type runState struct {
	opts   Options
	sel    Selection
	p      *stageProgress
	getenv func(string) string
	ev     *Evidence
	plan   *runPlan

	// Decided by the config stage.
	signing  *attest.SigningPlan
	baseline *checks.Baseline
	lock     *evidencedir.Lock
	// files are the evidence files as the stages encode them.
	files map[string][]byte
	// envelopeFiles are the envelope files in the statements' order, the
	// lines of attestations.intoto.jsonl (nil when nothing was signed).
	envelopeFiles []string
	// gitPrefix is the product root's folder in its git repository, when
	// inRepo.
	gitPrefix string
	inRepo    bool
	// cache keeps and restores stage outputs (nil: --no-cache, or no
	// place for it inside the product root); reused says whether the
	// running stage took its outputs from it.
	cache  *stageCache
	reused bool
	// checksKey is the checks stage's key (its report is a function of
	// it), for the attest stage's.
	checksKey cache.Key
	// lastTreeReader is the last selected stage that reads the product
	// tree ("" for none): the tree is fingerprinted in the config stage
	// and again once it is done.
	lastTreeReader Stage
	// lastCatalogueUser is the last stage that needs syft's catalogue and
	// licence scanner (the vulnerability scan matches the catalogue):
	// once it is done they are let go (releaseCatalogue).
	lastCatalogueUser Stage
	// stagesAfterChecks is true when a selected stage follows the checks:
	// then the checks' target lets go of what it read once the report is
	// made (none of those stages reads the tree).
	stagesAfterChecks bool
	// licences is syft's licence scanner, started in the config stage
	// (nil: the SBOM stage builds its own when it runs).
	licences *sbom.LicenceScanner
	// warm is the checks stage's tree work, started beside the SBOM
	// (checkswarm.go); nil when not started or taken.
	warm *checksWarm
	// early is the write stage's commit begun after the checks
	// (stage_write.go); nil when not begun or taken.
	early *earlyEvidence
	// warmUps is what the run prepares in the background for a later
	// stage (the conformity schema, the SBOM predicates); finish waits
	// for it.
	warmUps sync.WaitGroup
	// pipelines, firstTag and remote are what git says of the product
	// for later stages, asked in the background (startGitFacts); nil
	// when not asked.
	pipelines *later[[]string]
	firstTag  *later[firstTag]
	remote    *later[string]
	// sbomPredicates are the SBOM documents the SBOM stage made, being made
	// canonical for the attest stage's statements while the stages between
	// run; nil once that stage is done.
	sbomPredicates *later[[]*attest.Predicate]
}

// Run runs the stages opts.Stages selects, in the pipeline's order: each
// reads what the stages before it left on the Evidence. A cached stage
// whose inputs are those of an earlier run reuses its outputs, unless
// opts.NoCache; run.json says which did.
func Run(ctx context.Context, opts Options) (*Evidence, error) {
	r, err := newRun(opts)
	if err != nil {
		return nil, err
	}
	defer r.finish(ctx)
	for _, st := range pipeline() {
		if !r.sel.Has(st.name) {
			continue
		}
		if err := r.runStage(ctx, st); err != nil {
			return nil, err
		}
		if st.name == r.lastTreeReader {
			// No stage from here on reads the product tree.
			r.startRecheck(ctx)
		}
		if st.name == r.lastCatalogueUser {
			r.releaseCatalogue()
		}
		if st.name == StageChecks {
			// The report is final: its files can be written meanwhile.
			r.startEarlyEvidence(ctx)
		}
	}
	if opts.FailOn != "" && r.ev.Report != nil {
		if failing := checks.FailsAt(r.ev.Report, opts.FailOn); len(failing) > 0 {
			return r.ev, failure.NotConformant(&NotConformantError{FailOn: opts.FailOn, Findings: len(failing)})
		}
	}
	return r.ev, nil
}

func newRun(opts Options) (*runState, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	root := opts.Root
	if root == "" {
		root = "."
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", root, err)
	}
	if fi, err := os.Stat(absRoot); err != nil || !fi.IsDir() {
		return nil, failure.Usage(fmt.Errorf("product root %s is not a folder", root))
	}
	sel := opts.Stages
	if sel == nil {
		sel = RunStages
	}
	p := opts.Progress
	if p == nil {
		p = silentProgress{}
	}
	ev := &Evidence{Root: absRoot, Tool: version.Get(), Files: map[string]string{}, Now: now().UTC()}
	ev.Record.Tool = ev.Tool
	lastCatalogueUser := StageSBOM
	if sel.Has(StageVulns) {
		lastCatalogueUser = StageVulns
	}
	return &runState{opts: opts, sel: sel, lastTreeReader: sel.lastTreeReader(), lastCatalogueUser: lastCatalogueUser, stagesAfterChecks: sel.after(StageChecks), p: &stageProgress{Progress: p}, getenv: getenv, ev: ev, files: map[string][]byte{}}, nil
}

// runStage runs one stage, or restores its outputs from the cache, and
// records it.
func (r *runState) runStage(ctx context.Context, st stageDef) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	stage := startStage(r.p, &r.ev.Record, string(st.name))
	r.p.begin()
	var summary string
	var reused bool
	var err error
	// A CPU profile's samples (--cpuprofile) carry the stage they were
	// taken in, and the work begun in the background names itself (work):
	// go tool pprof -tags shows what each costs.
	pprof.Do(ctx, pprof.Labels("stage", string(st.name)), func(ctx context.Context) {
		summary, reused, err = r.cached(ctx, st)
	})
	if err != nil {
		return stage.fail(err)
	}
	stage.reused = reused
	stage.done(summary)
	return nil
}

// labelWork names the background work the calling goroutine does, for
// the CPU profile's samples (see runStage); sbom's licence scanner names
// itself the same way.
func labelWork(ctx context.Context, work string) {
	pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("work", work)))
}

// releaseCatalogue lets go of syft's in-memory catalogue and licence
// scanner once no stage needs them, so that they are not held — tens of
// MB on a large product — while the checks, the statements and the
// evidence files are made. The SBOM's documents and facts stay.
func (r *runState) releaseCatalogue() {
	r.licences = nil
	if r.ev.SBOM != nil {
		r.ev.SBOM.Catalogue = nil
	}
}

// finish releases the run lock and stores what this run's stages made
// for the next run (stagecache.go).
func (r *runState) finish(ctx context.Context) {
	r.dropChecksWarm()
	r.dropEarlyEvidence()
	r.warmUps.Wait()
	if r.ev.SBOM != nil {
		_, _ = r.ev.SBOM.SPDX() // its encoding does not outlive the run either
	}
	r.flushCache(ctx)
	if r.lock != nil {
		r.lock.Release()
	}
}

// stageProgress passes events on and remembers the notices of the stage
// running, so that a stage restored from the cache says what it said.
type stageProgress struct {
	Progress
	notices []string
}

func (s *stageProgress) begin() { s.notices = nil }

func (s *stageProgress) Notice(msg string) {
	s.notices = append(s.notices, msg)
	s.Progress.Notice(msg)
}

// NotConformantError says the run found failing findings at or above the
// --fail-on severity (exit 3). The evidence is still written.
type NotConformantError struct {
	FailOn   checks.Severity
	Findings int
}

func (e *NotConformantError) Error() string {
	return fmt.Sprintf("%d failing finding(s) at or above severity %s", e.Findings, e.FailOn)
}

func absPath(root, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(root, p)
}

func relIfInside(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return ""
	}
	return filepath.ToSlash(rel)
}

func relOrAbs(root, p string) string {
	if r := relIfInside(root, p); r != "" {
		return r
	}
	return p
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func short(s string) string {
	if len(s) > 16 {
		return s[:16]
	}
	return s
}

// maxFileSize is the bound on every file the run reads from the product
// (cemark.yaml limits.max_file_size, else contain.DefaultMaxFileSize).
func maxFileSize(cfg *config.Config) int64 {
	if cfg.Limits.MaxFileSize > 0 {
		return cfg.Limits.MaxFileSize
	}
	return contain.DefaultMaxFileSize
}
