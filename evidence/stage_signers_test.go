package evidence

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/evidence/techfile"
)

func writePublicKey(t *testing.T, path string) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	id, err := attest.KeyID(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestLoadSigners: the stated keys are read by their key ID; one that
// cannot be is a configuration error at its place in cemark.yaml.
func TestLoadSigners(t *testing.T) {
	root := t.TempDir()
	id := writePublicKey(t, filepath.Join(root, "keys", "cemark.pub"))
	if err := os.WriteFile(filepath.Join(root, "keys", "cemark.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0}}), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := "attestations:\n  signers:\n    keyless:\n      - {issuer: https://gitlab.com, identity_regexp: 'https://gitlab\\.com/acme/gw//.+'}\n    keys:\n      - keys/cemark.pub\n"
	cfgPath := filepath.Join(root, config.FileName)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := loadSigners(root, cfg, cfgPath, []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	want := []techfile.Signer{{Issuer: "https://gitlab.com", IdentityRegexp: `https://gitlab\.com/acme/gw//.+`},
		{KeyPath: "keys/cemark.pub", KeyID: id, KeyType: "ecdsa-p256"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("signers = %+v, want %+v", got, want)
	}

	for name, tc := range map[string]struct{ key, msg string }{
		"missing":        {"keys/gone.pub", "no such file"},
		"outside":        {"../other.pub", "not inside the product root"},
		"a private key":  {"keys/cemark.key", "this is a private key"},
		"not a key file": {"cemark.yaml", "not a PEM public key"},
	} {
		t.Run(name, func(t *testing.T) {
			data := "attestations:\n  signers:\n    keys: [keys/cemark.pub, " + tc.key + "]\n"
			if err := os.WriteFile(cfgPath, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				t.Fatal(err)
			}
			_, err = loadSigners(root, cfg, cfgPath, []byte(data))
			if failure.KindOf(err) != failure.ErrUsage || !strings.Contains(err.Error(), "cemark.yaml:3:29: attestations.signers.keys[1]") ||
				!strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v (exit %v)", err, failure.KindOf(err))
			}
		})
	}
}

// TestSignerNotice: a run signed by a signer the configuration does not
// name says so, naming both; a stated signer, or no statement, is quiet.
func TestSignerNotice(t *testing.T) {
	const gh = "https://token.actions.githubusercontent.com"
	workflow := "https://github.com/acme/gw/.github/workflows/cemark.yml@refs/heads/main"
	stated := []techfile.Signer{
		{Issuer: gh, IdentityRegexp: `https://github\.com/acme/gw/\.github/workflows/cemark\.yml@refs/heads/.+`},
		{KeyPath: "keys/cemark.pub", KeyID: "ab12cd34ef56ab12cd34ef56ab12cd34"},
	}
	for _, tc := range []struct {
		name    string
		stated  []techfile.Signer
		signing attest.Signing
		want    []string // empty: no notice
	}{
		{"no signers stated", nil, attest.Signing{Method: attest.SignKey, KeyID: "ff"}, nil},
		{"unsigned", stated, attest.Signing{Method: attest.SignNone}, nil},
		{"the stated key", stated, attest.Signing{Method: attest.SignKey, KeyID: "ab12cd34ef56ab12cd34ef56ab12cd34"}, nil},
		{"a matching identity", stated, attest.Signing{Method: attest.SignKeyless, Identity: workflow, Issuer: gh}, nil},
		{"another key", stated, attest.Signing{Method: attest.SignKey, KeyID: "99887766554433221100"},
			[]string{"signed by key 9988776655443322", "does not name", "key ab12cd34ef56ab12 (keys/cemark.pub)", "identities matching"}},
		{"another workflow", stated, attest.Signing{Method: attest.SignKeyless, Identity: "https://github.com/mallory/gw/.github/workflows/x.yml@refs/heads/main", Issuer: gh},
			[]string{"signed by https://github.com/mallory/gw/.github/workflows/x.yml@refs/heads/main (issuer " + gh + ")"}},
		{"the right identity from another issuer", stated, attest.Signing{Method: attest.SignKeyless, Identity: workflow, Issuer: "https://gitlab.com"},
			[]string{"(issuer https://gitlab.com), which attestations.signers"}},
		{"a regexp matches the whole identity only", stated, attest.Signing{Method: attest.SignKeyless, Identity: "https://evil.example/?" + workflow, Issuer: gh},
			[]string{"does not name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := signerNotice(tc.stated, tc.signing)
			if (got == "") != (len(tc.want) == 0) {
				t.Fatalf("notice %q", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("notice lacks %q: %s", w, got)
				}
			}
		})
	}
}
