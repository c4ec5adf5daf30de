package attest

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/cemark/cemark/evidence/contain"
)

// CheckPredicateType reports whether s can be an in-toto predicate type: the
// Statement v1 specification makes it a TypeURI, so an absolute URI with a
// scheme (and a host for http and https). Verifiers and policies match
// predicate types by exact string, so a typo such as "pentest" would make
// the attestation unfindable later.
func CheckPredicateType(s string) error {
	if s == "" {
		return fmt.Errorf("predicate type missing")
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || strings.ContainsAny(s, " \t\n") {
		return fmt.Errorf("predicate type %q is not an absolute URI (for example https://example.com/pentest/v1)", s)
	}
	if (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
		return fmt.Errorf("predicate type %q has no host (for example https://example.com/pentest/v1)", s)
	}
	return nil
}

// AttestOptions is `cemark attest`: sign any predicate over artefacts.
type AttestOptions struct {
	// Root is the folder Subjects globs are relative to ("." by default).
	Root          string
	Subjects      []string
	PredicateType string
	// PredicateFile holds the predicate: a JSON object.
	PredicateFile string
}

// Attest builds a statement of the user's predicate over the artefacts
// and signs it. It never signs without a key (s must not be nil).
func Attest(ctx context.Context, s Signer, opts AttestOptions) (*Envelope, Statement, error) {
	if s == nil {
		return nil, Statement{}, ErrNoSigningKey
	}
	if err := CheckPredicateType(opts.PredicateType); err != nil {
		return nil, Statement{}, fmt.Errorf("attest: %w", err)
	}
	if len(opts.Subjects) == 0 {
		return nil, Statement{}, fmt.Errorf("attest: no subject: name the artefacts with --subject")
	}
	root := opts.Root
	if root == "" {
		root = "."
	}
	subjects, err := Subjects(ctx, root, opts.Subjects, nil, "", "", "")
	if err != nil {
		return nil, Statement{}, err
	}
	pred, err := contain.ReadRegular(opts.PredicateFile, DefaultMaxAttestationSize)
	if err != nil {
		return nil, Statement{}, fmt.Errorf("read predicate: %w", err)
	}
	if _, err := canonicalJSON(pred); err != nil {
		return nil, Statement{}, fmt.Errorf("predicate %s is not JSON: %w", opts.PredicateFile, err)
	}
	// cemark's own conformity predicate has a committed schema that verify
	// policies rely on; a hand-made one must match it too.
	if opts.PredicateType == PredicateConformity {
		if err := ValidateConformityPredicate(pred); err != nil {
			return nil, Statement{}, fmt.Errorf("predicate %s: %w", opts.PredicateFile, err)
		}
	}
	st, err := NewStatement("attestation", opts.PredicateType, subjects, pred)
	if err != nil {
		return nil, Statement{}, fmt.Errorf("predicate %s: %w", opts.PredicateFile, err)
	}
	env, err := Sign(ctx, s, st)
	if err != nil {
		return nil, Statement{}, err
	}
	return env, st, nil
}
