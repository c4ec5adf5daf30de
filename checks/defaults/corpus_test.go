package defaults

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/internal/corpustest"
	"github.com/cemark/cemark/checks/surface"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite expect.yaml findings from the current results (review the diff!)")

// minCorpusCases is the size the issue asks of the corpus.
const minCorpusCases = 150

// corpusChecks are the families the corpus cases are written against.
func corpusChecks() []checks.Check {
	cs := append([]checks.Check(nil), checks.FrameworkChecks()...)
	cs = append(cs, Checks()...)
	cs = append(cs, surface.Checks()...)
	return cs
}

func TestCorpus(t *testing.T) {
	reg, err := checks.NewRegistry(corpusChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	corpustest.Run(t, reg, filepath.Join("testdata", "corpus"), corpustest.Options{Min: minCorpusCases, Update: *updateCorpus})
}
