package attest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"google.golang.org/protobuf/encoding/protojson"
)

// BundleMediaType is the media type of the Sigstore bundles cemark
// writes: protobuf-specs Bundle v0.3 in its JSON form.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// Signed is one statement after signing: its DSSE envelope (for
// <name>.dsse.json and a line of attestations.intoto.jsonl) and its
// Sigstore bundle (<name>.sigstore.json). Both carry the same signature;
// the bundle adds what verifies it (a public-key hint, or a Fulcio
// certificate and a Rekor entry). Bundle is nil when the statement is
// unsigned.
type Signed struct {
	Name     string
	Envelope *Envelope
	Bundle   []byte
	// LogIndex is the Rekor log index of a keyless signature; -1 when the
	// signature was not logged.
	LogIndex int64
}

// BundleHint is the public-key hint of a key-based bundle: base64 of the
// SHA-256 of the DER (PKIX) public key, the value cosign writes. cemark's
// key ID is the same digest in hex.
func BundleHint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("key hint: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// keypair lets sigstore-go's sign.Bundle sign with a cemark Signer, so
// key-based bundles are made by the same code as keyless ones.
type keypair struct {
	s    Signer
	hint []byte
}

var _ sign.Keypair = (*keypair)(nil)

func newKeypair(s Signer) (*keypair, error) {
	hint, err := BundleHint(s.Public())
	if err != nil {
		return nil, err
	}
	return &keypair{s: s, hint: []byte(hint)}, nil
}

func (k *keypair) GetHashAlgorithm() protocommon.HashAlgorithm {
	if _, ok := k.s.Public().(ed25519.PublicKey); ok {
		return protocommon.HashAlgorithm_HASH_ALGORITHM_UNSPECIFIED
	}
	return protocommon.HashAlgorithm_SHA2_256
}

func (k *keypair) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	if _, ok := k.s.Public().(ed25519.PublicKey); ok {
		return protocommon.PublicKeyDetails_PKIX_ED25519
	}
	return protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256
}

func (k *keypair) GetHint() []byte { return k.hint }

func (k *keypair) GetKeyAlgorithm() string {
	switch k.s.Public().(type) {
	case *ecdsa.PublicKey:
		return "ECDSA"
	case ed25519.PublicKey:
		return "ED25519"
	}
	return ""
}

func (k *keypair) GetPublicKey() crypto.PublicKey { return k.s.Public() }

func (k *keypair) GetPublicKeyPem() (string, error) {
	b, err := cryptoutils.MarshalPublicKeyToPEM(k.s.Public())
	return string(b), err
}

// SignData signs data the way Signer does (ECDSA over its SHA-256,
// Ed25519 over the data) and returns the digest sigstore-go expects
// beside the signature.
func (k *keypair) SignData(ctx context.Context, data []byte) ([]byte, []byte, error) {
	sig, err := k.s.Sign(ctx, data)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := k.s.Public().(ed25519.PublicKey); ok {
		return sig, data, nil
	}
	sum := sha256.Sum256(data)
	return sig, sum[:], nil
}

// SignWithKey signs each statement with a local key: one signature per
// statement, carried by its DSSE envelope and by a Sigstore bundle whose
// verification material is the key's hint (no certificate, no
// transparency log: the key is the trust anchor, as with the envelope).
func SignWithKey(ctx context.Context, s Signer, sts []Statement) ([]Signed, error) {
	if s == nil {
		return nil, errors.New("sign: no signer")
	}
	kp, err := newKeypair(s)
	if err != nil {
		return nil, err
	}
	out := make([]Signed, 0, len(sts))
	for _, st := range sts {
		pb, err := sign.Bundle(&sign.DSSEData{Data: st.Payload, PayloadType: PayloadType}, kp, sign.BundleOptions{Context: ctx})
		if err != nil {
			return nil, fmt.Errorf("sign %s with key %s: %w", st.Name, s.KeyID(), err)
		}
		signed, err := signedFromBundle(st.Name, pb, s.KeyID())
		if err != nil {
			return nil, err
		}
		out = append(out, signed)
	}
	return out, nil
}

// signedFromBundle derives the DSSE envelope from a bundle sigstore-go
// made, so that envelope and bundle hold the one signature, and encodes
// the bundle.
func signedFromBundle(name string, pb *protobundle.Bundle, keyID string) (Signed, error) {
	d := pb.GetDsseEnvelope()
	if d == nil || len(d.GetSignatures()) != 1 {
		return Signed{}, fmt.Errorf("sign %s: the bundle holds no DSSE envelope with one signature", name)
	}
	data, err := EncodeBundle(pb)
	if err != nil {
		return Signed{}, fmt.Errorf("sign %s: %w", name, err)
	}
	logIndex := int64(-1)
	if tl := pb.GetVerificationMaterial().GetTlogEntries(); len(tl) > 0 {
		logIndex = tl[0].GetLogIndex()
	}
	return Signed{
		Name: name,
		Envelope: &Envelope{
			PayloadType: d.GetPayloadType(),
			Payload:     base64.StdEncoding.EncodeToString(d.GetPayload()),
			Signatures:  []Signature{{KeyID: keyID, Sig: base64.StdEncoding.EncodeToString(d.GetSignatures()[0].GetSig())}},
			encoded:     true,
		},
		Bundle:   data,
		LogIndex: logIndex,
	}, nil
}

// EncodeBundle is the bundle's JSON as protobuf-specs defines it, with
// object keys sorted: protojson's own output is deliberately unstable in
// whitespace, and the evidence must be byte-identical for the same inputs.
func EncodeBundle(pb *protobundle.Bundle) ([]byte, error) {
	b, err := protojson.Marshal(pb)
	if err != nil {
		return nil, fmt.Errorf("encode bundle: %w", err)
	}
	return canonicalJSON(b)
}

// ErrNotBundle is input that is not a Sigstore bundle cemark can read.
var ErrNotBundle = errors.New("not a Sigstore bundle")

// ParseBundle reads a Sigstore bundle (v0.1 to v0.3) with sigstore-go's
// loader: strict protobuf-specs JSON (an unknown field is an error) and
// the version's rules (v0.2 and later need an inclusion proof for each
// log entry; v0.3 holds a single certificate, not a chain).
func ParseBundle(data []byte) (*bundle.Bundle, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bytes.TrimSpace(data)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotBundle, err)
	}
	return &b, nil
}

// isBundleJSON tells a bundle from a DSSE envelope by its mediaType key.
func isBundleJSON(data []byte) bool {
	var head struct {
		MediaType string `json:"mediaType"`
	}
	if json.Unmarshal(data, &head) != nil {
		return false
	}
	return strings.HasPrefix(head.MediaType, "application/vnd.dev.sigstore.bundle")
}
