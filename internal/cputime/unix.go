//go:build unix

package cputime

import "syscall"

// now is user+system CPU nanoseconds; 0 when getrusage fails.
func now() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
