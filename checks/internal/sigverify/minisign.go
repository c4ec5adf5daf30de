package sigverify

import (
	"bytes"
	"io"
	"os"

	"aead.dev/minisign"
)

// A minisign signature (<artefact>.minisig) names its key ID; it is verified
// with the minisign public key of that ID, pre-hashed or legacy.

func (v *Verifier) verifyMinisign(a attempt, artefact string, data []byte) attempt {
	var sig minisign.Signature
	if err := sig.UnmarshalText(bytes.TrimSpace(data)); err != nil {
		a.verdict, a.detail = VerdictBadSignature, "not a minisign signature: "+err.Error()
		return a
	}
	id := minisignKeyID(sig.KeyID)
	var key *Key
	for _, k := range v.Keys.byKind(KeyMinisign) {
		if k.minisign.ID() == sig.KeyID {
			key = &k
			break
		}
	}
	if key == nil {
		a.verdict, a.detail = VerdictUnverifiable, "minisign signature by key ID "+id+"; no such minisign public key given"
		return a
	}
	f, err := os.Open(artefact)
	if err != nil {
		return a.unreadable(err)
	}
	defer f.Close()
	var ok bool
	if sig.Algorithm == minisign.HashEdDSA {
		// Pre-hashed signatures (minisign's default) stream the artefact.
		r := minisign.NewReader(f)
		if _, err := io.Copy(io.Discard, r); err != nil {
			return a.unreadable(err)
		}
		ok = r.Verify(key.minisign, data)
	} else {
		msg, err := io.ReadAll(f)
		if err != nil {
			return a.unreadable(err)
		}
		ok = minisign.Verify(key.minisign, msg, data)
	}
	if !ok {
		a.verdict, a.detail = VerdictBadSignature, "minisign signature does not verify with key ID "+id
		return a
	}
	a.verdict, a.keyID, a.detail = VerdictVerified, id, "minisign signature verified with "+key.Source
	return a
}
