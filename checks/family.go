package checks

import (
	"context"
	"fmt"
	"io/fs"
	"strconv"
)

// FamilyCheck is the shape every check family shares: the family collects
// one fact value F for all its checks (memoised on the Target, so files are
// read and parsed once), and each check is a pure function of it.
type FamilyCheck[F any] struct {
	meta     Meta
	collect  func(context.Context, *Target) (F, error)
	evaluate func(F) []Finding
}

var _ Check = (*FamilyCheck[int])(nil)

// NewFamilyCheck makes a check from its metadata, the family's collector
// and the check's evaluator.
func NewFamilyCheck[F any](meta Meta, collect func(context.Context, *Target) (F, error), evaluate func(F) []Finding) *FamilyCheck[F] {
	return &FamilyCheck[F]{meta: meta, collect: collect, evaluate: evaluate}
}

// Meta returns the check's metadata.
func (c *FamilyCheck[F]) Meta() Meta { return c.meta }

// Collect gathers the family's facts.
func (c *FamilyCheck[F]) Collect(ctx context.Context, t *Target) (any, error) {
	return c.collect(ctx, t)
}

// Evaluate judges the facts, names the check on every finding and numbers
// repeated keys so that fingerprints stay distinct.
func (c *FamilyCheck[F]) Evaluate(facts any) ([]Finding, error) {
	f, ok := facts.(F)
	if !ok {
		var want F
		return nil, fmt.Errorf("%s: facts are %T, want %T", c.meta.ID, facts, want)
	}
	out := c.evaluate(f)
	for i := range out {
		out[i].Check = c.meta.ID
	}
	UniqueKeys(out)
	return out, nil
}

// UniqueKeys makes keys unique per path by numbering repeats ("…#2"), so
// that two identical findings in one file keep separate fingerprints
// (fingerprints hash check, path and key).
func UniqueKeys(fs []Finding) {
	seen := map[string]int{}
	for i := range fs {
		id := fs[i].Path + "\x00" + fs[i].Key
		seen[id]++
		if n := seen[id]; n > 1 {
			fs[i].Key += "#" + strconv.Itoa(n)
		}
	}
}

// Evaluator names one check of a family and its pure evaluator.
type Evaluator[F any] struct {
	ID   string
	Eval func(F) []Finding
}

// FamilyChecks builds a family's checks, in the order given, from their
// metadata (meta/<ID>.yml in fsys), the family's collector and each check's
// evaluator. The metadata is embedded, so a broken file is a build defect
// that the families' tests catch: it panics.
func FamilyChecks[F any](fsys fs.FS, collect func(context.Context, *Target) (F, error), evals []Evaluator[F]) []Check {
	out := make([]Check, 0, len(evals))
	for _, e := range evals {
		out = append(out, NewFamilyCheck(MustLoadMeta(fsys, "meta/"+e.ID+".yml"), collect, e.Eval))
	}
	return out
}
