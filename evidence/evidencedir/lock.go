package evidencedir

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// LockFileName and JournalFileName are the run lock and the commit journal
// inside the repository's .git folder; beside an evidence directory outside
// git they are hidden (".cemark.lock", ".cemark.journal").
const (
	LockFileName    = "cemark.lock"
	JournalFileName = "cemark.journal"
)

// StateDir is the folder of the run lock and the journal for a product at
// root whose evidence goes to evidenceDir: the repository's git folder
// when root is the top of a work tree (.git, or the folder a .git file
// names in a linked work tree), else the evidence directory's parent.
// Keeping them in .git leaves the work tree clean.
func StateDir(root, evidenceDir string) string {
	if gd := gitDir(root); gd != "" {
		return gd
	}
	if evidenceDir == "" {
		return root
	}
	return filepath.Dir(evidenceDir)
}

func gitDir(root string) string {
	p := filepath.Join(root, ".git")
	fi, err := os.Lstat(p)
	if err != nil {
		return ""
	}
	if fi.IsDir() {
		return p
	}
	if !fi.Mode().IsRegular() || fi.Size() > 4096 {
		return ""
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(data), "\n")
	dir, ok := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
	if !ok {
		return ""
	}
	dir = strings.TrimSpace(dir)
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	return filepath.Clean(dir)
}

func inGitDir(stateDir string) bool {
	return filepath.Base(stateDir) == ".git" || strings.Contains(filepath.ToSlash(stateDir), "/.git/")
}

// LockPath is the run lock's file in stateDir.
func LockPath(stateDir string) string {
	if inGitDir(stateDir) {
		return filepath.Join(stateDir, LockFileName)
	}
	return filepath.Join(stateDir, "."+LockFileName)
}

// JournalPath is the commit journal's file in stateDir.
func JournalPath(stateDir string) string {
	if inGitDir(stateDir) {
		return filepath.Join(stateDir, JournalFileName)
	}
	return filepath.Join(stateDir, "."+JournalFileName)
}

// Lock is a held run lock.
type Lock struct {
	fl *flock.Flock
}

// BusyError says another cemark run holds the lock (exit 1).
type BusyError struct {
	Path string
	PID  int // 0 when unknown
}

func (e *BusyError) Error() string {
	pid := "pid unknown"
	if e.PID > 0 {
		pid = "pid " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("another cemark run holds %s (%s); wait for it to finish, or give --lock-timeout to wait longer", e.Path, pid)
}

// lockRetry is how often a waiting run tries the lock again.
const lockRetry = 50 * time.Millisecond

// Acquire takes the advisory lock at path (an flock, LockFileEx on
// Windows), waiting up to timeout for another run to release it. The lock
// is released by Release or when the process ends, however it ends. The
// file records the holder's process ID for the message of a run that
// waits in vain.
func Acquire(ctx context.Context, path string, timeout time.Duration) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create the folder of the run lock: %w", err)
	}
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o644))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("take the run lock %s: %w", path, err)
	}
	if !ok && timeout > 0 {
		wctx, cancel := context.WithTimeout(ctx, timeout)
		ok, err = fl.TryLockContext(wctx, lockRetry)
		cancel()
		if err != nil && ctx.Err() != nil {
			return nil, fmt.Errorf("wait for the run lock %s: %w", path, ctx.Err())
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("take the run lock %s: %w", path, err)
		}
	}
	if !ok {
		return nil, &BusyError{Path: path, PID: waitHolderPID(ctx, path)}
	}
	// Best effort: on Windows the locked range cannot be written through
	// another handle, and the message then says "pid unknown".
	_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	return &Lock{fl: fl}, nil
}

// holderPIDWait bounds how long a run that found the lock taken waits for
// the holder to record its process ID: the holder writes it just after it
// takes the lock, and a run that looked in between would say "pid
// unknown" of a run that is there.
const holderPIDWait = 500 * time.Millisecond

// waitHolderPID is the holder's process ID, read again for a moment while
// the file is still empty; 0 when it never says (Windows, see Acquire).
func waitHolderPID(ctx context.Context, path string) int {
	deadline := time.Now().Add(holderPIDWait)
	for {
		if pid := holderPID(path); pid > 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func holderPID(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	if !s.Scan() {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s.Text()))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// Release lets the next run go on. The lock file stays: removing it would
// let two runs lock two different files.
func (l *Lock) Release() error {
	if l == nil || l.fl == nil {
		return nil
	}
	_ = os.Truncate(l.fl.Path(), 0) // no stale process ID for the next reader
	return l.fl.Close()
}
