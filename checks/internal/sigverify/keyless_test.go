package sigverify

import (
	"context"
	"strings"
	"testing"
	"time"

	svt "github.com/cemark/cemark/checks/internal/sigverify/sigverifytest"
	"github.com/cemark/cemark/evidence/attest/sigstoretest"
)

func TestKeylessBundleAgainstTrustedRoot(t *testing.T) {
	trusted := svt.NewVirtualSigstore(t)
	stranger := svt.NewVirtualSigstore(t)
	artefact := []byte("release binary v1")

	dir := t.TempDir()
	rootPath := svt.Write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	good := svt.KeylessBundle(t, trusted, artefact)

	for _, tc := range []struct {
		name        string
		shipped     []byte // the artefact as shipped
		bundle      []byte
		trustedRoot string
		verdict     string
		keyID       string
		detail      []string // substrings of Detail
	}{
		{name: "valid", shipped: artefact, bundle: good, trustedRoot: rootPath,
			verdict: VerdictVerified, keyID: svt.Identity, detail: []string{svt.Identity, svt.Issuer}},
		{name: "artefact tampered", shipped: []byte("release binary v1 + backdoor"), bundle: good, trustedRoot: rootPath,
			verdict: VerdictBadSignature, detail: []string{"does not match the artefact", svt.Identity}},
		{name: "bundle of another artefact", shipped: artefact, bundle: svt.KeylessBundle(t, trusted, []byte("release binary v0")), trustedRoot: rootPath,
			verdict: VerdictBadSignature, detail: []string{"does not match the artefact"}},
		{name: "signed by an untrusted sigstore", shipped: artefact, bundle: svt.KeylessBundle(t, stranger, artefact), trustedRoot: rootPath,
			verdict: VerdictUnverifiable, detail: []string{"does not vouch", "sigstore/trusted_root.json", svt.Identity, svt.Issuer}},
		{name: "no trusted root configured", shipped: artefact, bundle: good,
			verdict: VerdictUnverifiable, detail: []string{"no trusted root given", svt.Identity, svt.Issuer}},
		{name: "artefact tampered, no trusted root", shipped: []byte("release binary v2"), bundle: good,
			verdict: VerdictBadSignature, detail: []string{"does not match the artefact"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			app := svt.Write(t, d, "dist/app", tc.shipped)
			svt.Write(t, d, "dist/app.sigstore.json", tc.bundle)
			v := &Verifier{Keys: &Keyring{}, Root: d, TrustedRoot: tc.trustedRoot, Now: time.Now()}
			got := v.VerifyArtifacts(context.Background(), []string{app})
			if len(got) != 1 {
				t.Fatalf("got %d verdicts, want 1", len(got))
			}
			g := got[0]
			wantMethod := MethodSigstoreBundle
			if tc.verdict == VerdictVerified {
				wantMethod = MethodSigstoreKeyless
			}
			if g.Verdict != tc.verdict || g.Method != wantMethod || g.Signature != "dist/app.sigstore.json" || g.KeyID != tc.keyID {
				t.Errorf("got %s/%s/%s key %q (%s), want %s/%s/dist/app.sigstore.json key %q",
					g.Verdict, g.Method, g.Signature, g.KeyID, g.Detail, tc.verdict, wantMethod, tc.keyID)
			}
			for _, s := range tc.detail {
				if !strings.Contains(g.Detail, s) {
					t.Errorf("detail %q does not mention %q", g.Detail, s)
				}
			}
		})
	}
}
