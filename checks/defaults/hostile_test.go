//go:build unix

// The hostile tree needs a FIFO, symbolic links and file modes.

package defaults

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cemark/cemark/checks"
)

// aliasBomb is the "billion laughs" of YAML: each level doubles… by nine.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(n + ": &" + n + " [")
		for i := 0; i < 9; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = n
	}
	b.WriteString("password: *i\n")
	return b.String()
}

// TestHostileInput runs the whole registry over a tree of hostile files
// next to one ordinary Dockerfile: the run must finish, report each bad
// file clearly, and still judge the good one.
func TestHostileInput(t *testing.T) {
	root := t.TempDir()
	write := func(rel string, data []byte) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The file that must still be judged.
	write("Dockerfile", []byte("FROM alpine:3.20@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nUSER root\n"))
	// Over MaxFileSize: not read, reported.
	write("huge/.env", bytes.Repeat([]byte("DB_PASSWORD=Xk9mQ2vLr7\n"), checks.MaxFileSize/20))
	// Under the limit but large, one very long line: read, bounded work.
	write("long/app.py", append([]byte("x = '"), append(bytes.Repeat([]byte("verify=False "), 200_000), []byte("'\n")...)...))
	// Binary files with names the family reads.
	write("bin/Dockerfile", []byte("FROM alpine\x00\x01\x02USER root\n"))
	write("bin/settings.py", []byte("\x00\x00DEBUG = True\n"))
	// YAML alias bombs and deep nesting, as a Spring config and as a manifest.
	write("bomb/application.yml", []byte(aliasBomb()))
	write("bomb/k8s.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"+aliasBomb()))
	write("deep/application.yml", []byte(strings.Repeat("a:\n", 1)+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+"\n"))
	// Broken syntax of every kind.
	write("broken/Dockerfile", []byte("FROM\nUSER\nRUN <<EOF\nunterminated heredoc\n"))
	write("broken/compose.yaml", []byte("services:\n  app: [unclosed\n"))
	write("broken/main.go", []byte("package main\nfunc main() { tls.Config{InsecureSkipVerify: true\n"))
	write("broken/appsettings.json", []byte("{\"Jwt\": {\"Secret\": \n"))
	// Deeply nested Go.
	write("deep/nest.go", []byte("package x\nvar v = "+strings.Repeat("(", 20000)+"1"+strings.Repeat(")", 20000)+"\n"))
	// A symbolic link pointing outside the root, with a name the family reads.
	outside := filepath.Join(t.TempDir(), "secret.env")
	if err := os.WriteFile(outside, []byte("DB_PASSWORD=Xk9mQ2vLr7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, ".env")); err != nil {
		t.Fatal(err)
	}
	// A folder where a file is expected, and a FIFO: neither is read.
	if err := os.MkdirAll(filepath.Join(root, "odd", "settings.py"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "odd", "redis.conf"), 0o644); err != nil {
		t.Logf("no FIFO on this system: %v", err)
	}
	// An unreadable file. Root reads it anyway; then this part proves nothing
	// and the test says so instead of pretending.
	write("locked/app.ini", []byte("password = Xk9mQ2vLr7\n"))
	if err := os.Chmod(filepath.Join(root, "locked", "app.ini"), 0); err != nil {
		t.Fatal(err)
	}
	lockedReadable := false
	if f, err := os.Open(filepath.Join(root, "locked", "app.ini")); err == nil {
		lockedReadable = true
		f.Close()
	}

	reg, err := checks.NewRegistry(corpusChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tgt, err := checks.NewTarget(ctx, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := checks.Run(ctx, reg, tgt, checks.RunOptions{})
	if err != nil {
		t.Fatalf("run: %v", err)
	}

	for _, res := range rep.Results {
		if res.Error != "" {
			t.Errorf("%s broke: %s", res.ID, res.Error)
		}
	}
	has := func(check, path string, o checks.Outcome) bool {
		for _, f := range rep.Findings() {
			if f.Check == check && f.Path == path && f.Outcome == o {
				return true
			}
		}
		return false
	}
	if !has(IDRootUser, "Dockerfile", checks.Fail) {
		t.Errorf("the ordinary Dockerfile was not judged among hostile files")
	}
	for _, p := range []string{"bomb/application.yml", "deep/application.yml", "broken/appsettings.json"} {
		if !has(IDCredential, p, checks.Warn) {
			t.Errorf("%s: no 'not assessed' warning", p)
		}
	}
	fileErr := map[string]string{}
	for _, fe := range rep.FileErrors {
		fileErr[fe.Path] = fe.Err
	}
	for p, want := range map[string]string{
		"huge/.env":       "too large",
		"bin/Dockerfile":  "binary",
		"bin/settings.py": "binary",
		".env":            "outside the product root",
	} {
		if got, ok := fileErr[p]; !ok || !strings.Contains(got, want) {
			t.Errorf("file error for %s = %q, want one saying %q", p, got, want)
		}
	}
	if lockedReadable {
		t.Logf("running as root: a chmod 000 file is still readable, so unreadable-file handling is covered by the binary, oversized and symlink cases")
	} else if _, ok := fileErr["locked/app.ini"]; !ok {
		t.Errorf("unreadable locked/app.ini not reported")
	}
	// Nothing was read through the outside link.
	for _, f := range rep.Findings() {
		if f.Path == ".env" {
			t.Errorf("a finding for the symlink pointing outside the root: %+v", f)
		}
	}
}
