//go:build unix

package gitinfo

import (
	"os"
	"syscall"
)

// inProcessSupported: git's ownership rule is checked here by user ID.
const inProcessSupported = true

// ownedByUs is git's safe.directory test without the configuration (setup.c,
// is_path_owned_by_current_uid): path belongs to the effective user. git
// also accepts, for root, the user sudo ran for, and any folder
// safe.directory lists; those cases go to git.
func ownedByUs(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}

// sameDevice reports whether a and b are on one file system: git's
// discovery stops where it would cross to another.
func sameDevice(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA != nil || errB != nil {
		return false
	}
	sa, okA := fa.Sys().(*syscall.Stat_t)
	sb, okB := fb.Sys().(*syscall.Stat_t)
	return okA && okB && sa.Dev == sb.Dev
}
