package conformity

import (
	"fmt"
	"time"

	"github.com/cemark/cemark/evidence/config"
)

// Key dates of the Regulation.
var (
	// Applies is when the Regulation applies (Art. 71(2), first
	// subparagraph): from then its obligations apply to products placed on
	// the market; earlier units only once substantially modified
	// (Art. 69(2)).
	Applies = config.Date{Year: 2027, Month: time.December, Day: 11}
	// ReportingApplies is when Art. 14 applies (Art. 71(2), second
	// subparagraph), also to products placed on the market before Applies
	// (Art. 69(3)).
	ReportingApplies = config.Date{Year: 2026, Month: time.September, Day: 11}
)

// SupportFromApplication describes, for a product first placed on the
// market before the Regulation applies, the support a unit placed on the
// market on the day it applies still gets: ok is false when first placing
// or the end is unknown, or the product was first placed from that day on.
// Short is true when that is less than five years (Art. 13(8)).
func SupportFromApplication(firstPlaced, end *config.Date) (text string, short, ok bool) {
	if firstPlaced == nil || end == nil || !firstPlaced.Before(Applies.Time()) {
		return "", false, false
	}
	declared := monthsBetween(*firstPlaced, *end)
	left := monthsBetween(Applies, *end)
	short = end.Before(Applies.AddYears(5).Time())
	return fmt.Sprintf("the product was first placed on the market on %s, before the Regulation applies (%s). Its obligations apply to units placed on the market from %s (Art. 69(2), Art. 71(2)): a unit placed on the market on %s gets %s of support until %s, not the %s counted from the first placing",
		firstPlaced, Applies, Applies, Applies, yearsMonths(left), end, yearsMonths(declared)), short, true
}

// YearsMonths words the length from a to b, e.g. "5 years and 0 months".
func YearsMonths(a, b config.Date) string { return yearsMonths(monthsBetween(a, b)) }

func monthsBetween(a, b config.Date) int {
	m := (b.Year-a.Year)*12 + int(b.Month) - int(a.Month)
	if b.Day < a.Day {
		m--
	}
	if m < 0 {
		return 0
	}
	return m
}

func yearsMonths(months int) string {
	return fmt.Sprintf("%d years and %d months", months/12, months%12)
}
