package techfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// Region markers. Each stands alone on its line.
const (
	kindText      = "text"
	kindGenerated = "generated"
	kindManual    = "manual"

	endMarker = "<!-- cemark:end -->"
	// guidanceMarker opens the guidance text of a fresh manual region; a
	// region still holding it has not been written by the manufacturer yet.
	guidanceMarker = "<!-- cemark:guidance -->"
	// orphanRegion is the generated heading of the orphaned-text section.
	orphanRegion = "orphaned"
)

var startRE = regexp.MustCompile(`^<!-- cemark:(generated|manual) id=([A-Za-z0-9][A-Za-z0-9._-]*)(?: sha256=([0-9a-f]{64}))? -->$`)

// segment is one part of a document: a region, or the blank text between
// regions.
type segment struct {
	kind string
	id   string
	// hash is the sha256 recorded in a generated region's marker; empty
	// when the marker has none (then the region is regenerated freely).
	hash string
	body string // the lines between the markers, each with its newline
	line int    // 1-based line of the start marker
}

func hashOf(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// edited reports whether a generated region's text differs from the hash
// its marker records: someone changed it by hand.
func (s segment) edited() bool {
	return s.kind == kindGenerated && s.hash != "" && hashOf(s.body) != s.hash
}

// parseRegions splits a document into segments. Text outside regions may be
// blank only: every other byte belongs to a generated or a manual region,
// so nothing can be lost or silently overwritten.
func parseRegions(doc string) ([]segment, error) {
	var segs []segment
	var cur *segment
	// body collects the open region's lines; text the blank lines between
	// regions. Builders keep the parse linear in the document's size.
	var body, text strings.Builder
	seen := map[string]int{}
	lines := strings.SplitAfter(doc, "\n")
	for i, raw := range lines {
		if raw == "" {
			continue
		}
		n := i + 1
		line := strings.TrimRight(raw, "\r\n")
		trimmed := strings.TrimSpace(line)
		if cur != nil {
			if trimmed == endMarker {
				cur.body = body.String()
				body.Reset()
				segs = append(segs, *cur)
				cur = nil
				continue
			}
			if strings.HasPrefix(trimmed, "<!-- cemark:generated") || strings.HasPrefix(trimmed, "<!-- cemark:manual") {
				return nil, fmt.Errorf("line %d: region %q opened inside region %q (opened at line %d) — regions do not nest", n, trimmed, cur.id, cur.line)
			}
			body.WriteString(raw)
			if !strings.HasSuffix(raw, "\n") {
				body.WriteByte('\n')
			}
			continue
		}
		if m := startRE.FindStringSubmatch(trimmed); m != nil {
			if prev, dup := seen[m[2]]; dup {
				return nil, fmt.Errorf("line %d: region id %q used twice (first at line %d)", n, m[2], prev)
			}
			seen[m[2]] = n
			if text.Len() > 0 {
				segs = append(segs, segment{kind: kindText, body: text.String()})
				text.Reset()
			}
			cur = &segment{kind: m[1], id: m[2], hash: m[3], line: n}
			continue
		}
		if trimmed == endMarker {
			return nil, fmt.Errorf("line %d: %s without an open region", n, endMarker)
		}
		if strings.HasPrefix(trimmed, "<!-- cemark:") {
			return nil, fmt.Errorf("line %d: malformed region marker %q", n, trimmed)
		}
		if trimmed != "" {
			return nil, fmt.Errorf("line %d: text outside any region: %q", n, shorten(trimmed))
		}
		text.WriteString(raw)
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: region %q is never closed with %s", cur.line, cur.id, endMarker)
	}
	if text.Len() > 0 {
		segs = append(segs, segment{kind: kindText, body: text.String()})
	}
	return segs, nil
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// writeRegion writes a region with its markers; generated regions record
// the hash of their text.
func writeRegion(b *strings.Builder, s segment) {
	switch s.kind {
	case kindText:
		b.WriteString(s.body)
		return
	case kindGenerated:
		fmt.Fprintf(b, "<!-- cemark:generated id=%s sha256=%s -->\n", s.id, s.hash)
	case kindManual:
		fmt.Fprintf(b, "<!-- cemark:manual id=%s -->\n", s.id)
	}
	b.WriteString(s.body)
	b.WriteString(endMarker + "\n")
}

// mergeOutcome is a merged document and what the merge found.
type mergeOutcome struct {
	doc         string
	handEdits   []ManualEdit // File is filled by the caller
	manualFills map[string]bool
}

// merge combines a fresh render with the document already on disk:
//   - generated regions take the fresh text, unless the old region was
//     edited by hand: then the old region is kept byte for byte (with its
//     old hash, so it stays detected) and reported;
//   - manual regions keep the old text verbatim;
//   - old manual regions the fresh render no longer has, and hand-edited
//     generated regions it no longer has, go under "Orphaned manual text".
//
// manualFills reports, per manual region, whether the manufacturer has
// replaced the guidance text.
func merge(fresh []segment, old []segment, orphanHeading string) mergeOutcome {
	out := mergeOutcome{manualFills: map[string]bool{}}
	oldByID := map[string]segment{}
	for _, s := range old {
		if s.kind != kindText {
			oldByID[s.id] = s
		}
	}
	freshIDs := map[string]bool{}
	freshKind := map[string]string{}
	used := map[string]bool{orphanRegion: true}
	for _, s := range fresh {
		if s.kind != kindText {
			freshIDs[s.id] = true
			freshKind[s.id] = s.kind
			used[s.id] = true
		}
	}
	for id := range oldByID {
		used[id] = true
	}
	// keptID names a kept region without clashing with any other id.
	keptID := func(id string) string {
		k := "kept-" + id
		for n := 2; used[k]; n++ {
			k = fmt.Sprintf("kept-%s-%d", id, n)
		}
		used[k] = true
		return k
	}
	var b strings.Builder
	for _, s := range fresh {
		prev, had := oldByID[s.id]
		switch s.kind {
		case kindGenerated:
			if had && prev.kind == kindGenerated && prev.edited() {
				out.handEdits = append(out.handEdits, ManualEdit{Region: s.id,
					Detail: fmt.Sprintf("generated region %q was edited by hand; it was kept and not regenerated — move the text into a manual region, or delete the region's sha256=… attribute to let cemark replace it", s.id)})
				writeVerbatim(&b, prev)
				continue
			}
			s.hash = hashOf(s.body)
		case kindManual:
			if had && (prev.kind == kindManual || prev.edited()) {
				// A hand edit of a region the template now leaves to the
				// manufacturer has found its home.
				s.body = prev.body
			}
			out.manualFills[s.id] = !strings.Contains(s.body, guidanceMarker)
		}
		writeRegion(&b, s)
	}
	var orphans []segment
	for _, s := range old {
		if s.kind == kindText || s.id == orphanRegion || freshKind[s.id] == s.kind {
			continue
		}
		switch {
		case s.kind == kindManual && untouchedGuidance(s.body):
			// Nothing of the manufacturer's to keep.
		case s.kind == kindGenerated && freshIDs[s.id]:
			// Now a manual region: an edited text was carried into it above.
		case s.kind == kindManual && freshIDs[s.id]:
			// The template turned this manual region into a generated one.
			orphans = append(orphans, segment{kind: kindManual, id: keptID(s.id), body: s.body})
		case s.kind == kindManual:
			orphans = append(orphans, s)
		case s.edited():
			id := keptID(s.id)
			out.handEdits = append(out.handEdits, ManualEdit{Region: s.id,
				Detail: fmt.Sprintf("generated region %q was edited by hand and the template no longer has it as a generated region; the text was kept as manual region %q under \"Orphaned manual text\"", s.id, id)})
			orphans = append(orphans, segment{kind: kindManual, id: id, body: s.body})
		}
	}
	if len(orphans) > 0 {
		body := orphanHeading
		b.WriteString("\n")
		writeRegion(&b, segment{kind: kindGenerated, id: orphanRegion, hash: hashOf(body), body: body})
		for _, s := range orphans {
			b.WriteString("\n")
			writeRegion(&b, segment{kind: kindManual, id: s.id, body: s.body})
		}
	}
	out.doc = b.String()
	return out
}

// untouchedGuidance reports whether a manual region holds nothing but a
// one-paragraph guidance text, as a template created it. Anything more is
// treated as the manufacturer's and kept.
func untouchedGuidance(body string) bool {
	rest, ok := strings.CutPrefix(body, guidanceMarker+"\n")
	rest = strings.TrimSpace(rest)
	return ok && strings.HasPrefix(rest, "_") && strings.HasSuffix(rest, "_") && !strings.Contains(rest, "\n\n")
}

// writeVerbatim writes an old generated region exactly as it was.
func writeVerbatim(b *strings.Builder, s segment) {
	if s.hash != "" {
		fmt.Fprintf(b, "<!-- cemark:generated id=%s sha256=%s -->\n", s.id, s.hash)
	} else {
		fmt.Fprintf(b, "<!-- cemark:generated id=%s -->\n", s.id)
	}
	b.WriteString(s.body)
	b.WriteString(endMarker + "\n")
}
