package attest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"testing"
)

func ellipticP256() elliptic.Curve { return elliptic.P256() }

// rawPrivateBytes is the private scalar / seed in raw, base64 and hex.
func rawPrivateBytes(t *testing.T, priv crypto.PrivateKey) [][]byte {
	t.Helper()
	var raw []byte
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		b, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		raw = b
	case ed25519.PrivateKey:
		raw = k.Seed()
	default:
		t.Fatalf("key type %T", priv)
	}
	return [][]byte{raw, []byte(base64.StdEncoding.EncodeToString(raw)), []byte(base64.RawURLEncoding.EncodeToString(raw)), []byte(hex.EncodeToString(raw))}
}

func sprintAll(v any) string { return fmt.Sprintf("%v %+v %#v %s", v, v, v, v) }
