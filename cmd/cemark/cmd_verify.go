package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/failure"
)

func newVerifyCmd(e *env) *cobra.Command {
	var opts attest.VerifyOptions
	var at, maxSize, identity, identityRegexp, issuer string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify (--key PUB… | --certificate-identity[-regexp] ID --certificate-oidc-issuer URL) [--subject FILE]… [--require TYPE]… [--policy FILE] [--json] ATTESTATIONS…",
		Short: "Verify signed attestations offline: signatures, statements, artefacts, policy",
		Long: `Verify cemark's attestations (or any in-toto Statement v1 in a DSSE
envelope or a Sigstore bundle) offline. ATTESTATIONS are JSON Lines of
envelopes or bundles (.cemark/attestations.intoto.jsonl), single envelopes
(<name>.dsse.json) and single Sigstore bundles (<name>.sigstore.json).

Checked in order, for every envelope or bundle: it is well formed; its
signature is valid for a trusted --key (PEM public key, ECDSA P-256 or
Ed25519) — or, for a keyless bundle, its Fulcio certificate chains to the
trusted root, its Rekor entry's inclusion proof and signed entry timestamp
verify (offline), the certificate was valid when Rekor logged it, and its
identity and issuer are pinned with --certificate-identity (exact) or
--certificate-identity-regexp (RE2, must match the whole identity) and
--certificate-oidc-issuer, or by the policy's identities: cemark never
accepts any identity. Then: its payload type is application/vnd.in-toto+json;
its payload is an in-toto Statement v1; every --subject file's sha256 is
among its subjects. Then every --require'd predicate type must be present,
and the --policy rules must hold.

The trusted root is --trusted-root (a trusted_root.json), or public-good
Sigstore's, fetched with TUF and cached in ~/.sigstore/root for later
offline runs.

Policy file (YAML, unknown keys are errors):
  version: 1
  rules:
    no_failing_check_at_or_above: high   # from the report statement
    sbom_complete: true                  # SBOM attested, TR-03183-2 required fields complete
    support_period_not_ended: true       # from the conformity statement, at --at (default: now)
    no_not_met: true                     # no Annex I point "not met"
  identities:                            # keyless signers, added to the flags
    - issuer: https://token.actions.githubusercontent.com
      identity_regexp: 'https://github\.com/ORG/REPO/\.github/workflows/.+@refs/heads/main'

Each attestation file is bounded by --max-size (default 64 MiB): a larger
one fails verification before a byte of it is decoded.

A report statement that names report.json by digest (a report above
attestations.report_inline_limit) is read from report.json beside the
attestation file: one whose SHA-256 differs fails the statement.

Exit codes: 0 verified, 4 verification failed, 1 tool error (unreadable
attestation or key file, no trusted root reachable), 2 usage: nothing
trusted, an identity without its issuer, a bad or missing policy or
--trusted-root file.`,
		Example: `  cemark verify --key cemark.pub --subject dist/app.tar.gz .cemark/attestations.intoto.jsonl
  cemark verify --key cemark.pub --require https://cemark.dev/conformity/v2 --policy policy.yaml --json .cemark/*.dsse.json
  cemark verify --certificate-identity https://github.com/ORG/REPO/.github/workflows/cemark.yml@refs/heads/main \
    --certificate-oidc-issuer https://token.actions.githubusercontent.com --subject dist/app.tar.gz .cemark/*.sigstore.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if identity != "" || identityRegexp != "" || issuer != "" {
				switch {
				case identity != "" && identityRegexp != "":
					return usageError{errors.New("give one of --certificate-identity and --certificate-identity-regexp")}
				case identity == "" && identityRegexp == "":
					return usageError{errors.New("--certificate-oidc-issuer needs --certificate-identity or --certificate-identity-regexp: cemark never accepts any identity")}
				case issuer == "":
					return usageError{errors.New("--certificate-identity needs --certificate-oidc-issuer (e.g. https://token.actions.githubusercontent.com)")}
				}
				opts.Identities = []config.KeylessIdentity{{Issuer: issuer, Identity: identity, IdentityRegexp: identityRegexp}}
			}
			if len(opts.KeyFiles) == 0 && len(opts.Identities) == 0 && opts.PolicyFile == "" {
				return usageError{errors.New("say whom you trust: --key PUB (key-signed), or --certificate-identity (or --certificate-identity-regexp) with --certificate-oidc-issuer (keyless)")}
			}
			if len(args) == 0 {
				return usageError{errors.New("name the attestation files to verify")}
			}
			opts.Attestations = args
			if maxSize != "" {
				n, err := parseSize(maxSize)
				if err != nil {
					return usageError{fmt.Errorf("--max-size: %w", err)}
				}
				opts.MaxSize = n
			}
			if at != "" {
				t, err := parseAt(at)
				if err != nil {
					return usageError{err}
				}
				opts.At = t
			}
			rep, err := attest.Verify(cmd.Context(), opts)
			if err != nil {
				var pe *attest.PolicyError
				if errors.As(err, &pe) || errors.Is(err, attest.ErrNoTrust) ||
					(opts.TrustedRoot != "" && errors.Is(err, attest.ErrTrustedRoot)) {
					return usageError{err}
				}
				return err
			}
			if asJSON {
				if _, err := e.stdout.Write(rep.JSON()); err != nil {
					return err
				}
			} else if err := rep.WriteText(e.stdout); err != nil {
				return err
			}
			if !rep.Verified {
				return silentError{failure.Verification(errors.New("verification failed"))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.KeyFiles, "key", nil, "trusted public key, PEM (repeatable)")
	f.StringVar(&identity, "certificate-identity", "", "keyless: the signer's certificate identity, exactly (e.g. https://github.com/ORG/REPO/.github/workflows/cemark.yml@refs/heads/main)")
	f.StringVar(&identityRegexp, "certificate-identity-regexp", "", "keyless: an RE2 regular expression the whole certificate identity must match")
	f.StringVar(&issuer, "certificate-oidc-issuer", "", "keyless: the OIDC issuer of the signer's certificate (e.g. https://token.actions.githubusercontent.com)")
	f.StringVar(&opts.TrustedRoot, "trusted-root", "", "Sigstore trusted_root.json for keyless bundles (default: public-good Sigstore's, through TUF, cached)")
	f.StringArrayVar(&opts.Subjects, "subject", nil, "artefact file whose sha256 must be a subject (repeatable)")
	f.StringArrayVar(&opts.Require, "require", nil, "predicate type that must be present (repeatable)")
	f.StringVar(&opts.PolicyFile, "policy", "", "policy file (YAML)")
	f.StringVar(&at, "at", "", "time for the support-period rule: YYYY-MM-DD or RFC 3339 (default: now)")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	f.StringVar(&maxSize, "max-size", "64MiB", "largest attestation file (envelope or bundle) read; a larger one fails verification unread (bytes, or with KiB, MiB, GiB)")
	return cmd
}

func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at %q: want YYYY-MM-DD or RFC 3339", s)
	}
	return t, nil
}

// parseSize reads a byte count: "1048576", "512KiB", "64MiB", "1GiB".
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q: want a positive number of bytes, e.g. 64MiB", s)
	}
	return n * mult, nil
}
