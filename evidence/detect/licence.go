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
// needs a few templates, and an MIT text a matcher 30 times cheaper. A
// BSD text holds the words of all five BSD templates, which together cost
// 80 ms; they are tried alone first (LicenceID), and a BSD text costs
// 15 ms.
var knownLicences = []knownLicence{
	{"0BSD", nil, false}, {"BSL-1.0", nil, false}, {"CC0-1.0", nil, false}, {"ISC", nil, false},
	{"MIT", nil, false}, {"MIT-0", nil, false}, {"MPL-2.0-no-copyleft-exception", nil, false},
	{"Unlicense", nil, false}, {"Zlib", nil, false},
	{"Apache-1.1", []string{"apache"}, false}, {"Apache-2.0", []string{"apache"}, false},
	{"BSD-2-Clause", bsdWords, true}, {"BSD-2-Clause-Patent", bsdWords, true},
	{"BSD-3-Clause", bsdWords, true}, {"BSD-3-Clause-Clear", bsdWords, true},
	{"BSD-4-Clause", bsdWords, true},
	{"EPL-2.0", []string{"eclipse"}, false},
	{"GPL-2.0", []string{"gnu"}, false}, {"GPL-3.0", []string{"gnu"}, false},
	{"LGPL-2.0", []string{"gnu", "library"}, false},
	{"LGPL-2.1", []string{"gnu", "lesser"}, false}, {"LGPL-3.0", []string{"gnu", "lesser"}, false},
	{"AGPL-3.0", []string{"gnu", "affero"}, false},
	{"MPL-1.1", []string{"mozilla"}, false}, {"MPL-2.0", []string{"mozilla"}, false},
}

// knownLicence is a licence Product names, the words its template
// requires, and whether its template is tried alone before it joins the
// matcher that names the text (LicenceID).
type knownLicence struct {
	id    string
	words []string
	alone bool
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
//
// licensecheck compiles its templates into one automaton, and templates
// that share most of their wording and differ in a clause here and there
// multiply its states: the five BSD templates cost 80 ms together and
// 5 ms one by one. So those (knownLicence.alone) are first tried one at a
// time, and only the ones that match somewhere in the text join the
// matcher that names it. A template that matches nowhere alone matches
// nowhere among others either: the automaton finds the same matches,
// longest first. Trying every template alone would cost more than it
// saves (GPL-3.0's text: 55 ms together, 90 ms alone).
func LicenceID(text []byte) string {
	templates := licenceTemplates(text)
	templates = slices.DeleteFunc(templates, func(l licensecheck.License) bool {
		return l.LRE != "" && triedAlone(l.ID) && !matchesSomewhere(l, text)
	})
	if !slices.ContainsFunc(templates, func(l licensecheck.License) bool { return l.LRE != "" }) {
		return "" // URLs alone name no licence
	}
	return oneLicence(scan(templates, text))
}

// triedAlone reports whether the known licence id's template is tried
// alone before it joins the matcher that names a text.
func triedAlone(id string) bool {
	return slices.ContainsFunc(knownLicences, func(k knownLicence) bool { return k.id == id && k.alone })
}

// matchesSomewhere reports whether the template matches some of text.
func matchesSomewhere(template licensecheck.License, text []byte) bool {
	return len(scan([]licensecheck.License{template}, text).Match) > 0
}

// scan is the coverage of text by the licences' templates and URLs.
func scan(licences []licensecheck.License, text []byte) licensecheck.Coverage {
	scanner, err := licensecheck.NewScanner(licences)
	if err != nil {
		return licensecheck.Coverage{} // the embedded templates are fixed; this does not happen
	}
	return scanner.Scan(text)
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
