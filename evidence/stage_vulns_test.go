package evidence

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/report"
	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

// vulnerableProduct copies evidence/vulns/testdata/product (log4j-core
// 2.14.1, in CISA's KEV catalogue, lodash, moment, golang.org/x/text) into
// a temporary folder.
func vulnerableProduct(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("vulns", "testdata", "product"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestKEVFindingBecomesCandidateEvent: Art. 14(1) obliges the manufacturer
// to notify "any actively exploited vulnerability contained in the product
// with digital elements that it becomes aware of". A KEV-listed
// vulnerability the scan of the SBOM finds is a candidate reportable event
// (CEM-RPT-001), in the run and in `cemark check`, with a tiny database
// built offline by grype's own writer.
func TestKEVFindingBecomesCandidateEvent(t *testing.T) {
	dir := vulnerableProduct(t)
	db := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	env := map[string]string{"SOURCE_DATE_EPOCH": "1793491200"} // 2026-11-01
	getenv := func(k string) string { return env[k] }
	ev, err := Run(context.Background(), Options{Root: dir, VulnDB: db, Stages: RunStages.Without(StageDocs), Sign: "none", Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, r *checks.Report) {
		t.Helper()
		var kev *checks.Finding
		for _, f := range r.Findings() {
			if f.Check == report.IDCandidate && f.Key == "CVE-2021-44228" {
				kev = &f
			}
		}
		if kev == nil {
			t.Fatalf("no CEM-RPT-001 finding for CVE-2021-44228: %+v", r.Findings())
		}
		for _, want := range []string{"Known Exploited Vulnerabilities catalogue (added 2021-12-10)", "log4j-core@2.14.1 (pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1)",
			"2026-11-01T00:00:00Z (first seen in the evidence history)", "cemark report open --kind vulnerability --vuln CVE-2021-44228"} {
			if !strings.Contains(kev.Message, want) {
				t.Errorf("CEM-RPT-001 lacks %q:\n%s", want, kev.Message)
			}
		}
		if kev.Outcome != checks.Fail || kev.Values["kev_date_added"] != "2021-12-10" {
			t.Errorf("CEM-RPT-001: %+v", kev)
		}
	}
	t.Run("run", func(t *testing.T) { check(t, ev.Report) })
	t.Run("check", func(t *testing.T) {
		// cemark check makes no SBOM: it scans the one the run left.
		ev, err := Run(context.Background(), Options{Root: dir, VulnDB: db, Stages: CheckStages, Checks: []string{report.IDCandidate}, Getenv: getenv})
		if err != nil {
			t.Fatal(err)
		}
		check(t, ev.Report)
	})
}

// TestTechnicalFileSameWithTomorrowsDatabase: the database is rebuilt
// every day (a new build date and checksum, new EPSS scores). A technical
// file written with yesterday's database passes `cemark docs --check` with
// today's, when no advisory affecting the product changed: the database's
// facts are in run.json and the vulnerability statement, not in docs/cra.
func TestTechnicalFileSameWithTomorrowsDatabase(t *testing.T) {
	dir := vulnerableProduct(t)
	// Options beyond the fixtures make each database a build of its own.
	opts := vulndbtest.Options{Names: map[string][]string{"npm": {"not-in-the-product"}}}
	yesterday := vulndbtest.Install(t, t.TempDir(), opts)
	time.Sleep(1100 * time.Millisecond) // the build timestamp has whole seconds
	today := vulndbtest.Install(t, t.TempDir(), opts)
	env := map[string]string{"SOURCE_DATE_EPOCH": "1793491200"}
	getenv := func(k string) string { return env[k] }
	run := func(db string, check bool) *Evidence {
		t.Helper()
		stages := RunStages
		if check {
			stages = DocsStages.Without(StageWrite) // cemark docs --check
		}
		ev, err := Run(context.Background(), Options{Root: dir, VulnDB: db, Stages: stages, DocsCheck: check, Getenv: getenv})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	first := run(yesterday, false)
	second := run(today, true)
	if first.Vulns.DB.Checksum == second.Vulns.DB.Checksum {
		t.Fatalf("the two databases are the same build (%s): the test shows nothing", first.Vulns.DB.Checksum)
	}
	if second.TechFile.Stale() {
		t.Errorf("the technical file is stale with today's database:\n%s", second.TechFile.Diff)
	}
}
