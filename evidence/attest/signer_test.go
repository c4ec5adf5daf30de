package attest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/cemark/cemark/evidence/evidencedir"
)

func TestLoadSigner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	noEnv := func(string) string { return "" }

	_, priv := newTestSigner(t, KeyTypeEd25519)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	pkcs8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	keyFile := writeFile(t, filepath.Join(dir, "k.key"), pkcs8)
	wantID, _ := KeyID(priv.Public())

	s, err := LoadSigner(ctx, keyFile, noEnv)
	if err != nil || s.KeyID() != wantID {
		t.Fatalf("file: %v %v", s, err)
	}
	s, err = LoadSigner(ctx, "", func(k string) string {
		if k == EnvSigningKey {
			return string(pkcs8)
		}
		return ""
	})
	if err != nil || s.KeyID() != wantID {
		t.Fatalf("env: %v %v", s, err)
	}
	if _, err := LoadSigner(ctx, "", noEnv); !errors.Is(err, ErrNoSigningKey) {
		t.Fatalf("no key: %v", err)
	}

	// cosign's encrypted key format, made by sigstore's own code.
	cosignPriv, _, err := cryptoutils.GeneratePEMEncodedECDSAKeyPair(ellipticP256(), cryptoutils.StaticPasswordFunc([]byte("hunter2")))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(cosignPriv, []byte("ENCRYPTED SIGSTORE PRIVATE KEY")) {
		t.Fatalf("unexpected cosign key: %s", cosignPriv[:40])
	}
	cosignFile := writeFile(t, filepath.Join(dir, "cosign.key"), cosignPriv)
	pw := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvCosignPassword {
				return v
			}
			return ""
		}
	}
	if _, err := LoadSigner(ctx, cosignFile, pw("hunter2")); err != nil {
		t.Fatalf("cosign key: %v", err)
	}
	if _, err := LoadSigner(ctx, cosignFile, pw("wrong")); err == nil || !strings.Contains(err.Error(), "wrong COSIGN_PASSWORD") {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := LoadSigner(ctx, cosignFile, noEnv); err == nil || !strings.Contains(err.Error(), "set COSIGN_PASSWORD") {
		t.Fatalf("no password: %v", err)
	}
	pubFile := writePub(t, dir, "k.pub", priv.Public())
	if _, err := LoadSigner(ctx, pubFile, noEnv); err == nil || !strings.Contains(err.Error(), "public key") {
		t.Fatalf("public key as signing key: %v", err)
	}
	if _, err := LoadSigner(ctx, writeFile(t, filepath.Join(dir, "k2"), []byte("XYZZY-not-a-key")), noEnv); err == nil || strings.Contains(err.Error(), "XYZZY") {
		t.Fatalf("junk key: %v", err)
	}
}

func TestWriteKeyPair(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, kt := range []string{KeyTypeECDSAP256, KeyTypeEd25519} {
		files, err := WriteKeyPair(ctx, filepath.Join(dir, kt), kt, nil)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(files.Key)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", files.Key, st.Mode())
		}
		s, err := LoadSigner(ctx, files.Key, func(string) string { return "" })
		if err != nil || s.KeyID() != files.KeyID {
			t.Errorf("%s: load: %v", kt, err)
		}
		pubPEM, _ := os.ReadFile(files.Pub)
		pub, err := ParsePublicKeyPEM(pubPEM)
		if err != nil || KeyTypeOf(pub) != kt {
			t.Errorf("%s: pub %v %v", kt, pub, err)
		}
		if _, err := WriteKeyPair(ctx, filepath.Join(dir, kt), kt, nil); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
			t.Errorf("overwrite: %v", err)
		}
	}
	enc, err := WriteKeyPair(ctx, filepath.Join(dir, "enc"), "", []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(enc.Key); !bytes.Contains(b, []byte("ENCRYPTED SIGSTORE PRIVATE KEY")) {
		t.Error("encrypted key not in cosign format")
	}
	// sigstore's own parser reads it (as cosign does).
	b, _ := os.ReadFile(enc.Key)
	if _, err := cryptoutils.UnmarshalPEMToPrivateKey(b, cryptoutils.StaticPasswordFunc([]byte("pw"))); err != nil {
		t.Errorf("sigstore cannot read the encrypted key: %v", err)
	}
	for _, p := range []string{filepath.Join(dir, ".cemark", "k"), "docs/cra/k"} {
		if _, err := WriteKeyPair(ctx, p, "", nil); err == nil || !strings.Contains(err.Error(), "refusing to write a key inside") {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, err := WriteKeyPair(ctx, filepath.Join(dir, "x"), "rsa", nil); err == nil {
		t.Error("rsa accepted")
	}
}

// TestPrivateKeyNeverInOutput signs and verifies a whole run, writes every
// file, and searches all of it for the private key in every encoding.
func TestPrivateKeyNeverInOutput(t *testing.T) {
	ctx := context.Background()
	for _, kt := range []string{KeyTypeECDSAP256, KeyTypeEd25519} {
		dir := t.TempDir()
		files, err := WriteKeyPair(ctx, filepath.Join(t.TempDir(), "k"), kt, nil)
		if err != nil {
			t.Fatal(err)
		}
		keyPEM, _ := os.ReadFile(files.Key)
		block, _ := pem.Decode(keyPEM)
		priv, _ := x509.ParsePKCS8PrivateKey(block.Bytes)
		secrets := [][]byte{keyPEM, block.Bytes, []byte(base64.StdEncoding.EncodeToString(block.Bytes)), []byte(hex.EncodeToString(block.Bytes))}
		secrets = append(secrets, rawPrivateBytes(t, priv)...)

		s, err := LoadSigner(ctx, "", func(k string) string {
			if k == EnvSigningKey {
				return string(keyPEM)
			}
			return ""
		})
		if err != nil {
			t.Fatal(err)
		}
		sts, art := sampleBundle(t, dir)
		envs := signAll(t, s, sts)
		out := filepath.Join(dir, ".cemark")
		jsonl := filepath.Join(out, evidencedir.Attestations)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(jsonl, EncodeJSONL(envs), 0o644); err != nil {
			t.Fatal(err)
		}
		rep, err := Verify(ctx, VerifyOptions{Attestations: []string{jsonl}, KeyFiles: []string{files.Pub}, Subjects: []string{art}})
		if err != nil || !rep.Verified {
			t.Fatalf("verify: %v %v", err, rep.Failures)
		}
		var text bytes.Buffer
		_ = rep.WriteText(&text)
		outputs := [][]byte{text.Bytes(), rep.JSON(), []byte(ErrNoSigningKey.Error())}
		for _, e := range envs {
			outputs = append(outputs, e.JSON())
		}
		// The signer's own printing must not reveal the key either.
		outputs = append(outputs, []byte(strings.TrimSpace(sprintAll(s))))
		_ = filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				b, _ := os.ReadFile(p)
				outputs = append(outputs, b)
			}
			return nil
		})
		for i, o := range outputs {
			for _, sec := range secrets {
				if len(sec) >= 16 && bytes.Contains(o, sec) {
					t.Errorf("%s: output %d contains private key material", kt, i)
				}
			}
		}
	}
}

// TestKeygenRefusesPublishedFolders: the docs/ and technical-file folders
// are found from the repository root, not from the working directory, so a
// relative path from a subfolder cannot put a private key where it would be
// committed and published.
func TestKeygenRefusesPublishedFolders(t *testing.T) {
	ctx := context.Background()
	repo := t.TempDir()
	for _, d := range []string{".git", "cmd/app", "compliance/cra", "keys"} {
		if err := os.MkdirAll(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(repo, "compliance", "cra", techFileStateName), []byte("{}"))
	outside := t.TempDir()
	t.Chdir(filepath.Join(repo, "cmd", "app"))
	for _, tc := range []struct{ prefix, want string }{
		{"../../docs/cra/k", "refusing to write a key inside docs/"},
		{filepath.Join(repo, "docs", "k"), "refusing to write a key inside docs/"},
		{"../../compliance/cra/k", "refusing to write a key inside the technical file folder"},
		{"../../.cemark/k", "refusing to write a key inside the evidence directory"},
		{"../../keys/release", ""},
		{"docs-not/k", ""},
		{"docs/k", "refusing to write a key inside docs/"}, // docs/ of the working directory too
		{filepath.Join(outside, "docs", "k"), ""},          // a docs folder in no repository is the user's business
	} {
		_, err := WriteKeyPair(ctx, tc.prefix, "", nil)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.prefix, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.prefix, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(repo, "docs")); err == nil {
		t.Error("a docs folder was created")
	}
}

// TestKeyIDIsSHA256OfDERPublicKey pins the documented key ID: the hex
// SHA-256 of the PKIX (DER) public key, what `openssl pkey -pubin -outform
// DER | sha256sum` prints, so anyone can recompute it.
func TestKeyIDIsSHA256OfDERPublicKey(t *testing.T) {
	t.Parallel()
	for _, kt := range []string{KeyTypeECDSAP256, KeyTypeEd25519} {
		s, priv := newTestSigner(t, kt)
		der, err := x509.MarshalPKIXPublicKey(priv.Public())
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(der)
		want := hex.EncodeToString(sum[:])
		got, err := KeyID(priv.Public())
		if err != nil || got != want || s.KeyID() != want {
			t.Errorf("%s: KeyID %q, signer %q, want %q (%v)", kt, got, s.KeyID(), want, err)
		}
	}
}
