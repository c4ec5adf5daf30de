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
	"syscall"

	"github.com/cemark/cemark/evidence/exitcode"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// env is the process's outside world, passed explicitly so that tests can
// run the whole CLI in-process with their own streams and variables.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// run executes the CLI and returns the exit code (see evidence/exitcode).
func run(ctx context.Context, args []string, e *env) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitcode.OK
	}
	code := exitcode.Of(err)
	if isUsageError(err) {
		code = exitcode.Usage
	}
	if !silent(err) {
		fmt.Fprintf(e.stderr, "cemark: %v\n", err)
	}
	return code
}
