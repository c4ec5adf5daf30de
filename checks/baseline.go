package checks

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// A baseline lets a team adopt cemark on an existing repository: the
// findings of a previous report.json are "existing" (Finding.Baseline), keep
// their outcome and stay in every output — the technical file and
// conformity.json show them all — but only new findings count for --fail-on
// (FailsAt). A baseline gates CI; it never hides evidence.
//
// A finding matches a baseline finding by its fingerprint (check, path and
// stable key: it survives line shifts), or, when the file was moved or
// renamed, by its content fingerprint (check, key and the masked snippet:
// no path, no line). Matching is one to one: two identical findings need two
// baseline entries, so a copy of an accepted problem into a new file is new.

// DefaultBaselineFile is the baseline `cemark baseline write` writes at
// the product root when neither --output nor checks.baseline names one. It
// is left out of the scan, like checks.baseline.
const DefaultBaselineFile = "cemark-baseline.json"

// MaxBaselineSize bounds the baseline file read (a report.json).
const MaxBaselineSize = 64 << 20

// Fingerprint is the stable identity of a finding across commits: a hash of
// check, path and key (the message when there is no key), never a line. It
// is the same value as SARIF's cemarkFindingHash/v1.
func Fingerprint(f Finding) string {
	return hashFields(f.Check, f.Path, findingKey(f))
}

// ContentFingerprint identifies a finding without its place: check, key and
// the masked snippet. It matches a finding whose file was moved or renamed
// with the same content.
func ContentFingerprint(f Finding) string {
	return hashFields(f.Check, findingKey(f), strings.Join(strings.Fields(f.Snippet), " "))
}

func findingKey(f Finding) string {
	if f.Key != "" {
		return f.Key
	}
	return f.Message
}

func hashFields(fields ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(fields, "\x00")))
	return hex.EncodeToString(sum[:])
}

// Baseline is the set of findings a previous report accepted as existing.
type Baseline struct {
	// Source names the baseline for messages ("cemark-baseline.json").
	Source string
	// Digest is the hex SHA-256 of the file read (LoadBaseline), for the
	// run record.
	Digest string
	// Report is the report the baseline was taken from (nil for none):
	// the vulnerability scan takes first-seen days from it too.
	Report  *Report
	entries []baselineEntry
}

type baselineEntry struct{ exact, content string }

// NewBaseline takes every finding of rep that is not a pass or
// not-applicable as existing.
func NewBaseline(source string, rep *Report) *Baseline {
	b := &Baseline{Source: source, Report: rep}
	if rep == nil {
		return b
	}
	for _, f := range rep.Findings() {
		if countsForBaseline(f) {
			b.entries = append(b.entries, baselineEntry{Fingerprint(f), ContentFingerprint(f)})
		}
	}
	return b
}

// Len is the number of findings in the baseline.
func (b *Baseline) Len() int { return len(b.entries) }

func countsForBaseline(f Finding) bool {
	return f.Outcome != Pass && f.Outcome != NotApplicable
}

// Apply marks the findings of rep that the baseline holds (Baseline: true)
// and returns how many it marked. Each baseline entry matches one finding.
// Exact fingerprints are matched first over the whole report, then content
// fingerprints for what is left, so a moved file never takes the entry of a
// finding that stayed in place.
func (b *Baseline) Apply(rep *Report) int {
	if b == nil || rep == nil {
		return 0
	}
	used := make([]bool, len(b.entries))
	byExact := map[string][]int{}
	byContent := map[string][]int{}
	for i, e := range b.entries {
		byExact[e.exact] = append(byExact[e.exact], i)
		byContent[e.content] = append(byContent[e.content], i)
	}
	take := func(idx map[string][]int, key string) bool {
		for _, i := range idx[key] {
			if !used[i] {
				used[i] = true
				return true
			}
		}
		return false
	}
	var left []*Finding
	n := 0
	for i := range rep.Results {
		for j := range rep.Results[i].Findings {
			f := &rep.Results[i].Findings[j]
			f.Baseline = false
			if !countsForBaseline(*f) {
				continue
			}
			if take(byExact, Fingerprint(*f)) {
				f.Baseline = true
				n++
				continue
			}
			left = append(left, f)
		}
	}
	for _, f := range left {
		if take(byContent, ContentFingerprint(*f)) {
			f.Baseline = true
			n++
		}
	}
	rep.Summary = Summarise(rep)
	return n
}

// ReportError is a report.json that cannot be read: missing, too large,
// or not a cemark report. Line and Column are set for a JSON syntax or type
// error. The CLI maps it to exit 2.
type ReportError struct {
	Path         string
	Line, Column int
	Err          error
}

func (e *ReportError) Error() string {
	at := e.Path
	if e.Line > 0 {
		at = fmt.Sprintf("%s:%d:%d", e.Path, e.Line, e.Column)
	}
	return fmt.Sprintf("%s: %v", at, e.Err)
}

func (e *ReportError) Unwrap() error { return e.Err }

// LoadBaseline reads a report.json written by cemark (any 1.x schema) as a
// baseline. display names the file in messages.
func LoadBaseline(path, display string) (*Baseline, error) {
	rep, data, err := ReadReport(path, display)
	if err != nil {
		var re *ReportError
		if errors.As(err, &re) && errors.Is(re.Err, os.ErrNotExist) {
			re.Err = errors.New("no such file (write one with `cemark baseline write`, or take the target branch's last report.json)")
		}
		return nil, fmt.Errorf("baseline %w", err)
	}
	b := NewBaseline(display, rep)
	sum := sha256.Sum256(data)
	b.Digest = hex.EncodeToString(sum[:])
	return b, nil
}

// ReadReport reads a report.json that cemark wrote (schema 1.x), at most
// MaxBaselineSize bytes, and returns it with the bytes read. display names
// the file in errors (*ReportError).
func ReadReport(path, display string) (*Report, []byte, error) {
	if display == "" {
		display = path
	}
	fail := func(err error) (*Report, []byte, error) { return nil, nil, &ReportError{Path: display, Err: err} }
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBaselineSize+1))
	if err != nil {
		return fail(err)
	}
	if len(data) > MaxBaselineSize {
		return fail(fmt.Errorf("over %d MiB; a report.json is far smaller", MaxBaselineSize>>20))
	}
	rep, err := ParseReport(data)
	if err != nil {
		re := &ReportError{Path: display, Err: err}
		var off int64 = -1
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			off = int64(len(data))
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off = te.Offset
		}
		if off >= 0 {
			re.Line, re.Column = lineColumn(data, off)
		}
		return nil, nil, re
	}
	return rep, data, nil
}

// ParseReport decodes a report.json that cemark wrote (schema 1.x).
func ParseReport(data []byte) (*Report, error) {
	var rep Report
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("not a cemark report.json: %w", err)
	}
	if rep.Tool.Name != "cemark" || !strings.HasPrefix(rep.SchemaVersion, "1.") {
		return nil, fmt.Errorf("not a cemark report.json (tool %q, schema_version %q; want cemark, 1.x)", rep.Tool.Name, rep.SchemaVersion)
	}
	return &rep, nil
}

// lineColumn turns a byte offset into a 1-based line and column.
func lineColumn(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return line, col
}
