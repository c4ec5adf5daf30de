package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"
)

// StatusReport is cemark report status: the events at a reference time.
type StatusReport struct {
	Now    string        `json:"now"`
	Events []EventStatus `json:"events"`
	// Overdue counts deadlines passed without the report marked submitted.
	Overdue int `json:"overdue"`
	DueSoon int `json:"due_soon"`
}

// BuildStatus judges the events at now; closed events only when all is set.
func BuildStatus(events []Event, now time.Time, all bool) StatusReport {
	r := StatusReport{Now: FormatTime(now), Events: []EventStatus{}}
	for _, st := range Assess(events, now) {
		if !all && !st.Event.Open() {
			continue
		}
		r.Overdue += len(st.Overdue())
		r.DueSoon += len(st.DueSoon())
		r.Events = append(r.Events, st)
	}
	return r
}

// JSON is the status for a machine.
func (r StatusReport) JSON() []byte {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("encode status: %v", err))
	}
	return append(b, '\n')
}

// Text is the status for a person: one row per deadline, times in UTC.
func (r StatusReport) Text() []byte {
	var b bytes.Buffer
	if len(r.Events) == 0 {
		fmt.Fprintf(&b, "No open Art. 14 event (at %s).\n", r.Now)
		return b.Bytes()
	}
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT\tKIND\tREPORT\tDUE (UTC)\tTIME LEFT\tSTATE\tBASIS")
	for _, st := range r.Events {
		for _, d := range st.Deadlines {
			due, left := "-", "-"
			if d.Due != nil {
				due = FormatTime(*d.Due)
				if d.Submitted == nil && st.Event.Open() {
					left = FormatLeft(d.Left)
				}
			}
			state := string(d.State)
			if d.Submitted != nil {
				state += " (submitted " + FormatTime(d.Submitted.SubmittedAt) + " by " + d.Submitted.By + ")"
			}
			if d.Provisional {
				due += " (provisional)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", st.Event.ID, st.Event.Kind, d.Stage.Title(), due, left, state, d.Basis)
		}
	}
	tw.Flush()
	fmt.Fprintf(&b, "\nAt %s: %d overdue, %d due within 24 hours. cemark never submits a report; record one with cemark report submitted.\n", r.Now, r.Overdue, r.DueSoon)
	return b.Bytes()
}
