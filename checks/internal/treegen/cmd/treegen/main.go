// Command treegen writes a generated product tree for the benchmarks in
// scripts/: treegen -n FILES DIR.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cemark/cemark/checks/internal/treegen"
)

func main() {
	n := flag.Int("n", 10000, "number of files")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: treegen -n FILES DIR")
		os.Exit(2)
	}
	if _, err := treegen.Tree(flag.Arg(0), *n); err != nil {
		fmt.Fprintln(os.Stderr, "treegen:", err)
		os.Exit(1)
	}
}
