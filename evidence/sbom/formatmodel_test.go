package sbom

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/anchore/syft/syft/artifact"
	"github.com/anchore/syft/syft/file"
	"github.com/anchore/syft/syft/format/common/cyclonedxhelpers"
	"github.com/anchore/syft/syft/format/common/spdxhelpers"
	"github.com/anchore/syft/syft/format/cyclonedxjson"
	"github.com/anchore/syft/syft/format/spdxjson"
	"github.com/anchore/syft/syft/pkg"
	syftsbom "github.com/anchore/syft/syft/sbom"
	"github.com/anchore/syft/syft/source"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// awkwardCatalogue is a catalogue whose strings exercise JSON escaping:
// HTML characters, a control character, U+2028, a replacement character
// written as itself, and bytes that are not UTF-8 (a Latin-1 jar
// manifest).
func awkwardCatalogue() (syftsbom.SBOM, []pkg.Package) {
	loc := func(p string) file.LocationSet {
		return file.NewLocationSet(file.NewLocation(p).WithAnnotation(pkg.EvidenceAnnotationKey, pkg.PrimaryEvidenceAnnotation))
	}
	pkgs := []pkg.Package{
		{Name: "web<b>&amp;", Version: "1.0.0\x01", Type: pkg.NpmPkg, Language: pkg.JavaScript, PURL: "pkg:npm/web@1.0.0",
			Locations: loc("/app/package.json"),
			Licenses:  pkg.NewLicenseSet(pkg.NewLicense("MIT")),
			Metadata:  pkg.NpmPackage{Name: "web", Version: "1.0.0", Author: "Jane Doe <jane@example.org> (https://example.org)", Description: "line\u2028separator \ufffd kept"}},
		{Name: "soci\xe9t\xe9-lib", Version: "2.0", Type: pkg.JavaPkg, Language: pkg.Java,
			Locations: loc("/app/lib/societe.jar"),
			Metadata: pkg.JavaArchive{VirtualPath: "/app/lib/societe.jar", Manifest: &pkg.JavaManifest{
				Main: pkg.KeyValues{{Key: "Implementation-Vendor", Value: "Example SA"}, {Key: "Implementation-Title", Value: "soci\xe9t\xe9 \\ufffd"}}}}},
		{Name: "plain", Version: "0.1", Type: pkg.PythonPkg, Language: pkg.Python, Locations: loc("/app/requirements.txt")},
	}
	for i := range pkgs {
		pkgs[i].SetID()
	}
	s := syftsbom.SBOM{
		Artifacts: syftsbom.Artifacts{Packages: pkg.NewCollection(pkgs...)},
		Source: source.Description{ID: "product", Name: "Example Gateway", Version: "1.4.0",
			Metadata: source.DirectoryMetadata{Path: "."}},
		Descriptor: syftsbom.Descriptor{Name: "cemark", Version: "0.0.0-test"},
		Relationships: []artifact.Relationship{
			{From: pkgs[2], To: pkgs[0], Type: artifact.DependencyOfRelationship},
		},
	}
	pkg.Sort(pkgs)
	return s, pkgs
}

// TestFormatModelsMatchEncodedDocuments: enriching syft's format models
// directly gives the very bytes that enriching the documents syft's JSON
// encoders wrote, read back, gave before.
func TestFormatModelsMatchEncodedDocuments(t *testing.T) {
	s, pkgs := awkwardCatalogue()
	cfg, err := Config{Root: t.TempDir(), Product: testProduct(), Created: testCreated, ToolName: "cemark", ToolVersion: "0.0.0-test"}.normalised()
	if err != nil {
		t.Fatal(err)
	}
	parts := []scanned{{spec: sourceSpec{Input: "dir:.", Kind: KindDir, Rel: "."}, sbom: &s, pkgs: pkgs,
		info: SourceInfo{Input: "dir:.", Kind: KindDir, Path: "."}}}
	origin := map[artifact.ID][]int{}
	for _, p := range pkgs {
		origin[p.ID()] = []int{0}
	}

	encodeBoth := func(spdxDoc *spdx.Document, bom *cdx.BOM) (spdxOut, cdxOut []byte) {
		t.Helper()
		spdx, cdxOut, _, err := enrichAndEncode(cfg, parts, collectFacts(s, pkgs, parts, origin), spdxDoc, bom)
		if err != nil {
			t.Fatal(err)
		}
		if spdxOut, err = spdx.bytes(); err != nil {
			t.Fatal(err)
		}
		return spdxOut, cdxOut
	}

	// Before: syft's encoders, then the documents read back.
	var cdxRaw, spdxRaw bytes.Buffer
	cdxEnc, err := cyclonedxjson.NewFormatEncoderWithConfig(cyclonedxjson.EncoderConfig{Version: "1.6"})
	if err != nil {
		t.Fatal(err)
	}
	spdxEnc, err := spdxjson.NewFormatEncoderWithConfig(spdxjson.EncoderConfig{Version: "2.3"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cdxEnc.Encode(&cdxRaw, s); err != nil {
		t.Fatal(err)
	}
	if err := spdxEnc.Encode(&spdxRaw, s); err != nil {
		t.Fatal(err)
	}
	oldBOM := new(cdx.BOM)
	if err := cdx.NewBOMDecoder(&cdxRaw, cdx.BOMFileFormatJSON).Decode(oldBOM); err != nil {
		t.Fatal(err)
	}
	oldSPDX := new(spdx.Document)
	if err := json.Unmarshal(spdxRaw.Bytes(), oldSPDX); err != nil {
		t.Fatal(err)
	}
	wantSPDX, wantCDX := encodeBoth(oldSPDX, oldBOM)

	// Now: the models themselves.
	gotSPDX, gotCDX := encodeBoth(spdxhelpers.ToFormatModel(s), cyclonedxhelpers.ToFormatModel(s))

	for _, c := range []struct {
		name      string
		want, got []byte
	}{{"SPDX", wantSPDX, gotSPDX}, {"CycloneDX", wantCDX, gotCDX}} {
		if !bytes.Equal(c.want, c.got) {
			t.Errorf("%s from the model differs from %s read back from syft's encoder:\n%s", c.name, c.name, lineDiff(string(c.want), string(c.got)))
		}
	}
	// The awkward strings are really there.
	for _, want := range []string{"web<b>&amp;", `1.0.0\u0001`, "soci\ufffdt\ufffd-lib", `\u2028`} {
		if !bytes.Contains(gotCDX, []byte(want)) {
			t.Errorf("CycloneDX lacks %q", want)
		}
	}
}

// lineDiff shows the first lines that differ.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, "- "+x, "+ "+y)
			if len(out) > 20 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

func TestRawReplacementChars(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a": "plain"}`, `{"a": "plain"}`},
		{`{"a": "x\ufffdy\ufffd\ufffd"}`, "{\"a\": \"x\uFFFDy\uFFFD\uFFFD\"}"},
		{`{"a": "\\ufffd is text"}`, `{"a": "\\ufffd is text"}`},
		{`{"a": "\\\ufffd"}`, "{\"a\": \"\\\\\uFFFD\"}"},
		{`{"a": "\\\\ufffd"}`, `{"a": "\\\\ufffd"}`},
	} {
		got := string(rawReplacementChars([]byte(tc.in)))
		if got != tc.want {
			t.Errorf("rawReplacementChars(%s) = %s, want %s", tc.in, got, tc.want)
		}
		var a, b any
		if err := json.Unmarshal([]byte(tc.in), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(got), &b); err != nil || a.(map[string]any)["a"] != b.(map[string]any)["a"] {
			t.Errorf("rawReplacementChars(%s) changed the string: %v vs %v (%v)", tc.in, a, b, err)
		}
	}
}

// TestSupplierWithQuotes: a supplier name with characters JSON escapes is
// written once escaped. (Reading syft's SPDX document back used to keep the
// escapes as text, so such names came out with their backslashes doubled.)
func TestSupplierWithQuotes(t *testing.T) {
	author := `Jane "JJ" Do\e <jane@example.org>`
	p := pkg.Package{Name: "web", Version: "1.0.0", Type: pkg.NpmPkg, Locations: file.NewLocationSet(file.NewLocation("/package.json")),
		Metadata: pkg.NpmPackage{Name: "web", Version: "1.0.0", Author: author}}
	p.SetID()
	s := syftsbom.SBOM{Artifacts: syftsbom.Artifacts{Packages: pkg.NewCollection(p)},
		Source: source.Description{ID: "product", Name: "x", Metadata: source.DirectoryMetadata{Path: "."}}}
	cfg, err := Config{Root: t.TempDir(), Product: testProduct(), Created: testCreated}.normalised()
	if err != nil {
		t.Fatal(err)
	}
	parts := []scanned{{spec: sourceSpec{Input: "dir:.", Kind: KindDir, Rel: "."}, sbom: &s, pkgs: []pkg.Package{p}}}
	facts := collectFacts(s, parts[0].pkgs, parts, map[artifact.ID][]int{p.ID(): {0}})
	spdx, cdxOut, _, err := enrichAndEncode(cfg, parts, facts, spdxhelpers.ToFormatModel(s), cyclonedxhelpers.ToFormatModel(s))
	if err != nil {
		t.Fatal(err)
	}
	spdxOut, err := spdx.bytes()
	if err != nil {
		t.Fatal(err)
	}
	if want := `"supplier": "Person: Jane \"JJ\" Do\\e (jane@example.org)"`; !bytes.Contains(spdxOut, []byte(want)) {
		t.Errorf("SPDX lacks %s", want)
	}
	bom := new(cdx.BOM)
	if err := cdx.NewBOMDecoder(bytes.NewReader(cdxOut), cdx.BOMFileFormatJSON).Decode(bom); err != nil {
		t.Fatal(err)
	}
	if got := componentByName(t, bom, "web").Supplier; got == nil || got.Name != `Jane "JJ" Do\e` {
		t.Errorf("CycloneDX supplier %+v, want the name as stated", got)
	}
}
