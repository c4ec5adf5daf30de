// Package cputime reads the process's user and system CPU time, for
// benchmarks: on a shared machine the wall clock measures the neighbours
// too, CPU time what the code under test cost. Where the platform has no
// getrusage it reports zero, and the benchmarks report wall time only.
package cputime

import "time"

// Now is the CPU time the process has used so far; zero where it cannot
// be read.
func Now() time.Duration { return time.Duration(now()) }
