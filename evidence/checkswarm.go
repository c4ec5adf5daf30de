package evidence

import (
	"context"
	"runtime"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
)

// checksWarm is the checks stage's tree work started early: the tree
// walked and the tree-only parsers run (all.WarmTree) while syft
// catalogues, since syft leaves part of the machine idle. It reads only
// the tree and the configuration, both fixed by the config stage; what
// the checks read from the later stages (images, SBOM, scan, artefacts,
// keys, the clock) is set on the target when the checks stage takes it,
// and the checks themselves still run in that stage. So the report is
// the one a run without it makes.
type checksWarm struct {
	done   chan struct{}
	cancel context.CancelFunc
	// target is the warmed target; nil when the walk or a parser failed or
	// panicked (the checks stage then builds its own, as without warming).
	target *checks.Target
}

// startChecksWarm starts the checks stage's tree work in the background,
// when the run will run the checks. Called by the SBOM stage when it
// catalogues (a reused SBOM takes no time to overlap).
func (r *runState) startChecksWarm(ctx context.Context) {
	// With one processor there is nothing to overlap: the work would only
	// take turns with syft's.
	if r.warm != nil || !r.sel.Has(StageChecks) || r.opts.sequentialChecks || runtime.GOMAXPROCS(0) < 2 {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &checksWarm{done: make(chan struct{}), cancel: cancel}
	r.warm = w
	sel := r.checkSelection()
	go func() {
		defer close(w.done)
		labelWork(ctx, "checks-warm")
		defer func() {
			if recover() != nil {
				w.target = nil
			}
		}()
		t, err := r.newChecksTarget(ctx)
		if err != nil {
			return
		}
		if all.WarmTree(ctx, r.plan.checks, t, sel) != nil {
			return
		}
		w.target = t
	}()
}

// takeChecksWarm waits for the tree work started early and returns its
// target, nil when there is none to use.
func (r *runState) takeChecksWarm() *checks.Target {
	w := r.warm
	if w == nil {
		return nil
	}
	<-w.done
	r.warm = nil
	// The target's parsers are done: nothing uses the context any more.
	defer w.cancel()
	return w.target
}

// dropChecksWarm stops the tree work started early, when its target will
// not be used (the checks were reused, or the run ends), and waits for it
// to end: no goroutine outlives the run.
func (r *runState) dropChecksWarm() {
	if w := r.warm; w != nil {
		w.cancel()
		<-w.done
		r.warm = nil
	}
}
