package art14

import (
	"strings"
	"testing"
	"time"

	"github.com/cemark/cemark/checks/input"
	"github.com/cemark/cemark/internal/treetest"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func tp(s string) *time.Time { t := ts(s); return &t }

func due(t *testing.T, ds []Deadline, st Stage) Deadline {
	t.Helper()
	for _, d := range ds {
		if d.Stage == st {
			return d
		}
	}
	t.Fatalf("no %s deadline", st)
	return Deadline{}
}

func dueString(d Deadline) string {
	if d.Due == nil {
		return ""
	}
	return FormatTime(*d.Due)
}

// Art. 14(2): "(a) without undue delay and in any event within 24 hours of
// the manufacturer becoming aware of it, an early warning notification …;
// (b) … within 72 hours …; (c) … no later than 14 days after a corrective
// or mitigating measure is available, a final report".
func TestVulnerabilityDeadlines(t *testing.T) {
	e := Event{ID: "2026-11-05-cve-2026-1234", Kind: KindVulnerability, AwareAt: ts("2026-11-05T09:30:00Z"), Status: StatusOpen}
	now := ts("2026-11-05T12:00:00Z")
	ds := Deadlines(e, now)
	if got := dueString(due(t, ds, EarlyWarning)); got != "2026-11-06T09:30:00Z" {
		t.Errorf("early warning due %s, want 24 h after aware_at", got)
	}
	if got := dueString(due(t, ds, Notification)); got != "2026-11-08T09:30:00Z" {
		t.Errorf("notification due %s, want 72 h after aware_at", got)
	}
	if d := due(t, ds, Final); d.Due != nil || d.State != StateWaiting || d.Basis != "Art. 14(2)(c)" {
		t.Errorf("final report before a fix: %+v, want waiting with no due time", d)
	}
	if d := due(t, ds, EarlyWarning); d.State != StateDueSoon || d.Basis != "Art. 14(2)(a)" {
		t.Errorf("early warning 21.5 h before its deadline: %s, want due-soon", d.State)
	}
	// The 14 days run from the corrective measure, never from aware_at.
	e.CorrectiveMeasureAvailableAt = tp("2026-11-20T08:00:00+01:00")
	if got := dueString(due(t, Deadlines(e, now), Final)); got != "2026-12-04T07:00:00Z" {
		t.Errorf("final report due %s, want 14 days after the fix (in UTC)", got)
	}
	// Passed and not submitted: overdue; submitted late: missed; on time: met.
	later := ts("2026-11-06T10:00:00Z")
	if d := due(t, Deadlines(e, later), EarlyWarning); d.State != StateOverdue || !d.State.Failing() {
		t.Errorf("early warning after its deadline: %s, want overdue", d.State)
	}
	e.Submissions.EarlyWarning = &Submission{SubmittedAt: ts("2026-11-06T09:31:00Z"), By: "Jane"}
	e.Submissions.Notification = &Submission{SubmittedAt: ts("2026-11-07T09:00:00Z"), By: "Jane"}
	ds = Deadlines(e, later)
	if d := due(t, ds, EarlyWarning); d.State != StateMissed {
		t.Errorf("early warning submitted a minute late: %s, want missed", d.State)
	}
	if d := due(t, ds, Notification); d.State != StateMet {
		t.Errorf("notification submitted in time: %s, want met", d.State)
	}
	e.Status = StatusClosed
	if d := due(t, Deadlines(e, ts("2027-01-01T00:00:00Z")), Final); d.State != StateNotSubmitted || d.State.Failing() {
		t.Errorf("closed event's final report: %s, want closed-not-submitted, not failing", d.State)
	}
}

// Art. 14(4): "(c) … within one month after the submission of the incident
// notification under point (b), a final report".
func TestIncidentDeadlines(t *testing.T) {
	e := Event{Kind: KindIncident, AwareAt: ts("2026-12-28T10:00:00Z")}
	ds := Deadlines(e, ts("2026-12-28T11:00:00Z"))
	if d := due(t, ds, EarlyWarning); dueString(d) != "2026-12-29T10:00:00Z" || d.Basis != "Art. 14(4)(a)" {
		t.Errorf("incident early warning %s %s", dueString(d), d.Basis)
	}
	if d := due(t, ds, Notification); dueString(d) != "2026-12-31T10:00:00Z" || d.Basis != "Art. 14(4)(b)" {
		t.Errorf("incident notification %s %s", dueString(d), d.Basis)
	}
	// Before the notification is marked, the month runs from its deadline.
	if d := due(t, ds, Final); dueString(d) != "2027-01-31T10:00:00Z" || !d.Provisional || d.Basis != "Art. 14(4)(c)" {
		t.Errorf("provisional incident final report %s provisional=%v", dueString(d), d.Provisional)
	}
	// Then from the submission; 31 January + one month is the last day of February.
	e.Submissions.Notification = &Submission{SubmittedAt: ts("2027-01-31T08:00:00Z"), By: "Jane"}
	if d := due(t, Deadlines(e, ts("2027-02-01T00:00:00Z")), Final); dueString(d) != "2027-02-28T08:00:00Z" || d.Provisional {
		t.Errorf("incident final report %s provisional=%v, want one month after the notification's submission", dueString(d), d.Provisional)
	}
}

// Art. 71(2): Art. 14 applies from 11 September 2026.
func TestBeforeArticle14AppliedNoDeadlineCounts(t *testing.T) {
	e := Event{Kind: KindVulnerability, AwareAt: ts("2026-09-10T23:00:00Z")}
	for _, d := range Deadlines(e, ts("2026-12-01T00:00:00Z")) {
		if d.State != StateNotApplicable {
			t.Errorf("%s: %s, want not-applicable", d.Stage, d.State)
		}
	}
}

func TestCandidates(t *testing.T) {
	kev := tp("2026-10-01T00:00:00Z")
	obs := []Observation{
		// KEV-listed, first seen after it was listed: known since first seen.
		{VulnID: "CVE-2026-1", Package: "libfoo", Version: "1.2.3", PURL: "pkg:golang/example.com/libfoo@v1.2.3", KEVDateAdded: kev, FirstSeen: ts("2026-11-02T08:00:00Z")},
		{VulnID: "CVE-2026-1", Package: "libfoo", Version: "1.2.4", PURL: "pkg:golang/example.com/libfoo@v1.2.4", KEVDateAdded: kev},
		// Listed, but the manufacturer states it is not affected.
		{VulnID: "CVE-2026-2", Package: "libbar", Version: "2.0.0", KEVDateAdded: kev, VEXStatus: VEXNotAffected},
		// Not listed: not actively exploited as far as the evidence says.
		{VulnID: "CVE-2026-3", Package: "libbaz", Version: "0.1.0"},
		// Listed after it was first seen: known since the KEV date.
		{VulnID: "CVE-2026-4", Package: "libqux", Version: "3.0.0", KEVDateAdded: tp("2026-11-10T00:00:00Z"), FirstSeen: ts("2026-06-01T00:00:00Z")},
	}
	events := []Event{{ID: "2026-11-11-cve-2026-4", Vulnerabilities: []string{"CVE-2026-4"}}}
	got := Candidates(obs, events)
	if len(got) != 2 || got[0].VulnID != "CVE-2026-1" || got[1].VulnID != "CVE-2026-4" {
		t.Fatalf("candidates %+v, want CVE-2026-1 and CVE-2026-4", got)
	}
	c := got[0]
	if FormatTime(c.KnownSince) != "2026-11-02T08:00:00Z" || c.KnownSinceBasis != "first seen in the evidence history" || len(c.Components) != 2 || c.EventID != "" {
		t.Errorf("CVE-2026-1: %+v", c)
	}
	if r := c.Reason(); !strings.Contains(r, "Known Exploited Vulnerabilities") || !strings.Contains(r, "24 hours") || !strings.Contains(r, "14 days after a corrective") {
		t.Errorf("reason does not say why and which clock would run: %s", r)
	}
	if c := got[1]; FormatTime(c.KnownSince) != "2026-11-10T00:00:00Z" || c.EventID != "2026-11-11-cve-2026-4" {
		t.Errorf("CVE-2026-4: known since %s (%s), event %q", FormatTime(c.KnownSince), c.KnownSinceBasis, c.EventID)
	}
}

func TestLoadEventsNamesFileLineColumn(t *testing.T) {
	root := t.TempDir()
	treetest.WriteFile(t, root, "docs/cra/reports/2026-11-05-cve-2026-1234/event.yaml",
		"kind: vulnerability\ntitle: x\naware_at: 2026-11-05T09:30:00Z\nstatus: opne\nvulnerabilities: [CVE-1]\nsubmissions:\n  early_warning: {by: Jane}\n")
	treetest.WriteFile(t, root, "docs/cra/reports/2026-11-06-incident-x/event.yaml", "kind: incident\ntitle: y\naware_at: yesterday\n")
	_, err := LoadEvents(root, nil)
	if !input.IsUsage(err) {
		t.Fatalf("not a usage error (exit 2): %v", err)
	}
	for _, want := range []string{
		`docs/cra/reports/2026-11-05-cve-2026-1234/event.yaml:4:9: invalid value "opne" for status; expected one of: open, closed`,
		`docs/cra/reports/2026-11-05-cve-2026-1234/event.yaml:7:18: submissions.early_warning has no submitted_at`,
		`docs/cra/reports/2026-11-06-incident-x/event.yaml:3:11: invalid value "yesterday" for aware_at; expected a time in RFC 3339`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
