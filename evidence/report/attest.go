package report

import (
	"context"
	"fmt"
	"path"
	"sort"

	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/evidence/attest"
)

// PredicateType is the predicate of the statement over each draft, notice
// and advisory: which event and stage, which deadline, what is still to
// write — so its content is provable later. The statement carries no
// clock time (the same event gives the same bytes); when it was made is
// proven by the commit that adds it, or by a transparency log entry when
// it is signed keylessly.
const PredicateType = "https://cemark.dev/art14-document/v1"

// Predicate is the content of PredicateType.
type Predicate struct {
	Event string `json:"event"`
	Kind  string `json:"kind"`
	// Document is draft, notice or advisory.
	Document string `json:"document"`
	Stage    Stage  `json:"stage,omitempty"`
	Basis    string `json:"basis,omitempty"`
	AwareAt  string `json:"aware_at"`
	Due      string `json:"due,omitempty"`
	// ToWrite lists the elements the manufacturer still had to write.
	ToWrite    []string    `json:"to_write,omitempty"`
	Validation *Validation `json:"validation,omitempty"`
	Tool       string      `json:"tool"`
	// Submitted is always false: cemark never submits.
	Submitted bool   `json:"submitted"`
	Notice    string `json:"notice"`
}

const predicateNotice = "Prepared by cemark. Not submitted: a person submits Art. 14 reports through ENISA's single reporting platform and informs users."

// Written says what one command wrote.
type Written struct {
	// Files are the documents written, slash paths relative to the root.
	Files []string `json:"files"`
	// Unchanged are documents already as cemark would write them.
	Unchanged []string `json:"unchanged,omitempty"`
	// Attestation is the DSSE envelope's path.
	Attestation string `json:"attestation"`
	// Signed is false when no signing key was configured: the statement
	// is written unsigned, and the caller says so.
	Signed bool `json:"signed"`
}

// writeAttested writes docs (path → content) unless a person edited one
// since cemark wrote it, then the statement over all of them, signed with
// signer (nil: unsigned), to envelope.
func writeAttested(ctx context.Context, root string, docs map[string][]byte, envelope string, signer attest.Signer, pred Predicate) (*Written, error) {
	previous := attestedDigests(root, envelope)
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	// Judge every file before writing any: one edited file keeps them all.
	write := map[string]bool{}
	for _, n := range names {
		need, err := needsWrite(root, n, docs[n], previous)
		if err != nil {
			return nil, err
		}
		write[n] = need
	}
	w := &Written{Attestation: envelope}
	var subjects []*intotov1.ResourceDescriptor
	for _, n := range names {
		if write[n] {
			if err := writeInRoot(root, n, docs[n]); err != nil {
				return nil, err
			}
			w.Files = append(w.Files, n)
		} else {
			w.Unchanged = append(w.Unchanged, n)
		}
		abs, err := inRoot(root, n)
		if err != nil {
			return nil, err
		}
		s, err := attest.FileSubject(abs, n)
		if err != nil {
			return nil, err
		}
		subjects = append(subjects, s)
	}
	pred.Notice = predicateNotice
	st, err := attest.NewStatement(path.Base(envelope), PredicateType, subjects, pred)
	if err != nil {
		return nil, fmt.Errorf("attest %s: %w", envelope, err)
	}
	env := attest.Unsigned(st)
	if signer != nil {
		if env, err = attest.Sign(ctx, signer, st); err != nil {
			return nil, err
		}
		w.Signed = true
	}
	if err := writeInRoot(root, envelope, append(env.JSON(), '\n')); err != nil {
		return nil, err
	}
	return w, nil
}

// envelopePath is where the statement over an event's document goes.
func envelopePath(eventDir, stem string) string { return path.Join(eventDir, stem+".dsse.json") }
