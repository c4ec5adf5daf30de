package techfile

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/evidence/config"
)

func defaultInput() Input { return fixtureInput(fixtureConfig(config.ClassDefault)) }

func TestDeterministic(t *testing.T) {
	t.Parallel()
	rootA, rootB := newRepo(t), newRepo(t)
	first := mustRender(t, defaultInput(), Options{Root: rootA})
	for _, f := range first.Files {
		if f.Status != StatusCreated {
			t.Errorf("first render: %s is %s, want created", f.Path, f.Status)
		}
	}
	before := readBundle(t, filepath.Join(rootA, DefaultDir))
	again := mustRender(t, defaultInput(), Options{Root: rootA})
	if again.Changed {
		t.Errorf("second render of an unchanged product changed files: %+v", again.Files)
	}
	for _, f := range again.Files {
		if f.Status != StatusUnchanged {
			t.Errorf("second render: %s is %s, want unchanged", f.Path, f.Status)
		}
	}
	if diff := cmp.Diff(before, readBundle(t, filepath.Join(rootA, DefaultDir))); diff != "" {
		t.Errorf("bytes changed on re-render (-first +second):\n%s", diff)
	}
	mustRender(t, defaultInput(), Options{Root: rootB})
	if diff := cmp.Diff(before, readBundle(t, filepath.Join(rootB, DefaultDir))); diff != "" {
		t.Errorf("two roots differ (-a +b):\n%s", diff)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Join(rootA, DefaultDir))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// fillRegion replaces a manual region's text in a rendered document.
func fillRegion(t *testing.T, path, id, text string) {
	t.Helper()
	doc := readFile(t, path)
	re := regexp.MustCompile(`(?s)(<!-- cemark:manual id=` + regexp.QuoteMeta(id) + ` -->\n).*?(<!-- cemark:end -->)`)
	if !re.MatchString(doc) {
		t.Fatalf("%s has no manual region %q", path, id)
	}
	writeFile(t, path, re.ReplaceAllString(doc, "${1}"+strings.ReplaceAll(text, "$", "$$")+"${2}"))
}

func TestManualRegionsSurvive(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	dir := filepath.Join(root, DefaultDir)
	mustRender(t, defaultInput(), Options{Root: root})
	method := "We use STRIDE per interface; reviewed 2026-11-01.\n\n| asset | threat |\n|---|---|\n| hub token | theft |\n"
	notes := "Residual: SSH in the debug image, accepted by J. Jensen.\n"
	fillRegion(t, filepath.Join(dir, docRisk), "method", method)
	fillRegion(t, filepath.Join(dir, docRisk), "residual-notes", notes)
	fillRegion(t, filepath.Join(dir, docDeclaration), "signature", "Signed for Acme ApS, Copenhagen, 2027-12-01, J. Jensen, CEO.\n")

	// A changed product: the generated text changes, the manual text does not.
	// The signed copy's place and digest complete Annex VII 7.
	in := defaultInput()
	in.Product.Version = "1.5.0"
	in.Config.Conformity.SignedDeclaration = config.SignedDeclaration{Location: "docs/cra/signed/declaration-1.5.0.pdf",
		SHA256: "5e1f000000000000000000000000000000000000000000000000000000000001"}
	res := mustRender(t, in, Options{Root: root})
	risk := readFile(t, filepath.Join(dir, docRisk))
	for _, want := range []string{method, notes} {
		if !strings.Contains(risk, want) {
			t.Errorf("manual text lost on re-render:\n%s", want)
		}
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, docGeneral)), "| Product version assessed | 1.5.0 |") {
		t.Errorf("generated region not refreshed")
	}
	if row := indexRow(res, "7"); row.State != StateComplete {
		t.Errorf("Annex VII 7 after signing: %q (%s), want complete", row.State, row.Detail)
	}
	if len(res.ManualEdits) != 0 {
		t.Errorf("manual edits reported for manual regions: %+v", res.ManualEdits)
	}

	// A template upgrade that moves "method" to the end and drops
	// "residual-notes": the moved text follows, the dropped one is kept as
	// orphaned text.
	tdir := filepath.Join(root, "my-templates")
	embedded := readEmbedded(t, docRisk+".tmpl")
	upgraded := strings.Replace(embedded, "<!-- cemark:manual id=residual-notes -->", "<!-- cemark:manual id=residual-notes-v2 -->", 1)
	methodRegion := regexp.MustCompile(`(?s)<!-- cemark:manual id=method -->.*?<!-- cemark:end -->\n`)
	moved := methodRegion.FindString(upgraded)
	upgraded = methodRegion.ReplaceAllString(upgraded, "") + "\n" + moved
	writeFile(t, filepath.Join(tdir, docRisk+".tmpl"), upgraded)
	res = mustRender(t, in, Options{Root: root, TemplatesDir: "my-templates"})
	risk = readFile(t, filepath.Join(dir, docRisk))
	if !strings.HasSuffix(risk, "<!-- cemark:manual id=residual-notes -->\n"+notes+"<!-- cemark:end -->\n") {
		t.Errorf("dropped manual region not kept at the end as orphaned text:\n%s", risk[max(0, len(risk)-600):])
	}
	if !strings.Contains(risk, "## Orphaned manual text") {
		t.Errorf("no orphaned-text heading")
	}
	if i, j := strings.Index(risk, method), strings.Index(risk, "## Open items"); i < j {
		t.Errorf("moved manual region did not follow the template (method at %d, open items at %d)", i, j)
	}
	// Rendering again with the same templates changes nothing.
	if again := mustRender(t, in, Options{Root: root, TemplatesDir: "my-templates"}); again.Changed {
		t.Errorf("orphaned text is not stable across renders: %+v", again.Files)
	}
	// Back to the embedded template: the orphan returns to its place.
	mustRender(t, in, Options{Root: root})
	risk = readFile(t, filepath.Join(dir, docRisk))
	if strings.Contains(risk, "Orphaned manual text") || strings.Count(risk, notes) != 1 {
		t.Errorf("orphaned region did not return to its place:\n%s", risk)
	}
	_ = res
}

func readEmbedded(t *testing.T, name string) string {
	t.Helper()
	text, _, err := templateLoader{lang: "en"}.load(strings.TrimSuffix(name, ".tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func indexRow(res *Result, item string) IndexRow {
	for _, r := range res.Index {
		if r.Item == item {
			return r
		}
	}
	return IndexRow{}
}

func TestHandEditInGeneratedRegion(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	dir := filepath.Join(root, DefaultDir)
	mustRender(t, defaultInput(), Options{Root: root})
	p := filepath.Join(dir, docDesign)
	edited := strings.Replace(readFile(t, p), "### Top-level components (from the SBOM)", "### Top-level components (from the SBOM, reviewed by QA)", 1)
	writeFile(t, p, edited)

	in := defaultInput()
	in.SBOM.ComponentCount = 43 // the generated text would change
	for _, check := range []bool{true, false} {
		res := mustRender(t, in, Options{Root: root, Check: check})
		want := []ManualEdit{{File: DefaultDir + "/" + docDesign, Region: "components"}}
		got := make([]ManualEdit, len(res.ManualEdits))
		for i, e := range res.ManualEdits {
			got[i] = ManualEdit{File: e.File, Region: e.Region}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("check=%v: manual edits (-want +got):\n%s", check, diff)
		}
		if !res.Stale() {
			t.Errorf("check=%v: Stale() is false with a hand edit", check)
		}
	}
	if got := readFile(t, p); !strings.Contains(got, "reviewed by QA") || strings.Contains(got, "43 components") {
		t.Errorf("hand-edited region was overwritten")
	}
	// Deleting the recorded hash hands the region back to cemark.
	writeFile(t, p, regexp.MustCompile(`(id=components) sha256=[0-9a-f]+`).ReplaceAllString(readFile(t, p), "$1"))
	res := mustRender(t, in, Options{Root: root})
	if len(res.ManualEdits) != 0 || res.Stale() {
		t.Errorf("region without hash not regenerated: %+v", res.ManualEdits)
	}
	if got := readFile(t, p); strings.Contains(got, "reviewed by QA") || !strings.Contains(got, "43 components") {
		t.Errorf("region without hash was not regenerated")
	}
}

func TestDamagedMarkersLeaveFileAlone(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	mustRender(t, defaultInput(), Options{Root: root})
	p := filepath.Join(root, DefaultDir, docSupport)
	damaged := strings.Replace(readFile(t, p), "<!-- cemark:end -->", "", 1) + "Some notes typed outside any region.\n"
	writeFile(t, p, damaged)
	res := mustRender(t, defaultInput(), Options{Root: root})
	if readFile(t, p) != damaged {
		t.Errorf("a file with damaged markers was rewritten")
	}
	if len(res.ManualEdits) != 1 || res.ManualEdits[0].File != DefaultDir+"/"+docSupport || !res.Stale() {
		t.Errorf("damaged markers not reported: %+v", res.ManualEdits)
	}
}

func TestCheckDrift(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		change    func(t *testing.T, root string, in *Input)
		wantStale []string
		wantDiff  string
	}{
		{"clean", func(*testing.T, string, *Input) {}, nil, ""},
		{"stale generated content", func(_ *testing.T, _ string, in *Input) {
			in.Config.Product.Support.Rationale = "Changed rationale."
		}, []string{docSupport}, "+Changed rationale."},
		{"missing file", func(t *testing.T, root string, _ *Input) {
			os.Remove(filepath.Join(root, DefaultDir, docSupport))
		}, []string{docSupport}, "--- /dev/null\n+++ b/docs/cra/05-support-period.md"},
		{"changed configuration", func(t *testing.T, root string, in *Input) {
			in.Config.Security.Contact = "psirt@acme.example"
		}, []string{docGeneral, docVuln}, "+Report vulnerabilities to psirt@acme.example."},
		{"changed evidence", func(t *testing.T, root string, in *Input) {
			in.Report.Facts.Inventory.Interfaces = in.Report.Facts.Inventory.Interfaces[1:] // port 22 gone
		}, []string{docIndex, docGeneral, docDesign}, "+## Possible substantial modification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := newRepo(t)
			mustRender(t, defaultInput(), Options{Root: root})
			in := defaultInput()
			tt.change(t, root, &in)
			before := readBundleIfExists(t, filepath.Join(root, DefaultDir))
			res := mustRender(t, in, Options{Root: root, Check: true})
			var stale []string
			for _, f := range res.Files {
				if f.Status == StatusStale {
					stale = append(stale, strings.TrimPrefix(f.Path, DefaultDir+"/"))
				}
			}
			if diff := cmp.Diff(tt.wantStale, stale); diff != "" {
				t.Errorf("stale files (-want +got):\n%s", diff)
			}
			if res.Stale() != (len(tt.wantStale) > 0) {
				t.Errorf("Stale() = %v", res.Stale())
			}
			if !strings.Contains(res.Diff, tt.wantDiff) {
				t.Errorf("diff lacks %q:\n%s", tt.wantDiff, res.Diff)
			}
			if diff := cmp.Diff(before, readBundleIfExists(t, filepath.Join(root, DefaultDir))); diff != "" {
				t.Errorf("check mode wrote files:\n%s", diff)
			}
		})
	}
}

func readBundleIfExists(t *testing.T, dir string) map[string]string {
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	return readBundle(t, dir)
}

func TestSubstantialModification(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	dir := filepath.Join(root, DefaultDir)
	if res := mustRender(t, defaultInput(), Options{Root: root}); len(res.Substantial) != 0 {
		t.Fatalf("first render reports changes: %+v", res.Substantial)
	}
	state0 := readFile(t, filepath.Join(dir, StateFile))

	in := defaultInput()
	in.Report.Facts.Inventory.Interfaces = append(in.Report.Facts.Inventory.Interfaces, in.Report.Facts.Inventory.Interfaces[0])
	in.Report.Facts.Inventory.Interfaces[2].Port = 1883
	in.SBOM.TopLevel = append(in.SBOM.TopLevel, Component{Name: "github.com/eclipse/paho.mqtt.golang", Version: "v1.5.0", Network: true})
	// A key rotation keeps releases signed: not a substantial modification.
	in.Report.Facts.UpdateSigning.KeyFingerprints = []string{"ee99ff00"}
	in.Config.Updates.Keys[0].Fingerprint = "EE99FF00"
	in.Config.Product.IntendedPurpose = "Relays commands and telemetry between the app, hubs and the Acme cloud."
	// Dropping TLS on the HTTPS interface can affect Annex I Part I (2)(e).
	off := false
	in.Report.Facts.Inventory.Interfaces[0].TLS = &off
	want := []Change{
		{Aspect: "intended purpose", Before: "Relays commands from the Acme mobile app to home automation hubs on the local network.", After: "Relays commands and telemetry between the app, hubs and the Acme cloud."},
		{Aspect: "exposed interface", After: "tcp/1883 (bind: all)"},
		{Aspect: "network-capable component", After: "github.com/eclipse/paho.mqtt.golang"},
		{Aspect: "interface served without TLS", After: "tcp/443 (bind: all) without TLS"},
	}
	for i := 0; i < 2; i++ { // shown on every render until accepted
		res := mustRender(t, in, Options{Root: root})
		if diff := cmp.Diff(want, res.Substantial); diff != "" {
			t.Errorf("render %d: changes (-want +got):\n%s", i, diff)
		}
		readme := readFile(t, filepath.Join(dir, docIndex))
		if !strings.Contains(readme, "## Possible substantial modification") || !strings.Contains(readme, "| exposed interface | (absent) | tcp/1883 (bind: all) |") {
			t.Errorf("render %d: README lacks the section:\n%s", i, readme)
		}
		// Final CRA numbering: Art. 3(30) defines substantial modification,
		// Art. 22 covers others who modify; Art. 20 is about distributors.
		if !strings.Contains(readme, "Art. 3(30)") || !strings.Contains(readme, "Art. 22") || strings.Contains(readme, "Art. 20") {
			t.Errorf("render %d: substantial-modification section cites the wrong articles:\n%s", i, readme)
		}
		if got := readFile(t, filepath.Join(dir, StateFile)); got != state0 {
			t.Errorf("render %d: state changed without acceptance", i)
		}
	}
	res := mustRender(t, in, Options{Root: root, AcceptChanges: true})
	if len(res.Substantial) != 0 {
		t.Errorf("after acceptance: %+v", res.Substantial)
	}
	if strings.Contains(readFile(t, filepath.Join(dir, docIndex)), "Possible substantial modification") {
		t.Errorf("README still shows the section after acceptance")
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, StateFile)), "tcp/443 (bind: all) without TLS") {
		t.Errorf("state not updated on acceptance")
	}
}

// TestSubstantialModificationOldState: a summary accepted before cemark
// recorded TLS and release signing does not report them as changed.
func TestSubstantialModificationOldState(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	old := `{"schema":1,"accepted":{"class":"default","intended_purpose":"Relays commands from the Acme mobile app to home automation hubs on the local network.",` +
		`"exposed_interfaces":["tcp/22 (bind: all)","tcp/443 (bind: all)"],"network_components":["golang.org/x/net"],` +
		`"update_mechanism":"container image from registry.acme.example","signing_keys":["ab12cd34"]},"accepted_on":"2026-11-01"}` + "\n"
	writeFile(t, filepath.Join(root, DefaultDir, StateFile), old)
	if res := mustRender(t, defaultInput(), Options{Root: root}); len(res.Substantial) != 0 {
		t.Errorf("changes against an old summary: %+v", res.Substantial)
	}
}

func TestOutputOutsideRepositoryRefused(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"../elsewhere", outside, "link/cra", "link", ".", "docs/../.."} {
		t.Run(dir, func(t *testing.T) {
			_, err := Render(context.Background(), defaultInput(), Options{Root: root, Dir: dir})
			if err == nil {
				t.Fatalf("output folder %q accepted", dir)
			}
			if !strings.Contains(err.Error(), "outside the repository") && !strings.Contains(err.Error(), "repository root") {
				t.Errorf("unclear error: %v", err)
			}
		})
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 0 {
		t.Errorf("files written outside the repository: %v", entries)
	}
	// Inside, also through an absolute path, is fine.
	if _, err := Render(context.Background(), defaultInput(), Options{Root: root, Dir: filepath.Join(root, "compliance", "cra")}); err != nil {
		t.Errorf("absolute folder inside the repository refused: %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	for name, opts := range map[string]Options{
		"language":  {Root: root, Lang: "de"},
		"templates": {Root: root, TemplatesDir: "no-such-folder"},
	} {
		if _, err := Render(context.Background(), defaultInput(), opts); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A broken override template fails before anything is written.
	writeFile(t, filepath.Join(root, "tpl", docTests+".tmpl"), "<!-- cemark:generated id=x -->\n{{.NoSuchField}}\n<!-- cemark:end -->\n")
	_, err := Render(context.Background(), defaultInput(), Options{Root: root, TemplatesDir: "tpl"})
	if err == nil || !strings.Contains(err.Error(), "07-test-reports.md.tmpl") {
		t.Errorf("broken template: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, DefaultDir)); err == nil {
		t.Errorf("files were written although a template failed")
	}
	writeFile(t, filepath.Join(root, "tpl2", docTests+".tmpl"), "Free text outside any region.\n")
	if _, err := Render(context.Background(), defaultInput(), Options{Root: root, TemplatesDir: "tpl2"}); err == nil || !strings.Contains(err.Error(), "outside any region") {
		t.Errorf("template with text outside regions: %v", err)
	}
}

func TestIncludeSBOM(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	in := defaultInput()
	in.Config.Docs.IncludeSBOM = true
	res := mustRender(t, in, Options{Root: root})
	got := readFile(t, filepath.Join(root, DefaultDir, docSBOM))
	if got != string(in.SBOM.CycloneDX) {
		t.Errorf("sbom.cdx.json = %q", got)
	}
	if row := indexRow(res, "8"); row.State != StateGenerated || row.File != docSBOM {
		t.Errorf("Annex VII 8 row: %+v", row)
	}
}

func TestNeverSaysCompliant(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "da"} {
		root := newRepo(t)
		mustRender(t, defaultInput(), Options{Root: root, Lang: lang})
		for name, doc := range readBundle(t, filepath.Join(root, DefaultDir)) {
			low := strings.ToLower(doc)
			for _, banned := range []string{"compliant", "passes the cra", "is conformant"} {
				if strings.Contains(low, banned) {
					t.Errorf("%s/%s says %q", lang, name, banned)
				}
			}
		}
	}
}

func TestEveryAnnexVIIItemIndexed(t *testing.T) {
	t.Parallel()
	res := mustRender(t, defaultInput(), Options{Root: newRepo(t)})
	var items []string
	for _, r := range res.Index {
		items = append(items, r.Item)
		if r.State == StateNeedsInput && r.Detail == "" {
			t.Errorf("%s needs input but does not say what", r.Item)
		}
	}
	want := []string{"1(a)", "1(b)", "1(c)", "1(d)", "2(a)", "2(b)", "2(c)", "3", "4", "5", "6", "7", "8"}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("index items (-want +got):\n%s", diff)
	}
}

func TestTemplateFunctionsAreHermetic(t *testing.T) {
	t.Parallel()
	for _, fn := range []string{`now`, `env "HOME"`, `expandenv "$HOME"`, `randAlphaNum 5`, `uuidv4`, `getHostByName "example.com"`} {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			root := newRepo(t)
			writeFile(t, filepath.Join(root, "tpl", docTests+".tmpl"), "<!-- cemark:generated id=x -->\n{{"+fn+"}}\n<!-- cemark:end -->\n")
			_, err := Render(context.Background(), defaultInput(), Options{Root: root, TemplatesDir: "tpl"})
			if err == nil || !strings.Contains(err.Error(), "not defined") {
				t.Errorf("template function %s: err = %v, want \"not defined\"", fn, err)
			}
		})
	}
}

func TestTemplatesOverriddenFileByFile(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	writeFile(t, filepath.Join(root, "tpl", docSupport+".tmpl"), "<!-- cemark:generated id=custom -->\n# Our support policy for {{.Title}}\n<!-- cemark:end -->\n")
	// An English override of the declaration does not replace the Danish one.
	writeFile(t, filepath.Join(root, "tpl", docDeclaration+".tmpl"), "<!-- cemark:generated id=custom -->\n# Custom declaration\n<!-- cemark:end -->\n")
	mustRender(t, defaultInput(), Options{Root: root, TemplatesDir: filepath.Join(root, "tpl"), Lang: "da"})
	dir := filepath.Join(root, DefaultDir)
	if got := readFile(t, filepath.Join(dir, docSupport)); !strings.Contains(got, "# Our support policy for acme-gateway") {
		t.Errorf("override not used:\n%s", got)
	}
	if got := readFile(t, filepath.Join(dir, docDeclaration)); !strings.Contains(got, "EU-overensstemmelseserklæring") {
		t.Errorf("Danish declaration replaced by an English override:\n%s", got)
	}
	if got := readFile(t, filepath.Join(dir, docRisk)); !strings.Contains(got, "# 4. Cybersecurity risk assessment") {
		t.Errorf("embedded template not used for a document without override")
	}
}

func TestCRLFCheckoutIsNotAHandEdit(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	mustRender(t, defaultInput(), Options{Root: root})
	for _, d := range []string{docIndex, docRisk, StateFile} {
		p := filepath.Join(root, DefaultDir, d)
		writeFile(t, p, strings.ReplaceAll(readFile(t, p), "\n", "\r\n"))
	}
	res := mustRender(t, defaultInput(), Options{Root: root, Check: true})
	if res.Stale() || len(res.ManualEdits) > 0 {
		t.Errorf("CRLF checkout reported as drift: %+v %+v", res.Files, res.ManualEdits)
	}
}

func TestHardwareNeedsPhotos(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	in := defaultInput()
	in.Config.Product.Hardware = ptr(true)
	res := mustRender(t, in, Options{Root: root})
	if row := indexRow(res, "1(c)"); row.State != StateNeedsInput || !strings.Contains(row.Detail, "photos") {
		t.Errorf("1(c) for hardware: %+v", row)
	}
	if row := indexRow(res, "7"); !strings.Contains(row.Detail, "photo of the product") {
		t.Errorf("7 for hardware: %+v", row)
	}
	fillRegion(t, filepath.Join(root, DefaultDir, docGeneral), "photos", "![Front](photos/front.jpg)\n")
	res = mustRender(t, in, Options{Root: root})
	if row := indexRow(res, "1(c)"); row.State != StateComplete {
		t.Errorf("1(c) after adding photos: %+v", row)
	}
}

// TestSecurityPolicyURLNotClaimedFoundInRepository: without a SECURITY.md the
// checks' fact sheet carries the configured CVD policy URL; the file must not
// present that URL as a policy "found in the repository".
func TestSecurityPolicyURLNotClaimedFoundInRepository(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, policy string
		wantFound    bool
	}{
		{"SECURITY.md in the repository", "SECURITY.md", true},
		{"only the configured URL", "https://acme.example/security", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := newRepo(t)
			in := defaultInput()
			in.Report.Facts.VulnHandling.SecurityPolicy = tc.policy
			mustRender(t, in, Options{Root: root})
			got := readFile(t, filepath.Join(root, DefaultDir, docVuln))
			if found := strings.Contains(got, "found in the repository"); found != tc.wantFound {
				t.Errorf("\"found in the repository\" shown = %v, want %v:\n%s", found, tc.wantFound, got)
			}
			if !strings.Contains(got, "- CVD policy: https://acme.example/security") {
				t.Errorf("CVD policy line missing:\n%s", got)
			}
		})
	}
}

// TestCheckDriftManualAndTemplates covers the kinds of drift TestCheckDrift
// does not: the manufacturer's own text in a manual region is never drift; a
// hand edit inside a generated region fails the gate (it would otherwise
// hide that the file no longer matches the evidence); a template upgrade
// makes the affected file stale. Check mode writes nothing in any case.
func TestCheckDriftManualAndTemplates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		change     func(t *testing.T, root string) Options
		wantStale  bool
		wantEdits  []string // "file region"
		wantInDiff string
	}{
		{"manual region filled in", func(t *testing.T, root string) Options {
			p := filepath.Join(root, DefaultDir, docSupport)
			doc := readFile(t, p)
			i := strings.Index(doc, "<!-- cemark:manual id=rationale -->")
			j := strings.Index(doc[i:], "<!-- cemark:end -->")
			if i < 0 || j < 0 {
				t.Fatalf("no manual region rationale in %s", docSupport)
			}
			writeFile(t, p, doc[:i]+"<!-- cemark:manual id=rationale -->\nFive years: our customers replace gateways after five years.\n"+doc[i+j:])
			return Options{Root: root, Check: true}
		}, false, nil, ""},
		{"hand edit in a generated region", func(t *testing.T, root string) Options {
			p := filepath.Join(root, DefaultDir, docSupport)
			doc := readFile(t, p)
			if !strings.Contains(doc, "| End of the support period |") {
				t.Fatalf("%s has no support table", docSupport)
			}
			writeFile(t, p, strings.Replace(doc, "| End of the support period |", "| End of support (edited) |", 1))
			return Options{Root: root, Check: true}
		}, true, []string{"docs/cra/" + docSupport + " period"}, ""},
		{"template upgrade", func(t *testing.T, root string) Options {
			writeFile(t, filepath.Join(root, "tpl", docSupport+".tmpl"), "<!-- cemark:generated id=header -->\n# 5. Support period, new template\n<!-- cemark:end -->\n")
			return Options{Root: root, Check: true, TemplatesDir: filepath.Join(root, "tpl")}
		}, true, nil, "+# 5. Support period, new template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := newRepo(t)
			mustRender(t, defaultInput(), Options{Root: root})
			opts := tt.change(t, root)
			before := readBundle(t, filepath.Join(root, DefaultDir))
			res := mustRender(t, defaultInput(), opts)
			if res.Stale() != tt.wantStale {
				t.Errorf("Stale() = %v, want %v; files %+v", res.Stale(), tt.wantStale, res.Files)
			}
			var edits []string
			for _, e := range res.ManualEdits {
				edits = append(edits, e.File+" "+e.Region)
			}
			if diff := cmp.Diff(tt.wantEdits, edits); diff != "" {
				t.Errorf("hand edits (-want +got):\n%s", diff)
			}
			if !strings.Contains(res.Diff, tt.wantInDiff) {
				t.Errorf("diff lacks %q:\n%s", tt.wantInDiff, res.Diff)
			}
			if diff := cmp.Diff(before, readBundle(t, filepath.Join(root, DefaultDir))); diff != "" {
				t.Errorf("check mode wrote files:\n%s", diff)
			}
		})
	}
}
