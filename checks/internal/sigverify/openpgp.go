package sigverify

import (
	"bytes"
	"errors"
	"io"
	"os"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// An OpenPGP signature (`gpg --detach-sign`, armored .asc or binary .sig
// or .gpg) is verified with every OpenPGP key of the keyring; an OpenPGP
// cleartext-signed file (a signed security.txt) with VerifyClearsigned.

func (v *Verifier) verifyOpenPGP(a attempt, artefact string, data []byte) attempt {
	ring := v.Keys.OpenPGP()
	if len(ring) == 0 {
		a.verdict, a.detail = VerdictUnverifiable, "OpenPGP signature; no OpenPGP keyring given to verify it (updates.keys or --update-key)"
		return a
	}
	f, err := os.Open(artefact)
	if err != nil {
		return a.unreadable(err)
	}
	defer f.Close()
	cfg := judgedWhenSigned(data, v.Now)
	var signer *openpgp.Entity
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN PGP SIGNATURE")) {
		signer, err = openpgp.CheckArmoredDetachedSignature(ring, f, bytes.NewReader(data), cfg)
	} else {
		signer, err = openpgp.CheckDetachedSignature(ring, f, bytes.NewReader(data), cfg)
	}
	switch {
	case err == nil:
		a.verdict, a.keyID, a.detail = VerdictVerified, pgpFingerprint(signer), "OpenPGP signature verified"
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		a.verdict, a.detail = VerdictUnverifiable, "OpenPGP signature by a key that is not in the given keyring"
	default:
		a.verdict, a.detail = VerdictBadSignature, "OpenPGP signature does not verify: "+err.Error()
	}
	return a
}

// judgedWhenSigned is the OpenPGP configuration that judges key validity
// when the signature sig was made, else at now: release signatures are made
// after the commit whose time is the run's reference time, and a key that
// was valid when it signed still vouches for what it signed. Both times are
// in the inputs, so the verdict stays deterministic.
func judgedWhenSigned(sig []byte, now time.Time) *packet.Config {
	at := now
	if created, ok := OpenPGPSignatureTime(sig); ok {
		at = created
	}
	return &packet.Config{Time: func() time.Time { return at }}
}

// VerifyClearsigned verifies the signature of an OpenPGP cleartext-signed
// message with ring, judging the key when it signed (else at now), and
// returns the key that signed. The error wraps pgperrors.ErrUnknownIssuer
// when no key of ring made the signature.
func VerifyClearsigned(block *clearsign.Block, ring openpgp.EntityList, now time.Time) (*openpgp.Entity, error) {
	cfg := &packet.Config{Time: func() time.Time { return now }}
	if block.ArmoredSignature != nil {
		if sig, err := io.ReadAll(block.ArmoredSignature.Body); err == nil {
			cfg = judgedWhenSigned(sig, now)
			block.ArmoredSignature.Body = bytes.NewReader(sig)
		}
	}
	return block.VerifySignature(ring, cfg)
}

// OpenPGPSignatureTime returns the creation time of the first signature
// packet in an armored or binary OpenPGP signature.
func OpenPGPSignatureTime(sig []byte) (time.Time, bool) {
	var r io.Reader = bytes.NewReader(sig)
	if bytes.HasPrefix(bytes.TrimSpace(sig), []byte("-----BEGIN PGP")) {
		block, err := armor.Decode(bytes.NewReader(bytes.TrimSpace(sig)))
		if err != nil {
			return time.Time{}, false
		}
		r = block.Body
	}
	pr := packet.NewReader(r)
	for {
		p, err := pr.Next()
		if err != nil {
			return time.Time{}, false
		}
		if s, ok := p.(*packet.Signature); ok {
			return s.CreationTime, true
		}
	}
}
