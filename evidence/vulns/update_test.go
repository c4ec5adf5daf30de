package vulns

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

// serveDistribution serves a listing and the archive it names, as grype's
// database mirror does, from a folder vulndbtest wrote.
func serveDistribution(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	dir := t.TempDir()
	vulndbtest.Distribution(t, dir)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestUpdateFromMirror(t *testing.T) {
	srv, _ := serveDistribution(t)
	dir := filepath.Join(t.TempDir(), "grype-db")
	res, err := Update(context.Background(), UpdateOptions{Dir: dir, ListingURL: srv.URL, Timeout: 30 * time.Second, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Updated || res.DB.Checksum == "" || !strings.HasPrefix(res.DB.Schema, "v6.") || !strings.HasPrefix(res.DB.Source, srv.URL) {
		t.Fatalf("update: %+v", res)
	}
	for _, f := range []string{"6/vulnerability.db", "6/import.json"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Errorf("after update: %v", err)
		}
	}
	// The database opens and matches.
	if scan := scanWith(t, dir, time.Now()); len(scan.Matches) != 5 {
		t.Fatalf("after update: %d matches", len(scan.Matches))
	}
	// Nothing newer: no update.
	again, err := Update(context.Background(), UpdateOptions{Dir: dir, ListingURL: srv.URL, Timeout: 30 * time.Second, Now: time.Now()})
	if err != nil || again.Updated {
		t.Errorf("second update: %+v %v", again, err)
	}
}

// A listing whose checksum does not match the archive is refused by
// grype's client, and nothing is installed.
func TestUpdateRejectsBadChecksum(t *testing.T) {
	dir := t.TempDir()
	vulndbtest.Distribution(t, dir)
	listing := filepath.Join(dir, "v6", "latest.json")
	b, err := os.ReadFile(listing)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), `"checksum": "sha256:`)
	if i < 0 {
		t.Fatalf("no checksum in the listing: %s", b)
	}
	start := i + len(`"checksum": "sha256:`)
	bad := string(b[:start]) + strings.Repeat("0", 64) + string(b[start+64:])
	if err := os.WriteFile(listing, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	dbDir := filepath.Join(t.TempDir(), "grype-db")
	if _, err := Update(context.Background(), UpdateOptions{Dir: dbDir, ListingURL: srv.URL, Timeout: 30 * time.Second}); err == nil {
		t.Fatal("an archive with the wrong checksum was accepted")
	}
	if _, err := Status(dbDir, 0, time.Now()); err == nil {
		t.Error("a database was installed from a bad archive")
	}
}

func TestUpdateUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	_, err := Update(context.Background(), UpdateOptions{Dir: t.TempDir(), ListingURL: srv.URL, Timeout: 5 * time.Second})
	if err == nil {
		t.Fatal("update from a closed server succeeded")
	}
}
