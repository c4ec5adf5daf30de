package surface

import (
	"context"
	"testing"
	"time"

	"github.com/cemark/cemark/checks/internal/treegen"
	"github.com/cemark/cemark/internal/cputime"
)

// genTree writes the shared generated tree (checks/internal/treegen) and
// returns how many files the surface collection should read.
func genTree(tb testing.TB, dir string, n int) (candidates int) { return treegen.Write(tb, dir, n) }

// TestEachFileReadOnce: the collection reads every candidate file exactly
// once and nothing else; collecting again (as every check does) reads
// nothing more.
func TestEachFileReadOnce(t *testing.T) {
	dir := t.TempDir()
	want := genTree(t, dir, 2000)
	tgt := target(t, dir, nil)
	facts, err := Collect(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if got := tgt.Files.DiskReads(); got != int64(want) {
		t.Errorf("read %d files, want %d (each candidate once, nothing else)", got, want)
	}
	for _, c := range Checks() {
		if _, err := c.Collect(context.Background(), tgt); err != nil {
			t.Fatal(err)
		}
	}
	if got := tgt.Files.DiskReads(); got != int64(want) {
		t.Errorf("after every check collected: %d reads, want still %d", got, want)
	}
	if len(facts.Inventory.Interfaces) == 0 || len(facts.Issues) != 0 {
		t.Errorf("inventory: %d interfaces, issues %v", len(facts.Inventory.Interfaces), facts.Issues)
	}
}

// BenchmarkCollect10k walks a 10 000-file tree and collects the surface
// (every parser) over it, as one run does.
func BenchmarkCollect10k(b *testing.B) {
	dir := b.TempDir()
	genTree(b, dir, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Now()
	for i := 0; i < b.N; i++ {
		tgt := target(b, dir, nil)
		if _, err := Collect(context.Background(), tgt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cputime.Now()-start)/float64(b.N)/1e9, "cpu-s/op")
}

// BenchmarkCollectOnly10k times the collection alone (walk excluded).
func BenchmarkCollectOnly10k(b *testing.B) {
	dir := b.TempDir()
	genTree(b, dir, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tgt := target(b, dir, nil)
		c0 := cputime.Now()
		b.StartTimer()
		if _, err := Collect(context.Background(), tgt); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cputime.Now() - c0
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu)/float64(b.N)/1e9, "cpu-s/op")
}
