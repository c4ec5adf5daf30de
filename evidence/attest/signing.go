package attest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/tuf"
)

// Signing modes (`cemark run --sign`).
const (
	// SignAuto is the default: a key when one is given (--key or
	// CEMARK_SIGNING_KEY), else keyless when an ambient OIDC token is
	// available, else none.
	SignAuto    = ""
	SignKeyless = "keyless"
	SignKey     = "key"
	SignNone    = "none"
)

// SignModes are the values --sign takes.
var SignModes = []string{SignKeyless, SignKey, SignNone}

// ErrSigningSetup marks a signing configuration the user must fix (a bad
// --sign value, a key that does not load, a CI job without OIDC
// permission): the CLI exits 2 for it. errors.Is finds it; its text is
// not repeated in the message.
var ErrSigningSetup = errors.New("signing setup")

// setupError is an error the user fixes; it reads as its cause.
type setupError struct{ err error }

func (e setupError) Error() string        { return e.err.Error() }
func (e setupError) Unwrap() error        { return e.err }
func (e setupError) Is(target error) bool { return target == ErrSigningSetup }

func setup(format string, args ...any) error { return setupError{fmt.Errorf(format, args...)} }

// SigningOptions say how a run signs its statements.
type SigningOptions struct {
	// Mode is SignAuto, SignKeyless, SignKey or SignNone.
	Mode string
	// KeyPath is the private key file; empty reads CEMARK_SIGNING_KEY.
	KeyPath string
	// FulcioURL and RekorURL name a private Sigstore instance; empty: the
	// public-good one.
	FulcioURL, RekorURL string
	// TrustedRoot is the instance's trusted_root.json; empty: the
	// public-good root through TUF (required with FulcioURL or RekorURL).
	TrustedRoot string
	// TUF configures the TUF client when TrustedRoot is empty; nil is the
	// public-good repository with its cache in ~/.sigstore/root.
	TUF *tuf.Options
	// Getenv reads the environment (keys, tokens, CI facts).
	Getenv func(string) string
	// HTTPClient requests the GitHub OIDC token; nil: a client with a
	// 30-second timeout.
	HTTPClient *http.Client
	// Now is the clock for the token's expiry; nil: time.Now.
	Now func() time.Time
}

// SigningPlan is what PrepareSigning decided before a run's long stages,
// so that a bad key or a CI job without OIDC permission fails at once.
type SigningPlan struct {
	// Method is SignKeyless, SignKey or SignNone.
	Method string
	// Notice, when set, is for a person: why the statements will be
	// unsigned, or what the fallback was.
	Notice string

	key     Signer
	keyless *keylessSigner
}

// String and GoString never show the key or the token inside.
func (p SigningPlan) String() string   { return "signing plan: " + p.Method }
func (p SigningPlan) GoString() string { return p.String() }

// Signing describes how a run's statements were signed: the facts the
// run summary, run.json and the technical file name.
type Signing struct {
	// Method is "keyless", "key" or "none".
	Method string `json:"method"`
	// KeyID (key-based) is the hex SHA-256 of the DER public key, the DSSE
	// keyid.
	KeyID string `json:"key_id,omitempty"`
	// Identity and Issuer (keyless) are the Fulcio certificate's subject
	// alternative name and OIDC issuer: the values of `cemark verify
	// --certificate-identity … --certificate-oidc-issuer …`.
	Identity string `json:"identity,omitempty"`
	Issuer   string `json:"issuer,omitempty"`
	// FulcioURL and RekorURL (keyless) are the Sigstore instance.
	FulcioURL string `json:"fulcio_url,omitempty"`
	RekorURL  string `json:"rekor_url,omitempty"`
	// LogEntries (keyless) are the Rekor entries, one per statement.
	LogEntries []LogEntry `json:"log_entries,omitempty"`
	// Reason (none) says why the statements are unsigned.
	Reason string `json:"reason,omitempty"`
}

// LogEntry is one statement's transparency-log entry.
type LogEntry struct {
	Statement string `json:"statement"`
	LogIndex  int64  `json:"log_index"`
	// IntegratedTime is when Rekor logged it (RFC 3339).
	IntegratedTime string `json:"integrated_time,omitempty"`
}

// Describe says in one line how the statements are signed.
func (s Signing) Describe() string {
	switch s.Method {
	case SignKey:
		return "signed by key " + s.KeyID
	case SignKeyless:
		idx := make([]string, 0, len(s.LogEntries))
		for _, e := range s.LogEntries {
			idx = append(idx, strconv.FormatInt(e.LogIndex, 10))
		}
		return fmt.Sprintf("signed keylessly by %s (issuer %s), Rekor log index %s", s.Identity, s.Issuer, strings.Join(idx, ", "))
	}
	if s.Reason != "" {
		return "UNSIGNED: " + s.Reason
	}
	return "UNSIGNED"
}

// PrepareSigning resolves the signing mode and loads what signing needs:
// the key (key), or the token source and trusted root (keyless). Errors a
// user fixes wrap ErrSigningSetup; a fork pull request asked to sign
// keylessly falls back to SignNone with a Notice.
func PrepareSigning(ctx context.Context, opts SigningOptions) (*SigningPlan, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	mode := opts.Mode
	keyGiven := opts.KeyPath != "" || getenv(EnvSigningKey) != ""
	custom := opts.FulcioURL != "" || opts.RekorURL != ""
	switch mode {
	case SignAuto:
		switch {
		case keyGiven:
			mode = SignKey
		case hasAmbientToken(getenv) && !custom && privateRepository(getenv) != "":
			return &SigningPlan{Method: SignNone, Notice: privateRepository(getenv) +
				": the statements are written UNSIGNED rather than signed keylessly by default, because public-good Sigstore's Rekor log is public and would record the repository's name and workflow. Pass --sign keyless to accept that, --fulcio-url/--rekor-url/--trusted-root for a private Sigstore instance, or sign with a key"}, nil
		case hasAmbientToken(getenv):
			mode = SignKeyless
		default:
			return &SigningPlan{Method: SignNone, Notice: ErrNoSigningKey.Error() + "; or sign keylessly in CI (--sign keyless)"}, nil
		}
	case SignKey, SignKeyless, SignNone:
	default:
		return nil, setup("--sign %q: want %s", mode, strings.Join(SignModes, ", "))
	}
	if mode != SignKeyless && (custom || opts.TrustedRoot != "") {
		return nil, setup("--fulcio-url, --rekor-url and --trusted-root are for --sign keyless")
	}
	switch mode {
	case SignNone:
		if opts.KeyPath != "" {
			return nil, setup("--sign none and --key contradict each other")
		}
		return &SigningPlan{Method: SignNone, Notice: "signing is switched off (--sign none): the statements are written UNSIGNED"}, nil
	case SignKey:
		s, err := LoadSigner(ctx, opts.KeyPath, getenv)
		if err != nil {
			return nil, setupError{err}
		}
		return &SigningPlan{Method: SignKey, key: s}, nil
	}
	// Keyless.
	if opts.KeyPath != "" {
		return nil, setup("--sign keyless signs with a certificate for a fresh key: drop --key (or use --sign key)")
	}
	if custom && opts.TrustedRoot == "" {
		return nil, setup("a private Sigstore instance (--fulcio-url, --rekor-url) needs its trusted root: --trusted-root FILE")
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	tokens, err := ambientToken(getenv, client)
	if errors.Is(err, ErrForkPullRequest) {
		return &SigningPlan{Method: SignNone, Notice: err.Error()}, nil
	}
	if err != nil {
		return nil, setupError{err}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	k := &keylessSigner{fulcioURL: opts.FulcioURL, rekorURL: opts.RekorURL, tokens: tokens, now: now}
	if k.fulcioURL == "" {
		k.fulcioURL, k.audience = DefaultFulcioURL, SigstoreAudience
	}
	if k.rekorURL == "" {
		k.rekorURL = DefaultRekorURL
	}
	// Probe the token now: a refused request fails the run before the
	// SBOM is made, not after. The token itself is fetched again to sign.
	tok, err := tokens.Token(ctx)
	if err == nil {
		err = checkToken(tok, tokens.Name(), now(), k.audience)
		k.identity = tokenIdentity(tok)
	}
	if err != nil {
		if errors.Is(err, ErrNoOIDCToken) {
			return nil, setupError{err}
		}
		return nil, err
	}
	tr, _, err := LoadTrustedRoot(ctx, opts.TrustedRoot, opts.TUF)
	if err != nil {
		if opts.TrustedRoot != "" {
			return nil, setupError{err}
		}
		return nil, err
	}
	k.trusted = tr
	plan := &SigningPlan{Method: SignKeyless, keyless: k}
	if priv := privateRepository(getenv); priv != "" && !custom {
		plan.Notice = priv + ": its name and workflow go into public-good Sigstore's public Rekor log with each signature (--sign keyless asked for it)"
	}
	return plan, nil
}

// SignerID says who will sign, before anything is signed: the key's ID
// (key), the Sigstore instance and the OIDC identity Fulcio will certify
// (keyless: the token's issuer, subject and workflow), or "none". Two
// runs with the same SignerID sign alike, so the stage cache reuses a
// signature over an unchanged payload only for the same SignerID.
func (p *SigningPlan) SignerID() string {
	switch p.Method {
	case SignKey:
		return SignKey + " " + p.key.KeyID()
	case SignKeyless:
		k := p.keyless
		if k.identity == "" {
			return "" // an identity cemark cannot tell: never reused
		}
		return strings.Join([]string{SignKeyless, k.fulcioURL, k.rekorURL, k.identity}, " ")
	}
	return SignNone + " " + p.Notice
}

// Sign signs every statement as planned. With SignNone the envelopes are
// unsigned and no bundle is made.
func (p *SigningPlan) Sign(ctx context.Context, sts []Statement) ([]Signed, Signing, error) {
	switch p.Method {
	case SignKey:
		out, err := SignWithKey(ctx, p.key, sts)
		return out, Signing{Method: SignKey, KeyID: p.key.KeyID()}, err
	case SignKeyless:
		return p.keyless.signAll(ctx, sts)
	}
	out := make([]Signed, 0, len(sts))
	for _, st := range sts {
		out = append(out, Signed{Name: st.Name, Envelope: Unsigned(st), LogIndex: -1})
	}
	reason := p.Notice
	if reason == "" {
		reason = "no signing key and no OIDC token"
	}
	return out, Signing{Method: SignNone, Reason: reason}, nil
}
