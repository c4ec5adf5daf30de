package updates

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/attest/sigstoretest"
	"github.com/cemark/cemark/evidence/config"
)

// DSSE keyless bundles are what `cosign attest-blob --new-bundle-format`
// and actions/attest-build-provenance ship: an in-toto statement naming the
// artefact's digest, in a DSSE envelope signed with a Fulcio certificate,
// logged in Rekor (a "dsse" entry) and timestamped. The artefact is matched
// through the statement's subject digests, not through a signature over
// the artefact's bytes.

// inTotoStatement names subjects by their sha256 digest, as attest-blob does.
func inTotoStatement(t testing.TB, subjects map[string][]byte) []byte {
	t.Helper()
	type subject struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	}
	st := struct {
		Type          string         `json:"_type"`
		Subject       []subject      `json:"subject"`
		PredicateType string         `json:"predicateType"`
		Predicate     map[string]any `json:"predicate"`
	}{Type: "https://in-toto.io/Statement/v1", PredicateType: "https://slsa.dev/provenance/v1", Predicate: map[string]any{}}
	for name, content := range subjects {
		sum := sha256.Sum256(content)
		st.Subject = append(st.Subject, subject{Name: name, Digest: map[string]string{"sha256": hex.EncodeToString(sum[:])}})
	}
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// dsseBundleOptions change a DSSE bundle after signing, to tamper with it.
type dsseBundleOptions struct {
	identity, issuer string
	// payload, when set, replaces the signed statement in the envelope
	// (the signature and the log entry stay those of the original).
	payload []byte
}

// keylessDSSEBundle attests statement with a short-lived Fulcio certificate
// of vs and returns a v0.3 Sigstore bundle in JSON with a DSSE envelope, a
// Rekor "dsse" entry (inclusion promise and proof) and an RFC 3161 timestamp.
func keylessDSSEBundle(t testing.TB, vs *ca.VirtualSigstore, statement []byte, o dsseBundleOptions) []byte {
	t.Helper()
	if o.identity == "" {
		o.identity, o.issuer = keylessIdentity, keylessIssuer
	}
	entity, err := vs.Attest(o.identity, o.issuer, statement)
	if err != nil {
		t.Fatal(err)
	}
	content, err := entity.VerificationContent()
	if err != nil {
		t.Fatal(err)
	}
	sigContent, err := entity.SignatureContent()
	if err != nil {
		t.Fatal(err)
	}
	env := sigContent.EnvelopeContent().RawEnvelope()
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if o.payload != nil {
		payload = o.payload
	}
	var sigs []*protodsse.Signature
	for _, s := range env.Signatures {
		raw, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, &protodsse.Signature{Sig: raw, Keyid: s.KeyID})
	}
	tsrs, err := entity.Timestamps()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := entity.TlogEntries()
	if err != nil || len(entries) != 1 {
		t.Fatalf("tlog entries: %v (%d)", err, len(entries))
	}
	var stamps []*protocommon.RFC3161SignedTimestamp
	for _, tsr := range tsrs {
		stamps = append(stamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: tsr})
	}
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:                   &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: content.Certificate().Raw}},
			TlogEntries:               withInclusionProof(t, vs, entries[0]),
			TimestampVerificationData: &protobundle.TimestampVerificationData{Rfc3161Timestamps: stamps},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: env.PayloadType, Signatures: sigs,
		}},
	}
	data, err := protojson.Marshal(pb)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestKeylessDSSEBundleAgainstTrustedRoot(t *testing.T) {
	trusted := newVirtualSigstore(t)
	stranger := newVirtualSigstore(t)
	artefact := []byte("release binary v1")
	tampered := []byte("release binary v1 + backdoor")
	statement := inTotoStatement(t, map[string][]byte{"app": artefact})

	dir := t.TempDir()
	rootPath := write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	good := keylessDSSEBundle(t, trusted, statement, dsseBundleOptions{})
	pinExact := []config.KeylessIdentity{{Issuer: keylessIssuer, Identity: keylessIdentity}}
	pinRegexp := []config.KeylessIdentity{{Issuer: keylessIssuer, IdentityRegexp: `release@example\.(com|org)`}}
	pinOther := []config.KeylessIdentity{
		{Issuer: keylessIssuer, Identity: "someone-else@example.com"},
		{Issuer: "https://accounts.example.org", IdentityRegexp: `.*@example\.com`},
	}

	for _, tc := range []struct {
		name        string
		shipped     []byte
		bundle      []byte
		trustedRoot string
		pins        []config.KeylessIdentity
		verdict     string
		method      string
		keyID       string
		detail      []string
	}{
		{name: "valid, not pinned", shipped: artefact, bundle: good, trustedRoot: rootPath,
			verdict: VerdictVerified, method: MethodSigstoreKeyless, keyID: keylessIdentity,
			detail: []string{"DSSE", keylessIdentity, keylessIssuer, "not pinned"}},
		{name: "valid, pinned exactly", shipped: artefact, bundle: good, trustedRoot: rootPath, pins: pinExact,
			verdict: VerdictVerified, method: MethodSigstoreKeyless, keyID: keylessIdentity,
			detail: []string{keylessIdentity, keylessIssuer, "updates.keyless_identities[0]"}},
		{name: "valid, pinned by regexp", shipped: artefact, bundle: good, trustedRoot: rootPath, pins: pinRegexp,
			verdict: VerdictVerified, method: MethodSigstoreKeyless, keyID: keylessIdentity,
			detail: []string{"updates.keyless_identities[0]"}},
		{name: "wrong identity when pinned", shipped: artefact, bundle: good, trustedRoot: rootPath, pins: pinOther,
			verdict: VerdictIdentityMismatch, method: MethodSigstoreKeyless, keyID: keylessIdentity,
			detail: []string{keylessIdentity, keylessIssuer, "matches no identity pinned in updates.keyless_identities", "someone-else@example.com", `^(?:.*@example\.com)$`}},
		{name: "regexp is anchored", shipped: artefact, bundle: keylessDSSEBundle(t, trusted, statement, dsseBundleOptions{identity: "evil-release@example.com.attacker.net", issuer: keylessIssuer}),
			trustedRoot: rootPath, pins: pinRegexp,
			verdict: VerdictIdentityMismatch, method: MethodSigstoreKeyless, keyID: "evil-release@example.com.attacker.net",
			detail: []string{"evil-release@example.com.attacker.net"}},
		{name: "payload tampered", shipped: tampered,
			bundle:      keylessDSSEBundle(t, trusted, statement, dsseBundleOptions{payload: inTotoStatement(t, map[string][]byte{"app": tampered})}),
			trustedRoot: rootPath, pins: pinExact,
			verdict: VerdictBadSignature, method: MethodSigstoreBundle, detail: []string{"DSSE", "does not verify", keylessIdentity}},
		{name: "artefact tampered", shipped: tampered, bundle: good, trustedRoot: rootPath, pins: pinExact,
			verdict: VerdictBadSignature, method: MethodSigstoreBundle, detail: []string{"does not name the artefact"}},
		{name: "artefact tampered, wrong identity", shipped: tampered, bundle: good, trustedRoot: rootPath, pins: pinOther,
			verdict: VerdictBadSignature, method: MethodSigstoreBundle, detail: []string{"does not name the artefact"}},
		{name: "signed by an untrusted sigstore", shipped: artefact, bundle: keylessDSSEBundle(t, stranger, statement, dsseBundleOptions{}),
			trustedRoot: rootPath, pins: pinExact,
			verdict: VerdictUnverifiable, method: MethodSigstoreBundle, detail: []string{"does not vouch", keylessIdentity}},
		{name: "no trusted root configured", shipped: artefact, bundle: good, pins: pinExact,
			verdict: VerdictUnverifiable, method: MethodSigstoreBundle, detail: []string{"no trusted root given", keylessIdentity}},
		{name: "payload tampered, no trusted root", shipped: tampered,
			bundle:  keylessDSSEBundle(t, trusted, statement, dsseBundleOptions{payload: inTotoStatement(t, map[string][]byte{"app": tampered})}),
			verdict: VerdictBadSignature, method: MethodSigstoreBundle, detail: []string{"does not verify"}},
		{name: "artefact tampered, no trusted root", shipped: tampered, bundle: good,
			verdict: VerdictBadSignature, method: MethodSigstoreBundle, detail: []string{"does not name the artefact"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			app := write(t, d, "dist/app", tc.shipped)
			write(t, d, "dist/app.sigstore.json", tc.bundle)
			v := &Verifier{Keys: &KeySet{}, Root: d, TrustedRoot: tc.trustedRoot, Identities: tc.pins, Now: time.Now()}
			got := v.VerifyArtifacts(context.Background(), []string{app})
			if len(got) != 1 {
				t.Fatalf("got %d verdicts, want 1", len(got))
			}
			g := got[0]
			if g.Verdict != tc.verdict || g.Method != tc.method || g.Signature != "dist/app.sigstore.json" || g.KeyID != tc.keyID {
				t.Errorf("got %s/%s/%s key %q (%s), want %s/%s/dist/app.sigstore.json key %q",
					g.Verdict, g.Method, g.Signature, g.KeyID, g.Detail, tc.verdict, tc.method, tc.keyID)
			}
			for _, s := range tc.detail {
				if !strings.Contains(g.Detail, s) {
					t.Errorf("detail %q does not mention %q", g.Detail, s)
				}
			}
		})
	}
}

// TestKeylessIdentityPinningEndToEnd runs the family from a cemark.yaml
// read by the real loader: a message-signature bundle, a DSSE bundle and a
// keylessly signed checksums file, with and without pinned identities.
func TestKeylessIdentityPinningEndToEnd(t *testing.T) {
	trusted := newVirtualSigstore(t)
	app, tool, lib := []byte("app v1"), []byte("tool v1"), []byte("lib v1")
	const ciIdentity = "https://github.com/example/app/.github/workflows/release.yml@refs/tags/v1.0.0"
	const ciIssuer = "https://token.actions.githubusercontent.com"
	sums := []byte(sha256hex(lib) + "  lib\n")

	dir := t.TempDir()
	write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	write(t, dir, "dist/app", app)
	write(t, dir, "dist/app.sigstore.json", keylessBundle(t, trusted, app)) // release@example.com
	write(t, dir, "dist/tool", tool)
	write(t, dir, "dist/tool.sigstore.json", keylessDSSEBundle(t, trusted, inTotoStatement(t, map[string][]byte{"tool": tool}),
		dsseBundleOptions{identity: ciIdentity, issuer: ciIssuer}))
	write(t, dir, "dist/lib", lib)
	write(t, dir, "dist/checksums.txt", sums)
	write(t, dir, "dist/checksums.txt.sigstore.json", keylessDSSEBundle(t, trusted, inTotoStatement(t, map[string][]byte{"checksums.txt": sums}),
		dsseBundleOptions{identity: ciIdentity, issuer: ciIssuer}))

	type row struct {
		Key      string
		Outcome  checks.Outcome
		Severity checks.Severity
		Pinned   string
	}
	run := func(t *testing.T, yaml string) ([]row, []checks.Finding, []checks.Finding) {
		t.Helper()
		cfg, err := config.Parse("cemark.yaml", []byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		tg, err := checks.NewTarget(context.Background(), dir, cfg)
		if err != nil {
			t.Fatal(err)
		}
		tg.Now = time.Now()
		byCheck := findings(t, tg)
		artefacts, consistency := byCheck[IDArtifacts], byCheck[IDConsistency]
		var rows []row
		for _, f := range artefacts {
			rows = append(rows, row{f.Key, f.Outcome, f.Severity, f.Values["identity_pinned"]})
		}
		return rows, artefacts, consistency
	}
	const base = "updates:\n  artifacts: [dist/*]\n  trusted_root: sigstore/trusted_root.json\n" +
		"  keys: [{name: release, fingerprint: " + "\"abababababababababababababababababababababababababababababababab\"}]\n"

	t.Run("nothing pinned", func(t *testing.T) {
		rows, fs, consistency := run(t, base)
		want := []row{
			// Verified, but by a signer nobody pinned: a gap, so a warning.
			{"dist/app", checks.Warn, checks.SeverityMedium, "false"},
			{"dist/lib", checks.Warn, checks.SeverityMedium, "false"},
			{"dist/tool", checks.Warn, checks.SeverityMedium, "false"},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
		for _, f := range fs {
			for _, s := range []string{"NOT PINNED", "keyless_identities: [{issuer: "} {
				if !strings.Contains(f.Message, s) {
					t.Errorf("%s: message %q does not say %q", f.Key, f.Message, s)
				}
			}
		}
		if !strings.Contains(fs[0].Message, `{issuer: "`+keylessIssuer+`", identity: "`+keylessIdentity+`"}`) {
			t.Errorf("message does not show how to pin the found identity: %s", fs[0].Message)
		}
		for _, f := range consistency {
			if f.Outcome == checks.Fail {
				t.Errorf("keyless artefact compared with key fingerprints: %s", f.Message)
			}
		}
	})
	t.Run("pinned", func(t *testing.T) {
		yaml := base + "  keyless_identities:\n" +
			"    - {issuer: " + keylessIssuer + ", identity: " + keylessIdentity + "}\n" +
			"    - issuer: " + ciIssuer + "\n" +
			"      identity_regexp: 'https://github\\.com/example/lib/\\.github/workflows/release\\.yml@refs/tags/v.+'\n"
		rows, fs, _ := run(t, yaml)
		want := []row{
			{"dist/app", checks.Pass, checks.SeverityInfo, "true"},
			{"dist/lib", checks.Fail, checks.SeverityHigh, "false"},
			{"dist/tool", checks.Fail, checks.SeverityHigh, "false"},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
		for _, f := range fs[1:] {
			for _, s := range []string{"UNEXPECTED SIGNER", ciIdentity, ciIssuer} {
				if !strings.Contains(f.Message, s) {
					t.Errorf("%s: message %q does not name %q", f.Key, f.Message, s)
				}
			}
			if f.Values["identity"] != ciIdentity || f.Values["issuer"] != ciIssuer {
				t.Errorf("%s: values %v", f.Key, f.Values)
			}
		}
		if got := fs[0].Values["pinned_by"]; got != "updates.keyless_identities[0]" {
			t.Errorf("dist/app pinned_by = %q", got)
		}
	})
	t.Run("pinned by regexp", func(t *testing.T) {
		yaml := base + "  keyless_identities:\n" +
			"    - issuer: " + ciIssuer + "\n" +
			"      identity_regexp: 'https://github\\.com/example/app/\\.github/workflows/release\\.yml@refs/tags/v.+'\n"
		rows, _, _ := run(t, yaml)
		want := []row{
			{"dist/app", checks.Fail, checks.SeverityHigh, "false"}, // release@example.com is not the CI identity
			{"dist/lib", checks.Pass, checks.SeverityInfo, "true"},
			{"dist/tool", checks.Pass, checks.SeverityInfo, "true"},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
}

// TestUnusablePinsNeverPass: pins that do not make a sigstore-go policy
// (set programmatically, past the loader) must not fall back to "not
// pinned", which would accept any signer.
func TestUnusablePinsNeverPass(t *testing.T) {
	trusted := newVirtualSigstore(t)
	artefact := []byte("app v1")
	dir := t.TempDir()
	rootPath := write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	app := write(t, dir, "dist/app", artefact)
	write(t, dir, "dist/app.sigstore.json", keylessBundle(t, trusted, artefact))
	for _, tc := range []struct {
		name string
		pins []config.KeylessIdentity
		want string
	}{
		{"no issuer", []config.KeylessIdentity{{Identity: keylessIdentity}}, "updates.keyless_identities[0]: when verifying a certificate identity, must specify Issuer criteria"},
		{"identity and regexp", []config.KeylessIdentity{{Issuer: keylessIssuer, Identity: keylessIdentity, IdentityRegexp: ".*"}}, "give exactly one of identity and identity_regexp"},
		{"regexp that does not compile", []config.KeylessIdentity{{Issuer: keylessIssuer, Identity: "x"}, {Issuer: keylessIssuer, IdentityRegexp: "(release"}}, "updates.keyless_identities[1]: error parsing regexp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{Keys: &KeySet{}, Root: dir, TrustedRoot: rootPath, Identities: tc.pins, Now: time.Now()}
			got := v.VerifyArtifacts(context.Background(), []string{app})
			if len(got) != 1 || got[0].Verdict != VerdictUnverifiable || !strings.Contains(got[0].Detail, tc.want) {
				t.Errorf("got %+v, want %s mentioning %q", got, VerdictUnverifiable, tc.want)
			}
			if len(v.KeylessSigners()) != 0 {
				t.Errorf("signer recorded for an unverified bundle: %v", v.KeylessSigners())
			}
		})
	}
}
