package surface

import "github.com/cemark/cemark/checks"

var _ checks.FactSheet = (*Facts)(nil)

// StateFacts states the attack-surface inventory (ports.json).
func (f *Facts) StateFacts(facts *checks.Facts) { facts.Inventory = f.Inventory }
