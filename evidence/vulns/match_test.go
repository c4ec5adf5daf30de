package vulns

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cemark/cemark/evidence/sbom"
	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

func productSBOM(t testing.TB) *sbom.Result {
	t.Helper()
	res, err := sbom.Generate(context.Background(), sbom.Config{Root: filepath.Join("testdata", "product"), Created: time.Unix(1767225600, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestMatchSmoke(t *testing.T) {
	dir := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	db, err := Open(context.Background(), dir, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res := productSBOM(t)
	scan, err := db.Match(context.Background(), res.Catalogue, MatchInput{SBOMName: "sbom.cdx.json"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("db %+v", scan.DB)
	for _, m := range scan.Matches {
		t.Logf("%+v", m)
	}
}
