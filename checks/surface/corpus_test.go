package surface

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/internal/corpustest"
)

// The corpus follows checks/defaults' format (checks/internal/corpustest).

var updateCorpus = flag.Bool("update-corpus", false, "rewrite expect.yaml findings from the current results (review the diff!)")

const minCorpusCases = 40

func TestCorpus(t *testing.T) {
	cs := append([]checks.Check(nil), checks.FrameworkChecks()...)
	cs = append(cs, Checks()...)
	reg, err := checks.NewRegistry(cs...)
	if err != nil {
		t.Fatal(err)
	}
	corpustest.Run(t, reg, filepath.Join("testdata", "corpus"), corpustest.Options{Min: minCorpusCases, Update: *updateCorpus})
}
