// Package vulndbtest builds small grype schema-v6 vulnerability databases
// for tests and benchmarks, with grype's own database builder: real
// advisory records (testdata/) go through grype's processors and writer,
// exactly as `grype db build` turns vunnel's records into the database
// grype distributes. No network is used.
package vulndbtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anchore/grype/grype/db/provider"
	v6 "github.com/anchore/grype/grype/db/v6"
	v6build "github.com/anchore/grype/grype/db/v6/build"
	v6dist "github.com/anchore/grype/grype/db/v6/distribution"
	v6inst "github.com/anchore/grype/grype/db/v6/installation"
)

//go:embed testdata/*.json
var fixtures embed.FS

// Schema URLs of vunnel's record formats; grype picks its processor by them.
const (
	schemaGitHub = "https://raw.githubusercontent.com/anchore/vunnel/main/schema/vulnerability/github-security-advisory/schema-1.0.1.json"
	schemaKEV    = "https://raw.githubusercontent.com/anchore/vunnel/main/schema/vulnerability/known-exploited/schema-1.0.0.json"
	schemaEPSS   = "https://raw.githubusercontent.com/anchore/vunnel/main/schema/vulnerability/epss/schema-1.0.0.json"
)

// Captured is when the fixtures' providers "ran".
var Captured = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Options shape a database.
type Options struct {
	// Synthetic adds this many made-up advisories (GHSA-shaped, spread over
	// npm, Go, PyPI and Maven names that no real package has), to make the
	// database as large as a benchmark needs.
	Synthetic int
	// Names adds, for each ecosystem ("npm", "go", "python", "maven"),
	// one made-up advisory per name that affects only versions below
	// 0.0.0-0 (so it never matches): the matcher then finds rows for real
	// package names and compares versions, as with a real database.
	Names map[string][]string
}

// Build writes a schema-v6 database made from the fixtures into a new
// folder and returns the folder that holds vulnerability.db (not yet in
// grype's installed layout; see Install).
func Build(tb testing.TB, opts Options) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := build(dir, opts); err != nil {
		tb.Fatalf("build vulnerability database: %v", err)
	}
	return dir
}

// Install puts a database built from the fixtures into root in grype's
// installed layout (root/6/vulnerability.db and root/6/import.json with its
// checksum), through grype's own curator import, and returns root. The
// database is built in the test's own temporary folder (the fixture-only
// one takes about 30 ms), so nothing outlives the test.
func Install(tb testing.TB, root string, opts Options) string {
	tb.Helper()
	src := Build(tb, opts)
	cur, err := v6inst.NewCurator(v6inst.Config{DBRootDir: root, ValidateChecksum: true}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := cur.Import(filepath.Join(src, v6.VulnerabilityDBFileName)); err != nil {
		tb.Fatalf("import vulnerability database: %v", err)
	}
	return root
}

// Distribution writes what a database mirror serves into dir: the
// listing (v6/latest.json) and the archive it names (a .tar.gz holding
// vulnerability.db), and returns the archive's checksum as the listing
// records it.
func Distribution(tb testing.TB, dir string) string {
	tb.Helper()
	src := Build(tb, Options{})
	r, err := v6.NewReader(v6.Config{DBDirPath: src})
	if err != nil {
		tb.Fatal(err)
	}
	meta, err := r.GetDBMetadata()
	_ = r.Close()
	if err != nil {
		tb.Fatal(err)
	}
	v6dir := filepath.Join(dir, "v6")
	if err := os.MkdirAll(v6dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	name := fmt.Sprintf("vulnerability-db_v%d.%d.%d_%d.tar.gz", meta.Model, meta.Revision, meta.Addition, meta.BuildTimestamp.Unix())
	archive := filepath.Join(v6dir, name)
	if err := tarGz(archive, filepath.Join(src, v6.VulnerabilityDBFileName)); err != nil {
		tb.Fatal(err)
	}
	a, err := v6dist.NewArchive(archive, *meta.BuildTimestamp, meta.Model, meta.Revision, meta.Addition)
	if err != nil {
		tb.Fatal(err)
	}
	doc := v6dist.NewLatestDocument(*a)
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(v6dir, v6dist.LatestFileName), buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return a.Checksum
}

func tarGz(dst, dbFile string) error {
	data, err := os.ReadFile(dbFile)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: v6.VulnerabilityDBFileName, Mode: 0o644, Size: int64(len(data)), ModTime: Captured}); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}

func build(dir string, opts Options) error {
	states := provider.States{
		state("github", schemaGitHub), state("kev", schemaKEV), state("epss", schemaEPSS),
	}
	w, err := v6build.NewWriter(dir, states, false, 0, v6build.WithSQLiteCacheSizeKiB(16<<10))
	if err != nil {
		return err
	}
	procs := v6build.Processors(v6build.NewConfig())
	feed := func(st provider.State, r io.Reader) error {
		for _, p := range procs {
			if !p.IsSupported(st.Schema.URL) {
				continue
			}
			entries, err := p.Process(r, st)
			if err != nil {
				return fmt.Errorf("%s: %w", st.Provider, err)
			}
			return w.Write(entries...)
		}
		return fmt.Errorf("no grype processor for %s", st.Schema.URL)
	}
	for _, f := range []struct {
		file string
		st   provider.State
	}{{"github.json", states[0]}, {"kev.json", states[1]}, {"epss.json", states[2]}} {
		b, err := fixtures.ReadFile("testdata/" + f.file)
		if err != nil {
			return err
		}
		if err := feed(f.st, bytes.NewReader(b)); err != nil {
			return err
		}
	}
	if extra := synthetic(opts); len(extra) > 0 {
		b, err := json.Marshal(extra)
		if err != nil {
			return err
		}
		if err := feed(states[0], bytes.NewReader(b)); err != nil {
			return err
		}
	}
	return w.Close()
}

func state(name, schema string) provider.State {
	return provider.State{Provider: name, Version: 1, Processor: "vunnel", Timestamp: Captured, Schema: provider.Schema{Version: "1", URL: schema}}
}

// ecosystems maps the Names keys to GHSA ecosystems and namespaces.
var ecosystems = []struct{ key, ecosystem, namespace string }{
	{"npm", "npm", "github:npm"}, {"go", "go", "github:go"}, {"python", "python", "github:python"}, {"maven", "maven", "github:java"},
}

// synthetic makes GHSA-shaped records in vunnel's format.
func synthetic(opts Options) []map[string]any {
	var out []map[string]any
	n := 0
	add := func(name, eco, ns, rng, fixed string) {
		n++
		id := fmt.Sprintf("GHSA-test-%04x-%04x", n>>16, n&0xffff)
		sev := []string{"Low", "Medium", "High", "Critical"}[n%4]
		out = append(out, map[string]any{"Vulnerability": map[string]any{}, "Advisory": map[string]any{
			"Classification": "GENERAL", "Severity": sev,
			"FixedIn": []map[string]any{{"name": name, "identifier": fixed, "ecosystem": eco, "namespace": ns, "range": rng}},
			"Summary": "synthetic advisory " + id, "url": "https://github.com/advisories/" + id,
			"CVE": []string{fmt.Sprintf("CVE-2099-%05d", n)}, "Metadata": map[string]any{"CVE": []string{fmt.Sprintf("CVE-2099-%05d", n)}},
			"ghsaId": id, "published": "2024-01-01T00:00:00Z", "updated": "2024-01-01T00:00:00Z", "withdrawn": nil, "namespace": ns,
		}})
	}
	for i := 0; i < opts.Synthetic; i++ {
		e := ecosystems[i%len(ecosystems)]
		name := fmt.Sprintf("cemark-synthetic-%s-%d", e.key, i/7)
		if e.key == "maven" {
			name = "org.example.synthetic:" + name
		}
		add(name, e.ecosystem, e.namespace, fmt.Sprintf("< %d.%d.0", 1+i%5, i%13), fmt.Sprintf("%d.%d.0", 1+i%5, i%13))
	}
	for _, e := range ecosystems {
		for _, name := range opts.Names[e.key] {
			add(name, e.ecosystem, e.namespace, "< 0.0.0-0", "0.0.0-0")
		}
	}
	return out
}
