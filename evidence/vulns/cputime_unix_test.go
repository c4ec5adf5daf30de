//go:build unix

package vulns

import (
	"syscall"
	"time"
)

// cpuTime is the process's user and system CPU time so far: what a stage
// costs whatever else the machine runs (the wall clock of a shared
// machine measures the neighbours too).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
