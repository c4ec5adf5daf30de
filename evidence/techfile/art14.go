package techfile

import (
	"fmt"
	"path"
	"strings"

	"github.com/cemark/cemark/evidence/report"
)

// art14EventView is one Art. 14 event in 03-vulnerability-handling.md:
// each deadline as the technical file can state it without a clock.
type art14EventView struct {
	ID, Link, Title, Kind, AwareAt          string
	EarlyWarning, Notification, FinalReport string
}

// art14Events renders the events of report.Summarise, linked to their
// event.yaml from the technical file's folder relDir.
func art14Events(events []report.EventSummary, relDir string) []art14EventView {
	var out []art14EventView
	for _, e := range events {
		v := art14EventView{ID: e.ID, Link: linkFrom(relDir, e.Path), Title: e.Title, AwareAt: e.AwareAt,
			Kind: "actively exploited vulnerability (Art. 14(1))"}
		if e.Kind == report.KindIncident {
			v.Kind = "severe incident (Art. 14(3))"
		}
		for _, d := range e.Deadlines {
			cell := deadlineWords(d)
			switch d.Stage {
			case report.EarlyWarning:
				v.EarlyWarning = cell
			case report.Notification:
				v.Notification = cell
			case report.Final:
				v.FinalReport = cell
			}
		}
		out = append(out, v)
	}
	return out
}

// deadlineWords states one deadline: met or missed by the submission
// recorded, not marked submitted (with its due time: the file reads no
// clock, so it never says "overdue"), waiting for its clock to start, or
// not applicable before Art. 14 applied.
func deadlineWords(d report.DeadlineSummary) string {
	switch d.State {
	case report.SummaryMet:
		return fmt.Sprintf("met: submitted %s, due %s (%s)", d.SubmittedAt, d.Due, d.Basis)
	case report.SummaryMissed:
		return fmt.Sprintf("**missed**: submitted %s, due %s (%s)", d.SubmittedAt, d.Due, d.Basis)
	case report.SummaryNotSubmitted:
		return fmt.Sprintf("not marked submitted; due %s (%s)", d.Due, d.Basis)
	case report.SummaryWaiting:
		return fmt.Sprintf("waiting: due 14 days after a corrective or mitigating measure is available (%s)", d.Basis)
	case report.SummaryNotApplicable:
		return "not applicable: aware before Art. 14 applied (11 September 2026, Art. 71(2))"
	}
	return d.State
}

// art14Related is the line 04-risk-assessment.md gives Part II (2) and
// (8): where the Art. 14 reporting and its events are.
func art14Related(open, closed int) string {
	return fmt.Sprintf("Reporting under Art. 14 and the events recorded, with each deadline: "+
		"[Art. 14 events](03-vulnerability-handling.md#art-14-events) (%d open, %d closed).", open, closed)
}

// linkFrom is a relative link from the technical file's folder relDir to
// target, a slash path from the product root.
func linkFrom(relDir, target string) string {
	target = path.Clean(target)
	if rest, ok := strings.CutPrefix(target, relDir+"/"); ok {
		return rest
	}
	return relLink(relDir, target)
}
