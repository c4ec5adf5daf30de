package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// canonicalReference is the canonical form by way of a tree of maps: what
// statements were made with before appendCanonical.
func canonicalReference(b []byte) ([]byte, error) {
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	return canonicalMarshal(v)
}

var canonicalCases = []string{
	`{}`, `[]`, `""`, `0`, `-0.5e+10`, `true`, ` null `, "\t{\n}\r\n",
	`{"b":1,"a":2}`,
	`{"a":1,"a":2,"b":{"d":[1,2,{"z":null,"y":true}],"c":"x"}}`,
	`{"k":"<html> & \"quoted\" \\ back\/slash \u00e9 \u2028 \ud83d\ude00 \u0001"}`,
	"{\"raw\":\"caf\xc3\xa9 \xe2\x80\xa8 line\xe2\x80\xa9sep\"}",
	"{\"bad\":\"\xff\xfe not utf-8\",\"\xffkey\":1}",
	`{"n":[123456789012345678901234567890,1E400,-0,0.000001]}`,
	`{"é":1,"e":2,"\u00e9":3,"E":4}`,
	`{"a" : [ 1 , 2 ] , "b" : { } }`,
	// Escapes encoding/json writes as they are, in values and in keys
	// (whose decoded form sorts them).
	`{"cpe":"cpe:2.3:a:\\@scope\\/name:*","q":"\"\b\f\n\r\t"}`,
	`{"a\"":1,"a":2,"a\\":3,"a\t":4,"a\"":5,"a\u0009":6}`,
	// Invalid: encoding/json's error either way.
	``, `{`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `01`, `1.`, `-`, `tru`, `"\x01"`, `{} {}`, `{"a":1}x`, `"\u12"`, `[1 2]`, `{1:2}`,
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200),
}

func TestAppendCanonicalMatchesMapEncoding(t *testing.T) {
	for _, in := range canonicalCases {
		want, wantErr := canonicalReference([]byte(in))
		got, err := canonicalJSON([]byte(in))
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Errorf("canonicalJSON(%.60q) = %.80q, %v; want %.80q, %v", in, got, err, want, wantErr)
		}
		if wantErr != nil && err.Error() != wantErr.Error() {
			t.Errorf("canonicalJSON(%.60q) error %q, want %q", in, err, wantErr)
		}
	}
	// Appending keeps what is there.
	got, err := appendCanonical([]byte("x:"), []byte(`{"b":1,"a":[2]}`))
	if err != nil || string(got) != `x:{"a":[2],"b":1}` {
		t.Errorf("appendCanonical = %q, %v", got, err)
	}
}

func FuzzAppendCanonical(f *testing.F) {
	for _, c := range canonicalCases[:len(canonicalCases)-2] {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		want, wantErr := canonicalReference(in)
		got, err := canonicalJSON(in)
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("canonicalJSON(%q) = %q, %v; want %q, %v", in, got, err, want, wantErr)
		}
	})
}

// TestNewStatementLargeSBOMMatchesMapEncoding: a statement over a large
// SBOM is the canonical encoding of the whole statement, as before.
func TestNewStatementLargeSBOMMatchesMapEncoding(t *testing.T) {
	doc := largeSBOM(1 << 20)
	subjects := mustSubjects(t)
	st, err := NewStatement(NameSBOMCycloneDX, PredicateCycloneDX, subjects, doc)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := decodeJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	subj, err := canonicalReference([]byte(fmt.Sprintf(`{"name":%q,"digest":{"gitCommit":%q}}`, subjects[0].GetName(), subjects[0].GetDigest()["gitCommit"])))
	if err != nil {
		t.Fatal(err)
	}
	subjValue, _ := decodeJSON(subj)
	want, err := canonicalMarshal(map[string]any{
		"_type": StatementTypeV1, "predicateType": PredicateCycloneDX,
		"subject": []any{subjValue}, "predicate": pred,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(st.Payload, want) {
		t.Errorf("payload differs from the map encoding (%d vs %d bytes)", len(st.Payload), len(want))
	}
	if _, err := ParseStatement(st.Payload); err != nil {
		t.Errorf("ParseStatement: %v", err)
	}
}

func TestNewStatementRejects(t *testing.T) {
	subjects := mustSubjects(t)
	for _, pred := range []any{[]byte(`[1]`), []byte(`"x"`), []byte(`{"a":`), []byte(`{} {}`)} {
		if _, err := NewStatement("x", "https://example.com/x/v1", subjects, pred); err == nil {
			t.Errorf("NewStatement(%s): want an error", pred)
		}
	}
	if _, err := NewStatement("x", "", subjects, []byte(`{}`)); err == nil {
		t.Error("NewStatement without a predicate type: want an error")
	}
	if _, err := NewStatement("x", "https://example.com/x/v1", nil, []byte(`{}`)); err == nil {
		t.Error("NewStatement without subjects: want an error")
	}
}

// TestStatementDigest: the digest NewStatement and WithPayload work out
// once is the payload's, and a statement given another payload is hashed
// anew rather than answered from the first.
func TestStatementDigest(t *testing.T) {
	hexSum := func(b []byte) string {
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:])
	}
	st, err := NewStatement("x", "https://example.com/x/v1", mustSubjects(t), []byte(`{"b":1,"a":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Digest(), hexSum(st.Payload); got != want {
		t.Errorf("NewStatement: Digest() = %s, want %s", got, want)
	}
	back := WithPayload(st.Name, st.PredicateType, bytes.Clone(st.Payload))
	if back.Digest() != st.Digest() {
		t.Errorf("WithPayload: Digest() = %s, want %s", back.Digest(), st.Digest())
	}
	other := st
	other.Payload = append(bytes.Clone(st.Payload[:len(st.Payload)-1]), ' ', '}')
	if got, want := other.Digest(), hexSum(other.Payload); got != want {
		t.Errorf("another payload: Digest() = %s, want %s", got, want)
	}
	shorter := st
	shorter.Payload = st.Payload[:len(st.Payload)-1]
	if got, want := shorter.Digest(), hexSum(shorter.Payload); got != want {
		t.Errorf("a shorter payload: Digest() = %s, want %s", got, want)
	}
	if got, want := (Statement{}).Digest(), hexSum(nil); got != want {
		t.Errorf("no payload: Digest() = %s, want %s", got, want)
	}
}

// largeSBOM is a CycloneDX-shaped document of about size bytes, its keys
// in the encoder's order (not sorted), indented as cemark writes SBOMs.
func largeSBOM(size int) []byte {
	var sb strings.Builder
	sb.WriteString("{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"version\": 1,\n  \"components\": [")
	for i := 0; sb.Len() < size; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "\n    {\n      \"type\": \"library\",\n      \"name\": \"component-%d <é>\",\n      \"version\": \"1.%d.0\",\n      \"purl\": \"pkg:npm/component-%d@1.%d.0\",\n      \"hashes\": [{\"alg\": \"SHA-512\", \"content\": \"%0128d\"}],\n      \"properties\": [{\"name\": \"syft:location:0:path\", \"value\": \"/node_modules/c%d/package.json\"}]\n    }", i, i, i, i, i, i)
	}
	sb.WriteString("\n  ]\n}\n")
	return []byte(sb.String())
}

// BenchmarkSBOMStatement compares a statement over a 3 MB SBOM made from
// the encoded bytes with one made through a tree of maps and a re-parse,
// as before.
func BenchmarkSBOMStatement(b *testing.B) {
	doc := largeSBOM(3 << 20)
	subjects := mustSubjectsB(b)
	b.Run("bytes", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if _, err := NewStatement(NameSBOMCycloneDX, PredicateCycloneDX, subjects, doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("maps", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			pred, err := decodeJSON(doc)
			if err != nil {
				b.Fatal(err)
			}
			payload, err := canonicalMarshal(map[string]any{"_type": StatementTypeV1, "predicateType": PredicateCycloneDX, "predicate": pred})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ParseStatement(payload); err == nil {
				b.Fatal("no subject: want an error") // parsed all the same
			}
		}
	})
}
