package detect

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/licensecheck"
)

// allKnownTemplates is the matcher's input before licenceTemplates
// narrowed it: every known licence's template and URLs.
func allKnownTemplates() []licensecheck.License {
	var out []licensecheck.License
	for _, l := range licensecheck.BuiltinLicenses() {
		if slices.ContainsFunc(knownLicences, func(k knownLicence) bool { return k.id == l.ID }) {
			out = append(out, l)
		}
	}
	return out
}

// TestLicenceWordsAreInTheirTemplates: a word a licence requires really is
// in its template, at least twice (or, for "redistribution", at the start
// of the BSD templates).
func TestLicenceWordsAreInTheirTemplates(t *testing.T) {
	lre := map[string]string{}
	for _, l := range licensecheck.BuiltinLicenses() {
		if l.LRE != "" {
			lre[l.ID] = strings.ToLower(l.LRE)
		}
	}
	for _, k := range knownLicences {
		text, ok := lre[k.id]
		if !ok {
			t.Errorf("%s: licensecheck has no template", k.id)
			continue
		}
		for _, w := range k.words {
			min := 2
			if w == "redistribution" {
				min = 1
			}
			if n := strings.Count(text, w); n < min {
				t.Errorf("%s: %q occurs %d times in its template, want at least %d", k.id, w, n, min)
			}
		}
	}
}

// TestLicenceIDNarrowedMatchesFullSet: leaving out templates a text lacks
// the words of changes no answer, for whole licences, mixtures and parts.
func TestLicenceIDNarrowedMatchesFullSet(t *testing.T) {
	full, err := licensecheck.NewScanner(allKnownTemplates())
	if err != nil {
		t.Fatal(err)
	}
	fullID := func(text []byte) string { return oneLicence(full.Scan(text)) }
	files, err := filepath.Glob(filepath.Join("testdata", "licences", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no licence texts: %v", err)
	}
	var texts [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, b)
	}
	cases := map[string][]byte{}
	for i, a := range texts {
		name := filepath.Base(files[i])
		cases[name] = a
		cases[name+" first two thirds"] = a[:len(a)*2/3]
		cases[name+" last two thirds"] = a[len(a)/3:]
		cases[name+" upper case"] = []byte(strings.ToUpper(string(a)))
		// Mixtures: with the next text, whose words it then holds.
		j := (i + 1) % len(texts)
		cases[name+" + "+filepath.Base(files[j])] = append(append([]byte{}, a...), texts[j]...)
	}
	named := 0
	for name, text := range cases {
		want, got := fullID(text), LicenceID(text)
		if got != want {
			t.Errorf("%s: narrowed matcher says %q, all known licences say %q", name, got, want)
		}
		if got != "" {
			named++
		}
	}
	if named < len(texts)-1 {
		t.Errorf("only %d of %d cases named a licence: the comparison proves little", named, len(cases))
	}
}

// TestLicenceIDNamesEachText: each licence text is named as itself, the
// BSD look-alikes too (their templates are tried alone first), and a
// proprietary text is not named.
func TestLicenceIDNamesEachText(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "licences", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no licence texts: %v", err)
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(filepath.Base(f), ".txt")
		if want == "proprietary" {
			want = ""
		}
		if got := LicenceID(text); got != want {
			t.Errorf("%s: named %q, want %q", f, got, want)
		}
	}
}

// BenchmarkLicenceID compares building the matcher for one LICENSE text
// from the narrowed templates and from all known licences.
func BenchmarkLicenceID(b *testing.B) {
	for _, id := range []string{"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-4-Clause", "GPL-3.0"} {
		text, err := os.ReadFile(filepath.Join("testdata", "licences", id+".txt"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(id+"/narrowed", func(b *testing.B) {
			for b.Loop() {
				LicenceID(text)
			}
		})
		b.Run(id+"/all-known", func(b *testing.B) {
			for b.Loop() {
				s, _ := licensecheck.NewScanner(allKnownTemplates())
				s.Scan(text)
			}
		})
	}
}
