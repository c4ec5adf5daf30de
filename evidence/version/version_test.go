package version

import (
	"os"
	"regexp"
	"testing"
)

func TestPinnedSyftMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/anchore/syft (v[^\s]+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("syft not in go.mod")
	}
	if string(m[1]) != pinnedSyft {
		t.Fatalf("pinnedSyft = %s, go.mod has %s", pinnedSyft, m[1])
	}
}

func TestGet(t *testing.T) {
	i := Get()
	if i.Cemark == "" || i.Syft == "" || i.GoVersion == "" {
		t.Fatalf("incomplete: %+v", i)
	}
}

func TestPinnedGrypeMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/anchore/grype (v[^\s]+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("grype not in go.mod")
	}
	if string(m[1]) != pinnedGrype {
		t.Fatalf("pinnedGrype = %s, go.mod has %s", pinnedGrype, m[1])
	}
}
