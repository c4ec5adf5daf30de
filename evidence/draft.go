package evidence

import (
	"context"
	"fmt"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/surface"
	"github.com/cemark/cemark/evidence/config"
)

// DraftInterfaces turns the product's attack-surface inventory into a
// draft `interfaces:` declaration for `cemark init`. The manufacturer
// reviews it: a declared interface is a statement of intent, and what
// ships must then match it.
func DraftInterfaces(ctx context.Context, root string) ([]config.Interface, error) {
	t, err := checks.NewTarget(ctx, root, &config.Config{})
	if err != nil {
		return nil, err
	}
	inv, err := surface.Inventory(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("attack-surface inventory of %s: %w", root, err)
	}
	return surface.Draft(inv), nil
}
