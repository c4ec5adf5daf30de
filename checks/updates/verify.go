package updates

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"aead.dev/minisign"
	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"

	"github.com/cemark/cemark/evidence/contain"
)

// Verdicts of an artefact, worst last in the order of precedence used to
// combine several signatures of one artefact.
const (
	VerdictVerified       = "verified"
	VerdictUnverifiable   = "unverifiable"
	VerdictUnsigned       = "unsigned"
	VerdictBadSignature   = "bad-signature"
	VerdictDigestMismatch = "digest-mismatch"
	// VerdictIdentityMismatch: a keyless signature that verifies against
	// the trusted root, made by an identity cemark.yaml does not pin.
	VerdictIdentityMismatch = "identity-mismatch"
)

// Methods of verification.
const (
	MethodCosignBlob     = "cosign-blob"
	MethodSigstoreBundle = "sigstore-bundle"
	// MethodSigstoreKeyless is a bundle verified against a trusted root: its
	// KeyID is the certificate's identity, not a key fingerprint.
	MethodSigstoreKeyless = "sigstore-keyless"
	MethodOpenPGP         = "openpgp"
	MethodMinisign        = "minisign"
	MethodChecksums       = "checksums"
)

// verdictRank orders verdicts for combining: a bad signature beside a good
// one still fails, because a shipped signature that does not verify means
// the artefact or its signature was altered.
//
// A keyless signature by an identity that is not pinned fails beside a good
// one too: somebody the manufacturer does not name signed this release.
func verdictRank(v string) int {
	switch v {
	case VerdictDigestMismatch:
		return 5
	case VerdictBadSignature:
		return 4
	case VerdictIdentityMismatch:
		return 3
	case VerdictVerified:
		return 2
	case VerdictUnverifiable:
		return 1
	}
	return 0
}

// signatureSuffixes are looked for beside each artefact, in this order.
var signatureSuffixes = []string{".sig", ".asc", ".gpg", ".minisig", ".sigstore.json", ".sigstore", ".bundle"}

// IsSignatureOrChecksumFile reports whether name (a base name) is a
// signature, certificate, key or checksum file rather than an artefact:
// `--artifacts dist/*` names them too, and they are verified as part of the
// artefact they sign.
func IsSignatureOrChecksumFile(name string) bool {
	lower := strings.ToLower(name)
	for _, s := range append(signatureSuffixes, ".pem", ".crt", ".cert", ".pub", ".intoto.jsonl", ".sha256", ".sha512", ".sha256sum", ".sha512sum") {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return isChecksumFile(name)
}

// isChecksumFile matches the checksum-file names release tools write:
// SHA256SUMS / SHA512SUMS (Debian, HashiCorp "<name>_SHA256SUMS"),
// checksums.txt and "<name>_checksums.txt" (goreleaser).
func isChecksumFile(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case lower == "sha256sums", lower == "sha512sums", lower == "sha256sums.txt", lower == "sha512sums.txt",
		lower == "checksums.txt", lower == "checksums.sha256", lower == "checksums.sha512":
		return true
	case strings.HasSuffix(lower, "_sha256sums"), strings.HasSuffix(lower, "_sha512sums"),
		strings.HasSuffix(lower, "_checksums.txt"), strings.HasSuffix(lower, "-checksums.txt"):
		return true
	}
	return false
}

// Verifier checks shipped artefacts against their signatures, offline.
// One Verifier serves one run; it caches checksum-file results so that a
// checksums.txt listing forty artefacts is verified once.
type Verifier struct {
	Keys *KeySet
	// Root is the product root, for display paths.
	Root string
	// TrustedRoot is a Sigstore trusted_root.json (absolute path) for
	// keyless bundles; empty when none is given.
	TrustedRoot string
	// Identities pin who may sign keylessly (updates.keyless_identities);
	// empty: any identity the trusted root certifies is accepted and
	// reported as not pinned.
	Identities []config.KeylessIdentity
	// Now is the reference time for OpenPGP key expiry.
	Now time.Time

	checksumCache map[string]*checksumFile
	trustedRoot   root.TrustedMaterial
	trustedErr    error
	// pins are Identities as sigstore-go policies, built once.
	pins    []verify.CertificateIdentity
	pinsErr error
	pinsSet bool
	// signers holds the keyless signer of each artefact whose verdict
	// rests on a certificate verified against the trusted root.
	signers map[string]KeylessSigner
}

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

type attempt struct {
	method, sigPath, verdict, keyID, detail string
	signer                                  *KeylessSigner
}

type checksumFile struct {
	// entries maps a base name to its hex digest (lower case).
	entries map[string]string
	sig     attempt // verification of the checksum file's own signature
	err     error
}

// VerifyArtifacts returns one verdict per artefact, sorted by path.
func (v *Verifier) VerifyArtifacts(ctx context.Context, paths []string) []checks.ArtifactVerdict {
	if v.checksumCache == nil {
		v.checksumCache = map[string]*checksumFile{}
	}
	var out []checks.ArtifactVerdict
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		out = append(out, v.verifyOne(ctx, p))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func (v *Verifier) display(p string) string { return displayPath(v.Root, p) }

func (v *Verifier) verifyOne(ctx context.Context, p string) checks.ArtifactVerdict {
	res := checks.ArtifactVerdict{Path: v.display(p)}
	sum256, sum512, err := digests(p)
	if err != nil {
		res.Verdict, res.Detail = VerdictUnsigned, "could not read the artefact: "+err.Error()
		return res
	}
	res.SHA256 = sum256

	var attempts []attempt
	for _, suffix := range signatureSuffixes {
		sig := p + suffix
		if !isFile(sig) {
			continue
		}
		attempts = append(attempts, v.verifySignatureFile(ctx, p, sig, suffix))
	}
	attempts = append(attempts, v.checksumAttempts(ctx, p, sum256, sum512)...)

	if len(attempts) == 0 {
		res.Verdict = VerdictUnsigned
		res.Detail = "no signature (" + strings.Join(signatureSuffixes, ", ") + ") beside it and not listed in a checksum file"
		return res
	}
	best := attempts[0]
	for _, a := range attempts[1:] {
		if verdictRank(a.verdict) > verdictRank(best.verdict) {
			best = a
		}
	}
	res.Verdict, res.Method, res.Signature, res.KeyID, res.Detail = best.verdict, best.method, best.sigPath, best.keyID, best.detail
	if best.verdict == VerdictUnsigned {
		res.Method, res.Signature = "", ""
	}
	if best.signer != nil && (best.verdict == VerdictVerified || best.verdict == VerdictIdentityMismatch) {
		if v.signers == nil {
			v.signers = map[string]KeylessSigner{}
		}
		signer := *best.signer
		signer.Path = res.Path
		v.signers[res.Path] = signer
	}
	return res
}

// KeylessSigners returns the keyless signer of each artefact verified so
// far whose verdict rests on a certificate verified against the trusted
// root, sorted by path.
func (v *Verifier) KeylessSigners() []KeylessSigner {
	out := make([]KeylessSigner, 0, len(v.signers))
	for _, s := range v.signers {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
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

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

func digests(p string) (string, string, error) {
	f, _, err := contain.OpenRegular(p, 0)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	h256, h512 := sha256.New(), sha512.New()
	if _, err := io.Copy(io.MultiWriter(h256, h512), f); err != nil {
		return "", "", err
	}
	return hex.EncodeToString(h256.Sum(nil)), hex.EncodeToString(h512.Sum(nil)), nil
}

// maxSignatureSize bounds signature and bundle files; real ones are a few KiB.
const maxSignatureSize = 1 << 20

func readSmall(p string) ([]byte, error) {
	f, _, err := contain.OpenRegular(p, maxSignatureSize)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSignatureSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSignatureSize {
		return nil, fmt.Errorf("over %d KiB, not a signature", maxSignatureSize>>10)
	}
	return data, nil
}

// signatureKind tells the format of a signature file by its content: a
// ".sig" is written by cosign (base64 text), by gpg (binary OpenPGP) and
// sometimes by minisign, so the name alone does not say.
func signatureKind(data []byte, suffix string) string {
	t := bytes.TrimSpace(data)
	switch {
	case bytes.HasPrefix(t, []byte("-----BEGIN PGP SIGNATURE")):
		return MethodOpenPGP
	case bytes.HasPrefix(t, []byte("untrusted comment:")):
		return MethodMinisign
	case bytes.HasPrefix(t, []byte("{")):
		return MethodSigstoreBundle
	case len(data) > 0 && data[0]&0x80 != 0:
		return MethodOpenPGP // binary packet: the tag byte has its high bit set
	case suffix == ".minisig":
		return MethodMinisign
	}
	return MethodCosignBlob
}

func (v *Verifier) verifySignatureFile(ctx context.Context, artefact, sigPath, suffix string) attempt {
	a := attempt{sigPath: v.display(sigPath)}
	data, err := readSmall(sigPath)
	if err != nil {
		a.method, a.verdict, a.detail = "", VerdictBadSignature, "could not read the signature: "+err.Error()
		return a
	}
	a.method = signatureKind(data, suffix)
	switch a.method {
	case MethodOpenPGP:
		return v.verifyOpenPGP(a, artefact, data)
	case MethodMinisign:
		return v.verifyMinisign(a, artefact, data)
	case MethodSigstoreBundle:
		return v.verifyJSONSignature(ctx, a, artefact, data)
	default:
		return v.verifyCosignBlob(a, artefact, data)
	}
}

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
			a.verdict, a.detail = VerdictBadSignature, "could not read the artefact: "+err.Error()
			return a
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
				a.verdict, a.detail = VerdictBadSignature, "could not read the artefact: "+err.Error()
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

func (v *Verifier) verifyOpenPGP(a attempt, artefact string, data []byte) attempt {
	ring := v.Keys.pgpKeyring()
	if len(ring) == 0 {
		a.verdict, a.detail = VerdictUnverifiable, "OpenPGP signature; no OpenPGP keyring given to verify it (updates.keys or --update-key)"
		return a
	}
	f, err := os.Open(artefact)
	if err != nil {
		a.verdict, a.detail = VerdictBadSignature, "could not read the artefact: "+err.Error()
		return a
	}
	defer f.Close()
	// Key validity is judged when the signature was made: release
	// signatures are made after the commit whose time is the run's
	// reference time, and a key that was valid when it signed still
	// vouches for the artefact. Both times are in the inputs, so the
	// verdict stays deterministic.
	at := v.Now
	if created, ok := OpenPGPSignatureTime(data); ok {
		at = created
	}
	cfg := &packet.Config{Time: func() time.Time { return at }}
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

func (v *Verifier) verifyMinisign(a attempt, artefact string, data []byte) attempt {
	var sig minisign.Signature
	if err := sig.UnmarshalText(bytes.TrimSpace(data)); err != nil {
		a.verdict, a.detail = VerdictBadSignature, "not a minisign signature: "+err.Error()
		return a
	}
	id := minisignKeyID(sig.KeyID)
	var key *VerificationKey
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
		a.verdict, a.detail = VerdictBadSignature, "could not read the artefact: "+err.Error()
		return a
	}
	defer f.Close()
	var ok bool
	if sig.Algorithm == minisign.HashEdDSA {
		// Pre-hashed signatures (minisign's default) stream the artefact.
		r := minisign.NewReader(f)
		if _, err := io.Copy(io.Discard, r); err != nil {
			a.verdict, a.detail = VerdictBadSignature, "could not read the artefact: "+err.Error()
			return a
		}
		ok = r.Verify(key.minisign, data)
	} else {
		msg, err := io.ReadAll(f)
		if err != nil {
			a.verdict, a.detail = VerdictBadSignature, "could not read the artefact: "+err.Error()
			return a
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
			a.verdict, a.detail = VerdictBadSignature, "could not read the artefact: "+err.Error()
			return a
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
		a.verdict, a.detail = VerdictBadSignature, "could not read the artefact: "+err.Error()
		return a
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

// checksumAttempts looks for checksum files beside the artefact that list
// it. A checksum file only counts as a signature when its own signature
// verifies; a listed, matching digest in an unsigned file proves integrity
// against corruption, not authenticity.
func (v *Verifier) checksumAttempts(ctx context.Context, artefact, sum256, sum512 string) []attempt {
	dir := filepath.Dir(artefact)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	base := filepath.Base(artefact)
	var out []attempt
	for _, e := range entries {
		if e.IsDir() || !isChecksumFile(e.Name()) {
			continue
		}
		cf := v.checksumFile(ctx, filepath.Join(dir, e.Name()))
		if cf.err != nil {
			continue
		}
		listed, ok := cf.entries[base]
		if !ok {
			continue
		}
		a := attempt{method: MethodChecksums, sigPath: cf.sig.sigPath}
		want := sum256
		if len(listed) == 128 {
			want = sum512
		}
		if listed != want {
			a.verdict = VerdictDigestMismatch
			a.sigPath = v.display(filepath.Join(dir, e.Name()))
			a.detail = fmt.Sprintf("%s lists digest %s, the artefact's is %s", e.Name(), listed, want)
			out = append(out, a)
			continue
		}
		a.verdict, a.keyID, a.signer = cf.sig.verdict, cf.sig.keyID, cf.sig.signer
		switch cf.sig.verdict {
		case VerdictUnsigned:
			a.detail = e.Name() + " lists a matching digest, but the checksum file itself is not signed"
		default:
			a.detail = e.Name() + " lists a matching digest; its signature: " + cf.sig.detail
		}
		out = append(out, a)
	}
	return out
}

func (v *Verifier) checksumFile(ctx context.Context, p string) *checksumFile {
	if cf, ok := v.checksumCache[p]; ok {
		return cf
	}
	cf := &checksumFile{entries: map[string]string{}}
	v.checksumCache[p] = cf
	data, err := readSmall(p)
	if err != nil {
		cf.err = err
		return cf
	}
	cf.entries = parseChecksums(data)
	cf.sig = attempt{verdict: VerdictUnsigned}
	var attempts []attempt
	for _, suffix := range signatureSuffixes {
		if isFile(p + suffix) {
			attempts = append(attempts, v.verifySignatureFile(ctx, p, p+suffix, suffix))
		}
	}
	for _, a := range attempts {
		if verdictRank(a.verdict) > verdictRank(cf.sig.verdict) {
			cf.sig = a
		}
	}
	return cf
}

// parseChecksums reads the sha256sum/sha512sum format ("<hex>  <name>" or
// "<hex> *<name>") and the BSD format ("SHA256 (<name>) = <hex>"). Names
// are reduced to their base name, since release tools list files of one
// folder.
func parseChecksums(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var sum, name string
		if i := strings.Index(line, ") = "); i > 0 && strings.Contains(line[:i], " (") {
			j := strings.Index(line, " (")
			name, sum = line[j+2:i], line[i+4:]
		} else {
			fields := strings.SplitN(line, " ", 2)
			if len(fields) != 2 {
				continue
			}
			sum = fields[0]
			name = strings.TrimLeft(strings.TrimSpace(fields[1]), "*")
		}
		sum = strings.ToLower(strings.TrimSpace(sum))
		if _, err := hex.DecodeString(sum); err != nil || (len(sum) != 64 && len(sum) != 128) {
			continue
		}
		out[path.Base(filepath.ToSlash(name))] = sum
	}
	return out
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
