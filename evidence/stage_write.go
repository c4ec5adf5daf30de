package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cemark/cemark/evidence/evidencedir"
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

// writeStage commits the run: the evidence directory with run.json (the
// digest of every file), and the technical file's changed documents.
func writeStage(ctx context.Context, ev *Evidence, plan *runPlan, files map[string][]byte, hook func(string) error, p Progress) error {
	rec := &ev.Record
	stage := startStage(p, rec, "write")
	var evidence map[string][]byte
	var docs *techfile.Result
	var summary, where string
	if plan.writesDocs {
		docs = ev.TechFile
		summary, where = fmt.Sprintf("%d documents in %s", len(docs.Writes), plan.docsDir), plan.docsDir
	}
	if plan.writesEvidence {
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
			StageTime{Name: "write", DurationMS: time.Since(stage.start).Milliseconds(), Status: "ok", Summary: summary})
		recBytes, err := json.MarshalIndent(withWrite, "", "  ")
		if err != nil {
			return stage.fail(err)
		}
		evidence = make(map[string][]byte, len(files)+1)
		for n, b := range files {
			evidence[n] = b
		}
		evidence["run.json"] = append(recBytes, '\n')
	}
	if err := commitRun(ctx, plan, evidence, docs, hook); err != nil {
		return stage.fail(fmt.Errorf("write %s: %w", where, err))
	}
	stage.done(summary)
	return nil
}
