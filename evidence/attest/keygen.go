package attest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
)

// GenerateKey makes a private key of keyType (ecdsa-p256 by default).
func GenerateKey(keyType string) (crypto.Signer, error) {
	switch keyType {
	case "", KeyTypeECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case KeyTypeEd25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("unknown key type %q: use %s or %s", keyType, KeyTypeECDSAP256, KeyTypeEd25519)
}

// KeyPairFiles names what WriteKeyPair wrote.
type KeyPairFiles struct {
	Key       string
	Pub       string
	KeyID     string
	Type      string
	Encrypted bool
}

// WriteKeyPair generates a key and writes PREFIX.key (PKCS#8 PEM, mode
// 0600; with a password, cosign's encrypted format "ENCRYPTED SIGSTORE
// PRIVATE KEY", which cosign and LoadSigner read with COSIGN_PASSWORD) and
// PREFIX.pub (PKIX PEM). It refuses to overwrite either file and refuses a
// prefix inside an evidence directory (.cemark) or docs/, where a key
// could be committed or published with the evidence.
func WriteKeyPair(ctx context.Context, prefix, keyType string, password []byte) (KeyPairFiles, error) {
	if err := ctx.Err(); err != nil {
		return KeyPairFiles{}, err
	}
	if prefix == "" {
		return KeyPairFiles{}, errors.New("keygen: empty output prefix")
	}
	if err := checkKeyLocation(prefix); err != nil {
		return KeyPairFiles{}, err
	}
	files := KeyPairFiles{Key: prefix + ".key", Pub: prefix + ".pub", Type: nonEmpty(keyType, KeyTypeECDSAP256), Encrypted: len(password) > 0}
	for _, p := range []string{files.Key, files.Pub} {
		if _, err := os.Lstat(p); err == nil {
			return KeyPairFiles{}, fmt.Errorf("keygen: %s already exists; refusing to overwrite a key", p)
		}
	}
	priv, err := GenerateKey(keyType)
	if err != nil {
		return KeyPairFiles{}, err
	}
	if err := os.MkdirAll(filepath.Dir(prefix), 0o700); err != nil {
		return KeyPairFiles{}, fmt.Errorf("keygen: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return KeyPairFiles{}, fmt.Errorf("keygen: %w", err)
	}
	block := &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	if len(password) > 0 {
		enc, err := encrypted.Encrypt(der, password)
		if err != nil {
			return KeyPairFiles{}, fmt.Errorf("keygen: encrypt key: %w", err)
		}
		block = &pem.Block{Type: "ENCRYPTED SIGSTORE PRIVATE KEY", Bytes: enc}
	}
	pubDER, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return KeyPairFiles{}, fmt.Errorf("keygen: %w", err)
	}
	files.KeyID, err = KeyID(priv.Public())
	if err != nil {
		return KeyPairFiles{}, err
	}
	if err := writeNewFile(files.Key, pem.EncodeToMemory(block), 0o600); err != nil {
		return KeyPairFiles{}, err
	}
	if err := writeNewFile(files.Pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		_ = os.Remove(files.Key)
		return KeyPairFiles{}, err
	}
	return files, nil
}

// checkKeyLocation refuses prefixes inside .cemark (any evidence
// directory of that name) or a docs folder.
func checkKeyLocation(prefix string) error {
	abs, err := filepath.Abs(prefix)
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	wd, _ := os.Getwd()
	rel := filepath.ToSlash(prefix)
	if wd != "" {
		if r, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(r, "..") {
			rel = filepath.ToSlash(r)
		}
	}
	parts := strings.Split(filepath.ToSlash(filepath.Dir(abs)), "/")
	for _, p := range parts {
		if p == ".cemark" {
			return fmt.Errorf("keygen: refusing to write a key inside the evidence directory (.cemark): %s", prefix)
		}
	}
	if first, _, _ := strings.Cut(rel, "/"); first == "docs" && strings.Contains(rel, "/") {
		return fmt.Errorf("keygen: refusing to write a key inside docs/, which is published with the technical file: %s", prefix)
	}
	return nil
}

// writeNewFile writes data to path atomically and never replaces an
// existing file: temp file, then a hard link (which fails if path exists).
func writeNewFile(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("write %s: already exists; refusing to overwrite", path)
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
