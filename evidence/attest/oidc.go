package attest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"
)

// Environment variables read for keyless signing.
const (
	// EnvSigstoreIDToken holds an OIDC token for Fulcio: the name cosign
	// reads, and the variable a GitLab job's `id_tokens:` entry creates.
	EnvSigstoreIDToken = "SIGSTORE_ID_TOKEN"
	// EnvGitHubTokenURL and EnvGitHubTokenRequest are set by the GitHub
	// Actions runner when the job may request an OIDC token
	// (`permissions: id-token: write`).
	EnvGitHubTokenURL     = "ACTIONS_ID_TOKEN_REQUEST_URL"
	EnvGitHubTokenRequest = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
)

// SigstoreAudience is the audience Fulcio's public-good instance accepts.
const SigstoreAudience = "sigstore"

// The fixes named when a CI job cannot get an OIDC token.
const (
	fixGitHub = "add `permissions: id-token: write` to the job that runs cemark (GitHub gives no OIDC token without it)"
	fixGitLab = "add an `id_tokens:` entry to the job that runs cemark:\n  id_tokens:\n    SIGSTORE_ID_TOKEN:\n      aud: sigstore"
	fixLocal  = "keyless signing runs in CI: GitHub Actions with `permissions: id-token: write`, GitLab CI with `id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore`, or any OIDC token in SIGSTORE_ID_TOKEN"
)

// ErrNoOIDCToken says keyless signing was asked for and no OIDC token can
// be had here; its text names the fix for the CI platform.
var ErrNoOIDCToken = errors.New("no OIDC token for keyless signing")

// ErrForkPullRequest says a pull request from a fork runs without an OIDC
// token (GitHub grants it none): keyless signing falls back to unsigned.
var ErrForkPullRequest = errors.New("this pull request comes from a fork: GitHub gives its workflow no OIDC token, so the statements are written UNSIGNED (the push after merging signs them)")

// tokenSource fetches the ambient OIDC token. It is called when signing
// starts, so the token is fresh for Fulcio.
type tokenSource interface {
	// Token returns a JWT for audience SigstoreAudience.
	Token(ctx context.Context) (string, error)
	// Name says where the token comes from, for messages.
	Name() string
}

// staticToken is a token handed in through SIGSTORE_ID_TOKEN. It is held
// in a closure, so that no formatting of a value holding it (%v, %+v,
// %#v, reflection) can print it.
type staticToken struct{ token func() string }

func (s staticToken) Token(context.Context) (string, error) { return s.token(), nil }
func (s staticToken) Name() string                          { return EnvSigstoreIDToken }

// String and GoString never show the token.
func (s staticToken) String() string   { return "OIDC token from " + s.Name() }
func (s staticToken) GoString() string { return s.String() }

// githubToken requests a token from the Actions runner's OIDC endpoint.
type githubToken struct {
	getenv func(string) string
	client *http.Client
}

func (g githubToken) Name() string { return "the GitHub Actions OIDC endpoint" }

func (g githubToken) Token(ctx context.Context) (string, error) {
	a := githubactions.New(githubactions.WithGetenv(g.getenv), githubactions.WithHTTPClient(g.client))
	tok, err := a.GetIDToken(ctx, SigstoreAudience)
	var missing *githubactions.EnvMissingError
	var failed *githubactions.RequestFailedError
	switch {
	case err == nil:
	case errors.As(err, &missing):
		return "", fmt.Errorf("%w: %s is not set: %s", ErrNoOIDCToken, missing.Name, fixGitHub)
	case errors.As(err, &failed) && (failed.StatusCode == http.StatusUnauthorized || failed.StatusCode == http.StatusForbidden):
		// The body is GitHub's message; it never holds the request token.
		return "", fmt.Errorf("%w: GitHub refused the OIDC token request (HTTP %d): %s", ErrNoOIDCToken, failed.StatusCode, fixGitHub)
	case errors.As(err, &failed):
		return "", fmt.Errorf("request an OIDC token from GitHub: HTTP %d", failed.StatusCode)
	default:
		return "", fmt.Errorf("request an OIDC token from GitHub: %w", err)
	}
	if tok == "" {
		return "", fmt.Errorf("%w: GitHub's OIDC endpoint answered with an empty token", ErrNoOIDCToken)
	}
	return tok, nil
}

// ambientToken finds where an OIDC token can come from: SIGSTORE_ID_TOKEN
// first (GitLab's id_tokens, or any token handed in), then the GitHub
// Actions endpoint. Without one it returns ErrForkPullRequest for a
// GitHub pull request from a fork and ErrNoOIDCToken otherwise, with the
// fix for the platform.
func ambientToken(getenv func(string) string, client *http.Client) (tokenSource, error) {
	if t := strings.TrimSpace(getenv(EnvSigstoreIDToken)); t != "" {
		return staticToken{token: func() string { return t }}, nil
	}
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		if getenv(EnvGitHubTokenURL) != "" && getenv(EnvGitHubTokenRequest) != "" {
			return githubToken{getenv: getenv, client: client}, nil
		}
		if githubForkPullRequest(getenv) {
			return nil, ErrForkPullRequest
		}
		return nil, fmt.Errorf("%w: %s is not set: %s", ErrNoOIDCToken, EnvGitHubTokenURL, fixGitHub)
	case getenv("GITLAB_CI") == "true":
		return nil, fmt.Errorf("%w: %s is not set: %s", ErrNoOIDCToken, EnvSigstoreIDToken, fixGitLab)
	}
	return nil, fmt.Errorf("%w: %s", ErrNoOIDCToken, fixLocal)
}

// hasAmbientToken reports whether keyless signing could start here, for
// the default signing mode.
func hasAmbientToken(getenv func(string) string) bool {
	return strings.TrimSpace(getenv(EnvSigstoreIDToken)) != "" ||
		(getenv("GITHUB_ACTIONS") == "true" && getenv(EnvGitHubTokenURL) != "" && getenv(EnvGitHubTokenRequest) != "")
}

// privateRepository names a repository that is not public, from the
// GitHub event payload (repository.private / visibility) or GitLab's
// CI_PROJECT_VISIBILITY; "" when it is public or unknown. Keyless signing
// with public-good Sigstore writes the workflow's identity — the
// repository's name — into the public Rekor log.
func privateRepository(getenv func(string) string) string {
	switch {
	case getenv("GITLAB_CI") == "true":
		if v := getenv("CI_PROJECT_VISIBILITY"); v != "" && v != "public" {
			return fmt.Sprintf("GitLab project %s is %s", getenv("CI_PROJECT_PATH"), v)
		}
	case getenv("GITHUB_ACTIONS") == "true":
		b, err := os.ReadFile(getenv("GITHUB_EVENT_PATH"))
		if err != nil {
			return ""
		}
		var ev struct {
			Repository struct {
				FullName   string `json:"full_name"`
				Private    bool   `json:"private"`
				Visibility string `json:"visibility"`
			} `json:"repository"`
		}
		if json.Unmarshal(b, &ev) != nil {
			return ""
		}
		r := ev.Repository
		if r.Private || (r.Visibility != "" && r.Visibility != "public") {
			v := r.Visibility
			if v == "" {
				v = "private"
			}
			return fmt.Sprintf("GitHub repository %s is %s", r.FullName, v)
		}
	}
	return ""
}

// githubForkPullRequest reads the event payload: a pull request whose head
// repository is not the base repository (or was deleted) comes from a fork.
func githubForkPullRequest(getenv func(string) string) bool {
	if !strings.HasPrefix(getenv("GITHUB_EVENT_NAME"), "pull_request") {
		return false
	}
	b, err := os.ReadFile(getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		return false
	}
	var ev struct {
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
		PullRequest *struct {
			Head struct {
				Repo *struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"head"`
		} `json:"pull_request"`
	}
	if json.Unmarshal(b, &ev) != nil || ev.PullRequest == nil {
		return false
	}
	base := ev.Repository.FullName
	if base == "" {
		base = getenv("GITHUB_REPOSITORY")
	}
	head := ev.PullRequest.Head.Repo
	return head == nil || !strings.EqualFold(head.FullName, base)
}

// tokenClaims are the unverified claims cemark reads from a token before
// Fulcio sees it, to explain a refusal in advance. Fulcio verifies the
// token; cemark trusts nothing it reads here.
type tokenClaims struct {
	Issuer   string          `json:"iss"`
	Audience json.RawMessage `json:"aud"`
	Expiry   int64           `json:"exp"`
	// Subject and the CI's workflow claims are what Fulcio binds the
	// certificate to (GitHub's job_workflow_ref, GitLab's
	// ci_config_ref_uri): the signer's identity, before signing.
	Subject        string `json:"sub"`
	JobWorkflowRef string `json:"job_workflow_ref"`
	CIConfigRefURI string `json:"ci_config_ref_uri"`
}

// tokenIdentity is who a token speaks for, as Fulcio will certify it:
// issuer, subject and workflow; "" when tok holds no readable claims.
func tokenIdentity(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var c tokenClaims
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	return strings.Join([]string{c.Issuer, c.Subject, c.JobWorkflowRef, c.CIConfigRefURI}, " ")
}

// checkToken rejects what Fulcio would reject with a less helpful answer:
// a value that is not a JWT, an expired token, and (for the public-good
// instance) an audience other than "sigstore". The token never appears in
// the error.
func checkToken(tok, source string, now time.Time, wantAudience string) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return fmt.Errorf("%w: %s does not hold a JWT (three dot-separated parts)", ErrNoOIDCToken, source)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return fmt.Errorf("%w: %s does not hold a JWT (its claims are not base64url)", ErrNoOIDCToken, source)
	}
	var c tokenClaims
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("%w: %s does not hold a JWT (its claims are not JSON)", ErrNoOIDCToken, source)
	}
	if c.Expiry > 0 && now.After(time.Unix(c.Expiry, 0)) {
		return fmt.Errorf("%w: the token from %s (issuer %s) expired at %s", ErrNoOIDCToken, source, c.Issuer, time.Unix(c.Expiry, 0).UTC().Format(time.RFC3339))
	}
	if wantAudience != "" {
		var auds []string
		var one string
		if json.Unmarshal(c.Audience, &one) == nil {
			auds = []string{one}
		} else {
			_ = json.Unmarshal(c.Audience, &auds)
		}
		if !slices.Contains(auds, wantAudience) {
			fix := "request it with audience " + wantAudience
			if source == EnvSigstoreIDToken {
				fix = fixGitLab
			}
			return fmt.Errorf("%w: the token from %s is for audience %s, and Fulcio accepts %q: %s", ErrNoOIDCToken, source, strings.Join(auds, ", "), wantAudience, fix)
		}
	}
	return nil
}
