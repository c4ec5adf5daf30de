// Package sigverify verifies shipped artefacts against their signatures,
// offline, for the check families that judge them (CEM-UPD; CEM-VH's signed
// security.txt). It gives verdicts, never findings: a family turns them into
// findings with its own outcomes and severities.
//
// One file per method, each found beside the artefact:
//
//   - cosign.go: cosign blob signatures (<artefact>.sig, base64), with a
//     PEM public key, or against the certificate beside a keyless one;
//   - bundle.go: Sigstore bundles (.sigstore.json, .sigstore, .bundle), key
//     based with a PEM key, or keyless against updates.trusted_root with
//     the signer's identity pinned by updates.keyless_identities; message
//     signatures and DSSE in-toto statements alike; legacy cosign bundles;
//   - openpgp.go: detached OpenPGP signatures (.asc, .sig, .gpg) and
//     cleartext-signed files, the key judged when it signed;
//   - minisign.go: minisign signatures (.minisig), pre-hashed and legacy;
//   - checksums.go: checksum files (SHA256SUMS, checksums.txt …) that list
//     the artefact's digest and are themselves signed by one of the above.
//
// The keys are parsed once per run (Keys, memoized on the checks.Target)
// and shared by every family that needs them: cemark.yaml's updates.keys
// and the --update-key files. An artefact with several signatures gets the
// worst verdict: a bad signature beside a good one means something was
// altered.
package sigverify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/input"
	"github.com/cemark/cemark/evidence/config"
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

// Verifier checks shipped artefacts against their signatures, offline.
// One Verifier serves one run; it caches checksum-file results so that a
// checksums.txt listing forty artefacts is verified once.
type Verifier struct {
	Keys *Keyring
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

type attempt struct {
	method, sigPath, verdict, keyID, detail string
	signer                                  *KeylessSigner
}

// unreadable is the attempt's verdict when the artefact cannot be read
// while its signature is checked: nothing is shown to match it.
func (a attempt) unreadable(err error) attempt {
	a.verdict, a.detail = VerdictBadSignature, "could not read the artefact: "+err.Error()
	return a
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

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

func digests(p string) (string, string, error) {
	f, _, err := input.OpenRegular(p, 0)
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
	f, _, err := input.OpenRegular(p, maxSignatureSize)
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
