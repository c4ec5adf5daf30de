package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/evidencedir/evidencetest"
	"github.com/cemark/cemark/evidence/sbom"
)

// TestMain lets the test binary be cemark itself: with CEMARK_TEST_MAIN=1
// it runs main, so the process tests run real `cemark` subprocesses built
// once, with the test binary.
func TestMain(m *testing.M) {
	if os.Getenv("CEMARK_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(sbom.RunTests(m)) // and remove the image sources' temporary folders
}

// cemarkProcess starts `cemark args…` as a subprocess.
func cemarkProcess(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "CEMARK_TEST_MAIN=1", "NO_COLOR=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

func processExit(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

func setVersion(t *testing.T, dir, v string) {
	t.Helper()
	yaml := "product:\n  name: Widget\n  version: \"" + v + "\"\n  intended_purpose: Purpose " + v + "\n"
	if err := os.WriteFile(filepath.Join(dir, "cemark.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
}

func checkPair(t *testing.T, dir string) string {
	t.Helper()
	d, err := evidencetest.Check(dir, filepath.Join(dir, ".cemark"), "docs/cra")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestKilledRunsLeaveConsistentPairs kills real `cemark run` processes with
// SIGKILL: in the middle of a run, and inside the commit (when its journal
// appears, and a little later); after the recovery the next run starts
// with, the evidence and the technical file are one run's, and no
// temporary file is left.
func TestKilledRunsLeaveConsistentPairs(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	w := newWorld(t)
	dir := w.product
	journal := filepath.Join(dir, ".git", evidencedir.JournalFileName)
	setVersion(t, dir, "0")
	cmd, stderr := cemarkProcess(t, "run", dir)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("first run: %v\n%s", err, stderr)
	}
	prev := checkPair(t, dir)
	for i, when := range []time.Duration{-1, 0, 5 * time.Millisecond, 20 * time.Millisecond, 60 * time.Millisecond, 150 * time.Millisecond} {
		setVersion(t, dir, fmt.Sprint(i+1))
		cmd, _ := cemarkProcess(t, "run", dir)
		where := "in the middle of the run"
		if when < 0 {
			time.Sleep(time.Second)
		} else {
			// Kill once the commit has begun: its journal exists.
			where = fmt.Sprintf("%s into the commit", when)
			deadline := time.Now().Add(time.Minute)
			for time.Now().Before(deadline) {
				if _, err := os.Lstat(journal); err == nil {
					break
				}
				time.Sleep(50 * time.Microsecond)
			}
			time.Sleep(when)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if _, err := evidencedir.Recover(dir, filepath.Join(dir, ".git"), filepath.Join(dir, ".cemark")); err != nil {
			t.Fatalf("killed %s: recover: %v", where, err)
		}
		got, err := evidencetest.Check(dir, filepath.Join(dir, ".cemark"), "docs/cra")
		if err != nil {
			t.Fatalf("killed %s: %v", where, err)
		}
		t.Logf("killed %s: technical file changed: %v", where, got != prev)
		prev = got
	}
}

// TestSignalStopsARun: SIGTERM stops a run within seconds, with exit 143
// and the previous evidence whole.
func TestSignalStopsARun(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGTERM")
	}
	w := newWorld(t)
	dir := w.product
	setVersion(t, dir, "1")
	cmd, stderr := cemarkProcess(t, "run", dir)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("first run: %v\n%s", err, stderr)
	}
	before := checkPair(t, dir)
	setVersion(t, dir, "2")
	cmd, stderr = cemarkProcess(t, "run", dir)
	time.Sleep(500 * time.Millisecond) // inside the SBOM stage
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	took := time.Since(sent)
	if code := processExit(err); code != exitTerminated {
		t.Fatalf("exit %d, want %d\n%s", code, exitTerminated, stderr)
	}
	if took > 10*time.Second {
		t.Errorf("the run took %s to stop", took)
	}
	if !strings.Contains(stderr.String(), "stopping") {
		t.Errorf("no word of the stop:\n%s", stderr)
	}
	if got := checkPair(t, dir); got != before {
		t.Error("the interrupted run changed the technical file")
	}
}

// TestConcurrentRuns starts pairs of runs on one tree. A run that finds
// the lock held fails at once (exit 1) naming the lock and its holder, or
// with --lock-timeout waits its turn; every surviving run.json lists
// exactly the files present, with their digests.
func TestConcurrentRuns(t *testing.T) {
	w := newWorld(t)
	dir := w.product
	lock := filepath.Join(dir, ".git", evidencedir.LockFileName)
	losers := 0
	for i := range 6 {
		setVersion(t, dir, fmt.Sprint(i))
		args := []string{"run", dir}
		if i%3 == 2 {
			args = append(args, "--lock-timeout", "2m")
		}
		var wg sync.WaitGroup
		codes := make([]int, 2)
		errs := make([]string, 2)
		pids := make([]int, 2)
		for j := range 2 {
			cmd, stderr := cemarkProcess(t, args...)
			pids[j] = cmd.Process.Pid
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[j] = processExit(cmd.Wait())
				errs[j] = stderr.String()
			}()
		}
		wg.Wait()
		for j := range 2 {
			switch codes[j] {
			case exitOK:
			case exitBroke:
				losers++
				if i%3 == 2 {
					t.Errorf("pair %d: a run with --lock-timeout failed:\n%s", i, errs[j])
				}
				want := fmt.Sprintf("another cemark run holds %s (pid %d)", lock, pids[1-j])
				if !strings.Contains(errs[j], want) {
					t.Errorf("pair %d: the loser does not say %q:\n%s", i, want, errs[j])
				}
			default:
				t.Errorf("pair %d: exit %d\n%s", i, codes[j], errs[j])
			}
		}
		if codes[0] != exitOK && codes[1] != exitOK {
			t.Errorf("pair %d: neither run finished", i)
		}
		checkPair(t, dir)
	}
	if losers == 0 {
		t.Error("no run ever found the lock held; the pairs did not overlap")
	}
}
