package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	intotov1 "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// Predicate types cemark writes.
const (
	PredicateCycloneDX  = "https://cyclonedx.org/bom"
	PredicateSPDX       = "https://spdx.dev/Document/v2.3"
	PredicateTestResult = "https://in-toto.io/attestation/test-result/v0.1"
	PredicateReport     = "https://cemark.dev/report/v1"
	PredicateProvenance = "https://slsa.dev/provenance/v1"
	PredicateConformity = "https://cemark.dev/conformity/v2"
	// PredicateReference is in-toto's reference predicate: used for an SBOM
	// too large to carry inline, which is then attested by digest.
	PredicateReference = "https://in-toto.io/attestation/reference/v0.1"
)

// Statement names cemark writes (file stems of <name>.dsse.json).
const (
	NameSBOMCycloneDX = "sbom-cyclonedx"
	NameSBOMSPDX      = "sbom-spdx"
	NameTestResult    = "test-result"
	NameReport        = "report"
	NameProvenance    = "provenance"
	NameConformity    = "conformity"
)

// PayloadType is the DSSE payload type of an in-toto statement.
const PayloadType = "application/vnd.in-toto+json"

// StatementTypeV1 is the _type of an in-toto Statement v1.
const StatementTypeV1 = intotov1.StatementTypeUri

// StatementTypeV01 is the legacy _type that verification rejects.
const StatementTypeV01 = "https://in-toto.io/Statement/v0.1"

// ErrStatementV01 rejects a legacy in-toto Statement v0.1 where v1 is required.
var ErrStatementV01 = errors.New("statement is in-toto Statement v0.1 (_type https://in-toto.io/Statement/v0.1); Statement v1 (_type https://in-toto.io/Statement/v1) is required")

// Statement is one in-toto Statement v1, serialised.
type Statement struct {
	// Name is the file stem: "sbom-cyclonedx", "sbom-spdx", "test-result",
	// "report", "provenance", "conformity", or a user's own name.
	Name          string
	PredicateType string
	// Payload is the canonical JSON of the Statement: keys sorted, no
	// insignificant whitespace. The same input gives the same bytes.
	Payload []byte
	// ByDigest is true when the content (an SBOM above the inline limit)
	// is attested by digest instead of carried inline; Note says so in
	// words for the summary.
	ByDigest bool
	Note     string
}

// Digest is the hex SHA-256 of the payload.
func (s Statement) Digest() string {
	sum := sha256.Sum256(s.Payload)
	return hex.EncodeToString(sum[:])
}

// NewStatement builds a Statement v1 over subjects. predicate is JSON bytes
// (json.RawMessage or []byte), a protobuf message, or any value
// encoding/json can marshal; it must be a JSON object. The result is
// validated with the in-toto bindings.
//
// The payload is written straight from the encoded predicate (an SBOM can
// be several MB): its canonical form is made in one pass over the bytes
// (appendCanonical), and the statement is validated from the subjects it
// was given rather than by parsing the payload back.
func NewStatement(name, predicateType string, subjects []*intotov1.ResourceDescriptor, predicate any) (Statement, error) {
	predJSON, err := predicateJSON(predicate)
	if err != nil {
		return Statement{}, fmt.Errorf("statement %s: encode predicate: %w", name, err)
	}
	st := intotov1.Statement{Type: StatementTypeV1, Subject: subjects, PredicateType: predicateType}
	// The members in canonical (sorted) order: _type, predicate,
	// predicateType, subject.
	payload := make([]byte, 0, len(predJSON)+512)
	payload = append(payload, `{"_type":`...)
	payload = appendJSONString(payload, StatementTypeV1)
	payload = append(payload, `,"predicate":`...)
	start := len(payload)
	if payload, err = appendCanonical(payload, predJSON); err != nil {
		return Statement{}, fmt.Errorf("statement %s: predicate: %w", name, err)
	}
	if payload[start] != '{' {
		return Statement{}, fmt.Errorf("statement %s: predicate must be a JSON object", name)
	}
	st.Predicate = &structpb.Struct{} // an object; Validate only asks that there is one
	payload = append(payload, `,"predicateType":`...)
	payload = appendJSONString(payload, predicateType)
	payload = append(payload, `,"subject":[`...)
	for i, s := range subjects {
		b, err := protojson.Marshal(s)
		if err != nil {
			return Statement{}, fmt.Errorf("statement %s: encode subject %q: %w", name, s.GetName(), err)
		}
		if i > 0 {
			payload = append(payload, ',')
		}
		if payload, err = appendCanonical(payload, b); err != nil {
			return Statement{}, fmt.Errorf("statement %s: subject %q: %w", name, s.GetName(), err)
		}
	}
	payload = append(payload, "]}"...)
	if cap(payload)-len(payload) > len(payload)/8 {
		// Sorting the predicate's members needs room for it twice; the
		// payload is kept for the whole run (a large report's is tens of
		// MB), so it is kept without that room.
		payload = bytes.Clone(payload)
	}
	if err := st.Validate(); err != nil {
		return Statement{}, fmt.Errorf("statement %s: invalid in-toto Statement v1: %w", name, err)
	}
	return Statement{Name: name, PredicateType: predicateType, Payload: payload}, nil
}

// ParseStatement reads and validates an in-toto Statement v1 payload with
// the in-toto bindings. A v0.1 statement is rejected with ErrStatementV01.
func ParseStatement(payload []byte) (*intotov1.Statement, error) {
	var head struct {
		Type string `json:"_type"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		return nil, fmt.Errorf("statement is not JSON: %w", err)
	}
	switch head.Type {
	case StatementTypeV1:
	case StatementTypeV01:
		return nil, ErrStatementV01
	case "":
		return nil, fmt.Errorf("statement has no _type: not an in-toto statement")
	default:
		return nil, fmt.Errorf("statement _type is %q, want %q", head.Type, StatementTypeV1)
	}
	// The subjects are read with the in-toto bindings and the whole checked
	// with Statement.Validate; the predicate (an SBOM can be 16 MB) only
	// has to be a JSON object, so it is not converted to a protobuf Struct.
	var raw struct {
		Subject       []json.RawMessage `json:"subject"`
		PredicateType string            `json:"predicateType"`
		Predicate     json.RawMessage   `json:"predicate"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, fmt.Errorf("statement does not follow in-toto Statement v1: %w", err)
	}
	st := intotov1.Statement{Type: head.Type, PredicateType: raw.PredicateType}
	for i, rs := range raw.Subject {
		var rd intotov1.ResourceDescriptor
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(rs, &rd); err != nil {
			return nil, fmt.Errorf("statement subject %d does not follow in-toto ResourceDescriptor: %w", i+1, err)
		}
		st.Subject = append(st.Subject, &rd)
	}
	if p := bytes.TrimSpace(raw.Predicate); len(p) > 0 && p[0] == '{' {
		st.Predicate = &structpb.Struct{}
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("invalid in-toto Statement v1: %w", err)
	}
	return &st, nil
}

func predicateJSON(p any) ([]byte, error) {
	switch v := p.(type) {
	case json.RawMessage:
		return v, nil
	case []byte:
		return v, nil
	case proto.Message:
		return protojson.Marshal(v)
	default:
		return json.Marshal(v)
	}
}

// decodeJSON decodes b keeping numbers as written (json.Number), so that
// re-encoding changes neither large integers nor decimals.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// canonicalMarshal encodes v with sorted object keys (encoding/json sorts
// map keys), no HTML escaping and no trailing newline.
func canonicalMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// canonicalJSON re-encodes JSON bytes canonically.
func canonicalJSON(b []byte) ([]byte, error) {
	return appendCanonical(nil, b)
}

// appendCanonical appends the canonical form of the JSON value src to dst:
// the bytes canonicalMarshal(decodeJSON(src)) gives — object keys sorted
// (the last of duplicate keys kept), no insignificant whitespace, strings
// as encoding/json writes them without HTML escaping, numbers as written —
// in one pass over src instead of a tree of maps. Input it does not
// handle itself (invalid JSON, nesting deeper than encoding/json allows)
// goes the slow way, which gives encoding/json's answer and error.
func appendCanonical(dst, src []byte) ([]byte, error) {
	c := canonicalizer{src: src}
	out, ok := c.value(dst)
	if ok {
		c.space()
		ok = c.pos == len(src)
	}
	if ok {
		return out, nil
	}
	v, err := decodeJSON(src)
	if err != nil {
		return dst, err
	}
	b, err := canonicalMarshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// maxCanonicalDepth is encoding/json's nesting limit.
const maxCanonicalDepth = 10000

// canonicalizer reads one JSON value from src at pos. Each method appends
// the canonical form to out and reports false on anything it leaves to
// encoding/json.
type canonicalizer struct {
	src   []byte
	pos   int
	depth int
	// members is a stack of the members of the objects being read, shared
	// so that reading an object allocates nothing.
	members []member
}

// member is one object member: its decoded key, the key as written in
// the output, and where its canonical value is in the output.
type member struct {
	key, encoded []byte
	start, end   int
}

func (c *canonicalizer) space() {
	for c.pos < len(c.src) {
		switch c.src[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

func (c *canonicalizer) value(out []byte) ([]byte, bool) {
	c.space()
	if c.pos >= len(c.src) {
		return out, false
	}
	switch b := c.src[c.pos]; {
	case b == '{':
		return c.object(out)
	case b == '[':
		return c.array(out)
	case b == '"':
		_, encoded, ok := c.str()
		return append(out, encoded...), ok
	case b == '-' || b >= '0' && b <= '9':
		start := c.pos
		if !c.number() {
			return out, false
		}
		return append(out, c.src[start:c.pos]...), true
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(c.src[c.pos:], []byte(lit)) {
				c.pos += len(lit)
				return append(out, lit...), true
			}
		}
		return out, false
	}
}

func (c *canonicalizer) object(out []byte) ([]byte, bool) {
	if c.depth++; c.depth > maxCanonicalDepth {
		return out, false
	}
	defer func() { c.depth-- }()
	c.pos++ // {
	begin := len(out)
	base := len(c.members)
	defer func() { c.members = c.members[:base] }()
	sorted := true
	for {
		c.space()
		if c.pos < len(c.src) && c.src[c.pos] == '}' {
			break // after "{" or after a member
		}
		if len(c.members) > base {
			if c.pos >= len(c.src) || c.src[c.pos] != ',' {
				return out, false
			}
			c.pos++
			c.space()
		}
		if c.pos >= len(c.src) || c.src[c.pos] != '"' {
			return out, false
		}
		key, encoded, ok := c.str()
		if !ok {
			return out, false
		}
		c.space()
		if c.pos >= len(c.src) || c.src[c.pos] != ':' {
			return out, false
		}
		c.pos++
		start := len(out)
		if out, ok = c.value(out); !ok {
			return out, false
		}
		if n := len(c.members); n > base && bytes.Compare(c.members[n-1].key, key) >= 0 {
			sorted = false
		}
		c.members = append(c.members, member{key: key, encoded: encoded, start: start, end: len(out)})
	}
	c.pos++ // }
	members := c.members[base:]
	if !sorted {
		slices.SortStableFunc(members, func(a, b member) int { return bytes.Compare(a.key, b.key) })
	}
	// The values were written in source order from begin; write the
	// members in key order after them, then move the result to begin.
	values := len(out)
	out = append(out, '{')
	written := false
	for i, m := range members {
		if i+1 < len(members) && bytes.Equal(members[i+1].key, m.key) {
			continue // a later duplicate wins, as when decoding into a map
		}
		if written {
			out = append(out, ',')
		}
		written = true
		out = append(out, m.encoded...)
		out = append(out, ':')
		out = append(out, out[m.start:m.end]...)
	}
	out = append(out, '}')
	n := copy(out[begin:], out[values:])
	return out[:begin+n], true
}

func (c *canonicalizer) array(out []byte) ([]byte, bool) {
	if c.depth++; c.depth > maxCanonicalDepth {
		return out, false
	}
	defer func() { c.depth-- }()
	c.pos++ // [
	out = append(out, '[')
	for first := true; ; first = false {
		c.space()
		if c.pos >= len(c.src) {
			return out, false
		}
		if c.src[c.pos] == ']' {
			c.pos++
			return append(out, ']'), true
		}
		if !first {
			if c.src[c.pos] != ',' {
				return out, false
			}
			c.pos++
			out = append(out, ',')
		}
		var ok bool
		if out, ok = c.value(out); !ok {
			return out, false
		}
	}
}

// str moves past the string at pos and returns its value and the string
// as encoding/json writes that value (without HTML escaping): the token
// itself when it has no escape and nothing the encoder would escape.
func (c *canonicalizer) str() (value, encoded []byte, ok bool) {
	start := c.pos
	plain := true
	for i := start + 1; i < len(c.src); {
		b := c.src[i]
		switch {
		case b == '"':
			c.pos = i + 1
			token := c.src[start:c.pos]
			if plain {
				return token[1 : len(token)-1], token, true
			}
			var s string
			if err := json.Unmarshal(token, &s); err != nil {
				return nil, nil, false
			}
			return []byte(s), appendJSONString(nil, s), true
		case b == '\\':
			plain = false
			i += 2
		case b < 0x20:
			return nil, nil, false
		case b < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(c.src[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				plain = false // the decoder or the encoder changes these
			}
			i += size
		}
	}
	return nil, nil, false
}

// appendJSONString appends s as encoding/json encodes a string without
// HTML escaping.
func appendJSONString(out []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(out, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// number moves past a number, checking JSON's grammar.
func (c *canonicalizer) number() bool {
	i := c.pos
	digits := func() bool {
		start := i
		for i < len(c.src) && c.src[i] >= '0' && c.src[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(c.src) && c.src[i] == '-' {
		i++
	}
	switch {
	case i < len(c.src) && c.src[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(c.src) && c.src[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(c.src) && (c.src[i] == 'e' || c.src[i] == 'E') {
		i++
		if i < len(c.src) && (c.src[i] == '+' || c.src[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	c.pos = i
	return true
}
