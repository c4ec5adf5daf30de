package detect

import (
	"bytes"
	"slices"

	"github.com/google/licensecheck"
)

// knownLicences are the licences Product names: the common ones and their
// close look-alikes (MIT-0 next to MIT, BSD-3-Clause-Clear next to
// BSD-3-Clause …), so that a look-alike is named as itself rather than as
// its common neighbour. Scanning with licensecheck's full set of 550
// licences would cost seconds of CPU to build the matcher.
//
// Building even this set's matcher costs about 100 ms and 37 MB, mostly
// for the templates that share much wording (the GNU family, the BSD
// family). So a licence names words its template holds at least twice
// (most, dozens of times) or at the start of every match, where
// licensecheck allows no misspelling ("redistribution" for the BSD
// family), in lower case: a text without one of them cannot match the
// template, which is then left out of the matcher. A product's LICENSE
// needs a few templates, and an MIT text a matcher 30 times cheaper.
var knownLicences = []knownLicence{
	{"0BSD", nil}, {"BSL-1.0", nil}, {"CC0-1.0", nil}, {"ISC", nil}, {"MIT", nil}, {"MIT-0", nil},
	{"MPL-2.0-no-copyleft-exception", nil}, {"Unlicense", nil}, {"Zlib", nil},
	{"Apache-1.1", []string{"apache"}}, {"Apache-2.0", []string{"apache"}},
	{"BSD-2-Clause", bsdWords}, {"BSD-2-Clause-Patent", bsdWords},
	{"BSD-3-Clause", bsdWords}, {"BSD-3-Clause-Clear", bsdWords},
	{"BSD-4-Clause", bsdWords},
	{"EPL-2.0", []string{"eclipse"}},
	{"GPL-2.0", []string{"gnu"}}, {"GPL-3.0", []string{"gnu"}},
	{"LGPL-2.0", []string{"gnu", "library"}}, {"LGPL-2.1", []string{"gnu", "lesser"}}, {"LGPL-3.0", []string{"gnu", "lesser"}},
	{"AGPL-3.0", []string{"gnu", "affero"}},
	{"MPL-1.1", []string{"mozilla"}}, {"MPL-2.0", []string{"mozilla"}},
}

// knownLicence is a licence Product names and the words its template
// requires.
type knownLicence struct {
	id    string
	words []string
}

// bsdWords open every BSD template ("Redistribution and use in source and
// binary forms") and Apache-2.0's text has only the first.
var bsdWords = []string{"redistribution", "binary"}

// licenceTemplates are the licensecheck templates of the known licences
// that text can match, and the known licences' URLs (a URL costs the
// matcher nothing).
func licenceTemplates(text []byte) []licensecheck.License {
	lower := bytes.ToLower(text)
	possible := map[string]bool{}
	for _, k := range knownLicences {
		possible[k.id] = !slices.ContainsFunc(k.words, func(w string) bool { return !bytes.Contains(lower, []byte(w)) })
	}
	var out []licensecheck.License
	for _, l := range licensecheck.BuiltinLicenses() {
		if _, known := possible[l.ID]; known && (l.LRE == "" || possible[l.ID]) {
			out = append(out, l)
		}
	}
	return out
}

// LicenceID names the licence a LICENSE text holds, using licensecheck's
// templates of the SPDX licences. Only a text that is mostly (75 %, syft's
// threshold too) one licence is named; a mixture, or too little matched
// text, gives "": an unknown licence is better than a guessed one.
func LicenceID(text []byte) string {
	scanner, err := licensecheck.NewScanner(licenceTemplates(text))
	if err != nil {
		return "" // the embedded templates are fixed; this does not happen
	}
	return oneLicence(scanner.Scan(text))
}

// oneLicence is the licence a scan found, when the text is mostly (75 %)
// that one licence; else "".
func oneLicence(cov licensecheck.Coverage) string {
	if cov.Percent < 75 {
		return ""
	}
	var ids []string
	for _, m := range cov.Match {
		if !m.IsURL && !slices.Contains(ids, m.ID) {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) != 1 {
		return ""
	}
	return ids[0]
}
