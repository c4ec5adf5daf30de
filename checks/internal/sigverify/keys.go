package sigverify

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"aead.dev/minisign"
	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/input"
	"github.com/cemark/cemark/evidence/config"
)

// Key kinds, as written in cemark.yaml updates.keys[].type.
const (
	KeyCosign   = "cosign"   // PEM public key (ECDSA, Ed25519, RSA): cosign blob signatures and Sigstore bundles
	KeyPGP      = "pgp"      // OpenPGP keyring, armored or binary
	KeyMinisign = "minisign" // minisign public key
)

// Key is one public key that may verify release signatures.
type Key struct {
	// Source says where the key came from: "cemark.yaml updates.keys[0]" or
	// "--update-key <path>".
	Source string
	// Path is the key file as given (relative to the product root for
	// config keys); empty for a fingerprint-only declaration.
	Path string
	Kind string
	// Fingerprint identifies the key the way its ecosystem does: hex
	// SHA-256 of the DER public key (x509), the OpenPGP primary key
	// fingerprint, or the minisign key ID. Lower-case hex for the first
	// two, upper-case 16 hex digits for minisign (as minisign prints it).
	Fingerprint string
	// DeclaredFingerprint is what cemark.yaml says the fingerprint is.
	DeclaredFingerprint string

	public   crypto.PublicKey   // x509 keys
	verifier signature.Verifier // x509 keys
	entities openpgp.EntityList // pgp
	minisign minisign.PublicKey // minisign
}

// DeclaredMatches reports whether the fingerprint cemark.yaml declares is
// the key file's (for an OpenPGP keyring: one of its keys'). It is false
// when either is missing.
func (k Key) DeclaredMatches() bool {
	if k.DeclaredFingerprint == "" || k.Path == "" {
		return false
	}
	want := NormalizeFingerprint(k.DeclaredFingerprint)
	if NormalizeFingerprint(k.Fingerprint) == want {
		return true
	}
	for _, e := range k.entities {
		if pgpFingerprint(e) == want {
			return true
		}
	}
	return false
}

// Keyring is every verification key of the run — cemark.yaml's
// updates.keys and the --update-key files — and the key files that could
// not be loaded. It is built once per run (Keys) and shared by every family
// that verifies a signature: the same people sign releases and the
// security contact file, and cemark has one place for trusted keys.
type Keyring struct {
	Keys []Key
	// Errors are key files that could not be read or parsed; a broken key
	// file is reported, never silently dropped.
	Errors []string
}

func (s *Keyring) byKind(kind string) []Key {
	var out []Key
	for _, k := range s.Keys {
		if k.Kind == kind && k.Path != "" {
			out = append(out, k)
		}
	}
	return out
}

// OpenPGP returns every OpenPGP key of the keyring as one OpenPGP
// keyring (nil when there is none).
func (s *Keyring) OpenPGP() openpgp.EntityList {
	var ring openpgp.EntityList
	for _, k := range s.byKind(KeyPGP) {
		ring = append(ring, k.entities...)
	}
	return ring
}

// NormalizeFingerprint makes fingerprints written in different styles
// comparable: no spaces or colons, no "sha256:" or "0x" prefix, lower case.
func NormalizeFingerprint(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "sha256:")
	s = strings.TrimPrefix(s, "0x")
	r := strings.NewReplacer(" ", "", ":", "", "\t", "")
	return r.Replace(s)
}

// x509Fingerprint is the hex SHA-256 of the DER-encoded public key, the
// same value `cosign public-key` users compute with
// `openssl pkey -pubin -outform DER | sha256sum`.
func x509Fingerprint(pub crypto.PublicKey) (string, error) {
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:]), nil
}

func minisignKeyID(id uint64) string { return fmt.Sprintf("%016X", id) }

func pgpFingerprint(e *openpgp.Entity) string {
	return strings.ToLower(hex.EncodeToString(e.PrimaryKey.Fingerprint))
}

// ParseKey reads one public key file. kind may be empty: the kind is then
// inferred from the content (PEM public key, OpenPGP armored or binary
// keyring, minisign public key).
func ParseKey(data []byte, kind string) (Key, error) {
	trimmed := bytes.TrimSpace(data)
	// A private key handed over by mistake is refused outright, so it is
	// never parsed, kept in memory longer than needed or echoed in errors.
	if bytes.Contains(trimmed, []byte("PRIVATE KEY")) || bytes.Contains(trimmed, []byte("secret key")) {
		return Key{Kind: kind}, errors.New("this is a private key: give cemark the public key only")
	}
	if kind == "" || kind == "ssh" {
		kind = detectKeyKind(trimmed)
	}
	k := Key{Kind: kind}
	switch kind {
	case KeyCosign:
		pub, err := cryptoutils.UnmarshalPEMToPublicKey(trimmed)
		if err != nil {
			return k, fmt.Errorf("not a PEM public key: %w", err)
		}
		v, err := signature.LoadDefaultVerifier(pub)
		if err != nil {
			return k, fmt.Errorf("unsupported public key: %w", err)
		}
		fp, err := x509Fingerprint(pub)
		if err != nil {
			return k, err
		}
		k.public, k.verifier, k.Fingerprint = pub, v, fp
	case KeyPGP:
		var ring openpgp.EntityList
		var err error
		if bytes.HasPrefix(trimmed, []byte("-----BEGIN PGP")) {
			ring, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(trimmed))
		} else {
			ring, err = openpgp.ReadKeyRing(bytes.NewReader(data))
		}
		if err != nil {
			return k, fmt.Errorf("not an OpenPGP keyring: %w", err)
		}
		if len(ring) == 0 {
			return k, errors.New("OpenPGP keyring holds no key")
		}
		fps := make([]string, 0, len(ring))
		for _, e := range ring {
			fps = append(fps, pgpFingerprint(e))
		}
		// A keyring may hold several keys; the first is the key's name in
		// the report, the others verify too.
		k.entities, k.Fingerprint = ring, fps[0]
	case KeyMinisign:
		var pub minisign.PublicKey
		if err := pub.UnmarshalText(trimmed); err != nil {
			return k, err
		}
		k.minisign, k.Fingerprint = pub, minisignKeyID(pub.ID())
	default:
		return k, fmt.Errorf("unknown key type %q (want cosign, pgp or minisign)", kind)
	}
	return k, nil
}

func detectKeyKind(trimmed []byte) string {
	switch {
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN PGP")):
		return KeyPGP
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		return KeyCosign
	case bytes.HasPrefix(trimmed, []byte("untrusted comment:")), bytes.HasPrefix(trimmed, []byte("RWQ")), bytes.HasPrefix(trimmed, []byte("RWR")), bytes.HasPrefix(trimmed, []byte("RWS")), bytes.HasPrefix(trimmed, []byte("RWT")):
		// minisign public keys start with "Ed" little-endian, base64 "RW…".
		return KeyMinisign
	case len(trimmed) > 0 && trimmed[0]&0x80 != 0:
		return KeyPGP // binary OpenPGP packets have the high bit set
	}
	return ""
}

// memoKey is where Keys keeps the run's keyring on the Target.
const memoKey = "sigverify/keys"

// Keys returns the run's keyring: the keys t.Config declares in
// updates.keys and the t.UpdateKeys files, read and parsed once per Target
// whichever family asks first.
func Keys(t *checks.Target) *Keyring {
	k, _ := checks.Memoized(t.Memo, memoKey, func() (*Keyring, error) {
		var declared []config.UpdateKey
		if t.Config != nil {
			declared = t.Config.Updates.Keys
		}
		return LoadKeys(t.Root, declared, t.UpdateKeys), nil
	})
	return k
}

// LoadKeys reads the keys declared in cemark.yaml (paths relative to root)
// and the --update-key files (absolute). A fingerprint-only declaration is
// kept (Path empty) so that the consistency check can match it.
func LoadKeys(root string, declared []config.UpdateKey, extra []string) *Keyring {
	set := &Keyring{}
	for i, d := range declared {
		src := fmt.Sprintf("cemark.yaml updates.keys[%d]", i)
		if d.Name != "" {
			src += " (" + d.Name + ")"
		}
		if d.Path == "" {
			if d.Fingerprint == "" {
				set.Errors = append(set.Errors, src+": neither path nor fingerprint given")
				continue
			}
			set.Keys = append(set.Keys, Key{Source: src, Kind: d.Type, DeclaredFingerprint: d.Fingerprint})
			continue
		}
		p := d.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, filepath.FromSlash(p))
		}
		k, err := loadKeyFile(p, d.Type)
		if err != nil {
			set.Errors = append(set.Errors, fmt.Sprintf("%s: key %s: %v", src, d.Path, err))
			continue
		}
		k.Source, k.Path, k.DeclaredFingerprint = src, filepath.ToSlash(d.Path), d.Fingerprint
		set.Keys = append(set.Keys, k)
	}
	sortedExtra := append([]string(nil), extra...)
	sort.Strings(sortedExtra)
	for _, p := range sortedExtra {
		src := "--update-key " + displayPath(root, p)
		k, err := loadKeyFile(p, "")
		if err != nil {
			set.Errors = append(set.Errors, fmt.Sprintf("%s: %v", src, err))
			continue
		}
		k.Source, k.Path = src, displayPath(root, p)
		set.Keys = append(set.Keys, k)
	}
	return set
}

// maxKeySize bounds key files: a public key or keyring is a few KiB.
const maxKeySize = 1 << 20

func loadKeyFile(p, kind string) (Key, error) {
	info, err := os.Stat(p)
	if err != nil {
		return Key{}, err
	}
	if info.Size() > maxKeySize {
		return Key{}, fmt.Errorf("%s is %d bytes, too large for a public key", p, info.Size())
	}
	data, err := input.ReadRegular(p, maxKeySize)
	if err != nil {
		return Key{}, err
	}
	return ParseKey(data, kind)
}

// displayPath is p relative to root when it lies below root, else p
// itself, slash-separated.
func displayPath(root, p string) string {
	if rel, err := filepath.Rel(root, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(p)
}
