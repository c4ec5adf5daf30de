package cache

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBuildID: the ID read from the executable is the one `go tool buildid`
// reads.
func TestBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	if got, want := BuildID(), strings.TrimSpace(string(out)); got != want {
		t.Errorf("BuildID() = %q, go tool buildid says %q", got, want)
	}
}
