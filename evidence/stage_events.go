package evidence

import (
	"github.com/cemark/cemark/evidence/config"
	art14 "github.com/cemark/cemark/evidence/report"
)

// loadEvents reads the Art. 14 events recorded with `cemark report`
// (<docs dir>/reports/<id>/event.yaml) in the config stage: an event file
// that does not read is bad input (exit 2) at its file:line:column, before
// any work is done. The technical file shows every event with its
// deadlines (03-vulnerability-handling.md).
func loadEvents(root string, cfg *config.Config) ([]art14.Event, error) {
	return art14.LoadEvents(root, cfg)
}

// art14Summary is the technical file's view of the run's events: no clock,
// so the file is the same whenever it is rendered.
func art14Summary(ev *Evidence) art14.TechFileSummary {
	return art14.Summarise(ev.Config, ev.events)
}
