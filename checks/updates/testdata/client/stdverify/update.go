package update

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
)

func verifyPayload(pub ed25519.PublicKey, payload, sig []byte) bool {
	return ed25519.Verify(pub, payload, sig)
}

func verifyRSA(pub *rsa.PublicKey, digest, sig []byte) error {
	return rsa.VerifyPSS(pub, crypto.SHA256, digest, sig, nil)
}

func verifyECDSA(pub *ecdsa.PublicKey, digest, sig []byte) bool {
	return ecdsa.VerifyASN1(pub, digest, sig)
}
