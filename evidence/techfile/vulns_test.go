package techfile

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
)

// TestSameFileWhateverTheDatabaseDay: the vulnerability database is
// rebuilt every day, with new EPSS scores and a new checksum. The
// technical file states the scan without them — its build date and
// checksum go to run.json and the vulnerability statement — so it stays
// the same until the product's vulnerabilities change; a new advisory
// that affects the product changes it, which is evidence.
func TestSameFileWhateverTheDatabaseDay(t *testing.T) {
	render := func(scan *vulnscan.Scan) map[string]string {
		t.Helper()
		cfg := fixtureConfig(config.ClassDefault)
		in := fixtureInput(cfg)
		in.Vulns = scan
		in.Report = fixtureReportFor(scan)
		in.Assessment = conformity.AssessWith(cfg, in.Report, conformity.Inputs{VulnScan: &in.Report.Facts.Vulnerabilities.Summary})
		root := newRepo(t)
		mustRender(t, in, Options{Root: root})
		return readBundle(t, filepath.Join(root, "docs", "cra"))
	}
	today := render(fixtureScan())
	tomorrow := fixtureScan()
	tomorrow.DB.Built = tomorrow.DB.Built.Add(24 * time.Hour)
	tomorrow.DB.Checksum = "xxh64:fedcba9876543210"
	tomorrow.DB.Age = vulnscan.Duration(3 * time.Hour)
	tomorrow.DB.Providers = []vulnscan.Provider{{Name: "epss", Captured: tomorrow.DB.Built}}
	for i := range tomorrow.Matches {
		for j := range tomorrow.Matches[i].EPSS {
			tomorrow.Matches[i].EPSS[j].Score += 0.01
			tomorrow.Matches[i].EPSS[j].Date = "2026-11-20"
		}
	}
	if d := cmp.Diff(today, render(tomorrow)); d != "" {
		t.Errorf("the technical file changed with the database's day (-today +tomorrow):\n%s", d)
	}
	for name, doc := range today {
		for _, volatile := range []string{"xxh64:", "EPSS 1.2%", "built 2026-11-19", "2026-11-19"} {
			if strings.Contains(doc, volatile) {
				t.Errorf("%s holds %q", name, volatile)
			}
		}
	}
	// A new advisory that affects the product changes it.
	advisory := fixtureScan()
	advisory.Matches = append(advisory.Matches, vulnscan.Match{ID: "GHSA-new0-new0-new0", Severity: "medium", FixedIn: []string{"2.29.5"}, FirstSeen: "2026-11-20",
		Package: vulnscan.Package{Name: "moment", Version: "2.29.1", Type: "npm"}})
	vulnscan.SortMatches(advisory.Matches)
	newer := render(advisory)
	for _, doc := range []string{docVuln, docRisk, docTests} {
		if newer[doc] == today[doc] || !strings.Contains(newer[doc], "GHSA-new0-new0-new0") && doc != docTests {
			t.Errorf("%s did not change with a new advisory that affects the product", doc)
		}
	}
}
