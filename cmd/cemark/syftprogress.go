package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/event"
	"github.com/anchore/syft/syft/event/parsers"
	"github.com/wagoodman/go-partybus"
	"github.com/wagoodman/go-progress"
)

// watchSyft shows syft's own progress (catalogers at work, packages and
// files found) in the sbom stage's line on a terminal. syft publishes on a
// process-wide bus; the command, which owns the process, is the one place
// allowed to set it, and it is unset again when the command ends. In CI
// (no terminal) nothing is subscribed: logs get one line per stage.
func watchSyft(ctx context.Context, ui *stageUI) (stop func()) {
	if !ui.tty {
		return func() {}
	}
	bus := partybus.NewBus()
	sub := bus.Subscribe(event.CatalogerTaskStarted, event.FileIndexingStarted)
	syft.SetBus(bus)

	type task struct {
		title string
		prog  progress.StagedProgressable
	}
	var (
		mu    sync.Mutex
		tasks []task
	)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for e := range sub.Events() {
			var t task
			switch e.Type {
			case event.CatalogerTaskStarted:
				prog, gt, err := parsers.ParseCatalogerTaskStarted(e)
				if err != nil || prog == nil {
					continue
				}
				t = task{title: gt.Title.WhileRunning, prog: prog}
				if t.title == "" {
					t.title = gt.Title.Default
				}
			case event.FileIndexingStarted:
				path, prog, err := parsers.ParseFileIndexingStarted(e)
				if err != nil || prog == nil {
					continue
				}
				t = task{title: "indexing " + path, prog: prog}
			default:
				continue
			}
			mu.Lock()
			tasks = append(tasks, t)
			mu.Unlock()
		}
	}()
	go func() {
		defer wg.Done()
		tick := time.NewTicker(150 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			mu.Lock()
			// The newest task still running says best what syft is doing.
			var line string
			for i := len(tasks) - 1; i >= 0; i-- {
				if !progress.IsCompleted(tasks[i].prog) {
					line = tasks[i].title
					if st := tasks[i].prog.Stage(); st != "" {
						line = fmt.Sprintf("%s: %s", line, st)
					}
					break
				}
			}
			mu.Unlock()
			if line != "" {
				ui.StageUpdate("sbom", line)
			}
		}
	}()
	return func() {
		// Unsubscribing closes the event channel; the bus stays set with no
		// subscriber, where publishing is a no-op (setting a nil *Bus would
		// make syft call a method on a nil pointer).
		cancel()
		_ = sub.Unsubscribe()
		wg.Wait()
	}
}
