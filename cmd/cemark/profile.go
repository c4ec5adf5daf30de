package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"

	"github.com/spf13/cobra"
)

// profileFlags are hidden flags for measuring cemark itself (issue 13's
// benchmarks): a CPU profile, a heap profile at the end and an execution
// trace, each to the file named. They are for cemark's developers, not
// part of the user surface.
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

func (p *profileFlags) start() error {
	if p.cpu != "" {
		f, err := os.Create(p.cpu)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("cpu profile: %w", err)
		}
		p.stop = append(p.stop, func() { pprof.StopCPUProfile(); f.Close() })
	}
	if p.trace != "" {
		f, err := os.Create(p.trace)
		if err != nil {
			return fmt.Errorf("trace: %w", err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			return fmt.Errorf("trace: %w", err)
		}
		p.stop = append(p.stop, func() { trace.Stop(); f.Close() })
	}
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
