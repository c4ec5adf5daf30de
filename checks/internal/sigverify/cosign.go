package sigverify

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// A cosign blob signature (`cosign sign-blob`, <artefact>.sig) is the
// base64 of a signature over the artefact, verified with each PEM public key
// given; a keyless one leaves its certificate beside it.

func (v *Verifier) verifyCosignBlob(a attempt, artefact string, data []byte) attempt {
	sig, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data)))
	if err != nil || len(sig) == 0 {
		a.verdict, a.detail = VerdictBadSignature, "not a cosign signature (base64) nor an OpenPGP or minisign signature"
		return a
	}
	keys := v.Keys.byKind(KeyCosign)
	for _, k := range keys {
		ok, err := verifyWith(k.verifier, sig, artefact)
		if err != nil {
			return a.unreadable(err)
		}
		if ok {
			a.verdict, a.keyID, a.detail = VerdictVerified, k.Fingerprint, "cosign blob signature verified with "+k.Source
			return a
		}
	}
	// Keyless `cosign sign-blob --output-certificate` leaves the signing
	// certificate beside the signature. Its chain to Fulcio cannot be
	// checked offline here, but the signature can be checked against the
	// certificate's key, so a tampered artefact is still caught.
	if certPath, cert := signingCertificate(artefact); cert != nil {
		if verifier, err := signature.LoadDefaultVerifier(cert.PublicKey); err == nil {
			ok, err := verifyWith(verifier, sig, artefact)
			switch {
			case err != nil:
				a = a.unreadable(err)
			case ok:
				a.verdict = VerdictUnverifiable
				a.detail = "keyless cosign signature matches the certificate " + v.display(certPath) + identityOf(cert) +
					"; the certificate's chain to a trusted root is not verified offline (cosign verify-blob --certificate-identity …)"
			default:
				a.verdict = VerdictBadSignature
				a.detail = "cosign signature does not match the certificate " + v.display(certPath) + " beside it"
			}
			return a
		}
	}
	if len(keys) == 0 {
		a.verdict, a.detail = VerdictUnverifiable, "cosign blob signature; no PEM public key given to verify it (updates.keys or --update-key)"
		return a
	}
	a.verdict = VerdictBadSignature
	a.detail = fmt.Sprintf("cosign blob signature does not verify with any of the %d PEM public key(s) given", len(keys))
	return a
}

func verifyWith(verifier signature.Verifier, sig []byte, artefact string) (bool, error) {
	f, err := os.Open(artefact)
	if err != nil {
		return false, err
	}
	defer f.Close()
	return verifier.VerifySignature(bytes.NewReader(sig), f) == nil, nil
}

// signingCertificate finds <signed>.pem / .crt / .cert holding an X.509
// certificate, PEM or base64-encoded PEM (as cosign and goreleaser write it).
func signingCertificate(signed string) (string, *x509.Certificate) {
	for _, suffix := range []string{".pem", ".crt", ".cert"} {
		p := signed + suffix
		data, err := readSmall(p)
		if err != nil {
			continue
		}
		data = bytes.TrimSpace(data)
		if !bytes.HasPrefix(data, []byte("-----BEGIN")) {
			if dec, err := base64.StdEncoding.DecodeString(string(data)); err == nil {
				data = dec
			}
		}
		certs, err := cryptoutils.UnmarshalCertificatesFromPEM(data)
		if err == nil && len(certs) > 0 {
			return p, certs[0]
		}
	}
	return "", nil
}

// identityOf describes a signing certificate's subject for the report.
func identityOf(cert *x509.Certificate) string {
	var ids []string
	ids = append(ids, cert.EmailAddresses...)
	for _, u := range cert.URIs {
		ids = append(ids, u.String())
	}
	if len(ids) == 0 {
		return ""
	}
	return " (" + strings.Join(ids, ", ") + ")"
}
