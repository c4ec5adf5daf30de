package update

import "aead.dev/minisign"

func check(pub minisign.PublicKey, payload, sig []byte) bool {
	return minisign.Verify(pub, payload, sig)
}
