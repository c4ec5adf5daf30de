package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
)

// stageUI shows the pipeline's progress on stderr. On a terminal one line
// per stage is redrawn as work goes on (packages found, …); in CI and logs
// (no TTY) each stage prints one line with its duration when it ends.
type stageUI struct {
	w     io.Writer
	tty   bool
	color bool
	mu    sync.Mutex
	last  time.Time
	open  bool
}

func newStageUI(w io.Writer, getenv func(string) string) *stageUI {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = isatty.IsTerminal(f.Fd()) && getenv("CI") == "" && getenv("TERM") != "dumb"
	}
	return &stageUI{w: w, tty: tty, color: tty && getenv("NO_COLOR") == ""}
}

func (u *stageUI) paint(code, s string) string {
	if !u.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (u *stageUI) StageStarted(stage string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.tty {
		fmt.Fprintf(u.w, "\r\x1b[K%s %s …", u.paint("36", "▸"), stage)
		u.open = true
	}
}

func (u *stageUI) StageUpdate(stage, detail string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	// Redraw at most ten times a second: syft reports every package.
	if !u.tty || time.Since(u.last) < 100*time.Millisecond {
		return
	}
	u.last = time.Now()
	fmt.Fprintf(u.w, "\r\x1b[K%s %s … %s", u.paint("36", "▸"), stage, truncate(detail, 70))
	u.open = true
}

func (u *stageUI) StageFinished(stage string, took time.Duration, summary string, err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.tty {
		fmt.Fprint(u.w, "\r\x1b[K")
		u.open = false
	}
	d := took.Round(time.Millisecond)
	if err != nil {
		fmt.Fprintf(u.w, "%s %-7s failed after %s\n", u.paint("31", "✗"), stage, d)
		return
	}
	mark := "ok"
	if u.tty {
		mark = u.paint("32", "✓")
	}
	fmt.Fprintf(u.w, "%s %-7s %8s  %s\n", mark, stage, d, summary)
}

func (u *stageUI) Notice(msg string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.open {
		fmt.Fprint(u.w, "\r\x1b[K")
		u.open = false
	}
	fmt.Fprintf(u.w, "%s %s\n", u.paint("33", "notice:"), msg)
}

func truncate(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// noticesOnly passes a person's notices on and drops the stage events:
// for commands whose output is a report (check, ports), where a line per
// stage would be noise.
type noticesOnly struct{ *stageUI }

func (noticesOnly) StageStarted(string)                                {}
func (noticesOnly) StageUpdate(string, string)                         {}
func (noticesOnly) StageFinished(string, time.Duration, string, error) {}
