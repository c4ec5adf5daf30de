package attest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"

	"github.com/cemark/cemark/evidence/evidencedir"
)

// TestInteropSecureSystemsLibDSSE checks cemark's envelopes with the DSSE
// verifier in-toto-golang uses (go-securesystemslib), which we did not write.
func TestInteropSecureSystemsLibDSSE(t *testing.T) {
	t.Parallel()
	for _, kt := range []string{KeyTypeECDSAP256, KeyTypeEd25519} {
		t.Run(kt, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			sts, _ := sampleBundle(t, dir)
			s, _ := newTestSigner(t, kt)
			pubPath := writePub(t, dir, "k.pub", s.Public())
			pem, _ := os.ReadFile(pubPath)
			key, err := signerverifier.LoadKey(pem)
			if err != nil {
				t.Fatal(err)
			}
			key.KeyID = s.KeyID()
			var v dsse.Verifier
			if kt == KeyTypeEd25519 {
				v, err = signerverifier.NewED25519SignerVerifierFromSSLibKey(key)
			} else {
				v, err = signerverifier.NewECDSASignerVerifierFromSSLibKey(key)
			}
			if err != nil {
				t.Fatal(err)
			}
			ev, err := dsse.NewEnvelopeVerifier(v)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range sts {
				env, err := Sign(context.Background(), s, st)
				if err != nil {
					t.Fatal(err)
				}
				var theirs dsse.Envelope
				if err := json.Unmarshal(env.JSON(), &theirs); err != nil {
					t.Fatal(err)
				}
				if _, err := ev.Verify(context.Background(), &theirs); err != nil {
					t.Errorf("%s: go-securesystemslib rejects cemark's envelope: %v", st.Name, err)
				}
				// And a tampered one is rejected by them too.
				theirs.Payload = base64.StdEncoding.EncodeToString(append([]byte(" "), st.Payload...))
				if _, err := ev.Verify(context.Background(), &theirs); err == nil {
					t.Errorf("%s: go-securesystemslib accepted a tampered envelope", st.Name)
				}
			}
		})
	}
}

type verifyFixture struct {
	dir, pub, otherPub, bundle, artefact string
	signer                               Signer
	statements                           []Statement
}

func newVerifyFixture(t *testing.T) verifyFixture {
	t.Helper()
	dir := t.TempDir()
	sts, art := sampleBundle(t, dir)
	s, _ := newTestSigner(t, KeyTypeECDSAP256)
	other, _ := newTestSigner(t, KeyTypeEd25519)
	f := verifyFixture{dir: dir, signer: s, statements: sts, artefact: art,
		pub: writePub(t, dir, "cemark.pub", s.Public()), otherPub: writePub(t, dir, "other.pub", other.Public())}
	f.bundle = writeFile(t, filepath.Join(dir, ".cemark", evidencedir.Attestations), EncodeJSONL(signAll(t, s, sts)))
	return f
}

func TestVerifyAccepts(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	policy := writeFile(t, filepath.Join(f.dir, "policy.yaml"), []byte("version: 1\nrules:\n  sbom_complete: true\n  support_period_not_ended: true\n"))
	rep, err := Verify(context.Background(), VerifyOptions{
		Attestations: []string{f.bundle},
		KeyFiles:     []string{f.otherPub, f.pub},
		Subjects:     []string{f.artefact},
		Require:      []string{PredicateConformity, PredicateCycloneDX, PredicateProvenance},
		PolicyFile:   policy,
		At:           refTime,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Verified {
		t.Fatalf("not verified: %v", rep.Failures)
	}
	if len(rep.Attestations) != 6 || rep.Attestations[0].KeyID != f.signer.KeyID() {
		t.Errorf("attestations = %+v", rep.Attestations)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Verified", f.signer.KeyID(), "dist/widget", "support_period_not_ended"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	// A single envelope file verifies too.
	single := writeFile(t, filepath.Join(f.dir, "conformity.dsse.json"), signAll(t, f.signer, f.statements[5:])[0].JSON())
	rep, err = Verify(context.Background(), VerifyOptions{Attestations: []string{single}, KeyFiles: []string{f.pub}, Subjects: []string{f.artefact}})
	if err != nil || !rep.Verified {
		t.Fatalf("single envelope: %v %v", err, rep.Failures)
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newVerifyFixture(t)
	first := f.statements[0]
	good, _ := Sign(ctx, f.signer, first)

	mutate := func(fn func(e *Envelope)) []byte {
		e := *good
		e.Signatures = append([]Signature(nil), good.Signatures...)
		fn(&e)
		return e.JSON()
	}
	v01, _ := SignPayload(ctx, f.signer, PayloadType, []byte(strings.Replace(string(first.Payload), StatementTypeV1, StatementTypeV01, 1)))
	wrongType, _ := SignPayload(ctx, f.signer, "application/json", first.Payload)
	otherArt := writeFile(t, filepath.Join(f.dir, "dist2", "other"), []byte("another artefact\n"))
	bundle, _ := os.ReadFile(f.bundle)

	cases := []struct {
		name     string
		file     string
		data     []byte
		subjects []string
		require  []string
		keys     []string
		want     string
	}{
		{name: "tampered payload", data: mutate(func(e *Envelope) {
			e.Payload = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(first.Payload), "left-pad", "righ-pad", 1)))
		}), want: "no valid signature by a trusted key: the signature by trusted key " + f.signer.KeyID() + " does not verify: the payload or its type was changed after signing"},
		{name: "wrong key", data: good.JSON(), keys: []string{f.otherPub}, want: "no valid signature by a trusted key: signed by " + f.signer.KeyID() + ", which is not a trusted key (trusted: "},
		{name: "swapped subject", data: good.JSON(), subjects: []string{otherArt}, want: "is not a subject of this statement"},
		{name: "truncated JSON Lines", file: "bundle.intoto.jsonl", data: bundle[:len(bundle)-40], want: "line 6: not a DSSE envelope: truncated JSON (unexpected end of input)"},
		{name: "wrong payload type", data: wrongType.JSON(), want: `payload type is "application/json", want "application/vnd.in-toto+json"`},
		{name: "duplicate signatures", data: mutate(func(e *Envelope) { e.Signatures = append(e.Signatures, e.Signatures[0]) }), want: "duplicate signature"},
		{name: "two signatures by one key", data: func() []byte {
			again, _ := Sign(ctx, f.signer, first) // ECDSA: a different signature, same key ID
			return mutate(func(e *Envelope) { e.Signatures = append(e.Signatures, again.Signatures[0]) })
		}(), want: "duplicate signature (keyid \"" + f.signer.KeyID() + "\")"},
		{name: "empty signatures", data: Unsigned(first).JSON(), want: "envelope has no signatures: it was written unsigned"},
		{name: "unknown predicate type required", data: good.JSON(), require: []string{"https://example.com/unknown/v1"}, want: "required predicate type https://example.com/unknown/v1 not found among the verified statements (found: " + PredicateCycloneDX + ")"},
		{name: "statement v0.1 where v1 is required", data: v01.JSON(), want: "statement is in-toto Statement v0.1"},
		{name: "not JSON", data: []byte("hello"), want: "not a DSSE envelope: invalid JSON"},
		{name: "signatures missing", data: []byte(`{"payloadType":"x","payload":""}`), want: "not a DSSE envelope: signatures missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name := tc.file
			if name == "" {
				name = "envelope.dsse.json"
			}
			p := writeFile(t, filepath.Join(t.TempDir(), name), tc.data)
			keys := tc.keys
			if keys == nil {
				keys = []string{f.pub}
			}
			rep, err := Verify(ctx, VerifyOptions{Attestations: []string{p}, KeyFiles: keys, Subjects: tc.subjects, Require: tc.require})
			if err != nil {
				t.Fatalf("tool error: %v", err)
			}
			if rep.Verified {
				t.Fatal("verified, want rejection")
			}
			all := strings.Join(rep.Failures, "\n")
			if !strings.Contains(all, tc.want) {
				t.Errorf("failures do not say %q:\n%s", tc.want, all)
			}
		})
	}
}

func TestVerifyPolicy(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	cases := []struct {
		policy string
		at     time.Time
		want   []RuleResult
	}{
		{"version: 1\nrules:\n  no_failing_check_at_or_above: high\n", refTime,
			[]RuleResult{{Rule: "no_failing_check_at_or_above: high", Verdict: VerdictFail, Detail: "failing checks at or above high: CEM-DEF-001 (critical)"}}},
		{"version: 1\nrules:\n  no_not_met: true\n", refTime,
			[]RuleResult{{Rule: RuleNoNotMet, Verdict: VerdictFail, Detail: "failing finding: I-2b Annex I Part I (2)(b)"}}},
		{"version: 1\nrules:\n  support_period_not_ended: true\n", time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC),
			[]RuleResult{{Rule: RuleSupportPeriod, Verdict: VerdictFail, Detail: "support period ended on 2031-12-31 (checked at 2032-01-01)"}}},
		{"version: 1\nrules:\n  support_period_not_ended: true\n", time.Date(2031, 12, 31, 23, 0, 0, 0, time.UTC),
			[]RuleResult{{Rule: RuleSupportPeriod, Verdict: VerdictPass, Detail: "support period ends on 2031-12-31 (checked at 2031-12-31)"}}},
		{"version: 1\nrules:\n  sbom_complete: true\n", refTime,
			[]RuleResult{{Rule: RuleSBOMComplete, Verdict: VerdictPass, Detail: "SBOM attested; TR-03183-2 required fields complete"}}},
	}
	for i, tc := range cases {
		p := writeFile(t, filepath.Join(f.dir, "p", string(rune('a'+i))+".yaml"), []byte(tc.policy))
		rep, err := Verify(context.Background(), VerifyOptions{Attestations: []string{f.bundle}, KeyFiles: []string{f.pub}, PolicyFile: p, At: tc.at})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tc.want, rep.Rules); d != "" {
			t.Errorf("policy %d mismatch (-want +got):\n%s", i, d)
		}
		if rep.Verified != (tc.want[0].Verdict == VerdictPass) {
			t.Errorf("policy %d: verified = %v", i, rep.Verified)
		}
	}
	// Strict policy files.
	for _, bad := range []string{"version: 1\nrules:\n  no_failing: high\n", "version: 2\nrules:\n  no_not_met: true\n", "version: 1\nrules:\n  no_failing_check_at_or_above: severe\n", "version: 1\n"} {
		if _, err := ParsePolicy([]byte(bad)); err == nil {
			t.Errorf("policy accepted: %q", bad)
		}
	}
	// A bad policy file is a *PolicyError naming the file and the problem, so
	// the CLI can exit 2 (usage) rather than 1 (tool error).
	for _, tc := range []struct{ policy, want string }{
		{"rules:\n  no_not_met: true\n", `version: missing; the first line should be "version: 1"`},
		{"version: 3\nrules:\n  no_not_met: true\n", "version: 3 is not supported"},
		{"version: 1\nrules:\n  no_failing: high\n", "field no_failing not found"},
	} {
		p := writeFile(t, filepath.Join(f.dir, "bad-policy.yaml"), []byte(tc.policy))
		_, err := Verify(context.Background(), VerifyOptions{Attestations: []string{f.bundle}, KeyFiles: []string{f.pub}, PolicyFile: p})
		var pe *PolicyError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("policy %q: error %v, want a *PolicyError naming %s and %q", tc.policy, err, p, tc.want)
		}
	}
}

func TestVerifyToolErrors(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	for _, opts := range []VerifyOptions{
		{Attestations: []string{f.bundle}},
		{Attestations: []string{filepath.Join(f.dir, "missing.jsonl")}, KeyFiles: []string{f.pub}},
		{Attestations: []string{f.bundle}, KeyFiles: []string{f.bundle}},
	} {
		if _, err := Verify(context.Background(), opts); err == nil {
			t.Errorf("no tool error for %+v", opts)
		}
	}
}
