package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"

	"github.com/spf13/cobra"
)

// profileFlags are hidden flags for measuring cemark itself (issue 13's
// benchmarks): a CPU profile, a heap profile at the end and an execution
// trace, each to the file named. They are for cemark's developers, not
// part of the user surface. A run's CPU samples are labelled with their
// stage and the background work they belong to (go tool pprof -tags).
type profileFlags struct {
	cpu, mem, trace string
	stop            []func()
}

func (p *profileFlags) register(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile to this file")
	f.StringVar(&p.mem, "memprofile", "", "write a heap profile to this file when the command ends")
	f.StringVar(&p.trace, "trace", "", "write an execution trace to this file")
	for _, n := range []string{"cpuprofile", "memprofile", "trace"} {
		_ = f.MarkHidden(n)
	}
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return p.start() }
}

// memProfileRate is the Go runtime's default sampling rate, which main
// turns off: a heap profile samples one allocation in every 512 KiB.
const memProfileRate = 512 * 1024

func (p *profileFlags) start() error {
	if p.mem != "" {
		runtime.MemProfileRate = memProfileRate
	}
	if err := p.startTo(p.cpu, "cpu profile", pprof.StartCPUProfile, pprof.StopCPUProfile); err != nil {
		return err
	}
	return p.startTo(p.trace, "trace", trace.Start, trace.Stop)
}

// startTo starts a recording into the file at path (none when path is
// empty) and remembers how to stop it.
func (p *profileFlags) startTo(path, what string, start func(io.Writer) error, stop func()) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := start(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", what, err)
	}
	p.stop = append(p.stop, func() { stop(); f.Close() })
	return nil
}

// finish stops what start started and writes the heap profile.
func (p *profileFlags) finish() {
	for _, s := range p.stop {
		s()
	}
	p.stop = nil
	if p.mem != "" {
		if f, err := os.Create(p.mem); err == nil {
			runtime.GC()
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
}
