package techfile

import "fmt"

// languages the technical file is written in.
var languages = []string{"en", "da"}

// switchLanguage prepares the segments of a localised document on disk
// for a render in l.lang. Guidance text is cemark's, not the
// manufacturer's: a manual region that still holds the guidance of another
// language gets the fresh guidance. Text the manufacturer wrote is never
// touched; when the document was in another language until now, each such
// region is named in a notice, because cemark does not translate it.
func (l templateLoader) switchLanguage(doc, rel string, v view, fresh, old []segment) ([]segment, []string) {
	if !localised[doc] || len(old) == 0 {
		return old, nil
	}
	freshByID := map[string]segment{}
	for _, s := range fresh {
		freshByID[s.id] = s
	}
	foreign := map[string]string{} // region id → its body in another language
	for _, lang := range languages {
		if lang == l.lang {
			continue
		}
		other := l
		other.lang = lang
		text, err := other.render(doc, v)
		if err != nil {
			continue
		}
		segs, err := parseRegions(text)
		if err != nil {
			continue
		}
		for _, s := range segs {
			if s.kind == kindManual || s.id == "header" {
				foreign[s.id] = s.body
			}
		}
	}
	switched := false
	out := make([]segment, len(old))
	copy(out, old)
	for i, s := range out {
		if body, ok := foreign[s.id]; !ok || body != s.body || body == freshByID[s.id].body {
			continue
		}
		switched = true
		if f, ok := freshByID[s.id]; ok && s.kind == kindManual && f.kind == kindManual {
			out[i].body = f.body
		}
	}
	if !switched {
		return out, nil
	}
	var notices []string
	for _, s := range out {
		if s.kind != kindManual || freshByID[s.id].body == s.body {
			continue
		}
		notices = append(notices, fmt.Sprintf("%s: manual region %q was written before the document switched to %q; cemark does not translate the manufacturer's text: translate it", rel, s.id, l.lang))
	}
	return out, notices
}
