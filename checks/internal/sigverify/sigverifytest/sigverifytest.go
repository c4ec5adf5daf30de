// Package sigverifytest makes what a release ships and what its
// manufacturer configures, for the tests of checks/internal/sigverify and
// of the families that verify signatures: keys of every kind cemark
// verifies with (cosign PEM, OpenPGP, minisign), signatures, key-signed and
// keyless Sigstore bundles (message signature and DSSE) from sigstore-go's
// VirtualSigstore, and in-toto statements.
//
// Keys are generated at run time; no private key is ever committed.
package sigverifytest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"aead.dev/minisign"
	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"google.golang.org/protobuf/encoding/protojson"
)

// CosignKey is an ECDSA P-256 key pair as `cosign generate-key-pair` makes.
type CosignKey struct {
	Priv   *ecdsa.PrivateKey
	PubPEM []byte
	// Fingerprint is the hex SHA-256 of the DER public key.
	Fingerprint string
}

// NewCosignKey generates a cosign key pair.
func NewCosignKey(t testing.TB) CosignKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	der, err := cryptoutils.MarshalPublicKeyToDER(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return CosignKey{Priv: priv, PubPEM: pemBytes, Fingerprint: SHA256Hex(der)}
}

// SignRaw is what `cosign sign-blob --key` computes: an ASN.1 DER ECDSA
// signature over the SHA-256 digest of the blob.
func (k CosignKey) SignRaw(t testing.TB, data []byte) []byte {
	t.Helper()
	d := sha256.Sum256(data)
	sig, err := ecdsa.SignASN1(rand.Reader, k.Priv, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// Sign returns the base64 text cosign writes to <blob>.sig.
func (k CosignKey) Sign(t testing.TB, data []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(k.SignRaw(t, data)))
}

// Bundle builds a v0.3 Sigstore bundle with a public-key hint and a
// message signature, as `cosign sign-blob --key --new-bundle-format` does
// without a transparency log.
func (k CosignKey) Bundle(t testing.TB, data []byte) []byte {
	t.Helper()
	d := sha256.Sum256(data)
	b := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: k.Fingerprint}},
		},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: d[:]},
			Signature:     k.SignRaw(t, data),
		}},
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// PGPKey is an OpenPGP (EdDSA) key.
type PGPKey struct {
	Entity      *openpgp.Entity
	Pub         []byte // armored public key
	Fingerprint string // lower-case hex
}

// NewPGPKey generates an OpenPGP key for name@example.com.
func NewPGPKey(t testing.TB, name string) PGPKey {
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
	return PGPKey{Entity: e, Pub: buf.Bytes(), Fingerprint: hex.EncodeToString(e.PrimaryKey.Fingerprint)}
}

// SignArmored is `gpg --armor --detach-sign`.
func (k PGPKey) SignArmored(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, k.Entity, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// SignBinary is `gpg --detach-sign`.
func (k PGPKey) SignBinary(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := openpgp.DetachSign(&buf, k.Entity, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// BinaryKeyring is the public key in binary form, as `gpg --export` writes it.
func (k PGPKey) BinaryKeyring(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := k.Entity.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// MinisignKey is a minisign key pair.
type MinisignKey struct {
	Priv minisign.PrivateKey
	Pub  []byte // the public key file's text
	ID   string // the key ID as minisign prints it: 16 upper-case hex digits
}

// NewMinisignKey generates a minisign key pair.
func NewMinisignKey(t testing.TB) MinisignKey {
	t.Helper()
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := pub.MarshalText()
	return MinisignKey{Priv: priv, Pub: text, ID: fmt.Sprintf("%016X", pub.ID())}
}

// SignHashed is minisign's default (pre-hashed, "ED") signature.
func (k MinisignKey) SignHashed(data []byte) []byte {
	r := minisign.NewReader(bytes.NewReader(data))
	_, _ = r.Read(make([]byte, len(data)+1))
	for {
		n, err := r.Read(make([]byte, 4096))
		if n == 0 || err != nil {
			break
		}
	}
	return r.Sign(k.Priv)
}

// Write writes data to dir/name, making its folders, and returns the path.
func Write(t testing.TB, dir, name string, data []byte) string {
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

// SHA256Hex is the hex SHA-256 of data.
func SHA256Hex(data []byte) string {
	d := sha256.Sum256(data)
	return hex.EncodeToString(d[:])
}

// Keyless Sigstore bundles are made at run time by sigstore-go's
// VirtualSigstore: an in-memory Fulcio CA, Rekor log and timestamp
// authority. A test writes what a release ships (the artefact and its
// .sigstore.json bundle) and what the manufacturer configures
// (updates.trusted_root: a trusted_root.json describing that CA, log and
// TSA, from evidence/attest/sigstoretest.VirtualTrustedRoot), so the
// production path — root.NewTrustedRootFromPath and bundle.UnmarshalJSON —
// is exercised as it runs on real files.

// Identity and Issuer are the certificate identity and OIDC issuer of the
// keyless signatures made here unless DSSEOptions say otherwise.
const (
	Identity = "release@example.com"
	Issuer   = "https://issuer.example.com"
)

// NewVirtualSigstore starts an in-memory Sigstore instance.
func NewVirtualSigstore(t testing.TB) *ca.VirtualSigstore {
	t.Helper()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// KeylessBundle signs artefact with a short-lived Fulcio certificate of vs
// and returns a v0.3 Sigstore bundle in JSON, as `cosign sign-blob
// --new-bundle-format` writes it: leaf certificate, message signature,
// RFC 3161 timestamp and a Rekor entry with inclusion promise and proof.
func KeylessBundle(t testing.TB, vs *ca.VirtualSigstore, artefact []byte) []byte {
	t.Helper()
	entity, err := vs.Sign(Identity, Issuer, artefact)
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

// InTotoStatement names subjects by their sha256 digest, as attest-blob does.
func InTotoStatement(t testing.TB, subjects map[string][]byte) []byte {
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

// DSSEOptions change a DSSE bundle after signing, to tamper with it.
type DSSEOptions struct {
	// Identity and Issuer sign instead of the package's Identity and Issuer.
	Identity, Issuer string
	// Payload, when set, replaces the signed statement in the envelope
	// (the signature and the log entry stay those of the original).
	Payload []byte
}

// KeylessDSSEBundle attests statement with a short-lived Fulcio certificate
// of vs and returns a v0.3 Sigstore bundle in JSON with a DSSE envelope, a
// Rekor "dsse" entry (inclusion promise and proof) and an RFC 3161
// timestamp: what `cosign attest-blob --new-bundle-format` and
// actions/attest-build-provenance ship. The artefact is matched through the
// statement's subject digests, not through a signature over its bytes.
func KeylessDSSEBundle(t testing.TB, vs *ca.VirtualSigstore, statement []byte, o DSSEOptions) []byte {
	t.Helper()
	if o.Identity == "" {
		o.Identity, o.Issuer = Identity, Issuer
	}
	entity, err := vs.Attest(o.Identity, o.Issuer, statement)
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
	if o.Payload != nil {
		payload = o.Payload
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
