package all

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"testing"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/internal/treegen"
	"github.com/cemark/cemark/evidence/config"
)

// runAll walks root and runs every check of every family, as the checks
// stage of `cemark run` does.
func runAll(tb testing.TB, root string) (*checks.Target, *checks.Report) {
	tb.Helper()
	ctx := context.Background()
	reg, err := Registry()
	if err != nil {
		tb.Fatal(err)
	}
	t, err := checks.NewTarget(ctx, root, &config.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	t.Now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	rep, err := checks.Run(ctx, reg, t, checks.RunOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return t, rep
}

// TestEveryCheckReadsEachFileOnce runs the whole catalogue over a
// generated tree: no file is opened twice, whichever families read it.
func TestEveryCheckReadsEachFileOnce(t *testing.T) {
	dir := t.TempDir()
	treegen.Write(t, dir, 1000)
	tgt, rep := runAll(t, dir)
	opened := map[string]bool{}
	for _, f := range tgt.Files.List() {
		opened[f.Path] = true
	}
	if reads := tgt.Files.DiskReads(); reads > int64(len(opened)) {
		t.Errorf("%d files opened from disk for %d files in the tree: some were read twice", reads, len(opened))
	}
	if rep.Summary.Error != 0 {
		t.Errorf("%d checks broke on the generated tree", rep.Summary.Error)
	}
}

// TestReportWhateverTheProcessors: the checks run one per processor at
// a time (checks.Run), and the report is the one a single processor makes,
// byte for byte.
func TestReportWhateverTheProcessors(t *testing.T) {
	dir := t.TempDir()
	treegen.Write(t, dir, 1000)
	report := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		_, rep := runAll(t, dir)
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	one := report(1)
	for range 3 {
		if !bytes.Equal(report(4), one) {
			t.Fatal("the report on four processors differs from the one on one")
		}
	}
}

// BenchmarkAllChecks10k is the figure issue 3 asks for: every check of
// every family over a generated 10 000-file tree, walk included.
func BenchmarkAllChecks10k(b *testing.B) {
	dir := b.TempDir()
	treegen.Write(b, dir, 10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runAll(b, dir)
	}
}
