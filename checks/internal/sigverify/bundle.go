package sigverify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/cemark/cemark/evidence/config"
)

// A Sigstore bundle (<artefact>.sigstore.json, .sigstore, .bundle) is
// verified with sigstore-go: with a PEM public key when its verification
// material is a key hint, else against updates.trusted_root with the
// signer's identity pinned by updates.keyless_identities. A legacy cosign
// bundle (base64Signature) is a cosign blob signature.

// KeylessSigner is the identity of a keyless signature whose certificate
// chains to the trusted root: the facts behind a verified or
// identity-mismatch verdict.
type KeylessSigner struct {
	// Path is the artefact, as in checks.ArtifactVerdict.Path.
	Path string `json:"path"`
	// Identity is the certificate's subject alternative name.
	Identity string `json:"identity"`
	// Issuer is the OIDC issuer the certificate names.
	Issuer string `json:"issuer"`
	// PinnedBy names the updates.keyless_identities entry that matched
	// ("updates.keyless_identities[0]"); empty when none is pinned or
	// none matched.
	PinnedBy string `json:"pinned_by,omitempty"`
}

// AnchorIdentityRegexp makes an updates.keyless_identities identity_regexp
// match the whole certificate identity: sigstore-go matches regexps
// unanchored, so "release@example\.com" would otherwise accept
// "evil-release@example.com.attacker.net".
func AnchorIdentityRegexp(re string) string { return "^(?:" + re + ")$" }

// certificateIdentities turns the pinned identities into sigstore-go
// policies, once per Verifier.
func (v *Verifier) certificateIdentities() ([]verify.CertificateIdentity, error) {
	if v.pinsSet {
		return v.pins, v.pinsErr
	}
	v.pinsSet = true
	for i, p := range v.Identities {
		if (p.Identity == "") == (p.IdentityRegexp == "") {
			v.pinsErr = fmt.Errorf("updates.keyless_identities[%d]: give exactly one of identity and identity_regexp", i)
			return nil, v.pinsErr
		}
		sanRegexp := ""
		if p.IdentityRegexp != "" {
			sanRegexp = AnchorIdentityRegexp(p.IdentityRegexp)
		}
		id, err := verify.NewShortCertificateIdentity(p.Issuer, "", p.Identity, sanRegexp)
		if err != nil {
			v.pinsErr = fmt.Errorf("updates.keyless_identities[%d]: %w", i, err)
			return nil, v.pinsErr
		}
		v.pins = append(v.pins, id)
	}
	return v.pins, nil
}

// describePins lists the pinned identities for a message.
func describePins(pins []config.KeylessIdentity) string {
	parts := make([]string, 0, len(pins))
	for _, p := range pins {
		if p.IdentityRegexp != "" {
			parts = append(parts, fmt.Sprintf("issuer %s with an identity matching %s", p.Issuer, AnchorIdentityRegexp(p.IdentityRegexp)))
			continue
		}
		parts = append(parts, fmt.Sprintf("issuer %s with identity %s", p.Issuer, p.Identity))
	}
	return strings.Join(parts, "; ")
}

// legacyCosignBundle is the JSON `cosign sign-blob --bundle` wrote before
// Sigstore bundles: a base64 signature, an optional certificate and a
// Rekor entry.
type legacyCosignBundle struct {
	Base64Signature string          `json:"base64Signature"`
	Cert            string          `json:"cert"`
	RekorBundle     json.RawMessage `json:"rekorBundle"`
}

func (v *Verifier) verifyJSONSignature(ctx context.Context, a attempt, artefact string, data []byte) attempt {
	var probe struct {
		MediaType       string `json:"mediaType"`
		Base64Signature string `json:"base64Signature"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		a.verdict, a.detail = VerdictBadSignature, "signature file is not valid JSON: "+err.Error()
		return a
	}
	if probe.MediaType == "" && probe.Base64Signature != "" {
		var legacy legacyCosignBundle
		_ = json.Unmarshal(data, &legacy)
		a.method = MethodCosignBlob
		if legacy.Cert != "" {
			a.verdict, a.detail = VerdictUnverifiable, "legacy cosign bundle signed with a certificate (keyless); verify it with cosign verify-blob --bundle"
			return a
		}
		return v.verifyCosignBlob(a, artefact, []byte(legacy.Base64Signature))
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(data); err != nil {
		a.verdict, a.detail = VerdictBadSignature, "not a valid Sigstore bundle: "+err.Error()
		return a
	}
	content, err := b.VerificationContent()
	if err != nil {
		a.verdict, a.detail = VerdictBadSignature, "Sigstore bundle without usable verification material: "+err.Error()
		return a
	}
	if content.PublicKey() != nil {
		return v.verifyBundleWithKeys(a, artefact, &b)
	}
	return v.verifyBundleWithTrustedRoot(a, artefact, &b)
}

// verifyBundleWithKeys verifies a bundle whose verification material is a
// public-key hint against each given PEM key in turn, with sigstore-go's
// verifier and no transparency-log or timestamp requirement: a key-signed
// bundle made offline has neither, and the key is the trust anchor.
func (v *Verifier) verifyBundleWithKeys(a attempt, artefact string, b *bundle.Bundle) attempt {
	keys := v.Keys.byKind(KeyCosign)
	if len(keys) == 0 {
		a.verdict, a.detail = VerdictUnverifiable, "key-signed Sigstore bundle; no PEM public key given to verify it (updates.keys or --update-key)"
		return a
	}
	var lastErr error
	for _, k := range keys {
		key := root.NewExpiringKey(k.verifier, time.Time{}, time.Time{})
		material := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
		verifier, err := verify.NewVerifier(material, verify.WithNoObserverTimestamps())
		if err != nil {
			lastErr = err
			continue
		}
		f, err := os.Open(artefact)
		if err != nil {
			return a.unreadable(err)
		}
		_, err = verifier.Verify(b, verify.NewPolicy(verify.WithArtifact(f), verify.WithKey()))
		f.Close()
		if err == nil {
			a.verdict, a.keyID, a.detail = VerdictVerified, k.Fingerprint, "Sigstore bundle verified with "+k.Source+" (sigstore-go, key-based, no transparency log required)"
			return a
		}
		lastErr = err
	}
	a.verdict = VerdictBadSignature
	a.detail = fmt.Sprintf("Sigstore bundle does not verify with any of the %d PEM public key(s) given: %v", len(keys), lastErr)
	return a
}

// verifyBundleWithTrustedRoot verifies a keyless (Fulcio certificate)
// bundle against the configured trusted root with sigstore-go, requiring a
// transparency-log entry and an observer timestamp as the public-good
// instance issues them. When updates.keyless_identities pins signers, the
// certificate's identity and issuer are part of sigstore-go's policy
// (verify.WithCertificateIdentity); a bundle that verifies in every other
// respect but was signed by another identity gets VerdictIdentityMismatch.
// When nothing is pinned the identity is reported, not judged.
//
// Both message-signature and DSSE bundles are handled: for a DSSE bundle
// the artefact must be a subject (by digest) of the signed in-toto
// statement.
//
// A bundle the trusted root does not vouch for is told apart from a broken
// one by checking the signature against the bundle's own certificate, as
// for OpenPGP keys outside the keyring and keyless cosign signatures: a
// signature that does not match the artefact means the artefact or the
// signature was altered (bad), one that matches a certificate from another
// Sigstore instance is signed but not verifiable here.
func (v *Verifier) verifyBundleWithTrustedRoot(a attempt, artefact string, b *bundle.Bundle) attempt {
	self := bundleSelfCheck(artefact, b)
	kind := "keyless Sigstore bundle"
	if self.dsse {
		kind = "keyless Sigstore bundle (DSSE in-toto statement)"
	}
	if v.TrustedRoot == "" {
		if self.result == selfCheckMismatch {
			a.verdict, a.detail = VerdictBadSignature, kind+" from certificate"+self.signer+": "+self.why
			return a
		}
		a.verdict, a.detail = VerdictUnverifiable, kind+" (certificate"+self.signer+"); no trusted root given (updates.trusted_root) to verify it offline"
		return a
	}
	if v.trustedRoot == nil && v.trustedErr == nil {
		v.trustedRoot, v.trustedErr = root.NewTrustedRootFromPath(v.TrustedRoot)
	}
	if v.trustedErr != nil {
		a.verdict, a.detail = VerdictUnverifiable, "trusted root "+v.display(v.TrustedRoot)+" could not be read: "+v.trustedErr.Error()
		return a
	}
	pins, err := v.certificateIdentities()
	if err != nil {
		// Never fall back to "not pinned": that would accept any signer
		// the manufacturer meant to exclude.
		a.verdict, a.detail = VerdictUnverifiable, kind+": the pinned identities cannot be used: "+err.Error()
		return a
	}
	verifier, err := verify.NewVerifier(v.trustedRoot, verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1))
	if err != nil {
		a.verdict, a.detail = VerdictUnverifiable, "Sigstore verifier: "+err.Error()
		return a
	}
	f, err := os.Open(artefact)
	if err != nil {
		return a.unreadable(err)
	}
	defer f.Close()
	var identityPolicy []verify.PolicyOption
	for _, p := range pins {
		identityPolicy = append(identityPolicy, verify.WithCertificateIdentity(p))
	}
	if len(pins) == 0 {
		identityPolicy = []verify.PolicyOption{verify.WithoutIdentitiesUnsafe()}
	}
	res, err := verifier.Verify(b, verify.NewPolicy(verify.WithArtifact(f), identityPolicy...))
	var noMatch *verify.ErrNoMatchingCertificateIdentity
	switch {
	case err == nil:
	case errors.As(err, &noMatch):
		// sigstore-go checks identities last, after the certificate chain,
		// log entry, timestamps and signature all verified: the release is
		// intact and really signed by the certificate's identity, which is
		// not one the manufacturer pins.
		signer := certificateSigner(b)
		a.verdict, a.method, a.keyID, a.signer = VerdictIdentityMismatch, MethodSigstoreKeyless, signer.Identity, &signer
		a.detail = fmt.Sprintf("%s verified against the trusted root, but signed by certificate identity %s, issuer %s, which matches no identity pinned in updates.keyless_identities (%s)",
			kind, signer.Identity, signer.Issuer, describePins(v.Identities))
		return a
	case self.result == selfCheckMismatch:
		a.verdict, a.detail = VerdictBadSignature, kind+" from certificate"+self.signer+": "+self.why
		return a
	case self.result == selfCheckMatch:
		a.verdict = VerdictUnverifiable
		a.detail = kind + " matches its certificate" + self.signer + ", but the trusted root " + v.display(v.TrustedRoot) +
			" does not vouch for its certificate, transparency-log entry or timestamp: " + err.Error()
		return a
	default:
		a.verdict, a.detail = VerdictBadSignature, "Sigstore bundle does not verify against the trusted root: "+err.Error()
		return a
	}
	signer := KeylessSigner{}
	if res.Signature != nil && res.Signature.Certificate != nil {
		c := res.Signature.Certificate
		signer.Identity, signer.Issuer = c.SubjectAlternativeName, c.Extensions.Issuer
		for i, p := range pins {
			// The pin that sigstore-go accepted, found with its own matcher.
			if p.Verify(*c) == nil {
				signer.PinnedBy = fmt.Sprintf("updates.keyless_identities[%d]", i)
				break
			}
		}
	}
	a.verdict, a.method, a.keyID, a.signer = VerdictVerified, MethodSigstoreKeyless, signer.Identity, &signer
	a.detail = fmt.Sprintf("%s verified against the trusted root: certificate identity %s, issuer %s", kind, signer.Identity, signer.Issuer)
	if signer.PinnedBy != "" {
		a.detail += ", pinned by " + signer.PinnedBy
	} else {
		a.detail += "; the identity is not pinned (updates.keyless_identities is empty), so any identity this trusted root certifies would pass"
	}
	return a
}

// certificateSigner reads the identity and issuer of a bundle's leaf
// certificate, for the report.
func certificateSigner(b *bundle.Bundle) KeylessSigner {
	content, err := b.VerificationContent()
	if err != nil || content.Certificate() == nil {
		return KeylessSigner{}
	}
	sum, err := certificate.SummarizeCertificate(content.Certificate())
	if err != nil {
		return KeylessSigner{}
	}
	return KeylessSigner{Identity: sum.SubjectAlternativeName, Issuer: sum.Extensions.Issuer}
}

const (
	selfCheckUnknown = iota
	selfCheckMatch
	selfCheckMismatch
)

// selfCheck is what a keyless bundle's own certificate says about it.
type selfCheck struct {
	// signer describes the certificate's identity: " (SAN, issuer …)" or "".
	signer string
	result int
	// why says what did not match, for selfCheckMismatch.
	why  string
	dsse bool
}

// bundleSelfCheck checks a keyless bundle's signature against the public
// key of its own leaf certificate, with no trust decision, and describes
// the certificate's identity for the report. A message signature must
// verify over the artefact; a DSSE envelope must verify over its statement,
// and the statement must name the artefact's digest as a subject.
func bundleSelfCheck(artefact string, b *bundle.Bundle) selfCheck {
	var sc selfCheck
	content, err := b.VerificationContent()
	if err != nil || content.Certificate() == nil {
		return sc
	}
	cert := content.Certificate()
	sc.signer = identityOf(cert) // " (SAN, …)" or ""
	if sum, err := certificate.SummarizeCertificate(cert); err == nil && sum.Extensions.Issuer != "" {
		if sc.signer == "" {
			sc.signer = " (issuer " + sum.Extensions.Issuer + ")"
		} else {
			sc.signer = strings.TrimSuffix(sc.signer, ")") + ", issuer " + sum.Extensions.Issuer + ")"
		}
	}
	sigContent, err := b.SignatureContent()
	if err != nil {
		return sc
	}
	if _, err := signature.LoadDefaultVerifier(cert.PublicKey); err != nil {
		return sc
	}
	if sigContent.EnvelopeContent() != nil {
		sc.dsse = true
		// The certificate is the verification material; sigstore-go needs
		// no trusted material to check a signature against it.
		if err := verify.VerifySignature(sigContent, content, nil); err != nil {
			sc.result, sc.why = selfCheckMismatch, "the DSSE envelope's signature does not verify under its own certificate, so the signed statement was altered ("+err.Error()+")"
			return sc
		}
		f, err := os.Open(artefact)
		if err != nil {
			return sc
		}
		defer f.Close()
		if err := verify.VerifySignatureWithArtifacts(sigContent, content, nil, []io.Reader{f}); err != nil {
			sc.result, sc.why = selfCheckMismatch, "the signed in-toto statement does not name the artefact's digest as a subject, so the artefact is not the one attested ("+err.Error()+")"
			return sc
		}
		sc.result = selfCheckMatch
		return sc
	}
	if sigContent.MessageSignatureContent() == nil {
		return sc
	}
	verifier, _ := signature.LoadDefaultVerifier(cert.PublicKey)
	ok, err := verifyWith(verifier, sigContent.MessageSignatureContent().Signature(), artefact)
	switch {
	case err != nil:
	case ok:
		sc.result = selfCheckMatch
	default:
		sc.result, sc.why = selfCheckMismatch, "signature does not match the artefact under its own certificate"
	}
	return sc
}
