package checks

// FactSheet is what a check family's collected facts may offer: the
// family's report-level fact sheet (report.json "facts", Facts), which the
// family states itself — the runner never builds it for it, as scorecard's
// checks store their own raw results. After the checks ran, Run asks the
// facts each check collected for it, by type assertion: a family whose
// checks did not run states nothing, and a family whose collection failed
// has its error finding instead of a sheet (nothing is dropped silently).
type FactSheet interface {
	// StateFacts sets the family's own field of facts. It may be called
	// once for each of the family's checks that ran: it sets, never adds.
	StateFacts(facts *Facts)
}
