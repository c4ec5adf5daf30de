// Package vulns matches the product's SBOM against grype's schema-v6
// vulnerability database with the grype library: the SBOM cemark already
// made is matched as it is (no second catalogue pass), once per run, and
// the result is a typed vulnscan.Scan with KEV, EPSS and VEX decisions.
//
// The database lives in grype's own cache layout (DIR/6/vulnerability.db
// and DIR/6/import.json), so a grype cache directory can be pointed at.
// Nothing here reaches the network except Update, which downloads and
// validates a database with grype's own distribution client.
package vulns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/anchore/clio"
	"github.com/spf13/afero"

	v6 "github.com/anchore/grype/grype/db/v6"
	v6dist "github.com/anchore/grype/grype/db/v6/distribution"
	v6inst "github.com/anchore/grype/grype/db/v6/installation"
	"github.com/anchore/grype/grype/vulnerability"

	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/version"
)

// EnvDB names the environment variable that points at the database folder.
const EnvDB = "CEMARK_VULN_DB"

// DefaultMaxAge is how old a database may be before a scan warns that it
// may miss recent advisories: 5 days, grype's own bound.
const DefaultMaxAge = 5 * 24 * time.Hour

// DefaultListingURL is where grype publishes its database listing.
const DefaultListingURL = "https://grype.anchore.io/databases"

// UpdateCommand is the command that installs a database, for messages.
const UpdateCommand = "cemark db update"

// GrypeVersion is the grype library version linked into this binary.
func GrypeVersion() string { return version.Get().Grype }

// Scanner describes the matcher for the evidence.
func Scanner() vulnscan.Scanner {
	v := GrypeVersion()
	return vulnscan.Scanner{Name: "grype", Version: v, URI: "pkg:golang/github.com/anchore/grype@" + v}
}

// Location says where the database folder is and which setting chose it.
type Location struct {
	Dir string
	// From is "--vuln-db", "cemark.yaml vulnerabilities.db",
	// "CEMARK_VULN_DB" or "default".
	From string
}

// ResolveDir picks the database folder: the --vuln-db flag (relative to
// the working directory), else vulnerabilities.db in cemark.yaml
// (relative to the product root), else CEMARK_VULN_DB, else
// $XDG_CACHE_HOME/cemark/grype-db (the user cache folder when
// XDG_CACHE_HOME is unset).
func ResolveDir(flag string, cfg *config.Config, root string, getenv func(string) string) (Location, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if flag != "" {
		abs, err := filepath.Abs(flag)
		if err != nil {
			return Location{}, fmt.Errorf("vulnerability database %s: %w", flag, err)
		}
		return Location{Dir: abs, From: "--vuln-db"}, nil
	}
	if cfg != nil && cfg.Vulnerabilities.DB != "" {
		p := cfg.Vulnerabilities.DB
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		return Location{Dir: filepath.Clean(p), From: "cemark.yaml vulnerabilities.db"}, nil
	}
	if v := getenv(EnvDB); v != "" {
		abs, err := filepath.Abs(v)
		if err != nil {
			return Location{}, fmt.Errorf("%s %s: %w", EnvDB, v, err)
		}
		return Location{Dir: abs, From: EnvDB}, nil
	}
	cache := userCacheDir(getenv)
	if cache == "" {
		// No cache folder (no HOME): there is no database to find; Open
		// says so with the fix.
		return Location{From: "default (no cache folder: HOME and XDG_CACHE_HOME are unset)"}, nil
	}
	return Location{Dir: filepath.Join(cache, "cemark", "grype-db"), From: "default"}, nil
}

// userCacheDir is os.UserCacheDir read through getenv, so that a test's
// environment decides it: $XDG_CACHE_HOME, else the platform's folder.
func userCacheDir(getenv func(string) string) string {
	if c := getenv("XDG_CACHE_HOME"); filepath.IsAbs(c) {
		return c
	}
	switch runtime.GOOS {
	case "windows":
		return getenv("LocalAppData")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Caches")
		}
	default:
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, ".cache")
		}
	}
	return ""
}

// MaxAge returns vulnerabilities.max_db_age, or DefaultMaxAge.
func MaxAge(cfg *config.Config) time.Duration {
	if cfg != nil && cfg.Vulnerabilities.MaxDBAge != "" {
		if d, err := config.ParseAge(cfg.Vulnerabilities.MaxDBAge); err == nil && d > 0 {
			return d
		}
	}
	return DefaultMaxAge
}

// NoDBError says there is no usable database in a folder.
type NoDBError struct {
	Dir    string
	Reason string
}

func (e *NoDBError) Error() string {
	return fmt.Sprintf("no vulnerability database in %s (%s): run `%s` (or point --vuln-db, vulnerabilities.db or %s at a grype database folder)",
		e.Dir, e.Reason, UpdateCommand, EnvDB)
}

// ErrNoDB matches every *NoDBError with errors.Is.
var ErrNoDB = errors.New("no vulnerability database")

// Is lets errors.Is(err, ErrNoDB) match.
func (e *NoDBError) Is(target error) bool { return target == ErrNoDB }

func installConfig(dir string) v6inst.Config {
	// Age is judged by cemark (a warning, not a refusal); the checksum
	// recorded at import is verified, as grype does.
	return v6inst.Config{DBRootDir: dir, ValidateChecksum: true}
}

// Status reads the database in dir without opening it for matching:
// build date, schema, checksum (verified), source and providers. now is
// the wall clock, for the age.
func Status(dir string, maxAge time.Duration, now time.Time) (vulnscan.DB, error) {
	if dir == "" {
		return vulnscan.DB{}, &NoDBError{Dir: "(no folder)", Reason: "no cache folder to look in"}
	}
	cur, err := v6inst.NewCurator(installConfig(dir), nil)
	if err != nil {
		return vulnscan.DB{}, err
	}
	info, err := describe(cur, dir, maxAge, now)
	if err != nil {
		return vulnscan.DB{}, err
	}
	r, err := v6.NewReader(v6.Config{DBDirPath: installConfig(dir).DBDirectoryPath()})
	if err != nil {
		return info, fmt.Errorf("open vulnerability database: %w", err)
	}
	defer r.Close()
	info.Providers, err = providers(r)
	return info, err
}

func describe(cur v6.Curator, dir string, maxAge time.Duration, now time.Time) (vulnscan.DB, error) {
	st := cur.Status()
	if st.Error != nil {
		reason := st.Error.Error()
		if errors.Is(st.Error, v6.ErrDBDoesNotExist) || strings.Contains(reason, "database not found") {
			reason = "not found"
		}
		return vulnscan.DB{}, &NoDBError{Dir: dir, Reason: reason}
	}
	info := vulnscan.DB{Built: st.Built.UTC(), Schema: "v" + strings.TrimPrefix(st.SchemaVersion, "v"), Source: st.From}
	if im, err := v6.ReadImportMetadata(afero.NewOsFs(), installConfig(dir).DBDirectoryPath()); err == nil && im != nil {
		info.Checksum = im.Digest
	}
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	age := now.Sub(info.Built)
	if age < 0 {
		age = 0
	}
	info.Age = vulnscan.Duration(age.Truncate(time.Hour))
	info.MaxAge = vulnscan.Duration(maxAge)
	info.Stale = isStale(info.Built, maxAge, now)
	return info, nil
}

func providers(r v6.Reader) ([]vulnscan.Provider, error) {
	ps, err := r.AllProviders()
	if err != nil {
		return nil, fmt.Errorf("read database providers: %w", err)
	}
	out := make([]vulnscan.Provider, 0, len(ps))
	for _, p := range ps {
		vp := vulnscan.Provider{Name: p.ID, Version: p.Version}
		if p.DateCaptured != nil {
			vp.Captured = p.DateCaptured.UTC()
		}
		out = append(out, vp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DB is an open vulnerability database. Open it once per run; Close it
// when the run is done.
type DB struct {
	info     vulnscan.DB
	provider vulnerability.Provider
}

// Open opens the database in dir for matching. A missing or corrupt
// database is a *NoDBError (errors.Is(err, ErrNoDB)). maxAge bounds the
// age judged stale; now is the wall clock.
func Open(ctx context.Context, dir string, maxAge time.Duration, now time.Time) (*DB, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if dir == "" {
		return nil, &NoDBError{Dir: "(no folder)", Reason: "no cache folder to look in"}
	}
	cur, err := v6inst.NewCurator(installConfig(dir), nil)
	if err != nil {
		return nil, err
	}
	info, err := describe(cur, dir, maxAge, now)
	if err != nil {
		return nil, err
	}
	r, err := openReader(cur, dir)
	if err != nil {
		return nil, &NoDBError{Dir: dir, Reason: err.Error()}
	}
	if info.Providers, err = providers(r); err != nil {
		_ = r.Close()
		return nil, err
	}
	return &DB{info: info, provider: v6.NewVulnerabilityProvider(r)}, nil
}

// clientVersion is the schema version of the grype library linked in, as
// import.json records the client that hydrated a database ("v6.1.10").
var clientVersion = fmt.Sprintf("v%d.%d.%d", v6.ModelVersion, v6.Revision, v6.Addition)

// openReader opens the database for reading. The curator's own Reader
// checks the status once more — hashing the whole file again, which
// describe has just done and verified — and re-hydrates a database an
// older grype imported. A database this grype imported needs no
// re-hydration: it is opened directly, with one hash per run instead of
// two. Any other goes through the curator, as grype does.
func openReader(cur v6.Curator, dir string) (v6.Reader, error) {
	dbDir := installConfig(dir).DBDirectoryPath()
	if im, err := v6.ReadImportMetadata(afero.NewOsFs(), dbDir); err == nil && im != nil && im.ClientVersion == clientVersion {
		return v6.NewReader(v6.Config{DBDirPath: dbDir})
	}
	return cur.Reader()
}

// Info returns the database's facts.
func (d *DB) Info() vulnscan.DB { return d.info }

// Close releases the database.
func (d *DB) Close() error {
	if d == nil || d.provider == nil {
		return nil
	}
	return d.provider.Close()
}

// UpdateOptions configure a database download.
type UpdateOptions struct {
	// Dir is the database folder (grype's layout is made below it).
	Dir string
	// ListingURL is the listing to read (default DefaultListingURL); a
	// mirror or a test server may be given.
	ListingURL string
	// CACert is a PEM file of extra roots for a mirror, when needed.
	CACert string
	// Timeout bounds the download (default 5 minutes).
	Timeout time.Duration
	// ToolVersion names cemark in the User-Agent.
	ToolVersion string
	MaxAge      time.Duration
	Now         time.Time
}

// UpdateResult says what Update did.
type UpdateResult struct {
	// Updated is true when a newer database was installed.
	Updated bool
	DB      vulnscan.DB
}

// Update checks the listing for a newer database and installs it with
// grype's distribution client and curator: the archive's checksum from the
// listing is verified on download, the database is hydrated and its import
// checksum recorded, and it replaces the old one only when all of that
// succeeded. The update check is never skipped for recency (cemark's
// caller asked for it).
func Update(ctx context.Context, opts UpdateOptions) (UpdateResult, error) {
	if err := ctx.Err(); err != nil {
		return UpdateResult{}, err
	}
	if opts.Dir == "" {
		return UpdateResult{}, fmt.Errorf("no folder for the vulnerability database: set %s or pass --vuln-db", EnvDB)
	}
	if opts.ListingURL == "" {
		opts.ListingURL = DefaultListingURL
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Minute
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return UpdateResult{}, fmt.Errorf("vulnerability database folder %s: %w", opts.Dir, err)
	}
	client, err := v6dist.NewClient(v6dist.Config{
		ID:                 clio.Identification{Name: "cemark", Version: opts.ToolVersion},
		LatestURL:          opts.ListingURL,
		CACert:             opts.CACert,
		RequireUpdateCheck: true,
		CheckTimeout:       opts.Timeout,
		UpdateTimeout:      opts.Timeout,
	})
	if err != nil {
		return UpdateResult{}, fmt.Errorf("vulnerability database client: %w", err)
	}
	cfg := installConfig(opts.Dir)
	// A stale database is replaced by any newer one.
	cfg.ValidateAge = true
	cfg.MaxAllowedBuiltAge = opts.MaxAge
	if cfg.MaxAllowedBuiltAge <= 0 {
		cfg.MaxAllowedBuiltAge = DefaultMaxAge
	}
	cur, err := v6inst.NewCurator(cfg, client)
	if err != nil {
		return UpdateResult{}, err
	}
	updated, err := cur.Update()
	if err != nil {
		return UpdateResult{}, fmt.Errorf("update the vulnerability database from %s: %w", opts.ListingURL, err)
	}
	info, err := Status(opts.Dir, opts.MaxAge, opts.Now)
	if err != nil {
		return UpdateResult{Updated: updated}, fmt.Errorf("the database downloaded from %s does not open: %w", opts.ListingURL, err)
	}
	return UpdateResult{Updated: updated, DB: info}, nil
}

// Locate reads the configuration (configPath, else root/cemark.yaml when
// it exists) and resolves the database folder from the flag, the
// configuration and the environment, as a run does. A bad configuration
// is returned as the loader's error (file:line:column).
func Locate(root, configPath, flag string, getenv func(string) string) (Location, *config.Config, error) {
	var cfg *config.Config
	var err error
	if configPath != "" {
		cfg, err = config.Load(configPath)
	} else {
		cfg, _, err = config.LoadRoot(root)
	}
	if err != nil {
		return Location{}, nil, err
	}
	loc, err := ResolveDir(flag, cfg, root, getenv)
	return loc, cfg, err
}
