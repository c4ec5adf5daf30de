package sbom

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/anchore/syft/syft"
	"github.com/google/go-cmp/cmp"
)

var testCreated = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testProduct() Product {
	return Product{
		Name: "Example Gateway", Version: "1.4.0", Description: "Home automation gateway",
		Licence: "Apache-2.0", Supplier: "Example ApS", SupplierURL: "https://example.com", SupplierEmail: "security@example.com",
	}
}

// fixtureRoot copies the static fixtures and writes the image fixtures into
// a fresh directory, so that every source is under one product root.
func fixtureRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"gomod", "npm", "python"} {
		if err := os.CopyFS(filepath.Join(root, d), os.DirFS(filepath.Join("testdata", d))); err != nil {
			t.Fatal(err)
		}
	}
	writeImageFixtures(t, root)
	return root
}

func generate(t *testing.T, root string, sources ...string) *Result {
	t.Helper()
	res, err := Generate(context.Background(), Config{
		Root: root, Sources: sources, Product: testProduct(), Created: testCreated,
		ToolName: "cemark", ToolVersion: "0.0.0-test",
	})
	if err != nil {
		t.Fatalf("Generate(%v): %v", sources, err)
	}
	return res
}

// pkgKey is what "the same package set" compares: name, version, type.
type pkgKey struct{ Name, Version, Type string }

func resultKeys(r *Result) []pkgKey {
	var out []pkgKey
	for _, c := range r.Components {
		out = append(out, pkgKey{c.Name, c.Version, c.Type})
	}
	return sortKeys(out)
}

func sortKeys(k []pkgKey) []pkgKey {
	sort.Slice(k, func(i, j int) bool {
		if k[i].Name != k[j].Name {
			return k[i].Name < k[j].Name
		}
		if k[i].Version != k[j].Version {
			return k[i].Version < k[j].Version
		}
		return k[i].Type < k[j].Type
	})
	return k
}

// cdxKeys reads the package set back from the CycloneDX document.
func cdxKeys(t *testing.T, doc []byte) []pkgKey {
	t.Helper()
	bom := decodeCDX(t, doc)
	var out []pkgKey
	for _, c := range *bom.Components {
		ty := prop(c, "syft:package:type")
		if ty == "" {
			continue // files, sources, the OS
		}
		name := c.Name
		if c.Group != "" {
			name = c.Group + ":" + name
		}
		_ = name
		out = append(out, pkgKey{c.Name, c.Version, ty})
	}
	return sortKeys(out)
}

func decodeCDX(t *testing.T, doc []byte) *cdx.BOM {
	t.Helper()
	bom := new(cdx.BOM)
	if err := cdx.NewBOMDecoder(bytes.NewReader(doc), cdx.BOMFileFormatJSON).Decode(bom); err != nil {
		t.Fatalf("decode CycloneDX: %v", err)
	}
	return bom
}

// plainSyftKeys catalogues a source with the syft library alone, with the
// same configuration, for comparison.
func plainSyftKeys(t *testing.T, root, input string) []pkgKey {
	t.Helper()
	cfg, err := Config{Root: root}.normalised()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := parseSource(cfg.Root, input, 0)
	if err != nil {
		t.Fatal(err)
	}
	tag := spec.Kind
	src, err := syft.GetSource(context.Background(), spec.Abs, syft.DefaultGetSourceConfig().WithSources(tag))
	if err != nil {
		t.Fatalf("syft.GetSource %s: %v", input, err)
	}
	defer src.Close()
	s, err := syft.CreateSBOM(context.Background(), src, CreateSBOMConfig("syft", "test", false))
	if err != nil {
		t.Fatal(err)
	}
	var out []pkgKey
	for _, p := range s.Artifacts.Packages.Sorted() {
		out = append(out, pkgKey{p.Name, p.Version, string(p.Type)})
	}
	return sortKeys(out)
}

func TestGenerateFixtures(t *testing.T) {
	root := fixtureRoot(t)
	cdxS, spdxS := officialSchemas(t)
	tests := []struct {
		source   string
		wantSome []pkgKey
	}{
		{"dir:gomod", []pkgKey{{"github.com/google/uuid", "v1.6.0", "go-module"}, {"github.com/spf13/cobra", "v1.10.2", "go-module"}}},
		{"dir:npm", []pkgKey{{"express", "4.19.2", "npm"}, {"debug", "2.6.9", "npm"}, {"mqtt", "5.3.0", "npm"}}},
		{"dir:python", []pkgKey{{"flask", "3.0.3", "python"}, {"requests", "2.32.3", "python"}}},
		{"docker-archive:image.docker.tar", []pkgKey{{"libmosquitto1", "2.0.11-1.2", "deb"}, {"tiny-sensor", "1.0.0", "npm"}, {"sensor-lib", "1.2.3", "java-archive"}}},
		{"oci-dir:image-oci", []pkgKey{{"libmosquitto1", "2.0.11-1.2", "deb"}, {"sensor-lib", "1.2.3", "java-archive"}}},
		{"oci-archive:image.oci.tar", []pkgKey{{"libmosquitto1", "2.0.11-1.2", "deb"}, {"tiny-sensor", "1.0.0", "npm"}}},
	}
	for _, tc := range tests {
		t.Run(tc.source, func(t *testing.T) {
			res := generate(t, root, tc.source)
			got := resultKeys(res)
			if diff := cmp.Diff(plainSyftKeys(t, root, tc.source), got); diff != "" {
				t.Errorf("package set differs from syft's own catalogue (-syft +cemark):\n%s", diff)
			}
			if diff := cmp.Diff(got, cdxKeys(t, res.CycloneDX)); diff != "" {
				t.Errorf("CycloneDX package set differs from Result.Components (-result +cdx):\n%s", diff)
			}
			have := map[pkgKey]bool{}
			for _, k := range got {
				have[k] = true
			}
			for _, k := range tc.wantSome {
				if !have[k] {
					t.Errorf("missing package %v in %v", k, got)
				}
			}
			validateAgainst(t, cdxS, "CycloneDX 1.6", res.CycloneDX)
			validateAgainst(t, spdxS, "SPDX 2.3", spdxOf(t, res))
			for _, doc := range [][]byte{res.CycloneDX, spdxOf(t, res)} {
				if bytes.Contains(doc, []byte(root)) || bytes.Contains(doc, []byte(os.TempDir())) {
					t.Errorf("document leaks a machine path (%s)", root)
				}
			}
		})
	}
}

func TestGenerateDeterministic(t *testing.T) {
	root := fixtureRoot(t)
	sources := []string{"dir:npm", "dir:gomod", "docker-archive:image.docker.tar"}
	a := generate(t, root, sources...)
	// A second copy of the same inputs in another directory: the machine
	// path must not matter either.
	b := generate(t, fixtureRoot(t), sources...)
	if !bytes.Equal(a.CycloneDX, b.CycloneDX) {
		t.Errorf("CycloneDX differs between runs:\n%s", cmp.Diff(string(a.CycloneDX), string(b.CycloneDX)))
	}
	if aSPDX, bSPDX := spdxOf(t, a), spdxOf(t, b); !bytes.Equal(aSPDX, bSPDX) {
		t.Errorf("SPDX differs between runs:\n%s", cmp.Diff(string(aSPDX), string(bSPDX)))
	}
	bom := decodeCDX(t, a.CycloneDX)
	if !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") {
		t.Errorf("serial number %q", bom.SerialNumber)
	}
	if bom.Metadata.Timestamp != "2026-03-01T12:00:00Z" {
		t.Errorf("timestamp %q, want the configured one", bom.Metadata.Timestamp)
	}
	// A different input changes the serial number.
	c := generate(t, root, "dir:npm")
	if decodeCDX(t, c.CycloneDX).SerialNumber == bom.SerialNumber {
		t.Error("serial number does not depend on content")
	}
	var spdxDoc struct {
		DocumentNamespace string `json:"documentNamespace"`
		CreationInfo      struct {
			Created  string   `json:"created"`
			Creators []string `json:"creators"`
		} `json:"creationInfo"`
	}
	if err := json.Unmarshal(spdxOf(t, a), &spdxDoc); err != nil {
		t.Fatal(err)
	}
	if spdxDoc.CreationInfo.Created != "2026-03-01T12:00:00Z" {
		t.Errorf("SPDX created %q", spdxDoc.CreationInfo.Created)
	}
	wantCreators := []string{"Organization: Example ApS (security@example.com)", "Tool: cemark-0.0.0-test", "Tool: syft-" + SyftVersion()}
	if diff := cmp.Diff(wantCreators, spdxDoc.CreationInfo.Creators); diff != "" {
		t.Errorf("SPDX creators (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(spdxDoc.DocumentNamespace, "https://spdx.org/spdxdocs/Example-Gateway-1.4.0-") {
		t.Errorf("SPDX namespace %q", spdxDoc.DocumentNamespace)
	}
}

func componentByName(t *testing.T, bom *cdx.BOM, name string) cdx.Component {
	t.Helper()
	for _, c := range *bom.Components {
		if c.Name == name && prop(c, "syft:package:type") != "" {
			return c
		}
	}
	t.Fatalf("no component %q", name)
	return cdx.Component{}
}

func hashOf(c cdx.Component, algo cdx.HashAlgorithm) string {
	if c.Hashes == nil {
		return ""
	}
	for _, h := range *c.Hashes {
		if h.Algorithm == algo {
			return h.Value
		}
	}
	return ""
}

func TestEnrichment(t *testing.T) {
	root := fixtureRoot(t)
	res := generate(t, root, "dir:gomod", "dir:npm", "docker-archive:image.docker.tar")
	bom := decodeCDX(t, res.CycloneDX)

	t.Run("product is the primary component", func(t *testing.T) {
		p := bom.Metadata.Component
		if p == nil || p.Name != "Example Gateway" || p.Version != "1.4.0" || p.Type != cdx.ComponentTypeApplication {
			t.Fatalf("primary component %+v", p)
		}
		if p.Supplier == nil || p.Supplier.Name != "Example ApS" || !hasContact(p.Supplier) {
			t.Errorf("product supplier %+v", p.Supplier)
		}
		if p.Licenses == nil || (*p.Licenses)[0].Expression != "Apache-2.0" {
			t.Errorf("product licence %+v", p.Licenses)
		}
		if !hasContact(bom.Metadata.Manufacturer) {
			t.Error("SBOM creator has no email or URL")
		}
		var deps []string
		for _, d := range *bom.Dependencies {
			if d.Ref == p.BOMRef {
				deps = *d.Dependencies
			}
		}
		if len(deps) != 3 {
			t.Errorf("product depends on %v, want its 3 sources", deps)
		}
	})

	t.Run("jar: SHA-512 of the file and BSI properties", func(t *testing.T) {
		c := componentByName(t, bom, "sensor-lib")
		sum := sha512.Sum512(fixtureJar(t))
		if got := hashOf(c, cdx.HashAlgoSHA512); got != hex.EncodeToString(sum[:]) {
			t.Errorf("jar SHA-512 = %q, want %x", got, sum)
		}
		want := map[string]string{bsiFilename: "sensor-lib-1.2.3.jar", bsiExecProp: "non-executable", bsiArchProp: "archive", bsiStructProp: "structured"}
		for k, v := range want {
			if got := prop(c, k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
	})

	t.Run("npm lockfile integrity is the tarball SHA-512", func(t *testing.T) {
		c := componentByName(t, bom, "express")
		if hashOf(c, cdx.HashAlgoSHA512) == "" || prop(c, bsiFilename) != "express-4.19.2.tgz" {
			t.Errorf("express: hashes %v, filename %q", c.Hashes, prop(c, bsiFilename))
		}
	})

	t.Run("no hash or file name is invented for go.mod requirements", func(t *testing.T) {
		c := componentByName(t, bom, "github.com/google/uuid")
		if hashOf(c, cdx.HashAlgoSHA512) != "" || prop(c, bsiFilename) != "" || prop(c, bsiExecProp) != "" {
			t.Errorf("uuid got invented file facts: %+v", c)
		}
	})

	t.Run("supplier only from real metadata", func(t *testing.T) {
		deb := componentByName(t, bom, "libmosquitto1")
		if deb.Supplier == nil || deb.Supplier.Name != "Roger A. Light" || !hasContact(deb.Supplier) {
			t.Errorf("deb supplier %+v, want the maintainer", deb.Supplier)
		}
		npm := componentByName(t, bom, "tiny-sensor")
		if npm.Supplier == nil || !strings.Contains(npm.Supplier.Name, "Jane Doe") {
			t.Errorf("npm supplier %+v, want the author", npm.Supplier)
		}
		gomod := componentByName(t, bom, "github.com/spf13/cobra")
		if gomod.Supplier != nil {
			t.Errorf("go module got a supplier %+v from nowhere", gomod.Supplier)
		}
	})

	t.Run("SPDX carries the same facts", func(t *testing.T) {
		var doc struct {
			Packages []struct {
				Name      string `json:"name"`
				FileName  string `json:"packageFileName"`
				Supplier  string `json:"supplier"`
				Checksums []struct {
					Algorithm string `json:"algorithm"`
					Value     string `json:"checksumValue"`
				} `json:"checksums"`
			} `json:"packages"`
		}
		if err := json.Unmarshal(spdxOf(t, res), &doc); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range doc.Packages {
			if p.Name != "sensor-lib" {
				continue
			}
			found = true
			has := false
			for _, c := range p.Checksums {
				has = has || c.Algorithm == "SHA512"
			}
			if !has || p.FileName != "sensor-lib-1.2.3.jar" {
				t.Errorf("SPDX sensor-lib: %+v", p)
			}
		}
		if !found {
			t.Error("no sensor-lib in SPDX")
		}
	})

	t.Run("components summary", func(t *testing.T) {
		byName := map[string]Component{}
		for _, c := range res.Components {
			byName[c.Name] = c
		}
		checks := []struct {
			name         string
			top, network bool
		}{
			{"github.com/google/uuid", true, false},
			{"github.com/spf13/pflag", false, false},
			{"express", true, true},
			{"mqtt", true, true},
			{"debug", false, false},
		}
		for _, c := range checks {
			got := byName[c.name]
			if got.TopLevel != c.top || got.Network != c.network {
				t.Errorf("%s: top-level %v network %v, want %v %v", c.name, got.TopLevel, got.Network, c.top, c.network)
			}
		}
		if len(byName["express"].Licences) != 1 || byName["express"].Licences[0] != "MIT" {
			t.Errorf("express licences %v", byName["express"].Licences)
		}
	})

	t.Run("images and sources", func(t *testing.T) {
		if len(res.Images) != 1 {
			t.Fatalf("images %+v", res.Images)
		}
		img := res.Images[0]
		if diff := cmp.Diff([]string{"1883/tcp", "8080/tcp"}, img.ExposedPorts); diff != "" {
			t.Errorf("ports: %s", diff)
		}
		if img.User != "1000:1000" || len(img.Env) != 2 || img.Labels["org.opencontainers.image.title"] != "gateway" || !strings.HasPrefix(img.ManifestDigest, "sha256:") {
			t.Errorf("image %+v", img)
		}
		if len(res.Sources) != 3 || res.Sources[2].Digest != img.ManifestDigest || res.Sources[0].Path != "gomod" {
			t.Errorf("sources %+v", res.Sources)
		}
	})
}

func TestQuality(t *testing.T) {
	root := fixtureRoot(t)
	res := generate(t, root, "dir:npm")
	q := res.Quality
	if q.Components != 4 || q.Verdict != "incomplete" {
		t.Errorf("quality %d components, verdict %q", q.Components, q.Verdict)
	}
	rows := map[string]FieldCoverage{}
	for _, f := range q.Fields {
		rows[f.Field] = f
	}
	if r := rows["hash-sha512"]; r.Covered != 3 || r.Total != 4 || r.Verdict != "partial" || r.Share != 0.75 || len(r.Missing) != 1 || r.Missing[0] != "sensor-ui@2.1.0" {
		t.Errorf("hash-sha512 row %+v", r)
	}
	for _, f := range []string{"sbom-creator", "timestamp", "name", "version", "licence", "dependencies", "unique-identifiers"} {
		if rows[f].Verdict != "complete" {
			t.Errorf("%s: %+v", f, rows[f])
		}
	}
	s := q.Summary()
	if !strings.Contains(s, "incomplete") || !strings.Contains(s, "hash-sha512 (1 of 4 components lack it)") || strings.Contains(strings.ToLower(s), "compliant") {
		t.Errorf("summary:\n%s", s)
	}

	// Without manufacturer facts the SBOM creator is missing input.
	res2, err := Generate(context.Background(), Config{Root: root, Sources: []string{"dir:npm"}, Created: testCreated})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res2.Quality.Summary(), "sbom-creator (needs manufacturer input)") {
		t.Errorf("summary without manufacturer:\n%s", res2.Quality.Summary())
	}
}

func TestGenerateErrors(t *testing.T) {
	root := fixtureRoot(t)
	tests := []struct{ source, want string }{
		{"registry:alpine", `unknown kind "registry"`},
		{"dir:nope", `source "dir:nope"`},
		{"file:gomod", "is not a regular file"},
		{"dir:image.docker.tar", "is not a directory"},
		{"docker-archive:gomod/go.mod", `open source "docker-archive:gomod/go.mod"`},
	}
	for _, tc := range tests {
		t.Run(tc.source, func(t *testing.T) {
			_, err := Generate(context.Background(), Config{Root: root, Sources: []string{tc.source}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, Config{Root: root, Sources: []string{"dir:npm"}}); err == nil {
		t.Error("cancelled context: no error")
	}
}

func TestExclusions(t *testing.T) {
	root := fixtureRoot(t)
	// A lockfile under .git, .cemark and a user-excluded folder is not
	// catalogued.
	for _, d := range []string{".git/x", ".cemark/x", "vendor/x"} {
		if err := os.CopyFS(filepath.Join(root, "npm", d), os.DirFS("testdata/npm")); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Generate(context.Background(), Config{Root: filepath.Join(root, "npm"), Exclude: []string{"vendor"}, Created: testCreated})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Components) != 4 {
		t.Errorf("components %+v: exclusions not applied", res.Components)
	}
}

func TestProgress(t *testing.T) {
	root := fixtureRoot(t)
	var stages []string
	_, err := Generate(context.Background(), Config{Root: root, Sources: []string{"dir:npm"}, Progress: func(p Progress) {
		if p.Done {
			stages = append(stages, p.Stage)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"catalogue", "encode", "enrich"}, stages); diff != "" {
		t.Error(diff)
	}
}

func TestSyftVersionMatchesGoMod(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/anchore/syft").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != syftModuleVersion {
		t.Errorf("syftModuleVersion %q, go.mod has %q", syftModuleVersion, got)
	}
}

func TestExclusionPatterns(t *testing.T) {
	got := exclusions([]string{"vendor", "*.log", "**/testdata/**", "/abs/x", "./build", " "})
	want := []string{"**/testdata/**", "./*.log", "./.cemark", "./.git", "./abs/x", "./build", "./docs/cra", "./vendor"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

// TestQualitySummaryEmptySBOM: an SBOM with no component has nothing the
// per-component fields could be checked against; "Complete" would say
// more than the evidence shows.
func TestQualitySummaryEmptySBOM(t *testing.T) {
	q := Quality{Components: 0, Verdict: "complete", Fields: []FieldCoverage{
		{Field: "timestamp", Required: true, Total: 1, Covered: 1, Verdict: "complete"},
		{Field: "name", Required: true, Total: 0, Verdict: "not-applicable"},
	}}
	s := q.Summary()
	for _, want := range []string{"0 components", "component fields not checked", "Complete: timestamp.", "Not checked (no component): name.",
		"the SPDX 2.3 SBOM is not (v2.1.0 asks for SPDX 3.0.1 or later)"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Complete: timestamp, name") {
		t.Errorf("an unchecked field is called complete:\n%s", s)
	}
}
