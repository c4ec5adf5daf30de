package attest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Envelope is a DSSE envelope
// (https://github.com/secure-systems-lab/dsse/blob/master/envelope.md).
type Envelope struct {
	PayloadType string `json:"payloadType"`
	// Payload is base64 (standard encoding) of the serialised statement.
	Payload    string      `json:"payload"`
	Signatures []Signature `json:"signatures"`

	// encoded is true when Payload is this package's base64 of the
	// payload, not read from elsewhere: JSON then writes it without
	// checking each of its bytes (a large SBOM's is MBs).
	encoded bool
}

// Signature is one DSSE signature.
type Signature struct {
	KeyID string `json:"keyid"`
	// Sig is base64 (standard encoding) of the raw signature.
	Sig string `json:"sig"`
}

// PAE is DSSE's pre-authentication encoding, the bytes that are signed:
// "DSSEv1 <len(type)> <type> <len(body)> <body>".
func PAE(payloadType string, payload []byte) []byte {
	var b bytes.Buffer
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(payload)))
	b.WriteByte(' ')
	b.Write(payload)
	return b.Bytes()
}

// Sign wraps the statement in a DSSE envelope signed by s.
func Sign(ctx context.Context, s Signer, st Statement) (*Envelope, error) {
	return SignPayload(ctx, s, PayloadType, st.Payload)
}

// SignPayload signs any payload type (tests use it to make envelopes a
// verifier must reject).
func SignPayload(ctx context.Context, s Signer, payloadType string, payload []byte) (*Envelope, error) {
	if s == nil {
		return nil, errors.New("sign: no signer")
	}
	sig, err := s.Sign(ctx, PAE(payloadType, payload))
	if err != nil {
		return nil, fmt.Errorf("sign with key %s: %w", s.KeyID(), err)
	}
	return &Envelope{
		PayloadType: payloadType,
		Payload:     payloadBase64(payload),
		Signatures:  []Signature{{KeyID: s.KeyID(), Sig: base64.StdEncoding.EncodeToString(sig)}},
		encoded:     true,
	}, nil
}

// Unsigned wraps the statement in an envelope with no signature, for runs
// without a key. Verification rejects it.
func Unsigned(st Statement) *Envelope {
	return &Envelope{
		PayloadType: PayloadType,
		Payload:     payloadBase64(st.Payload),
		Signatures:  []Signature{},
		encoded:     true,
	}
}

// payloadBase64 is base64.StdEncoding.EncodeToString(payload) written
// into the string through base64's streaming encoder: a payload is up to
// tens of MB, and EncodeToString encodes it into a slice of that size
// first.
func payloadBase64(payload []byte) string {
	var sb strings.Builder
	sb.Grow(base64.StdEncoding.EncodedLen(len(payload)))
	enc := base64.NewEncoder(base64.StdEncoding, &sb)
	enc.Write(payload) // a strings.Builder does not fail
	enc.Close()
	return sb.String()
}

// JSON is the envelope as one line of JSON (no trailing newline), the
// content of <name>.dsse.json: the bytes json.Marshal gives, built in one
// buffer of the right size — the payload of a large report's envelope
// is tens of MB, and encoding/json would grow its own buffer and copy it.
func (e *Envelope) JSON() []byte {
	sigs := e.Signatures
	if sigs == nil {
		sigs = []Signature{}
	}
	typ, err1 := json.Marshal(e.PayloadType)
	sb, err2 := json.Marshal(sigs)
	if err := errors.Join(err1, err2); err != nil {
		// Only strings inside: Marshal cannot fail.
		panic(fmt.Sprintf("encode envelope: %v", err))
	}
	payload := []byte(nil)
	if !e.encoded && !plainBase64(e.Payload) {
		payload, _ = json.Marshal(e.Payload) // not base64: escaped as encoding/json does
	}
	b := make([]byte, 0, len(`{"payloadType":,"payload":"","signatures":}`)+len(typ)+len(e.Payload)+len(payload)+len(sb))
	b = append(append(append(b, `{"payloadType":`...), typ...), `,"payload":`...)
	if payload != nil {
		b = append(b, payload...)
	} else {
		b = append(append(append(b, '"'), e.Payload...), '"')
	}
	return append(append(append(b, `,"signatures":`...), sb...), '}')
}

// plainBase64 reports whether s holds only characters of the standard
// base64 alphabet, which encoding/json writes as they are.
func plainBase64(s string) bool {
	// A table, not a chain of comparisons: a large SBOM's payload is
	// several MB, and this runs over every byte of it.
	for i := 0; i < len(s); i++ {
		if !base64Alphabet[s[i]] {
			return false
		}
	}
	return true
}

// base64Alphabet holds the standard base64 alphabet and its padding.
var base64Alphabet = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") {
		t[c] = true
	}
	return t
}()

// DecodePayload returns the payload bytes.
func (e *Envelope) DecodePayload() ([]byte, error) {
	return base64.StdEncoding.DecodeString(e.Payload)
}

// EncodeJSONL writes one envelope per line, each line ending in "\n": the
// content of attestations.intoto.jsonl.
func EncodeJSONL(envs []*Envelope) []byte {
	lines := make([][]byte, len(envs))
	for i, e := range envs {
		lines[i] = e.JSON()
	}
	return JoinJSONL(lines)
}

// JoinJSONL is attestations.intoto.jsonl from the envelopes already
// encoded (Envelope.JSON, the <name>.dsse.json files), in order, in a
// buffer of the exact size: a large report's envelope is several MB, and
// encoding it again only to join it would double that.
func JoinJSONL(envelopes [][]byte) []byte {
	n := 0
	for _, e := range envelopes {
		n += len(e) + 1
	}
	b := bytes.NewBuffer(make([]byte, 0, n))
	_ = WriteJSONL(b, envelopes) // a bytes.Buffer does not fail
	return b.Bytes()
}

// WriteJSONL writes JoinJSONL's bytes to w, one envelope after the other,
// without joining them first.
func WriteJSONL(w io.Writer, envelopes [][]byte) error {
	for _, e := range envelopes {
		if _, err := w.Write(e); err != nil {
			return err
		}
		if _, err := w.Write([]byte{'\n'}); err != nil {
			return err
		}
	}
	return nil
}

// Errors of envelope parsing.
var (
	ErrNotEnvelope = errors.New("not a DSSE envelope")
)

// ParseEnvelope reads one DSSE envelope and checks it is well formed:
// a JSON object with payloadType, base64 payload and a signatures array
// (which may be empty: signatures are judged by the verifier).
func ParseEnvelope(data []byte) (*Envelope, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrNotEnvelope)
	}
	var raw struct {
		PayloadType *string            `json:"payloadType"`
		Payload     *string            `json:"payload"`
		Signatures  *[]json.RawMessage `json:"signatures"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, describeJSONError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data after the envelope", ErrNotEnvelope)
	}
	switch {
	case raw.PayloadType == nil:
		return nil, fmt.Errorf("%w: payloadType missing", ErrNotEnvelope)
	case raw.Payload == nil:
		return nil, fmt.Errorf("%w: payload missing", ErrNotEnvelope)
	case raw.Signatures == nil:
		return nil, fmt.Errorf("%w: signatures missing", ErrNotEnvelope)
	}
	if _, err := base64.StdEncoding.DecodeString(*raw.Payload); err != nil {
		return nil, fmt.Errorf("%w: payload is not standard base64", ErrNotEnvelope)
	}
	env := &Envelope{PayloadType: *raw.PayloadType, Payload: *raw.Payload, Signatures: []Signature{}}
	for i, r := range *raw.Signatures {
		var s struct {
			KeyID *string `json:"keyid"`
			Sig   *string `json:"sig"`
		}
		if err := json.Unmarshal(r, &s); err != nil {
			return nil, fmt.Errorf("%w: signature %d is not an object with keyid and sig", ErrNotEnvelope, i+1)
		}
		if s.Sig == nil {
			return nil, fmt.Errorf("%w: signature %d has no sig", ErrNotEnvelope, i+1)
		}
		sig := Signature{Sig: *s.Sig}
		if s.KeyID != nil {
			sig.KeyID = *s.KeyID
		}
		env.Signatures = append(env.Signatures, sig)
	}
	return env, nil
}

func describeJSONError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: truncated JSON (unexpected end of input)", ErrNotEnvelope)
	case errors.As(err, &se):
		return fmt.Errorf("%w: invalid JSON at byte %d: %v", ErrNotEnvelope, se.Offset, err)
	case errors.As(err, &te):
		return fmt.Errorf("%w: field %q has the wrong type (%s, want %s)", ErrNotEnvelope, te.Field, te.Value, te.Type)
	}
	return fmt.Errorf("%w: %v", ErrNotEnvelope, err)
}

// ParseJSONL reads JSON Lines of DSSE envelopes. Blank lines are skipped;
// any other line must be a whole envelope, and the error names the line.
// A last line without "\n" is accepted only if it is a complete envelope.
func ParseJSONL(data []byte) ([]*Envelope, error) {
	var out []*Envelope
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		env, err := ParseEnvelope(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		out = append(out, env)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no envelope in the file", ErrNotEnvelope)
	}
	return out, nil
}
