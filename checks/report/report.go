// Package report holds cemark's Art. 14 reporting checks (CEM-RPT-…): a
// candidate reportable event found in the evidence (an actively exploited
// vulnerability in the product as shipped), an open event with a report
// overdue or due within 24 hours, and the reporting set-up of cemark.yaml.
//
// The family reads the event files (docs/cra/reports/<id>/event.yaml)
// itself — the technical file's folder is outside the checks' file index —
// and the vulnerability scan's observations from what the pipeline
// provides with ProvideObservations. Metadata lives in meta/<ID>.yml.
package report

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/art14"
	"github.com/cemark/cemark/evidence/config"
)

//go:embed meta/*.yml
var metaFS embed.FS

// Check IDs of the family. They are stable: never renamed or reused.
const (
	IDCandidate = "CEM-RPT-001"
	IDDeadline  = "CEM-RPT-002"
	IDSetup     = "CEM-RPT-003"
)

var evaluators = []checks.Evaluator[*Collected]{
	{ID: IDCandidate, Eval: evalCandidates},
	{ID: IDDeadline, Eval: evalDeadlines},
	{ID: IDSetup, Eval: evalSetup},
}

// MetaFS is the family's embedded metadata, for the catalogue test.
func MetaFS() fs.FS { return metaFS }

// Checks returns the family's checks in ID order.
func Checks() []checks.Check { return checks.FamilyChecks(metaFS, collect, evaluators) }

// Collected is everything the family judges.
type Collected struct {
	Now    time.Time
	Events []art14.Event
	// EventErrors are the problems of event files that do not read.
	EventErrors config.Errors
	// Observations are the vulnerability scan's; Scanned is false when the
	// run had no scan with KEV data (then nothing is assessed).
	Observations []art14.Observation
	Scanned      bool
	Setup        art14.ReportingSetup
	EventsDir    string
}

const (
	memoKey             = "report/facts"
	observationsMemoKey = "report/observations"
)

// scan is what ProvideObservations stores for the run.
type scan struct {
	obs      []art14.Observation
	provided bool
}

// ProvideObservations hands the vulnerability scan's observations of the
// product as shipped to CEM-RPT-001. The pipeline calls it after the scan
// and before the checks run; without it, CEM-RPT-001 says it assessed
// nothing.
func ProvideObservations(t *checks.Target, obs []art14.Observation) {
	checks.Memoized(t.Memo, observationsMemoKey, func() (scan, error) { return scan{obs: obs, provided: true}, nil })
}

func collect(ctx context.Context, t *checks.Target) (*Collected, error) {
	return checks.Memoized(t.Memo, memoKey, func() (*Collected, error) { return collectOnce(ctx, t) })
}

func collectOnce(ctx context.Context, t *checks.Target) (*Collected, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := &Collected{Now: t.Now, Setup: art14.Setup(t.Config), EventsDir: art14.EventsDir(t.Config)}
	events, err := art14.LoadEvents(t.Root, t.Config)
	c.Events = events
	if err != nil {
		if !errors.As(err, &c.EventErrors) {
			return nil, err
		}
	}
	s, _ := checks.Memoized(t.Memo, observationsMemoKey, func() (scan, error) { return scan{}, nil })
	c.Observations, c.Scanned = s.obs, s.provided
	return c, nil
}

func evalCandidates(c *Collected) []checks.Finding {
	if !c.Scanned {
		return []checks.Finding{{Outcome: checks.Info, Severity: checks.SeverityInfo, Key: "not-assessed",
			Message: "not assessed: this run has no vulnerability scan with KEV data, so no candidate reportable event could be found"}}
	}
	cands := art14.Candidates(c.Observations, c.Events)
	if len(cands) == 0 {
		return []checks.Finding{{Outcome: checks.Pass, Severity: checks.SeverityInfo, Key: "none",
			Message: fmt.Sprintf("no KEV-listed vulnerability in the product as shipped without a VEX not_affected statement (%d vulnerabilities scanned)", len(c.Observations))}}
	}
	var out []checks.Finding
	for _, cand := range cands {
		f := checks.Finding{Key: cand.VulnID, Values: map[string]string{
			"vuln_id": cand.VulnID, "known_since": art14.FormatTime(cand.KnownSince), "known_since_basis": cand.KnownSinceBasis,
			"kev_date_added": cand.KEVDateAdded.Format(time.DateOnly), "components": strings.Join(cand.Components, "; "),
		}}
		if cand.EventID != "" {
			f.Outcome, f.Severity = checks.Info, checks.SeverityInfo
			f.Path = c.EventsDir + "/" + cand.EventID + "/" + art14.EventFile
			f.Values["event"] = cand.EventID
			f.Message = "candidate reportable event " + cand.VulnID + " is tracked as event " + cand.EventID + ": " + cand.Reason()
		} else {
			f.Outcome = checks.Fail
			f.Message = "candidate reportable event: " + cand.Reason() + ". cemark does not decide whether you are aware: confirm with `cemark report open --kind vulnerability --vuln " +
				cand.VulnID + " --title … --aware-at TIME`, or record a VEX not_affected statement"
		}
		out = append(out, f)
	}
	return out
}

func evalDeadlines(c *Collected) []checks.Finding {
	var out []checks.Finding
	for _, e := range c.EventErrors {
		out = append(out, checks.Finding{Outcome: checks.Fail, Path: e.File, Line: e.Line, Column: e.Column, Key: "event-file",
			Message: e.Error() + " (the event's deadlines cannot be judged)"})
	}
	open := 0
	for _, st := range art14.Assess(c.Events, c.Now) {
		if !st.Event.Open() {
			continue
		}
		open++
		e := st.Event
		for _, d := range st.Deadlines {
			f := checks.Finding{Path: e.Path, Key: e.ID + "/" + string(d.Stage), Values: map[string]string{
				"event": e.ID, "stage": string(d.Stage), "basis": d.Basis, "state": string(d.State)}}
			if d.Due != nil {
				f.Values["due"] = art14.FormatTime(*d.Due)
			}
			switch d.State {
			case art14.StateOverdue:
				f.Outcome, f.Severity = checks.Fail, checks.SeverityCritical
				f.Message = fmt.Sprintf("event %s: the %s was due %s (%s, %s) and is not marked submitted",
					e.ID, d.Stage.Title(), art14.FormatTime(*d.Due), d.Rule, d.Basis)
			case art14.StateDueSoon:
				f.Outcome, f.Severity = checks.Fail, checks.SeverityHigh
				f.Message = fmt.Sprintf("event %s: the %s is due %s, within 24 hours (%s, %s), and is not marked submitted",
					e.ID, d.Stage.Title(), art14.FormatTime(*d.Due), d.Rule, d.Basis)
			default:
				continue
			}
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		msg := "no open Art. 14 event"
		if open > 0 {
			msg = fmt.Sprintf("%d open Art. 14 event(s); no report overdue or due within 24 hours (cemark report status lists the deadlines)", open)
		}
		out = append(out, checks.Finding{Outcome: checks.Pass, Severity: checks.SeverityInfo, Key: "deadlines", Message: msg})
	}
	return out
}

func evalSetup(c *Collected) []checks.Finding {
	s := c.Setup
	if len(s.Missing) == 0 {
		return []checks.Finding{{Outcome: checks.Pass, Severity: checks.SeverityInfo, Path: config.FileName, Key: "setup",
			Message: fmt.Sprintf("reports go to %s (%s) through ENISA's single reporting platform; submitters: %s (stated, not verified)",
				s.CSIRT, s.MemberState, strings.Join(s.Submitters, ", "))}}
	}
	return []checks.Finding{{Outcome: checks.Warn, Path: config.FileName, Key: "setup",
		Message: "cemark.yaml does not say " + strings.Join(s.Missing, ", ") + ": with 24 hours for an early warning, where reports go (Art. 14(7)) and who submits them must be known before an event",
		Values:  map[string]string{"missing": strings.Join(s.Missing, " ")}}}
}
