package vulns

import (
	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/vulnscan"
)

var _ checks.FactSheet = (*Collected)(nil)

// StateFacts states the vulnerability scan's fact sheet, when a scan was
// attempted (no scan at all states nothing: the findings say why).
func (c *Collected) StateFacts(facts *checks.Facts) {
	if c.Scan != nil {
		facts.Vulnerabilities = vulnscan.FactsOf(c.Scan, c.Policy)
	}
}
