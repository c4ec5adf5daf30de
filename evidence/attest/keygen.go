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

// techFileStateName marks a technical-file folder (techfile.StateFile;
// not imported, to keep attest free of the renderer).
const techFileStateName = ".cemark-state.json"

// checkKeyLocation refuses prefixes inside .cemark (any evidence directory
// of that name), inside the docs/ folder of the repository that would hold
// the key, or inside a technical-file folder wherever it lives (--dir). The
// path is resolved to an absolute one first, so "../docs/cra/k" from a
// subfolder is caught as surely as "docs/cra/k" from the root.
func checkKeyLocation(prefix string) error {
	abs, err := filepath.Abs(prefix)
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	dir := filepath.Dir(abs)
	for _, p := range strings.Split(filepath.ToSlash(dir), "/") {
		if p == ".cemark" {
			return fmt.Errorf("keygen: refusing to write a key inside the evidence directory (.cemark): %s", prefix)
		}
	}
	wd, _ := os.Getwd()
	base := repositoryRoot(dir)
	if base == "" {
		base = wd
	}
	// docs/ of the repository root and docs/ of the working directory.
	for _, from := range []string{base, wd} {
		if from == "" {
			continue
		}
		if r, err := filepath.Rel(from, abs); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			if first, _, nested := strings.Cut(filepath.ToSlash(r), "/"); nested && first == "docs" {
				return fmt.Errorf("keygen: refusing to write a key inside docs/, which is published with the technical file: %s", prefix)
			}
		}
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, techFileStateName)); err == nil {
			return fmt.Errorf("keygen: refusing to write a key inside the technical file folder %s: %s", d, prefix)
		}
		parent := filepath.Dir(d)
		if d == base || parent == d {
			break
		}
		d = parent
	}
	return nil
}

// repositoryRoot is the nearest folder at or above dir holding .git, or ""
// when dir is in no repository. dir need not exist yet.
func repositoryRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
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
