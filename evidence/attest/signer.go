package attest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"

	"github.com/cemark/cemark/evidence/contain"
)

// Signer signs DSSE pre-authentication encodings with a local key.
// Keyless signing (keyless.go) goes through sigstore-go's sign package
// instead; SignWithKey adapts a Signer to it for key-based bundles.
type Signer interface {
	// KeyID is the hex SHA-256 of the DER (PKIX) public key.
	KeyID() string
	Public() crypto.PublicKey
	// Sign signs message (the PAE). ECDSA signs the SHA-256 of message and
	// returns an ASN.1 DER signature (the form cosign verifies); Ed25519
	// signs message itself.
	Sign(ctx context.Context, message []byte) ([]byte, error)
}

// Key types keygen can make.
const (
	KeyTypeECDSAP256 = "ecdsa-p256"
	KeyTypeEd25519   = "ed25519"
)

// Environment variables read for keys.
const (
	EnvSigningKey     = "CEMARK_SIGNING_KEY"
	EnvCosignPassword = "COSIGN_PASSWORD"
)

// ErrNoSigningKey says no key was configured; the caller writes the
// statements unsigned (Unsigned) and shows the error's text as a notice.
// cemark never signs with a throwaway key.
var ErrNoSigningKey = errors.New("no signing key configured (--key or CEMARK_SIGNING_KEY): attestations are written UNSIGNED; a verifier cannot tell who made them. Create a key with `cemark keygen` and pass --key, or set CEMARK_SIGNING_KEY")

// KeyID is the hex SHA-256 of the DER-encoded PKIX public key.
func KeyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("key ID: %w", err)
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:]), nil
}

type ecdsaSigner struct {
	priv  *ecdsa.PrivateKey
	keyID string
}

func (s *ecdsaSigner) KeyID() string            { return s.keyID }
func (s *ecdsaSigner) Public() crypto.PublicKey { return &s.priv.PublicKey }
func (s *ecdsaSigner) Sign(ctx context.Context, message []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(message)
	return ecdsa.SignASN1(rand.Reader, s.priv, sum[:])
}

// String never shows the key.
func (s *ecdsaSigner) String() string   { return "ecdsa-p256 signer " + s.keyID }
func (s *ecdsaSigner) GoString() string { return s.String() }

type ed25519Signer struct {
	priv  ed25519.PrivateKey
	keyID string
}

func (s *ed25519Signer) KeyID() string            { return s.keyID }
func (s *ed25519Signer) Public() crypto.PublicKey { return s.priv.Public() }
func (s *ed25519Signer) Sign(ctx context.Context, message []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return ed25519.Sign(s.priv, message), nil
}

// String never shows the key.
func (s *ed25519Signer) String() string   { return "ed25519 signer " + s.keyID }
func (s *ed25519Signer) GoString() string { return s.String() }

// NewSigner wraps an ECDSA P-256 or Ed25519 private key.
func NewSigner(priv crypto.PrivateKey) (Signer, error) {
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("ECDSA key on curve %s: only P-256 is supported", k.Curve.Params().Name)
		}
		id, err := KeyID(&k.PublicKey)
		if err != nil {
			return nil, err
		}
		return &ecdsaSigner{priv: k, keyID: id}, nil
	case ed25519.PrivateKey:
		id, err := KeyID(k.Public())
		if err != nil {
			return nil, err
		}
		return &ed25519Signer{priv: k, keyID: id}, nil
	case *ed25519.PrivateKey:
		return NewSigner(*k)
	}
	return nil, fmt.Errorf("unsupported private key type %T: use ECDSA P-256 or Ed25519", priv)
}

// LoadSigner loads the signing key from keyPath, or, when keyPath is
// empty, from the CEMARK_SIGNING_KEY environment variable holding the PEM.
// Accepted: PKCS#8 PEM ("PRIVATE KEY"), SEC 1 ("EC PRIVATE KEY"), and
// cosign's encrypted format ("ENCRYPTED SIGSTORE PRIVATE KEY" / "ENCRYPTED
// COSIGN PRIVATE KEY") decrypted with COSIGN_PASSWORD. With neither
// configured it returns ErrNoSigningKey. Errors never quote key material.
func LoadSigner(ctx context.Context, keyPath string, getenv func(string) string) (Signer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var data []byte
	source := keyPath
	if keyPath != "" {
		b, err := contain.ReadRegular(keyPath, maxKeySize)
		if err != nil {
			return nil, fmt.Errorf("read signing key: %w", err)
		}
		data = b
	} else if v := getenv(EnvSigningKey); v != "" {
		data, source = []byte(v), EnvSigningKey
	} else {
		return nil, ErrNoSigningKey
	}
	priv, err := ParsePrivateKeyPEM(data, []byte(getenv(EnvCosignPassword)))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", source, err)
	}
	return NewSigner(priv)
}

// ParsePrivateKeyPEM parses the first PEM block of data as a private key.
func ParsePrivateKeyPEM(data, password []byte) (crypto.PrivateKey, error) {
	block, _ := pem.Decode(bytes.TrimSpace(data))
	if block == nil {
		return nil, errors.New("not a PEM private key (no PEM block found)")
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("PKCS#8 private key does not parse")
		}
		return k, nil
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("SEC 1 EC private key does not parse")
		}
		return k, nil
	case "ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY":
		der, err := encrypted.Decrypt(block.Bytes, password)
		if err != nil {
			if len(password) == 0 {
				return nil, fmt.Errorf("the key is encrypted (cosign format): set %s", EnvCosignPassword)
			}
			return nil, fmt.Errorf("decrypt cosign key: wrong %s or damaged key", EnvCosignPassword)
		}
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, errors.New("decrypted cosign key is not PKCS#8")
		}
		return k, nil
	case "PUBLIC KEY":
		return nil, errors.New("this is a public key; signing needs the private key")
	}
	return nil, fmt.Errorf("unsupported PEM block %q: use a PKCS#8 private key or a cosign key", block.Type)
}

// ParsePublicKeyPEM parses a PKIX PEM public key (ECDSA P-256 or Ed25519).
func ParsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(bytes.TrimSpace(data))
	if block == nil {
		return nil, errors.New("not a PEM public key (no PEM block found)")
	}
	if block.Type != "PUBLIC KEY" {
		if bytes.Contains([]byte(block.Type), []byte("PRIVATE")) {
			return nil, errors.New("this is a private key; verification takes the public key (.pub)")
		}
		return nil, fmt.Errorf("unsupported PEM block %q: want PUBLIC KEY", block.Type)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("PKIX public key does not parse: %w", err)
	}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("ECDSA key on curve %s: only P-256 is supported", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
	default:
		return nil, fmt.Errorf("unsupported public key type %T: use ECDSA P-256 or Ed25519", pub)
	}
	return pub, nil
}

// KeyTypeOf names a public key's type.
func KeyTypeOf(pub crypto.PublicKey) string {
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return KeyTypeECDSAP256
	case ed25519.PublicKey:
		return KeyTypeEd25519
	}
	return fmt.Sprintf("%T", pub)
}

// verifySignature checks sig over message with pub, the way Signer signs.
func verifySignature(pub crypto.PublicKey, message, sig []byte) bool {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		sum := sha256.Sum256(message)
		return ecdsa.VerifyASN1(k, sum[:], sig)
	case ed25519.PublicKey:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k, message, sig)
	}
	return false
}
