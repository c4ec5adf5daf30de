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
	// The final report's 14 days now run from the fix.
	if d := Deadlines(e, ts("2026-11-08T00:00:00Z"))[2]; d.Stage != Final || d.Due == nil || FormatTime(*d.Due) != "2026-11-21T12:00:00Z" {
		t.Errorf("final report after cemark report fixed: %+v", d)
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
