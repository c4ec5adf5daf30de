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

// ReportingSetup is cemark.yaml reporting:, as stated (not verified), and
// what is missing from it.
type ReportingSetup struct {
	MemberState string   `json:"member_state,omitempty"`
	CSIRT       string   `json:"csirt,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Submitters  []string `json:"submitters,omitempty"`
	AvailableIn []string `json:"available_in,omitempty"`
	// Missing names the reporting: keys not set.
	Missing []string `json:"missing,omitempty"`
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

// Setup reads the reporting set-up from cemark.yaml.
func Setup(cfg *config.Config) ReportingSetup {
	if cfg == nil {
		cfg = &config.Config{}
	}
	r := cfg.Reporting
	s := ReportingSetup{MemberState: r.MemberState, CSIRT: r.CSIRT, Contact: r.Contact, Submitters: r.Submitters, AvailableIn: r.AvailableIn}
	for _, m := range []struct {
		key string
		set bool
	}{
		{"reporting.member_state", r.MemberState != ""},
		{"reporting.csirt", r.CSIRT != ""},
		{"reporting.contact", r.Contact != ""},
		{"reporting.submitters", len(r.Submitters) > 0},
		{"reporting.available_in", len(r.AvailableIn) > 0},
	} {
		if !m.set {
			s.Missing = append(s.Missing, m.key)
		}
	}
	return s
}

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
