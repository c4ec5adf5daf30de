// Command cemark turns every build into evidence of conformity with the EU
// Cyber Resilience Act: SBOM, checks tied to Annex I, signed in-toto
// attestations and the Module A technical file. This package only turns
// flags into configuration and calls the library.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cemark/cemark/evidence/sbom"
)

func main() {
	// No allocation is sampled for a heap profile unless --memprofile asks
	// for one (profileFlags.start): sampling unwinds the stack of one
	// allocation in every 512 KiB, 1–2 % of a run's CPU.
	runtime.MemProfileRate = 0
	ctx, cancel := context.WithCancel(context.Background())
	interrupted := stopOnSignal(cancel, os.Stderr)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	if sig := interrupted(); sig != 0 && code != exitOK {
		code = sig
	}
	sbom.Cleanup()
	os.Exit(code)
}

// stopGrace is how long a run may take to stop after SIGINT or SIGTERM
// before the process ends anyway. Ending it then is safe: a commit is
// journaled, and the next run completes or rolls it back.
const stopGrace = 5 * time.Second

// stopOnSignal cancels the run on SIGINT or SIGTERM, so every stage stops
// at its next check of the context; a second signal, or the grace period
// running out, ends the process at once. It returns a function giving the
// exit code of the signal that came (exitInterrupted or
// exitTerminated), 0 when none did.
func stopOnSignal(cancel context.CancelFunc, stderr io.Writer) func() int {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var got atomic.Int32
	go func() {
		sig := <-sigs
		code := exitInterrupted
		if sig == syscall.SIGTERM {
			code = exitTerminated
		}
		got.Store(int32(code))
		fmt.Fprintf(stderr, "cemark: %v: stopping; nothing more is written, and the previous evidence and technical file stay whole\n", sig)
		cancel()
		select {
		case <-sigs:
		case <-time.After(stopGrace):
		}
		sbom.Cleanup() // what image sources unpacked in the temporary folder
		os.Exit(code)
	}()
	return func() int { return int(got.Load()) }
}

// env is the process's outside world, passed explicitly so that tests can
// run the whole CLI in-process with their own streams and variables.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// run executes the CLI and returns the exit code (exitcodes.go).
func run(ctx context.Context, args []string, e *env) int {
	root := newRootCmd(e)
	var prof profileFlags
	prof.register(root)
	defer prof.finish()
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	code := exitCode(err)
	if err != nil && !silent(err) {
		fmt.Fprintf(e.stderr, "cemark: %v\n", err)
	}
	return code
}
