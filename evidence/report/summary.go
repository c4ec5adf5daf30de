package report

import (
	"github.com/cemark/cemark/evidence/config"
)

// TechFileSummary is what the technical file shows of Art. 14 reporting:
// the set-up (where reports go, who may submit) and every event with its
// deadlines met or missed. It reads no clock, so the technical file stays
// the same for the same commit: a report not marked submitted shows as
// such, with its due time, whatever the hour.
type TechFileSummary struct {
	Setup  ReportingSetup `json:"setup"`
	Open   []EventSummary `json:"open"`
	Closed []EventSummary `json:"closed"`
}

// EventSummary is one event for the technical file.
type EventSummary struct {
	ID        string            `json:"id"`
	Path      string            `json:"path"`
	Kind      string            `json:"kind"`
	Title     string            `json:"title"`
	AwareAt   string            `json:"aware_at"`
	Deadlines []DeadlineSummary `json:"deadlines"`
}

// DeadlineSummary is one deadline: met, missed, not submitted (with its due
// time), waiting (its clock has not started), or not applicable (before
// Art. 14 applied).
type DeadlineSummary struct {
	Stage       Stage  `json:"stage"`
	Basis       string `json:"basis"`
	Due         string `json:"due,omitempty"`
	SubmittedAt string `json:"submitted_at,omitempty"`
	State       string `json:"state"`
}

// Summary states of a deadline in the technical file.
const (
	SummaryMet           = "met"
	SummaryMissed        = "missed"
	SummaryNotSubmitted  = "not submitted"
	SummaryWaiting       = "waiting"
	SummaryNotApplicable = "not applicable"
)

// Summarise builds the technical file's view of reporting.
func Summarise(cfg *config.Config, events []Event) TechFileSummary {
	out := TechFileSummary{Setup: Setup(cfg), Open: []EventSummary{}, Closed: []EventSummary{}}
	for _, e := range events {
		s := EventSummary{ID: e.ID, Path: e.Path, Kind: e.Kind, Title: e.Title, AwareAt: FormatTime(e.AwareAt)}
		for _, d := range Deadlines(e, e.AwareAt) {
			ds := DeadlineSummary{Stage: d.Stage, Basis: d.Basis}
			if d.Due != nil {
				ds.Due = FormatTime(*d.Due)
			}
			switch {
			case e.AwareAt.Before(ApplicationDate):
				ds.State = SummaryNotApplicable
			case d.Submitted != nil:
				ds.SubmittedAt = FormatTime(d.Submitted.SubmittedAt)
				ds.State = SummaryMet
				if d.Due != nil && d.Submitted.SubmittedAt.After(*d.Due) {
					ds.State = SummaryMissed
				}
			case d.Due == nil:
				ds.State = SummaryWaiting
			default:
				ds.State = SummaryNotSubmitted
			}
			s.Deadlines = append(s.Deadlines, ds)
		}
		if e.Open() {
			out.Open = append(out.Open, s)
		} else {
			out.Closed = append(out.Closed, s)
		}
	}
	return out
}
