package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/format"
	"github.com/cemark/cemark/evidence/techfile"
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

// commitRun writes the evidence directory and the technical file's changed
// documents as one unit (see evidencedir): after a crash at any moment the
// next run finds the old pair or the new one.
func commitRun(ctx context.Context, plan *runPlan, evidence map[string][]byte, tf *techfile.Result, hook func(string) error) error {
	txn := evidencedir.Begin(plan.bounds.Product, plan.stateDir)
	txn.AfterStep = hook
	if evidence != nil {
		if err := txn.SetEvidence(plan.outDir, evidence); err != nil {
			return err
		}
	}
	if tf != nil {
		for _, w := range tf.Writes {
			txn.AddFile(w.Path, w.Data)
		}
	}
	return txn.Commit(ctx)
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
	rec := &ev.Record
	var evidence map[string][]byte
	var docs *techfile.Result
	var summary, where string
	if plan.writesDocs {
		docs = ev.TechFile
		summary, where = fmt.Sprintf("%d documents in %s", len(docs.Writes), plan.docsDir), plan.docsDir
	}
	if plan.writesEvidence {
		files := r.files
		if err := encodeFiles(ev, files); err != nil {
			return "", err
		}
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			ev.Files[n] = sha256Hex(files[n])
			rec.Outputs = append(rec.Outputs, Output{Name: n, SHA256: ev.Files[n]})
		}
		out := relOrAbs(ev.Root, ev.OutDir)
		summary = fmt.Sprintf("%d files in %s", len(names)+1, out)
		where = strings.TrimSuffix(out+" and "+where, " and ")
		// run.json is part of the commit it records, this stage included:
		// the commit lands whole or not at all.
		withWrite := *rec
		withWrite.Stages = append(append([]StageTime(nil), rec.Stages...),
			StageTime{Name: string(StageWrite), DurationMS: time.Since(start).Milliseconds(), Status: "ok", Summary: summary})
		recBytes, err := json.MarshalIndent(withWrite, "", "  ")
		if err != nil {
			return "", err
		}
		evidence = make(map[string][]byte, len(files)+1)
		for n, b := range files {
			evidence[n] = b
		}
		evidence[evidencedir.RunRecord] = append(recBytes, '\n')
	}
	if evidence == nil && docs == nil {
		return "nothing to write", nil
	}
	if err := commitRun(ctx, plan, evidence, docs, r.opts.commitHook); err != nil {
		return "", fmt.Errorf("write %s: %w", where, err)
	}
	return summary, nil
}

// encodeFiles turns the run's evidence into files. Each format has one
// encoder (evidence/format/*); the same bytes are written and attested.
func encodeFiles(ev *Evidence, files map[string][]byte) error {
	if err := sbomFiles(ev, files); err != nil {
		return err
	}
	if ev.Report != nil {
		if err := reportFiles(ev, files); err != nil {
			return err
		}
		inv := ev.Report.Facts.Inventory
		if inv != nil {
			b, err := marshal(inv)
			if err != nil {
				return err
			}
			files[evidencedir.Ports] = b
		}
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

func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// reportFiles encodes the evidence files made from the check report, one
// encoder per format (evidence/format/*). Formats read from the repository
// (SARIF, Code Quality) get the CI report: paths from the repository root,
// every finding on a file that exists.
func reportFiles(ev *Evidence, files map[string][]byte) error {
	ci := ev.CIReport()
	for _, f := range format.All() {
		name := evidencedir.ReportFile(f.ID)
		if name == "" {
			continue
		}
		r := ev.Report
		if f.RepoRooted {
			r = ci
		}
		var buf bytes.Buffer
		if err := f.Encode(&buf, r); err != nil {
			return fmt.Errorf("encode %s: %w", name, err)
		}
		files[name] = buf.Bytes()
	}
	return nil
}
