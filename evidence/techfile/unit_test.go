package techfile

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"text/template"

	"github.com/google/go-cmp/cmp"
)

func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b, want string
	}{
		{"equal", "x\n", "x\n", ""},
		{"new file", "", "a\nb\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"one line changed", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n",
			"--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n"},
		{"two hunks", "a\n1\n2\n3\n4\n5\n6\n7\n8\nb\n", "A\n1\n2\n3\n4\n5\n6\n7\n8\nB\n",
			"--- a\n+++ b\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-b\n+B\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, unifiedDiff("a", "b", tt.a, tt.b)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRegionsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, want string }{
		{"text outside", "hello\n", "line 1: text outside any region"},
		{"unclosed", "<!-- cemark:manual id=a -->\nx\n", "never closed"},
		{"nested", "<!-- cemark:manual id=a -->\n<!-- cemark:generated id=b -->\n", "do not nest"},
		{"duplicate", "<!-- cemark:manual id=a -->\n<!-- cemark:end -->\n<!-- cemark:manual id=a -->\n<!-- cemark:end -->\n", "used twice"},
		{"stray end", "<!-- cemark:end -->\n", "without an open region"},
		{"malformed", "<!-- cemark:manual id=a b -->\n", "malformed region marker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseRegions(tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMergeKeepsManualText(t *testing.T) {
	t.Parallel()
	fresh := "<!-- cemark:generated id=g -->\nnew\n<!-- cemark:end -->\n\n<!-- cemark:manual id=m -->\n" + guidanceMarker + "\n_guidance_\n<!-- cemark:end -->\n"
	old := "<!-- cemark:generated id=g sha256=" + hashOf("old\n") + " -->\nold\n<!-- cemark:end -->\n\n<!-- cemark:manual id=m -->\nmine\n<!-- cemark:end -->\n\n<!-- cemark:manual id=gone -->\nkeep me\n<!-- cemark:end -->\n"
	fs, _ := parseRegions(fresh)
	os, err := parseRegions(old)
	if err != nil {
		t.Fatal(err)
	}
	got := merge(fs, os, "## Orphaned manual text\n")
	want := "<!-- cemark:generated id=g sha256=" + hashOf("new\n") + " -->\nnew\n<!-- cemark:end -->\n\n" +
		"<!-- cemark:manual id=m -->\nmine\n<!-- cemark:end -->\n\n" +
		"<!-- cemark:generated id=orphaned sha256=" + hashOf("## Orphaned manual text\n") + " -->\n## Orphaned manual text\n<!-- cemark:end -->\n\n" +
		"<!-- cemark:manual id=gone -->\nkeep me\n<!-- cemark:end -->\n"
	if diff := cmp.Diff(want, got.doc); diff != "" {
		t.Errorf("merge mismatch (-want +got):\n%s", diff)
	}
	if !got.manualFills["m"] {
		t.Errorf("region m reported unfilled")
	}
}

// FuzzMerge checks that merging never loses the text of a manual region
// and always produces a document that parses again.
func FuzzMerge(f *testing.F) {
	f.Add("mine\n", "new text\n", "edited\n")
	f.Add("", "", "")
	f.Add("<!-- not a marker -->\n", "| a | b |\n", "x")
	f.Fuzz(func(t *testing.T, manual, generated, edit string) {
		for _, s := range []string{manual, generated, edit} {
			for _, line := range strings.Split(s, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "<!-- cemark:") {
					t.Skip("marker-like lines are rejected by the parser")
				}
			}
		}
		norm := func(s string) string {
			if s != "" && !strings.HasSuffix(s, "\n") {
				s += "\n"
			}
			return s
		}
		manual, generated, edit = norm(manual), norm(generated), norm(edit)
		fresh := "<!-- cemark:generated id=g -->\n" + generated + "<!-- cemark:end -->\n<!-- cemark:manual id=m -->\nguide\n<!-- cemark:end -->\n"
		old := "<!-- cemark:generated id=g sha256=" + hashOf(generated) + " -->\n" + edit + "<!-- cemark:end -->\n<!-- cemark:manual id=m -->\n" + manual + "<!-- cemark:end -->\n"
		fs, err := parseRegions(fresh)
		if err != nil {
			t.Skip()
		}
		os, err := parseRegions(old)
		if err != nil {
			t.Skip()
		}
		out := merge(fs, os, "## Orphans\n")
		again, err := parseRegions(out.doc)
		if err != nil {
			t.Fatalf("merged document does not parse: %v\n%s", err, out.doc)
		}
		for _, s := range again {
			if s.id == "m" && s.body != manual {
				t.Errorf("manual text changed: %q → %q", manual, s.body)
			}
			if s.id == "g" && edit != generated && s.body != edit {
				t.Errorf("hand edit lost: %q → %q", edit, s.body)
			}
		}
	})
}

func TestUnifiedDiffTooLarge(t *testing.T) {
	t.Parallel()
	a := strings.Repeat("x\n", 3000)
	b := a + "y\n"
	got := unifiedDiff("a/sbom.cdx.json", "b/sbom.cdx.json", a, b)
	if !strings.Contains(got, "too large to diff line by line") || !strings.HasPrefix(got, "--- a/sbom.cdx.json\n+++ b/sbom.cdx.json\n") {
		t.Errorf("got %q", got)
	}
}

func BenchmarkRender(b *testing.B) {
	root := b.TempDir()
	in := defaultInput()
	ctx := context.Background()
	if _, err := Render(ctx, in, Options{Root: root}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Render(ctx, in, Options{Root: root, Check: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMergeRegionChangesKind(t *testing.T) {
	t.Parallel()
	// The template turns manual region "a" into a generated one and
	// generated region "b" into a manual one; "b" had been edited by hand.
	fresh := "<!-- cemark:generated id=a -->\ngen a\n<!-- cemark:end -->\n<!-- cemark:manual id=b -->\n" + guidanceMarker + "\n_guide_\n<!-- cemark:end -->\n"
	old := "<!-- cemark:manual id=a -->\nmy words\n<!-- cemark:end -->\n<!-- cemark:generated id=b sha256=" + hashOf("gen b\n") + " -->\nedited b\n<!-- cemark:end -->\n<!-- cemark:manual id=kept-a -->\nolder\n<!-- cemark:end -->\n"
	fs, _ := parseRegions(fresh)
	os, err := parseRegions(old)
	if err != nil {
		t.Fatal(err)
	}
	got := merge(fs, os, "## Orphans\n")
	segs, err := parseRegions(got.doc)
	if err != nil {
		t.Fatalf("merged document does not parse: %v\n%s", err, got.doc)
	}
	bodies := map[string]string{}
	for _, s := range segs {
		bodies[s.id] = s.body
	}
	want := map[string]string{"": "\n", "a": "gen a\n", "b": "edited b\n", "kept-a": "older\n", "kept-a-2": "my words\n", "orphaned": "## Orphans\n"}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("regions (-want +got):\n%s", diff)
	}
}

func TestFileDigests(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	res := mustRender(t, defaultInput(), Options{Root: root})
	if len(res.Files) != len(documents)+1 {
		t.Fatalf("%d files, want %d", len(res.Files), len(documents)+1)
	}
	for _, f := range res.Files {
		if got := hashOf(readFile(t, filepath.Join(root, filepath.FromSlash(f.Path)))); got != f.SHA256 {
			t.Errorf("%s: SHA256 %s, file has %s", f.Path, f.SHA256, got)
		}
	}
}

func TestNaturalLess(t *testing.T) {
	t.Parallel()
	want := []string{"EN 303 645 5.1-1", "EN 303 645 5.3-2", "EN 303 645 5.3-9", "EN 303 645 5.3-10", "EN 303 645 5.3-11", "EN 18031 SUM", "IEC 62443-4-2 CR 1.5", "IEC 62443-4-2 CR 7.6", "ISO/IEC 29147:2018", "RFC 9116"}
	got := []string{"RFC 9116", "EN 303 645 5.3-10", "IEC 62443-4-2 CR 7.6", "EN 303 645 5.3-2", "ISO/IEC 29147:2018", "EN 303 645 5.3-11", "EN 18031 SUM", "IEC 62443-4-2 CR 1.5", "EN 303 645 5.3-9", "EN 303 645 5.1-1"}
	sort.SliceStable(got, func(i, j int) bool { return naturalLess(got[i], got[j]) })
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
	for _, p := range [][2]string{{"a01", "a1"}, {"x", "x"}, {"5.3-2", "5.3-2a"}} {
		if naturalLess(p[0], p[1]) && naturalLess(p[1], p[0]) {
			t.Errorf("naturalLess(%q, %q) is not antisymmetric", p[0], p[1])
		}
	}
}

// TestInterfaceRowIsTheTemplatesRow: the attack-surface row made in Go is
// what the template's row of actions wrote, escapes included.
func TestInterfaceRowIsTheTemplatesRow(t *testing.T) {
	tmpl := template.Must(template.New("row").Funcs(funcMap()).Parse(
		`| {{.Port}} | {{.Protocol}} | {{cell .Bind}} | {{.TLS}} | {{cell .Service}} | {{.Declared}} | {{cell .Purpose}} | {{cell .Places}} |`))
	for _, iv := range []ifaceView{
		{Port: "80", Protocol: "tcp", Bind: "unknown", TLS: "unknown", Service: "http", Declared: "**no**", Purpose: "-", Places: "compose: a.yml:3"},
		{Port: "443", Protocol: "tcp", Bind: " 0.0.0.0 ", TLS: "yes", Service: "a|b", Declared: "yes", Purpose: "line\r\none\ntwo", Places: ""},
		{},
	} {
		var want strings.Builder
		if err := tmpl.Execute(&want, iv); err != nil {
			t.Fatal(err)
		}
		if got := iv.row(); got != want.String() {
			t.Errorf("row() = %q, the template wrote %q", got, want.String())
		}
	}
}
