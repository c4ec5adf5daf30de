package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

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
func NewStatement(name, predicateType string, subjects []*intotov1.ResourceDescriptor, predicate any) (Statement, error) {
	predJSON, err := predicateJSON(predicate)
	if err != nil {
		return Statement{}, fmt.Errorf("statement %s: encode predicate: %w", name, err)
	}
	predValue, err := decodeJSON(predJSON)
	if err != nil {
		return Statement{}, fmt.Errorf("statement %s: predicate: %w", name, err)
	}
	if _, ok := predValue.(map[string]any); !ok {
		return Statement{}, fmt.Errorf("statement %s: predicate must be a JSON object", name)
	}
	subjValues := make([]any, 0, len(subjects))
	for _, s := range subjects {
		b, err := protojson.Marshal(s)
		if err != nil {
			return Statement{}, fmt.Errorf("statement %s: encode subject %q: %w", name, s.GetName(), err)
		}
		v, err := decodeJSON(b)
		if err != nil {
			return Statement{}, fmt.Errorf("statement %s: subject %q: %w", name, s.GetName(), err)
		}
		subjValues = append(subjValues, v)
	}
	payload, err := canonicalMarshal(map[string]any{
		"_type":         StatementTypeV1,
		"subject":       subjValues,
		"predicateType": predicateType,
		"predicate":     predValue,
	})
	if err != nil {
		return Statement{}, fmt.Errorf("statement %s: %w", name, err)
	}
	if _, err := ParseStatement(payload); err != nil {
		return Statement{}, fmt.Errorf("statement %s: %w", name, err)
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
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	return canonicalMarshal(v)
}
