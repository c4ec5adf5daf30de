package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/format"
	formatjson "github.com/cemark/cemark/evidence/format/json"
	"github.com/cemark/cemark/evidence/techfile"
	"github.com/cemark/cemark/internal/jsonindent"
)

// lockRun takes the product's run lock, so runs on one tree follow each
// other, then finishes whatever a crashed run left (its journal, stray
// temporary documents). Nothing is written before the lock is held.
func lockRun(ctx context.Context, plan *runPlan, timeout time.Duration, p Progress) (*evidencedir.Lock, error) {
	lock, err := evidencedir.Acquire(ctx, evidencedir.LockPath(plan.stateDir), timeout)
	if err != nil {
		return nil, err
	}
	evDir := ""
	if plan.writesEvidence {
		evDir = plan.outDir
	}
	did, err := evidencedir.Recover(plan.bounds.Product, plan.stateDir, evDir)
	if err != nil {
		lock.Release()
		return nil, err
	}
	if did {
		p.Notice("an earlier run was interrupted; its evidence and technical file were completed or rolled back as one unit")
	}
	if plan.writesDocs {
		removed, err := techfile.RemoveStray(plan.docsAbs)
		if err != nil {
			lock.Release()
			return nil, fmt.Errorf("remove temporary files of an interrupted run from %s: %w", plan.docsDir, err)
		}
		for _, r := range removed {
			p.Notice(fmt.Sprintf("removed %s/%s, a temporary file an interrupted run left", plan.docsDir, r))
		}
	}
	return lock, nil
}

// writeStage commits what the run made, as one unit (evidencedir): the
// evidence directory with run.json — when the run made the evidence, that
// is with the sign stage — and the technical file's changed documents
// (docs stage, not --check). It always runs: it holds the run lock.
var writeStage = stageDef{
	name:    StageWrite,
	inputs:  "every file the stages made",
	outputs: "the evidence directory (replaced whole, with run.json listing every file and its digest) and the technical file's documents",
	run:     runWrite,
}

func runWrite(ctx context.Context, r *runState) (string, error) {
	start := time.Now()
	ev, plan := r.ev, r.plan
	if !plan.writesDocs && !plan.writesEvidence {
		return "nothing to write", nil
	}
	// The evidence directory and the technical file's changed documents
	// are committed as one unit (see evidencedir): after a crash at any
	// moment the next run finds the old pair or the new one. The commit
	// may have begun after the checks (early).
	early := r.takeEarlyEvidence()
	txn := evidencedir.Begin(plan.bounds.Product, plan.stateDir)
	if early != nil {
		txn = early.txn
	}
	txn.AfterStep = r.opts.commitHook
	var summary, where string
	if plan.writesDocs {
		docs := ev.TechFile
		summary, where = fmt.Sprintf("%d documents in %s", len(docs.Writes), plan.docsDir), plan.docsDir
		for _, w := range docs.Writes {
			txn.AddFile(w.Path, w.Data)
		}
	}
	if plan.writesEvidence {
		out := relOrAbs(ev.Root, ev.OutDir)
		where = strings.TrimSuffix(out+" and "+where, " and ")
		if early == nil {
			txn.EvidenceDir(plan.outDir)
			if err := txn.Prepare(ctx); err != nil {
				return "", fmt.Errorf("write %s: %w", where, err)
			}
		} else if early.err != nil {
			return "", fmt.Errorf("write %s: %w", where, errors.Join(early.err, txn.Abort()))
		}
		n, err := r.stageEvidence(ctx, txn, start, out, early)
		if err != nil {
			return "", fmt.Errorf("write %s: %w", where, errors.Join(err, txn.Abort()))
		}
		summary = fmt.Sprintf("%d files in %s", n, out)
	}
	if err := txn.Commit(ctx); err != nil {
		return "", fmt.Errorf("write %s: %w", where, err)
	}
	return summary, nil
}

// stageEvidence writes every evidence file into the commit's staging
// folder, run.json last, and returns how many it wrote. The files the
// stages made are written as they are; the large ones made from the
// report (and attestations.intoto.jsonl, from the envelopes) are encoded
// as they are written, a few at a time (writeWorkers), never all held at
// once.
func (r *runState) stageEvidence(ctx context.Context, txn *evidencedir.Txn, start time.Time, out string, early *earlyEvidence) (int, error) {
	ev, rec := r.ev, &r.ev.Record
	files := r.files
	if err := encodeFiles(ev, files); err != nil {
		return 0, err
	}
	// The files made are written first, each let go once written (a large
	// report's envelope is tens of MB); attestations.intoto.jsonl, made
	// from the envelopes, holds its own references to them. The encoded
	// files follow, in the order streamedFiles gives, unless they were
	// staged early.
	var staged []evidencedir.EvidenceFile
	if r.envelopeFiles != nil {
		staged = append(staged, evidencedir.EvidenceFile{Name: evidencedir.Attestations, Write: r.attestationsWriter()})
	}
	var mu sync.Mutex
	for _, n := range slices.Sorted(maps.Keys(files)) {
		b := files[n]
		staged = append(staged, evidencedir.EvidenceFile{Name: n, Write: func(w io.Writer) error {
			_, err := w.Write(b)
			mu.Lock()
			delete(files, n)
			mu.Unlock()
			return err
		}})
	}
	if early == nil {
		staged = append(staged, streamedFiles(ev)...)
	}
	sums, err := txn.StageEvidenceFiles(ctx, staged, writeWorkers())
	if err != nil {
		return 0, err
	}
	if early != nil {
		staged, sums = append(early.files, staged...), append(early.sums, sums...)
	}
	for i, f := range staged {
		ev.Files[f.Name] = hex.EncodeToString(sums[i][:])
		rec.Outputs = append(rec.Outputs, Output{Name: f.Name, SHA256: ev.Files[f.Name]})
	}
	// run.json lists the files by name, whatever order they were written in.
	slices.SortFunc(rec.Outputs, func(a, b Output) int { return strings.Compare(a.Name, b.Name) })
	summary := fmt.Sprintf("%d files in %s", len(staged)+1, out)
	// run.json is part of the commit it records, this stage included:
	// the commit lands whole or not at all.
	withWrite := *rec
	withWrite.Stages = append(append([]StageTime(nil), rec.Stages...),
		StageTime{Name: string(StageWrite), DurationMS: time.Since(start).Milliseconds(), Status: "ok", Summary: summary})
	recBytes, err := marshal(withWrite)
	if err != nil {
		return 0, err
	}
	if _, err := txn.StageEvidence(ctx, evidencedir.RunRecord, evidencedir.WriteBytes(recBytes)); err != nil {
		return 0, err
	}
	return len(staged) + 1, nil
}

// writeWorkers is how many evidence files are encoded and written at a
// time: one per processor, up to 4. Each report encoder holds its whole
// document (compact) until it writes it (jsonindent), so more would hold
// more at once for the few large files there are.
func writeWorkers() int {
	return min(runtime.GOMAXPROCS(0), 4)
}

// attestationsWriter writes attestations.intoto.jsonl from the envelope
// files, in the statements' order.
func (r *runState) attestationsWriter() func(io.Writer) error {
	lines := make([][]byte, len(r.envelopeFiles))
	for i, n := range r.envelopeFiles {
		lines[i] = r.files[n]
	}
	return func(w io.Writer) error { return attest.WriteJSONL(w, lines) }
}

// earlyEvidence is the write stage's commit begun once the checks are
// done: prepared, with the files made from the report and the SBOM's
// documents (streamedFiles) staged in the background, writeWorkers at a
// time, while the attest, docs and sign stages run: they use one
// processor at most, and those files are most of a large product's
// evidence to encode. report.json comes first:
// the attest stage names it by digest when it is large, and waits for its
// bytes (reportFileRef). The write stage takes the commit
// (takeEarlyEvidence) and stages the rest; a run that ends before aborts
// it (dropEarlyEvidence).
type earlyEvidence struct {
	txn   *evidencedir.Txn
	files []evidencedir.EvidenceFile
	done  chan struct{}
	// sums are the files' digests, in order, once done; err is why the
	// commit could not be prepared or they could not be staged (the
	// commit then undid what it had staged).
	sums [][32]byte
	err  error
}

// startEarlyEvidence begins the write stage's commit when the run will
// write evidence and the report files can be made: after the checks
// stage. With one processor there is nothing to overlap. The commit is
// prepared in the background too (its journal and staging folder are
// synced to disk, milliseconds the attest stage need not wait for); the
// write stage reports why it could not be.
func (r *runState) startEarlyEvidence(ctx context.Context) {
	plan, ev := r.plan, r.ev
	if r.early != nil || !r.sel.Has(StageWrite) || plan == nil || !plan.writesEvidence || ev.Report == nil || runtime.GOMAXPROCS(0) < 2 {
		return
	}
	txn := evidencedir.Begin(plan.bounds.Product, plan.stateDir)
	txn.AfterStep = r.opts.commitHook
	txn.EvidenceDir(plan.outDir)
	e := &earlyEvidence{txn: txn, files: streamedFiles(ev), done: make(chan struct{})}
	r.early = e
	go func() {
		defer close(e.done)
		labelWork(ctx, "early-evidence")
		if e.err = txn.Prepare(ctx); e.err != nil {
			return
		}
		e.sums, e.err = txn.StageEvidenceFiles(ctx, e.files, writeWorkers())
	}()
}

// reportFileRef is report.json named by its digest and size, for the
// report statement: the digest of the bytes the write stage writes
// (reportJSON), as soon as they are encoded — by the early staging, the
// checks stage's cache entry or this call, whichever asks first —, not
// once the file is written and synced.
func (r *runState) reportFileRef() (*attest.FileReference, error) {
	if r.ev.reportJSON == nil {
		return nil, nil
	}
	b, err := r.ev.reportJSON()
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", evidencedir.Report, err)
	}
	sum := sha256.Sum256(b)
	return reportReference(sum[:], int64(len(b))), nil
}

// reportReference names report.json by its SHA-256 and size.
func reportReference(sha256 []byte, size int64) *attest.FileReference {
	return attest.NewFileReference(evidencedir.Report, "application/json", sha256, size)
}

// takeEarlyEvidence waits for the early staging and hands it over; nil
// when there is none.
func (r *runState) takeEarlyEvidence() *earlyEvidence {
	e := r.early
	if e != nil {
		<-e.done
		r.early = nil
	}
	return e
}

// dropEarlyEvidence undoes an early commit the write stage never took
// (a stage failed or the run was stopped): no goroutine outlives the run,
// and nothing it staged stays.
func (r *runState) dropEarlyEvidence() {
	if e := r.takeEarlyEvidence(); e != nil {
		_ = e.txn.Abort()
	}
}

// encodeFiles turns the run's evidence into files, but for the ones
// streamedFiles encodes. Each format has one encoder (evidence/format/*);
// the same bytes are written and attested.
func encodeFiles(ev *Evidence, files map[string][]byte) error {
	if err := sbomFiles(ev, files); err != nil {
		return err
	}
	c, err := marshal(struct {
		Route      any    `json:"conformity_route"`
		Assessment any    `json:"assessment"`
		Notice     string `json:"notice"`
	}{ev.Route, ev.Assessment, "cemark shows evidence and gaps per Annex I point; the manufacturer declares conformity under its sole responsibility."})
	if err != nil {
		return err
	}
	files[evidencedir.Conformity] = c
	return addVulnFiles(ev, files)
}

// streamedFiles are the large files final once the checks are done: the
// ones made from the check report — each format's (reportFiles) and the
// attack-surface inventory —, each encoded when it is written, then the
// SBOM's two documents. On a large product each is tens of MB.
func streamedFiles(ev *Evidence) []evidencedir.EvidenceFile {
	var out []evidencedir.EvidenceFile
	if ev.Report != nil {
		out = reportFiles(ev)
		if inv := ev.Report.Facts.Inventory; inv != nil {
			out = append(out, evidencedir.EvidenceFile{Name: evidencedir.Ports, Write: func(w io.Writer) error {
				return jsonindent.Encode(w, inv, "  ", true) // marshal's bytes
			}})
		}
	}
	if ev.SBOM != nil {
		out = append(out,
			evidencedir.EvidenceFile{Name: evidencedir.SBOMCycloneDX, Write: evidencedir.WriteBytes(ev.SBOM.CycloneDX)},
			evidencedir.EvidenceFile{Name: evidencedir.SBOMSPDX, Write: func(w io.Writer) error {
				b, err := ev.SBOM.SPDX() // encoded meanwhile
				if err != nil {
					return err
				}
				_, err = w.Write(b)
				return err
			}})
	}
	return out
}

func marshal(v any) ([]byte, error) {
	// json.MarshalIndent's bytes, and a newline.
	return jsonindent.Marshal(v, "  ", true)
}

// reportFiles are the evidence files made from the check report, one
// encoder per format (evidence/format/*). Formats read from the repository
// (SARIF, Code Quality) get the CI report: paths from the repository root,
// every finding on a file that exists.
func reportFiles(ev *Evidence) []evidencedir.EvidenceFile {
	ci := sync.OnceValue(ev.CIReport)
	var out []evidencedir.EvidenceFile
	for _, f := range format.All() {
		name := evidencedir.ReportFile(f.ID)
		if name == "" {
			continue
		}
		if f.ID == formatjson.ID && ev.reportJSON != nil {
			out = append(out, evidencedir.EvidenceFile{Name: name, Write: func(w io.Writer) error {
				b, err := ev.reportJSON()
				if err != nil {
					return fmt.Errorf("encode %s: %w", name, err)
				}
				_, err = w.Write(b)
				return err
			}})
			continue
		}
		out = append(out, evidencedir.EvidenceFile{Name: name, Write: func(w io.Writer) error {
			r := ev.Report
			if f.RepoRooted {
				r = ci()
			}
			if err := f.Encode(w, r); err != nil {
				return fmt.Errorf("encode %s: %w", name, err)
			}
			return nil
		}})
	}
	return out
}
