package report

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/failure"
)

var update = flag.Bool("update", false, "rewrite the golden files")

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

func TestNewIDIsReadableAndDeterministic(t *testing.T) {
	aware := ts("2026-11-05T23:30:00-02:00") // 6 November in UTC
	if id := NewID(KindVulnerability, "x", aware, []string{"CVE-2026-1234"}, nil); id != "2026-11-06-cve-2026-1234" {
		t.Errorf("id %s", id)
	}
	taken := map[string]bool{"2026-11-06-incident-build-server-compromised-at-night": true}
	id := NewID(KindIncident, "Build server compromised at night!", aware, nil, func(s string) bool { return taken[s] })
	if id != "2026-11-06-incident-build-server-compromised-at-night-2" || !IDPattern.MatchString(id) {
		t.Errorf("id %s", id)
	}
}

func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadEventsNamesFileLineColumn(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "docs/cra/reports/2026-11-05-cve-2026-1234/event.yaml",
		"kind: vulnerability\ntitle: x\naware_at: 2026-11-05T09:30:00Z\nstatus: opne\nvulnerabilities: [CVE-1]\nsubmissions:\n  early_warning: {by: Jane}\n")
	writeFile(t, root, "docs/cra/reports/2026-11-06-incident-x/event.yaml", "kind: incident\ntitle: y\naware_at: yesterday\n")
	_, err := LoadEvents(root, nil)
	if failure.KindOf(err) != failure.ErrUsage {
		t.Fatalf("exit %v, want 2: %v", failure.KindOf(err), err)
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

func fixture(t *testing.T) (string, *config.Config) {
	t.Helper()
	root := t.TempDir()
	cfg, err := config.Parse("cemark.yaml", []byte(`product: {name: Example Gateway, version: 1.4.0, description: Home automation gateway}
manufacturer: {name: Example ApS, website: "https://example.com"}
security: {contact: security@example.com, cvd_policy: "https://example.com/security"}
updates: {mechanism: OTA via Mender, automatic: true}
advisories: {folder: advisories}
reporting: {member_state: DK, csirt: CFCS, contact: security@example.com, submitters: [Jane Doe], available_in: [DK, SE]}
`))
	if err != nil {
		t.Fatal(err)
	}
	return root, cfg
}

func evidenceFixture() *Evidence {
	return &Evidence{SBOMPath: ".cemark/sbom.cdx.json",
		Product:    &Component{Name: "example.com/gateway", Version: "v1.4.0", PURL: "pkg:golang/example.com/gateway@v1.4.0"},
		Components: []Component{{Name: "example.com/libfoo", Version: "v1.2.3", PURL: "pkg:golang/example.com/libfoo@v1.2.3"}},
		VEX:        []VEXStatement{{VulnID: "CVE-2026-1234", Status: VEXAffected, Detail: "Reachable through the MQTT bridge."}},
		Observations: []Observation{{VulnID: "CVE-2026-1234", Package: "example.com/libfoo", Version: "v1.2.3",
			KEVDateAdded: tp("2026-11-01T00:00:00Z")}},
	}
}

func openFixture(t *testing.T, root string, cfg *config.Config, kind string) Event {
	t.Helper()
	o := OpenOptions{Kind: kind, Title: "Remote code execution in libfoo", AwareAt: ts("2026-11-05T09:30:00Z"), Now: ts("2026-11-05T10:00:00Z")}
	if kind == KindVulnerability {
		o.Vulns = []string{"CVE-2026-1234"}
		o.Components = []string{"pkg:golang/example.com/libfoo@v1.2.3"}
	} else {
		o.Title = "Build server compromised"
	}
	e, err := OpenEvent(root, cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The elements of each stage, exactly as Art. 14(2) and (4) list them:
//
// Art. 14(2)(a) early warning: "where applicable, the Member States on the
// territory of which the manufacturer is aware that their product … has
// been made available"; (b) notification: "general information, where
// available, about the product …, the general nature of the exploit and of
// the vulnerability concerned as well as any corrective or mitigating
// measures taken, and corrective or mitigating measures that users can
// take, and … how sensitive the manufacturer considers the notified
// information to be"; (c) final report: "(i) a description of the
// vulnerability, including its severity and impact; (ii) where available,
// information concerning any malicious actor …; (iii) details about the
// security update or other corrective measures …".
//
// Art. 14(4)(a) early warning: "at least whether the incident is suspected
// of being caused by unlawful or malicious acts" and the Member States;
// (b) notification: "the nature of the incident, an initial assessment of
// the incident, as well as any corrective or mitigating measures taken,
// and corrective or mitigating measures that users can take, and … how
// sensitive …"; (c) final report: "(i) a detailed description of the
// incident, including its severity and impact; (ii) the type of threat or
// root cause …; (iii) applied and ongoing mitigation measures".
func TestDraftsHoldExactlyTheElementsOfArticle14(t *testing.T) {
	want := map[string]map[Stage]string{
		KindVulnerability: {
			EarlyWarning: "member_states=Art. 14(2)(a)",
			Notification: "product=Art. 14(2)(b) exploit_nature=Art. 14(2)(b) vulnerability_nature=Art. 14(2)(b) measures_taken=Art. 14(2)(b) user_measures=Art. 14(2)(b) sensitivity=Art. 14(2)(b)",
			Final:        "description=Art. 14(2)(c)(i) malicious_actor=Art. 14(2)(c)(ii) security_update=Art. 14(2)(c)(iii)",
		},
		KindIncident: {
			EarlyWarning: "suspected_malicious=Art. 14(4)(a) member_states=Art. 14(4)(a)",
			Notification: "incident_nature=Art. 14(4)(b) initial_assessment=Art. 14(4)(b) measures_taken=Art. 14(4)(b) user_measures=Art. 14(4)(b) sensitivity=Art. 14(4)(b)",
			Final:        "description=Art. 14(4)(c)(i) root_cause=Art. 14(4)(c)(ii) mitigations=Art. 14(4)(c)(iii)",
		},
	}
	root, cfg := fixture(t)
	for kind, stages := range want {
		e := openFixture(t, root, cfg, kind)
		for stage, elements := range stages {
			d, err := BuildDraft(DraftInput{Event: e, Config: cfg, Evidence: evidenceFixture()}, stage)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, el := range d.Elements {
				got = append(got, el.ID+"="+el.Basis)
				// Each element is filled from the evidence or marked to write.
				if len(el.Evidence) == 0 && el.ToWrite == "" {
					t.Errorf("%s %s: element %s is neither filled nor marked to write", kind, stage, el.ID)
				}
			}
			if g := strings.Join(got, " "); g != elements {
				t.Errorf("%s %s elements:\n got %s\nwant %s", kind, stage, g, elements)
			}
			md := string(d.Markdown())
			for _, el := range d.Elements {
				if el.ToWrite != "" && !strings.Contains(md, "> **To write (manufacturer):** "+el.ToWrite) {
					t.Errorf("%s %s: the Markdown does not mark %s as to write", kind, stage, el.ID)
				}
			}
			if !strings.Contains(md, "not submitted") || strings.Contains(strings.ToLower(md), "has been submitted") {
				t.Errorf("%s %s: the draft must say it is not submitted", kind, stage)
			}
			if !strings.Contains(md, "CFCS (DK)") || !strings.Contains(md, "Art. 14(7)") {
				t.Errorf("%s %s: the draft does not say where it goes (Art. 14(7))", kind, stage)
			}
		}
	}
}

func TestDraftFilledFromEvidence(t *testing.T) {
	root, cfg := fixture(t)
	e := openFixture(t, root, cfg, KindVulnerability)
	ew, _ := BuildDraft(DraftInput{Event: e, Config: cfg}, EarlyWarning)
	if f := ew.Elements[0].Evidence; len(f) != 1 || f[0].Text != "DK, SE" || !strings.Contains(f[0].Source, "stated, not verified") {
		t.Errorf("member states: %+v", f)
	}
	// Art. 64(10)(a): no fines on micro and small enterprises for a missed 24-hour early warning.
	if n := ew.Notes[0]; n.Basis != "Art. 64(10)(a)" || !strings.Contains(n.Text, "not fined") {
		t.Errorf("early-warning note %+v", n)
	}
	n, _ := BuildDraft(DraftInput{Event: e, Config: cfg, Evidence: evidenceFixture()}, Notification)
	js := string(n.JSON())
	for _, want := range []string{`"schema": "https://cemark.dev/art14-draft/v1"`, "Affected component: example.com/libfoo@v1.2.3 (pkg:golang/example.com/libfoo@v1.2.3)",
		"VEX CVE-2026-1234: affected: Reachable through the MQTT bridge.", "CVE-2026-1234 added to CISA's Known Exploited Vulnerabilities catalogue on 2026-11-01",
		"Package URL of the product: pkg:golang/example.com/gateway@v1.4.0", "Versions affected: 1.4.0", "NOT submitted"} {
		if !strings.Contains(js, want) {
			t.Errorf("notification JSON lacks %q", want)
		}
	}
	if gaps := strings.Join(n.Gaps(), " "); gaps != "exploit_nature vulnerability_nature measures_taken user_measures sensitivity" {
		t.Errorf("gaps before a fix: %s", gaps)
	}
}

func TestWriteDraftAttestsAndNeverOverwritesAnEdit(t *testing.T) {
	root, cfg := fixture(t)
	e := openFixture(t, root, cfg, KindVulnerability)
	o := Options{Root: root, Config: cfg, ToolVersion: "test"}
	ctx := context.Background()
	_, w, err := WriteDraft(ctx, o, e, EarlyWarning)
	if err != nil {
		t.Fatal(err)
	}
	dir := "docs/cra/reports/" + e.ID
	if strings.Join(w.Files, " ") != dir+"/early-warning.json "+dir+"/early-warning.md" || w.Attestation != dir+"/early-warning.dsse.json" || w.Signed {
		t.Fatalf("written %+v", w)
	}
	digests := attestedDigests(root, w.Attestation)
	if len(digests) != 2 || digests[dir+"/early-warning.md"] == "" {
		t.Fatalf("statement subjects %v", digests)
	}
	// Again: nothing changes, nothing is refused.
	if _, w, err = WriteDraft(ctx, o, e, EarlyWarning); err != nil || len(w.Files) != 0 || len(w.Unchanged) != 2 {
		t.Fatalf("second draft: %+v %v", w, err)
	}
	// cemark's own earlier draft is replaced when the event changes …
	e2, err := MarkSubmitted(root, cfg, e, MarkOptions{Stage: EarlyWarning, At: ts("2026-11-05T20:00:00Z"), By: "Jane Doe"})
	if err != nil {
		t.Fatal(err)
	}
	e2.AwareAt = ts("2026-11-05T09:00:00Z")
	if _, w, err = WriteDraft(ctx, o, e2, EarlyWarning); err != nil || len(w.Files) != 2 {
		t.Fatalf("redraft of cemark's own draft: %+v %v", w, err)
	}
	// … but a person's words never are.
	md := filepath.Join(root, dir, "early-warning.md")
	b, _ := os.ReadFile(md)
	os.WriteFile(md, append(b, []byte("\nThe exploit needs local network access.\n")...), 0o644)
	_, _, err = WriteDraft(ctx, o, e, EarlyWarning)
	var edited *EditedError
	if !errors.As(err, &edited) || failure.KindOf(err) != failure.ErrUsage {
		t.Fatalf("redraft over an edited file: %v, want an EditedError with exit 2", err)
	}
	if after, _ := os.ReadFile(md); !bytes.Contains(after, []byte("local network access")) {
		t.Fatal("the person's words were overwritten")
	}
}

func TestMarkEditsKeepThePersonsComments(t *testing.T) {
	root, cfg := fixture(t)
	e := openFixture(t, root, cfg, KindVulnerability)
	p := filepath.Join(root, filepath.FromSlash(e.Path))
	b, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(b, []byte("status: open"), []byte("status: open # triaged by Jane"), 1), 0o644)
	e, err := MarkFixed(root, e, ts("2026-11-07T12:00:00Z"), []string{"1.4.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MarkSubmitted(root, cfg, e, MarkOptions{Stage: Final, At: ts("2026-11-08T12:00:00Z"), By: "Mallory"}); failure.KindOf(err) != failure.ErrUsage {
		t.Errorf("a submitter not in reporting.submitters: %v, want exit 2", err)
	}
	after, _ := os.ReadFile(p)
	for _, want := range []string{"# triaged by Jane", "corrective_measure_available_at: 2026-11-07T12:00:00Z", "fixed_versions: [1.4.1]", "member_state: DK", "csirt: CFCS"} {
		if !bytes.Contains(after, []byte(want)) {
			t.Errorf("event.yaml lacks %q:\n%s", want, after)
		}
	}
	if d := due(t, Deadlines(e, ts("2026-11-08T00:00:00Z")), Final); dueString(d) != "2026-11-21T12:00:00Z" {
		t.Errorf("final report after cemark report fixed: %s", dueString(d))
	}
}

func TestNoticeGolden(t *testing.T) {
	root, cfg := fixture(t)
	e := openFixture(t, root, cfg, KindVulnerability)
	e, err := MarkFixed(root, e, ts("2026-11-07T12:00:00Z"), []string{"1.4.1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range NoticeLangs {
		got, err := BuildNotice(NoticeInput{Event: e, Config: cfg, AdvisoryPath: "advisories/2026-11-05-cve-2026-1234.json"}, lang)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "notice."+lang+".md", got)
	}
	// Art. 14(8): inform users "of any risk mitigation and corrective
	// measures that the users can deploy"; with no fix yet, that is a gap.
	e.FixedVersions = nil
	da, _ := BuildNotice(NoticeInput{Event: e, Config: cfg}, "da")
	golden(t, "notice-no-fix.da.md", da)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", p)
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./evidence/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

func TestStatusText(t *testing.T) {
	e := Event{ID: "2026-11-05-cve-2026-1234", Kind: KindVulnerability, AwareAt: ts("2026-11-05T09:30:00Z")}
	r := BuildStatus([]Event{e}, ts("2026-11-06T12:00:00Z"), false)
	txt := string(r.Text())
	if r.Overdue != 1 || !strings.Contains(txt, "2026-11-06T09:30:00Z  overdue by 2h 30m") || !strings.Contains(txt, "1d 21h left") {
		t.Errorf("status:\n%s", txt)
	}
}
