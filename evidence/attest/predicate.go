package attest

import (
	"fmt"
	"sync"
)

// Predicate is an SBOM made canonical for the statement that will carry
// it, ahead of that statement: the run makes a product's SBOM of MBs
// canonical while the vulnerability scan and the checks go on, and the
// statement then costs a copy. Make does the work once, whoever calls it
// first; the statement calls it too, so a predicate nobody made ahead is
// made then.
type Predicate struct {
	doc  []byte
	once sync.Once
	v    *canonicalValue
	err  error
}

// SBOMPredicate is the predicate of the SBOM statement for doc, not yet
// made (Make), or nil when that statement will name doc by digest
// instead: above limit bytes (0: DefaultSBOMInlineLimit), as in
// BuildStatements.
func SBOMPredicate(doc []byte, limit int64) *Predicate {
	if limit <= 0 {
		limit = DefaultSBOMInlineLimit
	}
	if doc == nil || int64(len(doc)) > limit {
		return nil
	}
	return &Predicate{doc: doc}
}

// Make makes the document canonical, once.
func (p *Predicate) Make() {
	p.once.Do(func() {
		if p.v, p.err = canonicalize(p.doc); p.err != nil {
			p.err = fmt.Errorf("predicate: %w", p.err)
		}
	})
}

// madeFrom reports whether p was made from doc itself (the same bytes in
// memory, not a copy), so a statement never carries a predicate made from
// another document.
func (p *Predicate) madeFrom(doc []byte) bool {
	return p != nil && len(doc) > 0 && len(p.doc) == len(doc) && &p.doc[0] == &doc[0]
}
