package attest

import (
	"context"
	"fmt"
	"os"
)

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
	if opts.PredicateType == "" {
		return nil, Statement{}, fmt.Errorf("attest: predicate type missing")
	}
	if len(opts.Subjects) == 0 {
		return nil, Statement{}, fmt.Errorf("attest: no subject: name the artefacts with --subject")
	}
	root := opts.Root
	if root == "" {
		root = "."
	}
	subjects, err := Subjects(ctx, root, opts.Subjects, nil, "")
	if err != nil {
		return nil, Statement{}, err
	}
	pred, err := os.ReadFile(opts.PredicateFile)
	if err != nil {
		return nil, Statement{}, fmt.Errorf("read predicate: %w", err)
	}
	if _, err := canonicalJSON(pred); err != nil {
		return nil, Statement{}, fmt.Errorf("predicate %s is not JSON: %w", opts.PredicateFile, err)
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
