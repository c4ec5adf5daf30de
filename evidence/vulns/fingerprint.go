package vulns

import (
	"fmt"
	"os"
	"time"

	v6 "github.com/anchore/grype/grype/db/v6"
	"github.com/spf13/afero"
)

// Fingerprint identifies the database in dir as a scan would use it,
// without reading the file whole (Open verifies its checksum; that takes a
// while): the digest grype recorded when it imported the file, the file's
// size and modification time, when it was built, and whether it is
// stale at now. The stage cache keys the vulns stage with it. A folder
// without a database gives "none".
func Fingerprint(dir string, maxAge time.Duration, now time.Time) string {
	cfg := installConfig(dir)
	fi, err := os.Stat(cfg.DBFilePath())
	if dir == "" || err != nil {
		return "none"
	}
	digest := ""
	if im, err := v6.ReadImportMetadata(afero.NewOsFs(), cfg.DBDirectoryPath()); err == nil && im != nil {
		digest = im.Digest
	}
	d, err := v6.ReadDescription(cfg.DBFilePath())
	if err != nil || d == nil {
		return fmt.Sprintf("unreadable %s %d %d", digest, fi.Size(), fi.ModTime().UnixNano())
	}
	built := d.Built.Time.UTC()
	return fmt.Sprintf("%s %s %d %d built %s stale %v", dir, digest, fi.Size(), fi.ModTime().UnixNano(),
		built.Format(time.RFC3339Nano), isStale(built, maxAge, now))
}

// isStale is whether a database built at built is older than maxAge at
// now (DefaultMaxAge when maxAge is not positive).
func isStale(built time.Time, maxAge time.Duration, now time.Time) bool {
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	return now.Sub(built) > maxAge
}
