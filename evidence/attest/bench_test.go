package attest

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkBuildStatementsLargeSBOM measures statement building with a
// CycloneDX SBOM of about 8 MB carried inline.
func BenchmarkBuildStatementsLargeSBOM(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[`)
	for i := 0; sb.Len() < 8<<20; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"type":"library","name":"component-%d","version":"1.%d.0","purl":"pkg:npm/component-%d@1.%d.0","hashes":[{"alg":"SHA-512","content":"%0128d"}]}`, i, i, i, i, i)
	}
	sb.WriteString(`]}`)
	doc := []byte(sb.String())
	subjects, err := CommitSubject("widget", "0123456789abcdef0123456789abcdef01234567")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := BuildStatements(context.Background(), Input{Subjects: []*intotoRD{subjects}, SBOMCycloneDX: doc, Time: refTime}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignECDSA measures signing one statement.
func BenchmarkSignECDSA(b *testing.B) {
	s, _ := newTestSigner(b, KeyTypeECDSAP256)
	st, err := NewStatement("x", "https://example.com/x/v1", mustSubjectsB(b), map[string]any{"a": 1})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Sign(context.Background(), s, st); err != nil {
			b.Fatal(err)
		}
	}
}

func mustSubjectsB(b *testing.B) []*intotoRD {
	s, err := CommitSubject("widget", "0123456789abcdef0123456789abcdef01234567")
	if err != nil {
		b.Fatal(err)
	}
	return []*intotoRD{s}
}
