package sigverify

import (
	"context"
	"strings"
	"testing"
	"time"

	svt "github.com/cemark/cemark/checks/internal/sigverify/sigverifytest"
	"github.com/cemark/cemark/evidence/attest/sigstoretest"
	"github.com/cemark/cemark/evidence/config"
)

func TestKeylessDSSEBundleAgainstTrustedRoot(t *testing.T) {
	trusted := svt.NewVirtualSigstore(t)
	stranger := svt.NewVirtualSigstore(t)
	artefact := []byte("release binary v1")
	tampered := []byte("release binary v1 + backdoor")
	statement := svt.InTotoStatement(t, map[string][]byte{"app": artefact})

	dir := t.TempDir()
	rootPath := svt.Write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	good := svt.KeylessDSSEBundle(t, trusted, statement, svt.DSSEOptions{})
	pinExact := []config.KeylessIdentity{{Issuer: svt.Issuer, Identity: svt.Identity}}
	pinRegexp := []config.KeylessIdentity{{Issuer: svt.Issuer, IdentityRegexp: `release@example\.(com|org)`}}
	pinOther := []config.KeylessIdentity{
		{Issuer: svt.Issuer, Identity: "someone-else@example.com"},
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
			verdict: VerdictVerified, method: MethodSigstoreKeyless, keyID: svt.Identity,
			detail: []string{"DSSE", svt.Identity, svt.Issuer, "not pinned"}},
		{name: "valid, pinned exactly", shipped: artefact, bundle: good, trustedRoot: rootPath, pins: pinExact,
			verdict: VerdictVerified, method: MethodSigstoreKeyless, keyID: svt.Identity,
			detail: []string{svt.Identity, svt.Issuer, "updates.keyless_identities[0]"}},
		{name: "valid, pinned by regexp", shipped: artefact, bundle: good, trustedRoot: rootPath, pins: pinRegexp,
			verdict: VerdictVerified, method: MethodSigstoreKeyless, keyID: svt.Identity,
			detail: []string{"updates.keyless_identities[0]"}},
		{name: "wrong identity when pinned", shipped: artefact, bundle: good, trustedRoot: rootPath, pins: pinOther,
			verdict: VerdictIdentityMismatch, method: MethodSigstoreKeyless, keyID: svt.Identity,
			detail: []string{svt.Identity, svt.Issuer, "matches no identity pinned in updates.keyless_identities", "someone-else@example.com", `^(?:.*@example\.com)$`}},
		{name: "regexp is anchored", shipped: artefact, bundle: svt.KeylessDSSEBundle(t, trusted, statement, svt.DSSEOptions{Identity: "evil-release@example.com.attacker.net", Issuer: svt.Issuer}),
			trustedRoot: rootPath, pins: pinRegexp,
			verdict: VerdictIdentityMismatch, method: MethodSigstoreKeyless, keyID: "evil-release@example.com.attacker.net",
			detail: []string{"evil-release@example.com.attacker.net"}},
		{name: "payload tampered", shipped: tampered,
			bundle:      svt.KeylessDSSEBundle(t, trusted, statement, svt.DSSEOptions{Payload: svt.InTotoStatement(t, map[string][]byte{"app": tampered})}),
			trustedRoot: rootPath, pins: pinExact,
			verdict: VerdictBadSignature, method: MethodSigstoreBundle, detail: []string{"DSSE", "does not verify", svt.Identity}},
		{name: "artefact tampered", shipped: tampered, bundle: good, trustedRoot: rootPath, pins: pinExact,
			verdict: VerdictBadSignature, method: MethodSigstoreBundle, detail: []string{"does not name the artefact"}},
		{name: "artefact tampered, wrong identity", shipped: tampered, bundle: good, trustedRoot: rootPath, pins: pinOther,
			verdict: VerdictBadSignature, method: MethodSigstoreBundle, detail: []string{"does not name the artefact"}},
		{name: "signed by an untrusted sigstore", shipped: artefact, bundle: svt.KeylessDSSEBundle(t, stranger, statement, svt.DSSEOptions{}),
			trustedRoot: rootPath, pins: pinExact,
			verdict: VerdictUnverifiable, method: MethodSigstoreBundle, detail: []string{"does not vouch", svt.Identity}},
		{name: "no trusted root configured", shipped: artefact, bundle: good, pins: pinExact,
			verdict: VerdictUnverifiable, method: MethodSigstoreBundle, detail: []string{"no trusted root given", svt.Identity}},
		{name: "payload tampered, no trusted root", shipped: tampered,
			bundle:  svt.KeylessDSSEBundle(t, trusted, statement, svt.DSSEOptions{Payload: svt.InTotoStatement(t, map[string][]byte{"app": tampered})}),
			verdict: VerdictBadSignature, method: MethodSigstoreBundle, detail: []string{"does not verify"}},
		{name: "artefact tampered, no trusted root", shipped: tampered, bundle: good,
			verdict: VerdictBadSignature, method: MethodSigstoreBundle, detail: []string{"does not name the artefact"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			app := svt.Write(t, d, "dist/app", tc.shipped)
			svt.Write(t, d, "dist/app.sigstore.json", tc.bundle)
			v := &Verifier{Keys: &Keyring{}, Root: d, TrustedRoot: tc.trustedRoot, Identities: tc.pins, Now: time.Now()}
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

// TestUnusablePinsNeverPass: pins that do not make a sigstore-go policy
// (set programmatically, past the loader) must not fall back to "not
// pinned", which would accept any signer.
func TestUnusablePinsNeverPass(t *testing.T) {
	trusted := svt.NewVirtualSigstore(t)
	artefact := []byte("app v1")
	dir := t.TempDir()
	rootPath := svt.Write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	app := svt.Write(t, dir, "dist/app", artefact)
	svt.Write(t, dir, "dist/app.sigstore.json", svt.KeylessBundle(t, trusted, artefact))
	for _, tc := range []struct {
		name string
		pins []config.KeylessIdentity
		want string
	}{
		{"no issuer", []config.KeylessIdentity{{Identity: svt.Identity}}, "updates.keyless_identities[0]: when verifying a certificate identity, must specify Issuer criteria"},
		{"identity and regexp", []config.KeylessIdentity{{Issuer: svt.Issuer, Identity: svt.Identity, IdentityRegexp: ".*"}}, "give exactly one of identity and identity_regexp"},
		{"regexp that does not compile", []config.KeylessIdentity{{Issuer: svt.Issuer, Identity: "x"}, {Issuer: svt.Issuer, IdentityRegexp: "(release"}}, "updates.keyless_identities[1]: error parsing regexp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{Keys: &Keyring{}, Root: dir, TrustedRoot: rootPath, Identities: tc.pins, Now: time.Now()}
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
