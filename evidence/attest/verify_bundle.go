package attest

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/cemark/cemark/evidence/config"
)

// ErrNoTrust says verification was asked for with nothing to trust: no
// key and no pinned keyless identity. cemark never accepts "any identity".
var ErrNoTrust = errors.New("no trusted key or identity: pass --key PUB, or --certificate-identity (or --certificate-identity-regexp) with --certificate-oidc-issuer, or a policy with identities")

// IdentityInfo is one pinned keyless identity, as the report shows it.
type IdentityInfo struct {
	Issuer         string `json:"issuer"`
	Identity       string `json:"identity,omitempty"`
	IdentityRegexp string `json:"identityRegexp,omitempty"`
	// From is "flags" or "policy".
	From string `json:"from"`
}

// pinnedIdentity is a keyless identity as sigstore-go's policy takes it.
type pinnedIdentity struct {
	IdentityInfo
	id verify.CertificateIdentity
}

// anchorRegexp makes an identity regexp match the whole identity:
// sigstore-go matches unanchored, so "https://github\.com/acme/" would
// otherwise accept "https://github.com/evil/x?https://github.com/acme/".
func anchorRegexp(re string) string { return "^(?:" + re + ")$" }

// pinIdentities checks and converts pinned identities: an issuer and
// exactly one of identity and identity_regexp, the regexp RE2 and anchored.
func pinIdentities(ids []config.KeylessIdentity, from string) ([]pinnedIdentity, error) {
	out := make([]pinnedIdentity, 0, len(ids))
	for i, p := range ids {
		where := fmt.Sprintf("identities[%d]", i)
		if from == "flags" {
			where = "--certificate-identity"
		}
		switch {
		case p.Issuer == "":
			return nil, fmt.Errorf("%s: the OIDC issuer is missing (--certificate-oidc-issuer, or issuer: in a policy)", where)
		case (p.Identity == "") == (p.IdentityRegexp == ""):
			return nil, fmt.Errorf("%s: give exactly one of an identity and an identity regexp", where)
		}
		re := ""
		if p.IdentityRegexp != "" {
			if _, err := regexp.Compile(p.IdentityRegexp); err != nil {
				return nil, fmt.Errorf("%s: identity regexp: %w", where, err)
			}
			re = anchorRegexp(p.IdentityRegexp)
		}
		id, err := verify.NewShortCertificateIdentity(p.Issuer, "", p.Identity, re)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		out = append(out, pinnedIdentity{IdentityInfo: IdentityInfo{Issuer: p.Issuer, Identity: p.Identity, IdentityRegexp: p.IdentityRegexp, From: from}, id: id})
	}
	return out, nil
}

// keylessTrust verifies keyless bundles: pinned identities, and the
// trusted root, loaded when the first keyless bundle needs it so that a
// key-only verification never reaches for the network.
type keylessTrust struct {
	pins     []pinnedIdentity
	rootPath string
	tuf      *tuf.Options
	loaded   bool
	trusted  root.TrustedMaterial
	source   string
	err      error
}

func (k *keylessTrust) root(ctx context.Context) (root.TrustedMaterial, error) {
	if !k.loaded {
		k.loaded = true
		tr, src, err := LoadTrustedRoot(ctx, k.rootPath, k.tuf)
		if err != nil {
			k.err = err
		} else {
			k.trusted, k.source = tr, src
		}
	}
	return k.trusted, k.err
}

// verifyBundle checks a bundle's signature and, for a keyless one, its
// certificate chain, Rekor entry (inclusion proof and signed entry
// timestamp, offline), the certificate's validity at the logged time and
// its identity; then the signed payload goes through the same statement
// checks as an envelope's.
func verifyBundle(ctx context.Context, b *bundle.Bundle, keys []trustedKey, kt *keylessTrust) (AttestationResult, error) {
	var res AttestationResult
	d := b.GetDsseEnvelope()
	if d == nil {
		res.Error = "the bundle holds a message signature over a blob, not a DSSE envelope with an in-toto statement"
		return res, nil
	}
	vc, err := b.VerificationContent()
	if err != nil {
		res.Error = "the bundle's verification material does not parse: " + err.Error()
		return res, nil
	}
	if cert := vc.Certificate(); cert != nil {
		if err := verifyKeylessBundle(ctx, b, cert, kt, &res); err != nil {
			return res, err
		}
	} else {
		verifyKeyBundle(b, vc.PublicKey().Hint(), keys, &res)
	}
	if res.Error != "" {
		return res, nil
	}
	checkStatement(&res, d.GetPayloadType(), d.GetPayload())
	return res, nil
}

// verifyKeyBundle verifies a key-based bundle with sigstore-go against each
// trusted key (the hint's key first); no log or timestamp is required, as
// for a DSSE envelope: the key is the trust anchor.
func verifyKeyBundle(b *bundle.Bundle, hint string, keys []trustedKey, res *AttestationResult) {
	if len(keys) == 0 {
		res.Error = fmt.Sprintf("the bundle is signed with a key (hint %s), and no --key was given", hint)
		return
	}
	ordered := make([]trustedKey, 0, len(keys))
	for _, k := range keys {
		if h, _ := BundleHint(k.pub); h == hint {
			ordered = append([]trustedKey{k}, ordered...)
		} else {
			ordered = append(ordered, k)
		}
	}
	var lastErr error
	for _, k := range ordered {
		v, err := signature.LoadVerifier(k.pub, cryptoHashFor(k.pub))
		if err != nil {
			lastErr = err
			continue
		}
		key := root.NewExpiringKey(v, time.Time{}, time.Time{})
		material := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
		verifier, err := verify.NewVerifier(material, verify.WithNoObserverTimestamps())
		if err != nil {
			lastErr = err
			continue
		}
		if _, err := verifier.Verify(b, verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithKey())); err != nil {
			lastErr = err
			continue
		}
		res.KeyID = k.ID
		return
	}
	res.Error = fmt.Sprintf("no valid signature by a trusted key: the bundle (hint %s) does not verify with %s: the statement was changed after signing, or it was signed by another key (%v)",
		hint, strings.Join(keyIDs(keys), ", "), lastErr)
}

// verifyKeylessBundle verifies a certificate-based bundle with sigstore-go:
// the chain to a Fulcio CA of the trusted root, the certificate's SCT when
// the root lists CT logs, one Rekor entry (inclusion proof and SET checked
// offline), the certificate valid at the logged time, the DSSE signature,
// and an identity pinned by flags or policy — never any identity.
func verifyKeylessBundle(ctx context.Context, b *bundle.Bundle, cert *x509.Certificate, kt *keylessTrust, res *AttestationResult) error {
	sum, err := certificate.SummarizeCertificate(cert)
	if err != nil {
		res.Error = "the bundle's certificate is not a Fulcio certificate: " + err.Error()
		return nil
	}
	res.Identity, res.Issuer = sum.SubjectAlternativeName, sum.Extensions.Issuer
	if len(kt.pins) == 0 {
		res.Error = fmt.Sprintf("keyless bundle signed by %s (issuer %s): no identity is pinned; pass --certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer: cemark never accepts any identity",
			res.Identity, res.Issuer)
		return nil
	}
	tr, err := kt.root(ctx)
	if err != nil {
		return err
	}
	opts := []verify.VerifierOption{verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1)}
	if len(tr.CTLogs()) > 0 {
		opts = append(opts, verify.WithSignedCertificateTimestamps(1))
	}
	verifier, err := verify.NewVerifier(tr, opts...)
	if err != nil {
		return fmt.Errorf("sigstore verifier: %w", err)
	}
	policy := []verify.PolicyOption{}
	for _, p := range kt.pins {
		policy = append(policy, verify.WithCertificateIdentity(p.id))
	}
	_, err = verifier.Verify(b, verify.NewPolicy(verify.WithoutArtifactUnsafe(), policy...))
	var noMatch *verify.ErrNoMatchingCertificateIdentity
	switch {
	case errors.As(err, &noMatch):
		res.Error = identityMismatch(sum, kt.pins)
		return nil
	case err != nil:
		res.Error = fmt.Sprintf("keyless bundle signed by %s (issuer %s) does not verify against the trusted root %s: %s", res.Identity, res.Issuer, kt.source, sigstoreReason(err))
		return nil
	}
	if entries, err := b.TlogEntries(); err == nil && len(entries) > 0 {
		idx := entries[0].LogIndex()
		res.LogIndex = &idx
	}
	return nil
}

// sigstoreReason puts sigstore-go's verdict in a verifier's words, keeping
// sigstore-go's own text for the record.
func sigstoreReason(err error) string {
	msg := err.Error()
	for _, r := range []struct{ match, say string }{
		{"integrated time outside certificate validity", "the certificate was not valid when Rekor logged the signature"},
		{"does not match envelope payload hash", "the statement was changed after signing"},
		{"failed to verify signature", "the statement was changed after signing, or the signature is damaged"},
		{"not enough verified log entries", "no entry from a Rekor log of this trusted root (signed with another Sigstore instance, or the entry is forged)"},
		{"SCT", "the certificate carries no SCT from a CT log of this trusted root"},
		{"certificate signed by unknown authority", "the certificate does not chain to a Fulcio CA of this trusted root"},
	} {
		if strings.Contains(msg, r.match) {
			return r.say + " (" + msg + ")"
		}
	}
	return msg
}

// cryptoHashFor is the hash a key signs with in cemark: SHA-256 for
// ECDSA P-256, none (the message itself) for Ed25519.
func cryptoHashFor(pub crypto.PublicKey) crypto.Hash {
	if _, ok := pub.(ed25519.PublicKey); ok {
		return crypto.Hash(0)
	}
	return crypto.SHA256
}

// identityMismatch says what differs: the identity, or the issuer of an
// identity that is pinned.
func identityMismatch(sum certificate.Summary, pins []pinnedIdentity) string {
	for _, p := range pins {
		if p.id.SubjectAlternativeName.Verify(sum) == nil {
			return fmt.Sprintf("keyless bundle signed by %s with issuer %s, but that identity is pinned with issuer %s", sum.SubjectAlternativeName, sum.Extensions.Issuer, p.Issuer)
		}
	}
	return fmt.Sprintf("keyless bundle signed by %s (issuer %s), an identity that is not pinned (pinned: %s)", sum.SubjectAlternativeName, sum.Extensions.Issuer, describeIdentities(pins))
}

func describeIdentities(pins []pinnedIdentity) string {
	parts := make([]string, 0, len(pins))
	for _, p := range pins {
		if p.IdentityRegexp != "" {
			parts = append(parts, fmt.Sprintf("%s matching %s", p.Issuer, anchorRegexp(p.IdentityRegexp)))
		} else {
			parts = append(parts, p.Issuer+" "+p.Identity)
		}
	}
	return strings.Join(parts, "; ")
}
