package attest

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPredicateType(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string // "" accepts
	}{
		{"https://example.com/pentest/v1", ""},
		{"https://in-toto.io/attestation/test-result/v0.1", ""},
		{"urn:example:pentest:v1", ""},
		{"", "predicate type missing"},
		{"pentest", `predicate type "pentest" is not an absolute URI`},
		{"example.com/pentest", "is not an absolute URI"},
		{"https:///pentest", "has no host"},
		{"https://example.com/pen test", "is not an absolute URI"},
	} {
		err := CheckPredicateType(tc.in)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q rejected: %v", tc.in, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want one saying %q", tc.in, err, tc.want)
		}
	}
}

func TestAttestUserPredicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	sts, _ := sampleBundle(t, dir)
	s, _ := newTestSigner(t, KeyTypeECDSAP256)
	pentest := writeFile(t, filepath.Join(dir, "pentest.json"), []byte(`{"tester":"ACME Labs","result":"no critical finding"}`))
	var conformityPred []byte
	for _, st := range sts {
		if st.PredicateType == PredicateConformity {
			var full struct {
				Predicate json.RawMessage `json:"predicate"`
			}
			if err := json.Unmarshal(st.Payload, &full); err != nil {
				t.Fatal(err)
			}
			conformityPred = full.Predicate
		}
	}
	if conformityPred == nil {
		t.Fatal("sample bundle has no conformity statement")
	}
	conformity := writeFile(t, filepath.Join(dir, "conformity.json"), conformityPred)
	array := writeFile(t, filepath.Join(dir, "array.json"), []byte(`[1,2]`))

	for _, tc := range []struct {
		name, predType, pred, want string
	}{
		{"own predicate", "https://example.com/pentest/v1", pentest, ""},
		{"cemark conformity predicate matching the schema", PredicateConformity, conformity, ""},
		{"cemark conformity predicate not matching the schema", PredicateConformity, pentest, "does not match its schema"},
		{"predicate type not a URI", "pentest", pentest, "is not an absolute URI"},
		{"predicate not an object", "https://example.com/pentest/v1", array, "predicate must be a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, st, err := Attest(ctx, s, AttestOptions{Root: dir, Subjects: []string{"dist/*"}, PredicateType: tc.predType, PredicateFile: tc.pred})
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one saying %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.PredicateType != tc.predType || len(env.Signatures) != 1 || env.Signatures[0].KeyID != s.KeyID() {
				t.Errorf("statement %s, envelope %+v", st.PredicateType, env.Signatures)
			}
		})
	}
	if _, _, err := Attest(ctx, nil, AttestOptions{Root: dir, Subjects: []string{"dist/*"}, PredicateType: "https://example.com/x", PredicateFile: pentest}); err != ErrNoSigningKey {
		t.Errorf("no signer: %v, want ErrNoSigningKey", err)
	}
}
