package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
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
	// ByDigest is true when the content (an SBOM or report.json above the
	// inline limit) is attested by digest instead of carried inline; Note
	// says so in words for the summary.
	ByDigest bool
	Note     string
	// digest is Payload's, worked out once by NewStatement or
	// WithPayload: the technical file, the conformity statement and the
	// signing key each name every statement by digest, and an SBOM's is
	// several MB to hash.
	digest *payloadDigest
}

// payloadDigest is the hex SHA-256 of the payload whose first byte and
// length it records: a Statement given another Payload is hashed anew.
type payloadDigest struct {
	first *byte
	n     int
	hex   string
}

func digestOf(payload []byte) *payloadDigest {
	sum := sha256.Sum256(payload)
	return &payloadDigest{first: firstByte(payload), n: len(payload), hex: hex.EncodeToString(sum[:])}
}

func firstByte(b []byte) *byte {
	if len(b) == 0 {
		return nil
	}
	return &b[0]
}

// Digest is the hex SHA-256 of the payload.
func (s Statement) Digest() string {
	if d := s.digest; d != nil && d.n == len(s.Payload) && d.first == firstByte(s.Payload) {
		return d.hex
	}
	return digestOf(s.Payload).hex
}

// WithPayload is a statement read back (from the stage cache): its
// payload, with its digest worked out once.
func WithPayload(name, predicateType string, payload []byte) Statement {
	return Statement{Name: name, PredicateType: predicateType, Payload: payload, digest: digestOf(payload)}
}

// NewStatement builds a Statement v1 over subjects. predicate is JSON bytes
// (json.RawMessage or []byte), a protobuf message, a *Predicate, or any
// value encoding/json can marshal; it must be a JSON object. The result is
// validated with the in-toto bindings.
//
// The payload is written straight from the encoded predicate (an SBOM can
// be several MB): its canonical form is made in one pass over the bytes
// (appendCanonical), and the statement is validated from the subjects it
// was given rather than by parsing the payload back.
func NewStatement(name, predicateType string, subjects []*intotov1.ResourceDescriptor, predicate any) (Statement, error) {
	pred, err := canonicalPredicate(predicate)
	if err != nil {
		return Statement{}, fmt.Errorf("statement %s: %w", name, err)
	}
	st := intotov1.Statement{Type: StatementTypeV1, Subject: subjects, PredicateType: predicateType}
	if !pred.isObject() {
		return Statement{}, fmt.Errorf("statement %s: predicate must be a JSON object", name)
	}
	st.Predicate = &structpb.Struct{} // an object; Validate only asks that there is one
	var subj []byte
	for i, s := range subjects {
		b, err := protojson.Marshal(s)
		if err != nil {
			return Statement{}, fmt.Errorf("statement %s: encode subject %q: %w", name, s.GetName(), err)
		}
		if i > 0 {
			subj = append(subj, ',')
		}
		if subj, err = appendCanonical(subj, b); err != nil {
			return Statement{}, fmt.Errorf("statement %s: subject %q: %w", name, s.GetName(), err)
		}
	}
	// The members in canonical (sorted) order: _type, predicate,
	// predicateType, subject; in a buffer of the exact size, since the
	// payload is kept for the whole run (a large report's is tens of MB).
	typ, predType := appendJSONString(nil, StatementTypeV1), appendJSONString(nil, predicateType)
	const frame = `{"_type":,"predicate":,"predicateType":,"subject":[]}`
	payload := make([]byte, 0, len(frame)+len(typ)+pred.size()+len(predType)+len(subj))
	payload = append(append(payload, `{"_type":`...), typ...)
	payload = pred.appendTo(append(payload, `,"predicate":`...))
	payload = append(append(payload, `,"predicateType":`...), predType...)
	payload = append(append(append(payload, `,"subject":[`...), subj...), "]}"...)
	if err := st.Validate(); err != nil {
		return Statement{}, fmt.Errorf("statement %s: invalid in-toto Statement v1: %w", name, err)
	}
	return WithPayload(name, predicateType, payload), nil
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

// canonicalPredicate is the predicate made canonical: made ahead (a
// *Predicate, made now if it was not), or from its JSON.
func canonicalPredicate(p any) (*canonicalValue, error) {
	if made, ok := p.(*Predicate); ok {
		made.Make()
		return made.v, made.err
	}
	b, err := predicateJSON(p)
	if err != nil {
		return nil, fmt.Errorf("encode predicate: %w", err)
	}
	v, err := canonicalize(b)
	if err != nil {
		return nil, fmt.Errorf("predicate: %w", err)
	}
	return v, nil
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
// without a tree of maps: src is read once into a flat index of its
// tokens (parse), then each token is copied once, in key order (emit).
// Input it does not handle itself (invalid JSON, nesting deeper than
// encoding/json allows) goes the slow way, which gives encoding/json's
// answer and error.
func appendCanonical(dst, src []byte) ([]byte, error) {
	v, err := canonicalize(src)
	if err != nil {
		return dst, err
	}
	return v.appendTo(slices.Grow(dst, v.size())), nil
}

// canonicalValue is a JSON value read for its canonical form: its index
// (c, root) or, when encoding/json had to read it, the form itself.
type canonicalValue struct {
	c    canonicalizer
	root int32
	slow []byte
}

// canonicalize reads src for appendCanonical.
func canonicalize(src []byte) (*canonicalValue, error) {
	v := &canonicalValue{}
	var ok bool
	if v.root, ok = v.c.parse(src); ok {
		return v, nil
	}
	d, err := decodeJSON(src)
	if err != nil {
		return nil, err
	}
	if v.slow, err = canonicalMarshal(d); err != nil {
		return nil, err
	}
	return v, nil
}

// size is the length of the canonical form.
func (v *canonicalValue) size() int {
	if v.slow != nil {
		return len(v.slow)
	}
	return int(v.c.nodes[v.root].size)
}

func (v *canonicalValue) isObject() bool {
	if v.slow != nil {
		return v.slow[0] == '{'
	}
	return v.c.nodes[v.root].kind == nodeObject
}

// appendTo appends the canonical form to dst.
func (v *canonicalValue) appendTo(dst []byte) []byte {
	if v.slow != nil {
		return append(dst, v.slow...)
	}
	return v.c.emit(dst, v.root)
}

// maxCanonicalDepth is encoding/json's nesting limit.
const maxCanonicalDepth = 10000

// canonicalizer reads one JSON value into nodes: every value and key as a
// span of src (or of aux, when encoding/json writes it otherwise), every
// object with its members already in key order. Offsets are int32, so
// input of 2 GiB and more goes the slow way.
type canonicalizer struct {
	src   []byte
	pos   int
	depth int
	nodes []cnode
	// kids are the children of every object (key and value nodes, in
	// pairs, in key order) and array, each container's contiguous.
	kids []int32
	// members and elems are stacks of the children of the containers
	// being read, shared so that reading one allocates nothing.
	members []cmember
	elems   []int32
	// aux holds the strings encoding/json writes differently from src,
	// and the decoded keys that have escapes.
	aux []byte
}

// cnode is one value or key. Its canonical form is src[from:to]
// (nodeSrc), aux[from:to] (nodeAux), or the object or array made of
// kids[from:to]; size is its length.
type cnode struct {
	kind           uint8
	from, to, size int32
}

const (
	nodeSrc uint8 = iota
	nodeAux
	nodeObject
	nodeArray
)

// cmember is one object member while its object is read: its decoded
// key, the key's node and the value's node.
type cmember struct {
	name       []byte
	key, value int32
}

// parse reads src, which must hold one JSON value and nothing else, and
// returns its node; false leaves it to encoding/json.
func (c *canonicalizer) parse(src []byte) (int32, bool) {
	if len(src) >= math.MaxInt32 {
		return 0, false
	}
	c.src = src
	// About one node per 16 bytes of typical JSON; a guess saves growing.
	c.nodes = make([]cnode, 0, len(src)/16+1)
	root, ok := c.value()
	if ok {
		c.space()
		ok = c.pos == len(src)
	}
	return root, ok
}

// node adds a node and returns its index.
func (c *canonicalizer) node(n cnode) int32 {
	c.nodes = append(c.nodes, n)
	return int32(len(c.nodes) - 1)
}

// srcNode is the node of src[from:c.pos], written as it is.
func (c *canonicalizer) srcNode(from int) int32 {
	return c.node(cnode{kind: nodeSrc, from: int32(from), to: int32(c.pos), size: int32(c.pos - from)})
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

func (c *canonicalizer) value() (int32, bool) {
	c.space()
	if c.pos >= len(c.src) {
		return 0, false
	}
	switch b := c.src[c.pos]; {
	case b == '{':
		return c.object()
	case b == '[':
		return c.array()
	case b == '"':
		n, _, ok := c.str(false)
		return n, ok
	case b == '-' || b >= '0' && b <= '9':
		start := c.pos
		if !c.number() {
			return 0, false
		}
		return c.srcNode(start), true
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(c.src[c.pos:], []byte(lit)) {
				start := c.pos
				c.pos += len(lit)
				return c.srcNode(start), true
			}
		}
		return 0, false
	}
}

func (c *canonicalizer) object() (int32, bool) {
	if c.depth++; c.depth > maxCanonicalDepth {
		return 0, false
	}
	defer func() { c.depth-- }()
	c.pos++ // {
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
				return 0, false
			}
			c.pos++
			c.space()
		}
		if c.pos >= len(c.src) || c.src[c.pos] != '"' {
			return 0, false
		}
		key, name, ok := c.str(true)
		if !ok {
			return 0, false
		}
		c.space()
		if c.pos >= len(c.src) || c.src[c.pos] != ':' {
			return 0, false
		}
		c.pos++
		value, ok := c.value()
		if !ok {
			return 0, false
		}
		m := cmember{name: name, key: key, value: value}
		if n := len(c.members); n > base && bytes.Compare(c.members[n-1].name, m.name) >= 0 {
			sorted = false
		}
		c.members = append(c.members, m)
	}
	c.pos++ // }
	members := c.members[base:]
	if !sorted {
		slices.SortStableFunc(members, func(a, b cmember) int { return bytes.Compare(a.name, b.name) })
	}
	from := int32(len(c.kids))
	size := int32(2) // {}
	for i, m := range members {
		if i+1 < len(members) && bytes.Equal(members[i+1].name, m.name) {
			continue // a later duplicate wins, as when decoding into a map
		}
		if len(c.kids) > int(from) {
			size++ // ,
		}
		size += c.nodes[m.key].size + 1 + c.nodes[m.value].size
		c.kids = append(c.kids, m.key, m.value)
	}
	return c.node(cnode{kind: nodeObject, from: from, to: int32(len(c.kids)), size: size}), true
}

func (c *canonicalizer) array() (int32, bool) {
	if c.depth++; c.depth > maxCanonicalDepth {
		return 0, false
	}
	defer func() { c.depth-- }()
	c.pos++ // [
	base := len(c.elems)
	defer func() { c.elems = c.elems[:base] }()
	for first := true; ; first = false {
		c.space()
		if c.pos >= len(c.src) {
			return 0, false
		}
		if c.src[c.pos] == ']' {
			c.pos++
			break
		}
		if !first {
			if c.src[c.pos] != ',' {
				return 0, false
			}
			c.pos++
		}
		v, ok := c.value()
		if !ok {
			return 0, false
		}
		c.elems = append(c.elems, v)
	}
	from := int32(len(c.kids))
	size := int32(2) // []
	for i, v := range c.elems[base:] {
		if i > 0 {
			size++ // ,
		}
		size += c.nodes[v].size
	}
	c.kids = append(c.kids, c.elems[base:]...)
	return c.node(cnode{kind: nodeArray, from: from, to: int32(len(c.kids)), size: size}), true
}

// str moves past the string at pos and returns its node: the string as
// encoding/json writes its value (without HTML escaping) — the token
// itself when it has no escape but those the encoder writes the same way
// and nothing else the encoder would escape. For a key it also returns
// the decoded value.
func (c *canonicalizer) str(key bool) (n int32, name []byte, ok bool) {
	start := c.pos
	same, plain := true, true // same: encoded as written; plain: no escape at all
	for i := start + 1; i < len(c.src); {
		for i < len(c.src) && strPlain[c.src[i]] {
			i++
		}
		if i >= len(c.src) {
			break
		}
		switch b := c.src[i]; {
		case b == '"':
			c.pos = i + 1
			if same && (plain || !key) {
				return c.srcNode(start), c.src[start+1 : i], true
			}
			var s string
			if err := json.Unmarshal(c.src[start:c.pos], &s); err != nil {
				return 0, nil, false
			}
			if same {
				n = c.srcNode(start)
			} else {
				from := len(c.aux)
				c.aux = appendJSONString(c.aux, s)
				n = c.node(cnode{kind: nodeAux, from: int32(from), to: int32(len(c.aux)), size: int32(len(c.aux) - from)})
			}
			return n, []byte(s), true
		case b == '\\':
			plain = false
			if i+1 < len(c.src) {
				switch c.src[i+1] {
				case '"', '\\', 'b', 'f', 'n', 'r', 't':
					// encoding/json writes these escapes as they are
				default:
					same = false
				}
			}
			i += 2
		case b < 0x20:
			return 0, nil, false
		default:
			r, size := utf8.DecodeRune(c.src[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				same, plain = false, false // the decoder or the encoder changes these
			}
			i += size
		}
	}
	return 0, nil, false
}

// strPlain holds the bytes a string token holds as they are: printable
// ASCII but the quote and the backslash.
var strPlain = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// emit appends node n's canonical form to out.
func (c *canonicalizer) emit(out []byte, n int32) []byte {
	switch nd := c.nodes[n]; nd.kind {
	case nodeSrc:
		return append(out, c.src[nd.from:nd.to]...)
	case nodeAux:
		return append(out, c.aux[nd.from:nd.to]...)
	case nodeObject:
		out = append(out, '{')
		for i := nd.from; i < nd.to; i += 2 {
			if i > nd.from {
				out = append(out, ',')
			}
			out = append(c.emit(out, c.kids[i]), ':')
			out = c.emit(out, c.kids[i+1])
		}
		return append(out, '}')
	default:
		out = append(out, '[')
		for i := nd.from; i < nd.to; i++ {
			if i > nd.from {
				out = append(out, ',')
			}
			out = c.emit(out, c.kids[i])
		}
		return append(out, ']')
	}
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
