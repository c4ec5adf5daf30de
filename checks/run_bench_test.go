package checks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cemark/cemark/evidence/config"
)

// BenchmarkRun10k runs a check that reads each of 10 000 files and fails on
// every one, so the runner's own work (metadata, masking, test paths,
// waivers, inline ignores, sorting) is measured at scale. The walk is not
// timed.
func BenchmarkRun10k(b *testing.B) {
	root := b.TempDir()
	for i := 0; i < 10000; i++ {
		dir := filepath.Join(root, fmt.Sprintf("d%03d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		body := "FROM alpine\nENV DB_PASSWORD=hunter2\nUSER root\n"
		if i%10 == 0 {
			body = "FROM alpine\n# cemark:ignore CEM-TST-001 benchmark\nUSER root\n"
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	cfg := &config.Config{Waivers: []config.Waiver{{Check: "CEM-TST-001", Path: "d001/**", Justification: "bench"}}}
	readAll := fakeCheck{meta: meta("CEM-TST-001"),
		collect: func(_ context.Context, t *Target) (any, error) {
			var fs []Finding
			for _, e := range t.Files.List() {
				data, err := t.Files.Read(e.Path)
				if err != nil {
					return nil, err
				}
				fs = append(fs, Finding{Outcome: Fail, Path: e.Path, Line: 3, Message: "runs as root", Snippet: string(data[:len(data)-1]), Key: "user"})
			}
			return fs, nil
		},
		evaluate: func(f any) ([]Finding, error) { return f.([]Finding), nil }}
	reg, err := NewRegistry(append(FrameworkChecks(), readAll)...)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		t, err := NewTarget(context.Background(), root, cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := Run(context.Background(), reg, t, RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Summary.Waived != 1000+90 {
			b.Fatalf("waived = %d", rep.Summary.Waived)
		}
	}
}
