package updates

import "github.com/cemark/cemark/checks"

var _ checks.FactSheet = (*Collected)(nil)

// StateFacts states the update-signing fact sheet.
func (c *Collected) StateFacts(facts *checks.Facts) {
	s := c.Signing
	facts.UpdateSigning = &s
}
