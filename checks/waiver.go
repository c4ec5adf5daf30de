package checks

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/evidence/config"
)

// Waiver sources, as recorded in WaiverRef.Source.
const (
	WaiverSourceConfig = "cemark.yaml"
	WaiverSourceInline = "inline"
)

// ignoreComment is an inline waiver: "# cemark:ignore CEM-XXX-000 reason"
// or the same after "//" (Go, JS) — several IDs may be given, separated by
// commas or spaces. The reason is everything after the IDs.
var ignoreComment = regexp.MustCompile(`(?:#|//|/\*|<!--|--|;)\s*cemark:ignore\s+((?:CEM-[A-Z]+-\d{3})(?:\s*,\s*CEM-[A-Z]+-\d{3}|\s+CEM-[A-Z]+-\d{3})*)(.*)$`)

// InlineIgnore is one cemark:ignore comment.
type InlineIgnore struct {
	Checks []string
	Reason string
	Line   int
}

// ParseInlineIgnore reads a cemark:ignore comment from one source line.
func ParseInlineIgnore(line string) (InlineIgnore, bool) {
	m := ignoreComment.FindStringSubmatch(line)
	if m == nil {
		return InlineIgnore{}, false
	}
	ids := strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	reason := strings.TrimSpace(m[2])
	reason = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(reason, "*/"), "-->"))
	reason = strings.TrimSpace(strings.TrimLeft(reason, ":-—"))
	return InlineIgnore{Checks: ids, Reason: reason, Line: 0}, true
}

type waiverUse struct {
	w       config.Waiver
	expired bool
	used    int
}

type ignoreKey struct {
	path string
	line int
}

type waiverState struct {
	t       *Target
	waivers []*waiverUse
	// ran is the set of checks in the run; an unused waiver is only
	// reported when its check ran.
	ran map[string]bool
	// known is the whole catalogue when the caller gave it.
	known map[string]bool
	// badIgnores are reason-less ignores consulted for a finding.
	badIgnores map[ignoreKey][]string
	// lines caches each file's lines for inline ignores.
	lines map[string][]string
}

func newWaiverState(ws []config.Waiver, t *Target, reg *Registry, catalogue []string) *waiverState {
	s := &waiverState{t: t, ran: map[string]bool{}, badIgnores: map[ignoreKey][]string{}, lines: map[string][]string{}}
	if len(catalogue) > 0 {
		s.known = map[string]bool{}
		for _, id := range catalogue {
			s.known[id] = true
		}
	}
	for _, id := range reg.IDs() {
		s.ran[id] = true
	}
	for _, w := range ws {
		w.Check = strings.ToUpper(strings.TrimSpace(w.Check))
		s.waivers = append(s.waivers, &waiverUse{w: w, expired: w.Expires != nil && w.Expires.Before(t.Now)})
	}
	return s
}

// apply waives a failing or warning finding when a current waiver of
// cemark.yaml or an inline ignore with a reason matches it. An expired
// waiver does not waive: the finding keeps its outcome and carries the
// waiver so the reader sees why.
func (s *waiverState) apply(f *Finding) {
	if f.Outcome != Fail && f.Outcome != Warn || isFrameworkCheck(f.Check) {
		return
	}
	var expired *waiverUse
	for _, u := range s.waivers {
		if u.w.Check != f.Check || !waiverCovers(u.w.Path, f.Path) {
			continue
		}
		u.used++
		if u.expired {
			if expired == nil {
				expired = u
			}
			continue
		}
		f.Outcome = Waived
		f.Waiver = &WaiverRef{Source: WaiverSourceConfig, Justification: u.w.Justification,
			ApprovedBy: u.w.ApprovedBy, Expires: dateString(u.w.Expires), Path: u.w.Path}
		return
	}
	if ig, ok := s.inline(f); ok {
		f.Outcome = Waived
		f.Waiver = &WaiverRef{Source: WaiverSourceInline, Justification: ig.Reason, Line: ig.Line}
		return
	}
	if expired != nil {
		f.Waiver = &WaiverRef{Source: WaiverSourceConfig, Justification: expired.w.Justification,
			ApprovedBy: expired.w.ApprovedBy, Expires: dateString(expired.w.Expires), Path: expired.w.Path}
	}
}

func dateString(d *config.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// waiverCovers matches a waiver's path glob: empty means every path; a
// glob naming a folder covers what is below it.
func waiverCovers(glob, p string) bool {
	glob = strings.TrimSpace(glob)
	if glob == "" || glob == "**" {
		return true
	}
	if p == "" {
		return false
	}
	return Excluded(p, []string{glob})
}

// inline looks for a cemark:ignore comment naming f's check on f's line or
// the line just above. A comment without a reason does not waive and is
// remembered for CEM-WVR-002.
func (s *waiverState) inline(f *Finding) (InlineIgnore, bool) {
	if f.Path == "" || f.Line <= 0 || !s.t.Files.Has(f.Path) {
		return InlineIgnore{}, false
	}
	lines := s.fileLines(f.Path)
	for _, ln := range []int{f.Line, f.Line - 1} {
		if ln < 1 || ln > len(lines) {
			continue
		}
		ig, ok := ParseInlineIgnore(lines[ln-1])
		if !ok || !contains(ig.Checks, f.Check) {
			continue
		}
		ig.Line = ln
		if ig.Reason == "" {
			k := ignoreKey{f.Path, ln}
			if !contains(s.badIgnores[k], f.Check) {
				s.badIgnores[k] = append(s.badIgnores[k], f.Check)
			}
			continue
		}
		return ig, true
	}
	return InlineIgnore{}, false
}

func (s *waiverState) fileLines(p string) []string {
	if l, ok := s.lines[p]; ok {
		return l
	}
	data, err := s.t.Files.Read(p)
	var l []string
	if err == nil {
		l = strings.Split(string(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))), "\n")
	}
	s.lines[p] = l
	return l
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// waiverFindings are CEM-WVR-001's findings: one Fail per expired waiver,
// one Warn per current waiver that matched nothing although its check ran.
func (s *waiverState) waiverFindings(configFile string) []Finding {
	var out []Finding
	lines := s.waiverLines(configFile)
	for i, u := range s.waivers {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		glob := u.w.Path
		if glob == "" {
			glob = "**"
		}
		key := u.w.Check + " " + glob
		switch {
		case u.expired:
			out = append(out, Finding{Outcome: Fail, Path: configFile, Line: line, Key: key,
				Message: fmt.Sprintf("waiver for %s on %s expired on %s", u.w.Check, glob, u.w.Expires),
				Values:  map[string]string{"waived_check": u.w.Check, "glob": glob, "expires": u.w.Expires.String(), "matched_findings": fmt.Sprint(u.used)}})
		case s.known != nil && !s.known[u.w.Check] && !s.ran[u.w.Check]:
			out = append(out, Finding{Outcome: Warn, Severity: SeverityLow, Path: configFile, Line: line, Key: key,
				Message: fmt.Sprintf("the waiver for %s on %s names no known check, so it waives nothing", u.w.Check, glob),
				Values:  map[string]string{"waived_check": u.w.Check, "glob": glob}})
		case u.used == 0 && s.ran[u.w.Check]:
			out = append(out, Finding{Outcome: Warn, Severity: SeverityLow, Path: configFile, Line: line, Key: key,
				Message: fmt.Sprintf("unused waiver: the waiver for %s on %s matches no finding", u.w.Check, glob),
				Values:  map[string]string{"waived_check": u.w.Check, "glob": glob}})
		}
	}
	if len(out) == 0 && len(s.waivers) > 0 {
		out = append(out, Finding{Outcome: Pass, Path: configFile, Message: fmt.Sprintf("%d waiver(s), none expired", len(s.waivers))})
	}
	return out
}

// waiverLines is the line of each entry of the configuration file's
// waivers list, in order, so that a waiver finding points at the waiver;
// nil when the file is not in the product tree or its list does not
// match the waivers loaded (then findings name the file only).
func (s *waiverState) waiverLines(configFile string) []int {
	if configFile == "" || len(s.waivers) == 0 || !s.t.Files.Has(configFile) {
		return nil
	}
	data, err := s.t.Files.Read(configFile)
	if err != nil {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "waivers" || m.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		items := m.Content[i+1].Content
		if len(items) != len(s.waivers) {
			return nil
		}
		lines := make([]int, len(items))
		for j, it := range items {
			lines[j] = it.Line
		}
		return lines
	}
	return nil
}

// ignoreFindings are CEM-WVR-002's: one Warn per reason-less ignore that a
// finding consulted.
func (s *waiverState) ignoreFindings() []Finding {
	keys := make([]ignoreKey, 0, len(s.badIgnores))
	for k := range s.badIgnores {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].path != keys[j].path {
			return keys[i].path < keys[j].path
		}
		return keys[i].line < keys[j].line
	})
	var out []Finding
	for _, k := range keys {
		ids := append([]string(nil), s.badIgnores[k]...)
		sort.Strings(ids)
		out = append(out, Finding{Outcome: Warn, Path: k.path, Line: k.line, Key: strings.Join(ids, ","),
			Message: fmt.Sprintf("%s:%d: cemark:ignore %s has no reason, so it waives nothing; add the reason after the check ID", k.path, k.line, strings.Join(ids, " "))})
	}
	return out
}
