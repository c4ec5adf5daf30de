package techfile

import (
	"context"
	"errors"
)

// Render renders the technical file into Options.Dir under Options.Root,
// or, with Options.Check, reports how the committed file differs.
func Render(ctx context.Context, in Input, opts Options) (*Result, error) {
	return nil, errors.New("techfile: not implemented yet")
}
