package vulns

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/sbom"
	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

var (
	productOnce sync.Once
	productRes  *sbom.Result
	productErr  error
)

// productSBOM is the SBOM of testdata/product (go.mod, package-lock.json,
// pom.xml with vulnerable versions), made once by cemark's SBOM stage.
func productSBOM(t testing.TB) *sbom.Result {
	t.Helper()
	productOnce.Do(func() {
		productRes, productErr = sbom.Generate(context.Background(), sbom.Config{Root: filepath.Join("testdata", "product"), Created: time.Unix(1767225600, 0)})
	})
	if productErr != nil {
		t.Fatal(productErr)
	}
	return productRes
}

// scanWith matches the product fixture against the database in dbDir.
func scanWith(t testing.TB, dbDir string, now time.Time) *vulnscan.Scan {
	t.Helper()
	db, err := Open(context.Background(), dbDir, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	scan, err := db.Match(context.Background(), productSBOM(t).Catalogue, MatchInput{SBOMName: "sbom.cdx.json", SBOMSHA256: "abc", Time: time.Unix(1767225600, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return scan
}

func scanProduct(t testing.TB) *vulnscan.Scan {
	t.Helper()
	return scanWith(t, vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{}), time.Now())
}

func byID(scan *vulnscan.Scan) map[string]vulnscan.Match {
	out := map[string]vulnscan.Match{}
	for _, m := range scan.Matches {
		out[m.ID] = m
	}
	return out
}

func TestMatchFindsRealAdvisories(t *testing.T) {
	scan := scanProduct(t)
	got := map[string]string{}
	for _, m := range scan.Matches {
		got[m.ID] = m.Package.Name + "@" + m.Package.Version
	}
	want := map[string]string{
		"GHSA-5rcv-m4m3-hfh7": "golang.org/x/text@v0.3.2",
		"GHSA-35jh-r3h4-6jhm": "lodash@4.17.20",
		"GHSA-jfh8-c2jp-5v3q": "log4j-core@2.14.1",
		"GHSA-8hfj-j24r-96c4": "moment@2.29.1",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("matches (-want +got):\n%s", d)
	}
	// lodash is locked twice (package-lock.json and web/package-lock.json):
	// one match per package, each with its own file and SBOM component.
	refs := map[string]string{} // location → bom-ref
	for _, x := range scan.Matches {
		if x.Package.Name == "lodash" {
			refs[strings.Join(x.Package.Locations, ",")] = x.Package.Ref
		}
	}
	if len(scan.Matches) != 5 || len(refs) != 2 || refs["/package-lock.json"] == "" || refs["/web/package-lock.json"] == "" || refs["/package-lock.json"] == refs["/web/package-lock.json"] {
		t.Errorf("%d matches; lodash: %q", len(scan.Matches), refs)
	}
	if !scan.Assessed || scan.DB == nil || scan.Packages == 0 {
		t.Fatalf("scan = %+v", scan)
	}
	// KEV first, then by severity.
	if scan.Matches[0].ID != "GHSA-jfh8-c2jp-5v3q" {
		t.Errorf("first match %s, want the KEV one", scan.Matches[0].ID)
	}
	m := byID(scan)
	log4j := m["GHSA-jfh8-c2jp-5v3q"]
	checks := []struct{ name, got, want string }{
		{"alias", strings.Join(log4j.Aliases, ","), "CVE-2021-44228"},
		{"severity", log4j.Severity, "critical"},
		{"fixed in", strings.Join(log4j.FixedIn, ","), "2.15.0"},
		{"fix state", log4j.FixState, "fixed"},
		{"purl", log4j.Package.PURL, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
		{"location", strings.Join(log4j.Package.Locations, ","), "/pom.xml"},
		{"cvss", log4j.CVSS[0].Vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"},
		{"kev cve", log4j.KEV[0].CVE, "CVE-2021-44228"},
		{"kev added", log4j.KEV[0].DateAdded, "2021-12-10"},
		{"kev due", log4j.KEV[0].DueDate, "2021-12-24"},
		{"kev ransomware", strings.ToLower(log4j.KEV[0].RansomwareUse), "known"},
		{"epss date", log4j.EPSS[0].Date, "2025-01-01"},
		{"lodash fixed", strings.Join(m["GHSA-35jh-r3h4-6jhm"].FixedIn, ","), "4.17.21"},
		{"moment fixed", strings.Join(m["GHSA-8hfj-j24r-96c4"].FixedIn, ","), "2.29.2"},
		{"text fixed", strings.Join(m["GHSA-5rcv-m4m3-hfh7"].FixedIn, ","), "0.3.3"},
		{"text alias", strings.Join(m["GHSA-5rcv-m4m3-hfh7"].Aliases, ","), "CVE-2020-14040"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if e := log4j.EPSS[0]; e.Score != 0.94358 || e.Percentile != 0.99961 {
		t.Errorf("EPSS = %+v", e)
	}
	if log4j.CVSS[0].BaseScore != 10 {
		t.Errorf("CVSS score %v", log4j.CVSS[0].BaseScore)
	}
	for _, x := range scan.Matches {
		if x.ID != "GHSA-jfh8-c2jp-5v3q" && len(x.KEV) > 0 {
			t.Errorf("%s has a KEV entry", x.ID)
		}
		if len(x.EPSS) != 1 {
			t.Errorf("%s EPSS = %+v", x.ID, x.EPSS)
		}
	}
}

// Every match points at a component of the CycloneDX document cemark
// wrote, by its bom-ref.
func TestMatchRefsAreSBOMComponents(t *testing.T) {
	scan := scanProduct(t)
	res := productSBOM(t)
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(strings.NewReader(string(res.CycloneDX)), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	refs := map[string]bool{}
	for _, c := range *bom.Components {
		refs[c.BOMRef] = true
	}
	for _, m := range scan.Matches {
		if m.Package.Ref == "" || !refs[m.Package.Ref] {
			t.Errorf("%s: ref %q is not a component of sbom.cdx.json", m.ID, m.Package.Ref)
		}
	}
}

func TestOpenWithoutDatabase(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(context.Background(), dir, 0, time.Now())
	var nd *NoDBError
	if !errors.Is(err, ErrNoDB) || !errors.As(err, &nd) {
		t.Fatalf("Open on an empty folder: %v, want a NoDBError", err)
	}
	if !strings.Contains(err.Error(), UpdateCommand) {
		t.Errorf("the error does not say how to fix it: %v", err)
	}
	if _, err := Status(dir, 0, time.Now()); !errors.Is(err, ErrNoDB) {
		t.Errorf("Status: %v", err)
	}
	if _, err := Open(context.Background(), "", 0, time.Now()); !errors.Is(err, ErrNoDB) {
		t.Errorf("Open with no folder: %v", err)
	}
}

func TestStaleDatabase(t *testing.T) {
	dir := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	fresh, err := Status(dir, 5*24*time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Stale || fresh.Checksum == "" || !strings.HasPrefix(fresh.Schema, "v6.") || fresh.Built.IsZero() {
		t.Fatalf("fresh database: %+v", fresh)
	}
	wantProviders := []string{"epss", "github", "kev"}
	var got []string
	for _, p := range fresh.Providers {
		got = append(got, p.Name)
	}
	if d := cmp.Diff(wantProviders, got); d != "" {
		t.Errorf("providers (-want +got):\n%s", d)
	}
	later := fresh.Built.Add(6 * 24 * time.Hour)
	db, err := Open(context.Background(), dir, 5*24*time.Hour, later)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.Info().Stale || db.Info().Age.Days() != 6 {
		t.Fatalf("six days later: %+v", db.Info())
	}
	scan, err := db.Match(context.Background(), productSBOM(t).Catalogue, MatchInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(scan.Warnings) != 1 || !strings.Contains(scan.Warnings[0], "may miss advisories") || !strings.Contains(scan.Warnings[0], UpdateCommand) {
		t.Errorf("warnings = %q", scan.Warnings)
	}
	// A longer bound makes it current again.
	if st, _ := Status(dir, 7*24*time.Hour, later); st.Stale {
		t.Errorf("7-day bound: stale")
	}
}

func TestResolveDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	root := t.TempDir()
	cases := []struct {
		name, flag, cfgDB string
		env               map[string]string
		want, from        string
	}{
		{"flag wins", "/db/flag", "db/cfg", map[string]string{EnvDB: "/db/env"}, "/db/flag", "--vuln-db"},
		{"config next", "", "db/cfg", map[string]string{EnvDB: "/db/env"}, filepath.Join(root, "db/cfg"), "cemark.yaml vulnerabilities.db"},
		{"environment", "", "", map[string]string{EnvDB: "/db/env", "XDG_CACHE_HOME": "/cache"}, "/db/env", EnvDB},
		{"xdg cache", "", "", map[string]string{"XDG_CACHE_HOME": "/cache", "HOME": "/home/u"}, "/cache/cemark/grype-db", "default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := configWithDB(c.cfgDB)
			loc, err := ResolveDir(c.flag, cfg, root, env(c.env))
			if err != nil {
				t.Fatal(err)
			}
			if loc.Dir != filepath.FromSlash(c.want) || loc.From != c.from {
				t.Errorf("got %+v, want %s from %s", loc, c.want, c.from)
			}
		})
	}
	loc, err := ResolveDir("", nil, root, env(nil))
	if err != nil || loc.Dir != "" {
		t.Errorf("no HOME: %+v %v", loc, err)
	}
}

// A database grype installed (DIR/6/vulnerability.db + import.json) is
// read as it is: point --vuln-db at grype's cache folder.
func TestGrypeLayout(t *testing.T) {
	dir := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	for _, f := range []string{"6/vulnerability.db", "6/import.json"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Errorf("grype layout: %v", err)
		}
	}
}

// TestOpenReadsWhatOthersImportedAndRefusesChanges: a database this grype
// imported is read directly (its checksum verified once, by describe); one
// an older grype imported goes through grype's curator, which re-hydrates
// it, and matches the same; a file changed since its import is refused.
func TestOpenReadsWhatOthersImportedAndRefusesChanges(t *testing.T) {
	dir := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	want := idsOf(scanWith(t, dir, time.Now()))

	meta := filepath.Join(dir, "6", "import.json")
	b, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	older := strings.Replace(string(b), clientVersion, "v6.0.0", 1)
	if older == string(b) {
		t.Fatalf("import.json does not name this client (%s):\n%s", clientVersion, b)
	}
	if err := os.WriteFile(meta, []byte(older), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := idsOf(scanWith(t, dir, time.Now())); !cmp.Equal(want, got) {
		t.Errorf("a database an older grype imported matches differently:\n%v\n%v", want, got)
	}

	f, err := os.OpenFile(filepath.Join(dir, "6", "vulnerability.db"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("tampered"))
	f.Close()
	if _, err := Open(context.Background(), dir, 0, time.Now()); err == nil || !errors.Is(err, ErrNoDB) {
		t.Errorf("a database changed since its import opened: %v", err)
	}
}

func idsOf(s *vulnscan.Scan) []string {
	var out []string
	for _, m := range s.Matches {
		out = append(out, m.ID+" "+m.Package.Name+"@"+m.Package.Version)
	}
	return out
}
