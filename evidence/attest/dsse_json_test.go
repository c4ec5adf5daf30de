package attest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
)

// TestEnvelopeJSONIsMarshal: the envelope's file is the bytes json.Marshal
// gives, whatever the payload holds (base64 as made, or anything a parsed
// file held) and with or without signatures.
func TestEnvelopeJSONIsMarshal(t *testing.T) {
	payload := make([]byte, 3000)
	for i := range payload {
		payload[i] = byte(i * 13)
	}
	for _, e := range []Envelope{
		*Unsigned(WithPayload("s", PredicateSPDX, payload)), // encoded here: written unchecked
		{PayloadType: PayloadType, Payload: "eyJhIjoxfQ==", Signatures: []Signature{{KeyID: "k<1>", Sig: "c2ln"}}},
		{PayloadType: PayloadType, Payload: "eyJhIjoxfQ=="},
		{PayloadType: "a\"b<&>", Payload: "not base64 <&> \"\u2028\x01", Signatures: []Signature{}},
		{},
	} {
		sigs := e.Signatures
		if sigs == nil {
			sigs = []Signature{}
		}
		want, err := json.Marshal(Envelope{PayloadType: e.PayloadType, Payload: e.Payload, Signatures: sigs})
		if err != nil {
			t.Fatal(err)
		}
		if got := e.JSON(); !bytes.Equal(got, want) {
			t.Errorf("JSON() = %s\nwant     %s", got, want)
		}
	}
}

func FuzzEnvelopeJSON(f *testing.F) {
	f.Add("application/vnd.in-toto+json", "eyJ9", "k", "s")
	f.Fuzz(func(t *testing.T, typ, payload, keyID, sig string) {
		e := Envelope{PayloadType: typ, Payload: payload, Signatures: []Signature{{KeyID: keyID, Sig: sig}}}
		want, _ := json.Marshal(e)
		if got := e.JSON(); !bytes.Equal(got, want) {
			t.Errorf("JSON() = %q\nwant     %q", got, want)
		}
	})
}

// TestPayloadBase64 pins payloadBase64 to EncodeToString around its
// buffer's size.
func TestPayloadBase64(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 48<<10 - 1, 48 << 10, 48<<10 + 1, 48<<10 + 2, 3*48<<10 + 5} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		if got, want := payloadBase64(b), base64.StdEncoding.EncodeToString(b); got != want {
			t.Fatalf("payloadBase64 of %d bytes differs from EncodeToString", n)
		}
	}
}
