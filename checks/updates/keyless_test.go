package updates

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/attest/sigstoretest"
	"github.com/cemark/cemark/evidence/config"
)

// Keyless Sigstore bundles are made at run time by sigstore-go's
// VirtualSigstore: an in-memory Fulcio CA, Rekor log and timestamp
// authority. The test writes what a release ships (the artefact and its
// .sigstore.json bundle) and what the manufacturer configures
// (updates.trusted_root: a trusted_root.json describing that CA, log and
// TSA), so the production path — root.NewTrustedRootFromPath and
// bundle.UnmarshalJSON — is exercised as it runs on real files.

const (
	keylessIdentity = "release@example.com"
	keylessIssuer   = "https://issuer.example.com"
)

func newVirtualSigstore(t testing.TB) *ca.VirtualSigstore {
	t.Helper()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// keylessBundle signs artefact with a short-lived Fulcio certificate of vs
// and returns a v0.3 Sigstore bundle in JSON, as `cosign sign-blob
// --new-bundle-format` writes it: leaf certificate, message signature,
// RFC 3161 timestamp and a Rekor entry with inclusion promise and proof.
func keylessBundle(t testing.TB, vs *ca.VirtualSigstore, artefact []byte) []byte {
	t.Helper()
	entity, err := vs.Sign(keylessIdentity, keylessIssuer, artefact)
	if err != nil {
		t.Fatal(err)
	}
	content, err := entity.VerificationContent()
	if err != nil {
		t.Fatal(err)
	}
	cert := content.Certificate()
	sigContent, err := entity.SignatureContent()
	if err != nil {
		t.Fatal(err)
	}
	msg := sigContent.MessageSignatureContent()
	tsrs, err := entity.Timestamps()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := entity.TlogEntries()
	if err != nil || len(entries) != 1 {
		t.Fatalf("tlog entries: %v (%d)", err, len(entries))
	}
	tle := withInclusionProof(t, vs, entries[0])

	var stamps []*protocommon.RFC3161SignedTimestamp
	for _, tsr := range tsrs {
		stamps = append(stamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: tsr})
	}
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:                   &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: cert.Raw}},
			TlogEntries:               tle,
			TimestampVerificationData: &protobundle.TimestampVerificationData{Rfc3161Timestamps: stamps},
		},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: msg.Digest()},
			Signature:     msg.Signature(),
		}},
	}
	data, err := protojson.Marshal(pb)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// withInclusionProof re-creates the virtual Rekor entry with an inclusion
// proof: a v0.2+ bundle must carry one, and VirtualSigstore.Sign gives only
// the inclusion promise (SET). The proof is for a one-leaf tree, so the
// entry's log index becomes 0 and its SET is signed again over it.
func withInclusionProof(t testing.TB, vs *ca.VirtualSigstore, e *tlog.Entry) []*protorekor.TransparencyLogEntry {
	t.Helper()
	orig := e.TransparencyLogEntry()
	body := orig.GetCanonicalizedBody()
	proof, err := vs.GetInclusionProof(body)
	if err != nil {
		t.Fatal(err)
	}
	logID, err := vs.RekorLogID()
	if err != nil {
		t.Fatal(err)
	}
	logIDRaw, err := hex.DecodeString(logID)
	if err != nil {
		t.Fatal(err)
	}
	set, err := vs.RekorSignPayload(tlog.RekorPayload{
		Body: base64.StdEncoding.EncodeToString(body), IntegratedTime: orig.GetIntegratedTime(), LogIndex: *proof.LogIndex, LogID: logID,
	})
	if err != nil {
		t.Fatal(err)
	}
	entry, err := tlog.NewEntry(body, orig.GetIntegratedTime(), *proof.LogIndex, logIDRaw, set, proof) //nolint:staticcheck // the constructor sigstore-go's own virtual log uses
	if err != nil {
		t.Fatal(err)
	}
	// tlog.Entry keeps the kind, version and SET beside its proto; a
	// bundle carries them in it.
	var kv struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(body, &kv); err != nil {
		t.Fatal(err)
	}
	tle := entry.TransparencyLogEntry()
	tle.KindVersion = &protorekor.KindVersion{Kind: kv.Kind, Version: kv.APIVersion}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	return []*protorekor.TransparencyLogEntry{tle}
}

func TestKeylessBundleAgainstTrustedRoot(t *testing.T) {
	trusted := newVirtualSigstore(t)
	stranger := newVirtualSigstore(t)
	artefact := []byte("release binary v1")

	dir := t.TempDir()
	rootPath := write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	good := keylessBundle(t, trusted, artefact)

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
			verdict: VerdictVerified, keyID: keylessIdentity, detail: []string{keylessIdentity, keylessIssuer}},
		{name: "artefact tampered", shipped: []byte("release binary v1 + backdoor"), bundle: good, trustedRoot: rootPath,
			verdict: VerdictBadSignature, detail: []string{"does not match the artefact", keylessIdentity}},
		{name: "bundle of another artefact", shipped: artefact, bundle: keylessBundle(t, trusted, []byte("release binary v0")), trustedRoot: rootPath,
			verdict: VerdictBadSignature, detail: []string{"does not match the artefact"}},
		{name: "signed by an untrusted sigstore", shipped: artefact, bundle: keylessBundle(t, stranger, artefact), trustedRoot: rootPath,
			verdict: VerdictUnverifiable, detail: []string{"does not vouch", "sigstore/trusted_root.json", keylessIdentity, keylessIssuer}},
		{name: "no trusted root configured", shipped: artefact, bundle: good,
			verdict: VerdictUnverifiable, detail: []string{"no trusted root given", keylessIdentity, keylessIssuer}},
		{name: "artefact tampered, no trusted root", shipped: []byte("release binary v2"), bundle: good,
			verdict: VerdictBadSignature, detail: []string{"does not match the artefact"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			app := write(t, d, "dist/app", tc.shipped)
			write(t, d, "dist/app.sigstore.json", tc.bundle)
			v := &Verifier{Keys: &KeySet{}, Root: d, TrustedRoot: tc.trustedRoot, Now: time.Now()}
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

// TestKeylessEndToEnd runs the family from cemark.yaml: updates.trusted_root
// is a path relative to the product root, and each artefact's verdict
// becomes a finding with its outcome and severity.
func TestKeylessEndToEnd(t *testing.T) {
	trusted := newVirtualSigstore(t)
	stranger := newVirtualSigstore(t)
	app, tool, lib := []byte("app v1"), []byte("tool v1"), []byte("lib v1")

	dir := t.TempDir()
	write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	write(t, dir, "dist/app", app)
	write(t, dir, "dist/app.sigstore.json", keylessBundle(t, trusted, app))
	write(t, dir, "dist/tool", []byte("tool v1, altered after signing"))
	write(t, dir, "dist/tool.sigstore.json", keylessBundle(t, trusted, tool))
	write(t, dir, "dist/lib", lib)
	write(t, dir, "dist/lib.bundle", keylessBundle(t, stranger, lib))

	type row struct {
		Key      string
		Outcome  checks.Outcome
		Severity checks.Severity
		KeyID    string
	}
	run := func(t *testing.T, trustedRoot string) []row {
		t.Helper()
		cfg := &config.Config{Updates: config.Updates{Artifacts: []string{"dist/*"}, TrustedRoot: trustedRoot}}
		tg, err := checks.NewTarget(context.Background(), dir, cfg)
		if err != nil {
			t.Fatal(err)
		}
		tg.Now = time.Now()
		var rows []row
		for _, f := range findings(t, tg)[IDArtifacts] {
			rows = append(rows, row{f.Key, f.Outcome, f.Severity, f.Values["key_id"]})
		}
		return rows
	}

	t.Run("trusted root configured", func(t *testing.T) {
		want := []row{
			{"dist/app", checks.Warn, checks.SeverityMedium, keylessIdentity}, // verified, signer not pinned
			{"dist/lib", checks.Warn, "", ""},
			{"dist/tool", checks.Fail, checks.SeverityHigh, ""},
		}
		if diff := cmp.Diff(want, run(t, "sigstore/trusted_root.json")); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
	t.Run("no trusted root configured", func(t *testing.T) {
		want := []row{
			{"dist/app", checks.Warn, "", ""},
			{"dist/lib", checks.Warn, "", ""},
			// The signature is checked against the bundle's own
			// certificate even without a trusted root.
			{"dist/tool", checks.Fail, checks.SeverityHigh, ""},
		}
		if diff := cmp.Diff(want, run(t, "")); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
}

// TestKeylessIsNotComparedWithDeclaredFingerprints: a keyless signature
// names an identity, not a key, so CEM-UPD-005 has nothing to compare it
// with and the fact sheet lists no fingerprint for it.
func TestKeylessIsNotComparedWithDeclaredFingerprints(t *testing.T) {
	trusted := newVirtualSigstore(t)
	app := []byte("app v1")
	dir := t.TempDir()
	write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	write(t, dir, "dist/app", app)
	write(t, dir, "dist/app.sigstore.json", keylessBundle(t, trusted, app))
	cfg := &config.Config{Updates: config.Updates{Artifacts: []string{"dist/*"}, TrustedRoot: "sigstore/trusted_root.json",
		Keys: []config.UpdateKey{{Name: "release", Fingerprint: strings.Repeat("ab", 32)}}}}
	tg, err := checks.NewTarget(context.Background(), dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg.Now = time.Now()
	facts, err := Facts(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	if len(facts.KeyFingerprints) != 0 {
		t.Errorf("identity listed as a key fingerprint: %v", facts.KeyFingerprints)
	}
	for _, f := range findings(t, tg)[IDConsistency] {
		if f.Outcome == checks.Fail {
			t.Errorf("keyless artefact fails the fingerprint consistency check: %s", f.Message)
		}
	}
}
