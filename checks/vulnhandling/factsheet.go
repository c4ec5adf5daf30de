package vulnhandling

import "github.com/cemark/cemark/checks"

var _ checks.FactSheet = (*Collected)(nil)

// StateFacts states the vulnerability-handling fact sheet.
func (c *Collected) StateFacts(facts *checks.Facts) {
	s := c.Sheet
	facts.VulnHandling = &s
}
