package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// TestMemprofileSamplesAgain: main turns heap-profile sampling off, and
// --memprofile turns it back on, so the profile it writes has samples.
func TestMemprofileSamplesAgain(t *testing.T) {
	old := runtime.MemProfileRate
	t.Cleanup(func() { runtime.MemProfileRate = old })
	runtime.MemProfileRate = 0 // as main sets it
	path := filepath.Join(t.TempDir(), "heap.pb.gz")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"version", "--memprofile", path},
		&env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if runtime.MemProfileRate != memProfileRate {
		t.Errorf("MemProfileRate = %d after --memprofile, want %d", runtime.MemProfileRate, memProfileRate)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := profile.Parse(f); err != nil {
		t.Errorf("heap profile: %v", err)
	}
}
