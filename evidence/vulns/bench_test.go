package vulns

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	syftpkg "github.com/anchore/syft/syft/pkg"

	"github.com/cemark/cemark/evidence/sbom"
	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
	"github.com/cemark/cemark/internal/cputime"
)

// BenchmarkVulnsOverhead measures what the vulnerability stage adds to the
// SBOM stage on the directory scripts/bench-sbom scans by default (this
// repository; CEMARK_BENCH_DIR for another), with a warm database: each
// iteration makes the SBOM (sbom.Generate, as `cemark run` does), then
// opens the database once (checksum verified), matches the catalogue and
// applies VEX. It reports both stages' times and the overhead in percent
// (target: at most 15 %), by the wall clock and, where the platform tells,
// by the process's CPU time (cpu-overhead-%: the work the scan adds,
// which a busy shared machine distorts less than the wall clock).
//
// No real grype database can be downloaded here, so the database is built
// with grype's own writer: the real advisories of testdata plus
// CEMARK_BENCH_VULNS synthetic advisories (default 100000) spread over
// npm, Go, PyPI and Maven, plus one advisory for every package name in the
// SBOM, so that every look-up finds rows and compares versions.
// CEMARK_BENCH_DB=DIR keeps that database for the next run.
// CEMARK_BENCH_NAMED=0 leaves out the advisories named after the SBOM's
// packages: the other end of the range, where (as for most of a real
// project's modules) a look-up finds no rows.
func BenchmarkVulnsOverhead(b *testing.B) {
	root := os.Getenv("CEMARK_BENCH_DIR")
	if root == "" {
		root = filepath.Join("..", "..")
	}
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("CEMARK_BENCH_VULNS")); err == nil && v >= 0 {
		n = v
	}
	ctx := context.Background()
	cfg := sbom.Config{Root: root, Created: time.Unix(1700000000, 0)}
	res, err := sbom.Generate(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	names := map[string][]string{}
	for _, p := range res.Catalogue.Artifacts.Packages.Sorted() {
		switch p.Type {
		case syftpkg.GoModulePkg:
			names["go"] = append(names["go"], p.Name)
		case syftpkg.NpmPkg:
			names["npm"] = append(names["npm"], p.Name)
		case syftpkg.PythonPkg:
			names["python"] = append(names["python"], p.Name)
		case syftpkg.JavaPkg:
			if m, ok := p.Metadata.(syftpkg.JavaArchive); ok && m.PomProperties != nil {
				names["maven"] = append(names["maven"], m.PomProperties.GroupID+":"+m.PomProperties.ArtifactID)
			}
		}
	}
	if os.Getenv("CEMARK_BENCH_NAMED") == "0" {
		names = nil
	}
	// CEMARK_BENCH_DB keeps the built database between runs (it takes
	// minutes to build): an existing one there is used as it is.
	dbDir := os.Getenv("CEMARK_BENCH_DB")
	start := time.Now()
	if _, err := Status(dbDir, 0, time.Now()); dbDir == "" || err != nil {
		if dbDir == "" {
			dbDir = b.TempDir()
		}
		vulndbtest.Install(b, dbDir, vulndbtest.Options{Synthetic: n, Names: names})
	}
	built := time.Since(start)
	fi, err := os.Stat(filepath.Join(dbDir, "6", "vulnerability.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("database: %d synthetic + %d named + 4 real advisories, %.1f MB, built in %s; SBOM: %d packages",
		n, len(names["go"])+len(names["npm"])+len(names["python"])+len(names["maven"]), float64(fi.Size())/(1<<20), built.Round(time.Second), res.Catalogue.Artifacts.Packages.PackageCount())
	// Warm: one open and match before timing.
	if _, err := scanOnce(ctx, dbDir, res); err != nil {
		b.Fatal(err)
	}
	var sbomTime, vulnTime, sbomCPU, vulnCPU time.Duration
	matches := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), cputime.Now()
		r, err := sbom.Generate(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		t1, c1 := time.Now(), cputime.Now()
		if matches, err = scanOnce(ctx, dbDir, r); err != nil {
			b.Fatal(err)
		}
		sbomTime += t1.Sub(t0)
		vulnTime += time.Since(t1)
		sbomCPU += c1 - c0
		vulnCPU += cputime.Now() - c1
	}
	b.ReportMetric(float64(sbomTime.Milliseconds())/float64(b.N), "sbom-ms/op")
	b.ReportMetric(float64(vulnTime.Milliseconds())/float64(b.N), "vulns-ms/op")
	b.ReportMetric(100*float64(vulnTime)/float64(sbomTime), "overhead-%")
	if sbomCPU > 0 {
		b.ReportMetric(float64(sbomCPU.Milliseconds())/float64(b.N), "sbom-cpu-ms/op")
		b.ReportMetric(float64(vulnCPU.Milliseconds())/float64(b.N), "vulns-cpu-ms/op")
		b.ReportMetric(100*float64(vulnCPU)/float64(sbomCPU), "cpu-overhead-%")
	}
	b.ReportMetric(float64(matches), "matches")
}

func scanOnce(ctx context.Context, dbDir string, res *sbom.Result) (int, error) {
	db, err := Open(ctx, dbDir, 0, time.Now())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	scan, err := db.Match(ctx, res.Catalogue, MatchInput{SBOMName: "sbom.cdx.json"})
	if err != nil {
		return 0, err
	}
	stmts, docs := LoadVEX(filepath.Join("..", ".."), nil)
	scan.VEX = docs
	ApplyVEX(scan, stmts)
	return len(scan.Matches), nil
}
