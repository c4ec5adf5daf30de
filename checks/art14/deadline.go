package art14

import (
	"fmt"
	"time"
)

// ApplicationDate is when Art. 14 starts to apply: 11 September 2026
// (Art. 71(2), second subparagraph), also for products placed on the
// market before 11 December 2027 (Art. 69(3)). cemark takes the start of
// that day in UTC, the earliest reading.
var ApplicationDate = time.Date(2026, time.September, 11, 0, 0, 0, 0, time.UTC)

// SoonWindow is how close a deadline must be for CI to fail on it: an
// open event with a deadline in the next 24 hours.
const SoonWindow = 24 * time.Hour

// State is where one deadline stands at a given time.
type State string

const (
	// StateMet: marked submitted at or before the deadline.
	StateMet State = "met"
	// StateMissed: marked submitted, after the deadline.
	StateMissed State = "missed"
	// StateOverdue: the deadline passed and the report is not marked submitted.
	StateOverdue State = "overdue"
	// StateDueSoon: due within SoonWindow and not marked submitted.
	StateDueSoon State = "due-soon"
	// StateRunning: due later than SoonWindow, not marked submitted.
	StateRunning State = "running"
	// StateWaiting: the clock has not started (the vulnerability final
	// report waits for a corrective measure).
	StateWaiting State = "waiting"
	// StateNotSubmitted: the event is closed without this report marked
	// submitted (Art. 14 asks later reports only where the information
	// was not already given).
	StateNotSubmitted State = "closed-not-submitted"
	// StateNotApplicable: the manufacturer became aware before Art. 14
	// applied.
	StateNotApplicable State = "not-applicable"
)

// Failing reports whether the state is a deadline passed without the
// report marked submitted.
func (s State) Failing() bool { return s == StateOverdue }

// Deadline is one stage's clock for one event.
type Deadline struct {
	Stage Stage `json:"stage"`
	// Basis is the provision that sets the deadline, e.g. "Art. 14(2)(a)".
	Basis string `json:"basis"`
	// Rule says how the deadline is counted, in words.
	Rule string `json:"rule"`
	// Due is the deadline in UTC; nil while the clock has not started.
	Due *time.Time `json:"due,omitempty"`
	// Provisional is set when Due is counted from another deadline rather
	// than from a recorded fact (the incident final report, before the
	// notification is marked submitted).
	Provisional bool        `json:"provisional,omitempty"`
	Submitted   *Submission `json:"submitted,omitempty"`
	State       State       `json:"state"`
	// Left is the time from the reference time to Due (negative when
	// passed); zero without Due. LeftSeconds is the same in whole seconds,
	// for machines.
	Left        time.Duration `json:"-"`
	LeftSeconds int64         `json:"left_seconds,omitempty"`
}

// addMonth is the same time on the same day of the next month, or on the
// last day of that month when it has no such day (31 January → 28 or 29
// February): never later than a reading of "one month" that counts whole
// days from the day after.
func addMonth(t time.Time) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// Deadlines are the event's three deadlines, judged at now. They are
// counted strictly, the earliest reading of the text: 24 and 72 hours from
// aware_at to the second; 14 days as 14 × 24 hours from when a corrective
// or mitigating measure is available; one month as the same time on the
// same day of the next month (or that month's last day).
//
//   - vulnerability (Art. 14(2)): early warning 24 h after becoming aware,
//     notification 72 h after, final report 14 days after a corrective or
//     mitigating measure is available (waiting until one is marked);
//   - incident (Art. 14(4)): early warning 24 h, notification 72 h, final
//     report one month after the incident notification — from its marked
//     submission, else provisionally from its deadline.
func Deadlines(e Event, now time.Time) []Deadline {
	aware := e.AwareAt.UTC()
	at := func(t time.Time) *time.Time { t = t.UTC(); return &t }
	var ds []Deadline
	if e.Kind == KindIncident {
		notif := aware.Add(72 * time.Hour)
		final := Deadline{Stage: Final, Basis: "Art. 14(4)(c)", Rule: "one month after the incident notification"}
		if s := e.Submissions.Notification; s != nil {
			final.Due = at(addMonth(s.SubmittedAt.UTC()))
		} else {
			final.Due = at(addMonth(notif))
			final.Provisional = true
			final.Rule += " (counted from the notification's deadline until it is marked submitted)"
		}
		ds = []Deadline{
			{Stage: EarlyWarning, Basis: "Art. 14(4)(a)", Rule: "24 hours after becoming aware", Due: at(aware.Add(24 * time.Hour))},
			{Stage: Notification, Basis: "Art. 14(4)(b)", Rule: "72 hours after becoming aware", Due: at(notif)},
			final,
		}
	} else {
		final := Deadline{Stage: Final, Basis: "Art. 14(2)(c)", Rule: "14 days after a corrective or mitigating measure is available"}
		if c := e.CorrectiveMeasureAvailableAt; c != nil {
			final.Due = at(c.Add(14 * 24 * time.Hour))
		}
		ds = []Deadline{
			{Stage: EarlyWarning, Basis: "Art. 14(2)(a)", Rule: "24 hours after becoming aware", Due: at(aware.Add(24 * time.Hour))},
			{Stage: Notification, Basis: "Art. 14(2)(b)", Rule: "72 hours after becoming aware", Due: at(aware.Add(72 * time.Hour))},
			final,
		}
	}
	for i := range ds {
		d := &ds[i]
		d.Submitted = e.Submissions.Of(d.Stage)
		d.State = judge(e, *d, now)
		if d.Due != nil {
			d.Left = d.Due.Sub(now)
			d.LeftSeconds = int64(d.Left / time.Second)
		}
	}
	return ds
}

func judge(e Event, d Deadline, now time.Time) State {
	if e.AwareAt.Before(ApplicationDate) {
		return StateNotApplicable
	}
	if s := d.Submitted; s != nil {
		if d.Due == nil || !s.SubmittedAt.After(*d.Due) {
			return StateMet
		}
		return StateMissed
	}
	if !e.Open() {
		return StateNotSubmitted
	}
	switch {
	case d.Due == nil:
		return StateWaiting
	case now.After(*d.Due):
		return StateOverdue
	case d.Due.Sub(now) <= SoonWindow:
		return StateDueSoon
	}
	return StateRunning
}

// FormatLeft says how far a deadline is, for a person: "5h 12m left",
// "overdue by 2d 3h".
func FormatLeft(d time.Duration) string {
	if d < 0 {
		return "overdue by " + span(-d)
	}
	return span(d) + " left"
}

func span(d time.Duration) string {
	d = d.Round(time.Minute)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h := d / time.Hour
	m := (d - h*time.Hour) / time.Minute
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}

// FormatTime writes an instant the way cemark shows it: UTC, RFC 3339, to
// the second.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// EventStatus is one event and its deadlines at a reference time.
type EventStatus struct {
	Event     Event      `json:"event"`
	Deadlines []Deadline `json:"deadlines"`
}

// Overdue lists the deadlines passed without the report marked submitted.
func (s EventStatus) Overdue() []Deadline { return s.in(StateOverdue) }

// DueSoon lists the deadlines within SoonWindow, not marked submitted.
func (s EventStatus) DueSoon() []Deadline { return s.in(StateDueSoon) }

func (s EventStatus) in(st State) []Deadline {
	var out []Deadline
	for _, d := range s.Deadlines {
		if d.State == st {
			out = append(out, d)
		}
	}
	return out
}

// Assess judges every event at now, in the order given.
func Assess(events []Event, now time.Time) []EventStatus {
	out := make([]EventStatus, 0, len(events))
	for _, e := range events {
		out = append(out, EventStatus{Event: e, Deadlines: Deadlines(e, now)})
	}
	return out
}
