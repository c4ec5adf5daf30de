package attest

import (
	"bytes"
	"context"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cemark/cemark/evidence/evidencedir"
)

// TestKeyBundles signs with a local key: each statement gets an envelope
// and a Sigstore bundle v0.3 over the one signature, the bundle carries
// cosign's public-key hint and no certificate, and both verify.
func TestKeyBundles(t *testing.T) {
	ctx := context.Background()
	forEachKeyType(t, func(t *testing.T, f keyFixture) {
		dir, sts, art, s, pub := f.dir, f.sts, f.artefact, f.signer, f.pub
		signed, err := SignWithKey(ctx, s, sts)
		if err != nil {
			t.Fatal(err)
		}
		hint, _ := BundleHint(s.Public())
		var paths []string
		var lines []byte
		for i, sg := range signed {
			// The protobuf-specs schema, strictly (an unknown field fails)…
			var pb protobundle.Bundle
			if err := (protojson.UnmarshalOptions{}).Unmarshal(sg.Bundle, &pb); err != nil {
				t.Fatalf("%s: not a protobuf-specs Bundle: %v", sg.Name, err)
			}
			// …and sigstore-go's loader, with the version's rules.
			b, err := ParseBundle(sg.Bundle)
			if err != nil {
				t.Fatalf("%s: sigstore-go's loader: %v", sg.Name, err)
			}
			vm := b.GetVerificationMaterial()
			if b.GetMediaType() != BundleMediaType || vm.GetPublicKey().GetHint() != hint || vm.GetCertificate() != nil || len(vm.GetTlogEntries()) != 0 {
				t.Errorf("%s: media type %s, hint %q (want %q), certificate %v, %d log entries", sg.Name, b.GetMediaType(), vm.GetPublicKey().GetHint(), hint, vm.GetCertificate(), len(vm.GetTlogEntries()))
			}
			d := b.GetDsseEnvelope()
			if base64.StdEncoding.EncodeToString(d.GetSignatures()[0].GetSig()) != sg.Envelope.Signatures[0].Sig ||
				!bytes.Equal(d.GetPayload(), sts[i].Payload) || sg.Envelope.Signatures[0].KeyID != s.KeyID() {
				t.Errorf("%s: envelope and bundle disagree", sg.Name)
			}
			paths = append(paths, writeFile(t, filepath.Join(dir, sg.Name+evidencedir.BundleSuffix), sg.Bundle))
			lines = append(append(lines, sg.Bundle...), '\n')
		}
		jsonl := writeFile(t, filepath.Join(dir, "bundles.jsonl"), lines)

		rep, err := Verify(ctx, VerifyOptions{Attestations: append(paths, jsonl), KeyFiles: []string{pub}, Subjects: []string{art}, Require: []string{PredicateConformity}})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Verified || len(rep.Attestations) != 2*len(sts) || rep.Attestations[0].KeyID != s.KeyID() {
			t.Fatalf("verify: %v (%d results)", rep.Failures, len(rep.Attestations))
		}
		// The envelopes alone verify as before.
		envs := make([]*Envelope, 0, len(signed))
		for _, sg := range signed {
			envs = append(envs, sg.Envelope)
		}
		envFile := writeFile(t, filepath.Join(dir, evidencedir.Attestations), EncodeJSONL(envs))
		if rep, err := Verify(ctx, VerifyOptions{Attestations: []string{envFile}, KeyFiles: []string{pub}}); err != nil || !rep.Verified {
			t.Fatalf("envelopes: %v %v", err, rep.Failures)
		}

		other, _ := newTestSigner(t, KeyTypeEd25519)
		otherPub := writePub(t, dir, "other.pub", other.Public())
		tampered := strings.Replace(string(signed[0].Bundle), `"payload":"`, `"payload":"ICAg`, 1)
		for name, tc := range map[string]struct {
			bundle []byte
			key    string
			want   string
		}{
			"another key":        {signed[0].Bundle, otherPub, "no valid signature by a trusted key"},
			"tampered statement": {[]byte(tampered), pub, "no valid signature by a trusted key"},
		} {
			p := writeFile(t, filepath.Join(t.TempDir(), "x"+evidencedir.BundleSuffix), tc.bundle)
			rep, err := Verify(ctx, VerifyOptions{Attestations: []string{p}, KeyFiles: []string{tc.key}})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verified || !strings.Contains(strings.Join(rep.Failures, "\n"), tc.want) {
				t.Errorf("%s: verified=%v failures=%v", name, rep.Verified, rep.Failures)
			}
		}
	})
}

// TestKeyBundleDeterministic: Ed25519 signatures are deterministic, so the
// same statements give byte-identical bundles (protojson's whitespace is
// not allowed to vary them).
func TestKeyBundleDeterministic(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sts, _ := sampleBundle(t, dir)
	s, _ := newTestSigner(t, KeyTypeEd25519)
	a, err := SignWithKey(ctx, s, sts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := SignWithKey(ctx, s, sts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if !bytes.Equal(a[i].Bundle, b[i].Bundle) {
			t.Errorf("%s: two bundles of the same statement differ", a[i].Name)
		}
	}
}

// TestParseBundleRejects: what is not a v0.1–v0.3 bundle is said to be so.
func TestParseBundleRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field":      `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","surprise":1}`,
		"future version":     `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.4+json"}`,
		"no content":         `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}}}`,
		"not JSON":           `{"mediaType":`,
		"envelope, not JSON": `not json`,
	} {
		if _, err := ParseBundle([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
