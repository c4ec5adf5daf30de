package attest

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
)

// Public-good Sigstore, used unless --fulcio-url and --rekor-url name a
// private instance.
const (
	DefaultFulcioURL = "https://fulcio.sigstore.dev"
	DefaultRekorURL  = "https://rekor.sigstore.dev"
)

// keylessSigner signs a run's statements the Sigstore way: an ephemeral
// key, one Fulcio certificate for it bound to the CI's OIDC identity, a
// DSSE signature per statement, and a Rekor entry per signature.
type keylessSigner struct {
	fulcioURL, rekorURL string
	// trusted verifies each bundle right after signing (sigstore-go's own
	// check), so a misconfigured instance fails the run, not the verifier.
	trusted root.TrustedMaterial
	tokens  tokenSource
	// audience the token must carry ("" when a private Fulcio decides).
	audience string
	now      func() time.Time
	// identity is who the probed token speaks for (tokenIdentity).
	identity string
}

// String and GoString never show the token source's secrets.
func (k *keylessSigner) String() string {
	return "keyless signer (Fulcio " + k.fulcioURL + ", Rekor " + k.rekorURL + ")"
}
func (k *keylessSigner) GoString() string { return k.String() }

// signAll signs every statement with one certificate. The OIDC token is
// fetched here, just before Fulcio sees it; it never reaches an error
// text, a log or a file.
func (k *keylessSigner) signAll(ctx context.Context, sts []Statement) ([]Signed, Signing, error) {
	desc := Signing{Method: SignKeyless, FulcioURL: k.fulcioURL, RekorURL: k.rekorURL}
	tok, err := k.tokens.Token(ctx)
	if err != nil {
		return nil, desc, err
	}
	if err := checkToken(tok, k.tokens.Name(), k.now(), k.audience); err != nil {
		return nil, desc, err
	}
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		return nil, desc, fmt.Errorf("make an ephemeral key: %w", err)
	}
	cert := &oneCertificate{fulcio: sign.NewFulcio(&sign.FulcioOptions{BaseURL: k.fulcioURL, Retries: 2})}
	opts := sign.BundleOptions{
		CertificateProvider:        cert,
		CertificateProviderOptions: &sign.CertificateProviderOptions{IDToken: tok},
		TransparencyLogs:           []sign.Transparency{guardedRekor{sign.NewRekor(&sign.RekorOptions{BaseURL: k.rekorURL, Retries: 2})}},
		Context:                    ctx,
	}
	if k.trusted != nil {
		opts.TrustedRoot = k.trusted
	}
	out := make([]Signed, 0, len(sts))
	for _, st := range sts {
		pb, err := sign.Bundle(&sign.DSSEData{Data: st.Payload, PayloadType: PayloadType}, kp, opts)
		if err != nil {
			return nil, desc, redact(fmt.Errorf("sign %s keylessly: %w", st.Name, describeSigstoreError(err, cert, k)), tok)
		}
		signed, err := signedFromBundle(st.Name, pb, "")
		if err != nil {
			return nil, desc, err
		}
		out = append(out, signed)
		desc.LogEntries = append(desc.LogEntries, LogEntry{Statement: st.Name, LogIndex: signed.LogIndex, IntegratedTime: integratedTime(pb)})
	}
	if c := cert.certificate(); c != nil {
		if sum, err := certificate.SummarizeCertificate(c); err == nil {
			desc.Identity, desc.Issuer = sum.SubjectAlternativeName, sum.Extensions.Issuer
		}
	}
	return out, desc, nil
}

func integratedTime(pb *protobundle.Bundle) string {
	tl := pb.GetVerificationMaterial().GetTlogEntries()
	if len(tl) == 0 || tl[0].GetIntegratedTime() == 0 {
		return ""
	}
	return time.Unix(tl[0].GetIntegratedTime(), 0).UTC().Format(time.RFC3339)
}

// oneCertificate asks Fulcio once per run and hands the same certificate
// to every bundle: one ephemeral key, one certificate, all statements.
type oneCertificate struct {
	fulcio sign.CertificateProvider
	mu     sync.Mutex
	der    []byte
	parsed *x509.Certificate
	asked  bool
}

func (o *oneCertificate) GetCertificate(ctx context.Context, kp sign.Keypair, opts *sign.CertificateProviderOptions) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.der != nil {
		return o.der, nil
	}
	o.asked = true
	der, err := o.fulcio.GetCertificate(ctx, kp, opts)
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("Fulcio's certificate does not parse: %w", err)
	}
	o.der, o.parsed = der, c
	return der, nil
}

func (o *oneCertificate) certificate() *x509.Certificate {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.parsed
}

// guardedRekor turns a panic inside the Rekor client into an error:
// sigstore-go reads the inclusion proof of Rekor's answer without checking
// it is there, and an answer without one must fail the run with a reason,
// not crash it.
type guardedRekor struct{ sign.Transparency }

func (g guardedRekor) GetTransparencyLogEntry(ctx context.Context, keyOrCert []byte, b *protobundle.Bundle) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: Rekor's answer is incomplete (no inclusion proof?): %v", errRekor, r)
		}
	}()
	if err := g.Transparency.GetTransparencyLogEntry(ctx, keyOrCert, b); err != nil {
		return fmt.Errorf("%w: %v", errRekor, err)
	}
	return nil
}

var errRekor = errors.New("rekor")

// describeSigstoreError says which service failed: Fulcio (no certificate
// yet) or Rekor.
func describeSigstoreError(err error, cert *oneCertificate, k *keylessSigner) error {
	switch {
	case errors.Is(err, errRekor):
		return fmt.Errorf("record the signature in Rekor at %s: %s", k.rekorURL, strings.TrimPrefix(err.Error(), errRekor.Error()+": "))
	case cert.certificate() == nil && cert.asked:
		return fmt.Errorf("get a signing certificate from Fulcio at %s: %w", k.fulcioURL, err)
	}
	return fmt.Errorf("verify the new bundle against the trusted root: %w", err)
}

// redact removes the token (and each of its parts) from an error's text.
func redact(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	msg := err.Error()
	secrets := append([]string{token}, strings.Split(token, ".")...)
	changed := false
	for _, s := range secrets {
		if len(s) >= 8 && strings.Contains(msg, s) {
			msg, changed = strings.ReplaceAll(msg, s, "[redacted]"), true
		}
	}
	if !changed {
		return err
	}
	// Not wrapped: the original error, token and all, must not be
	// reachable through errors.Unwrap either.
	return errors.New(msg)
}
