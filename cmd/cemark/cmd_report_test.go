package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestReportOpenThenStatus follows one event with a fixed clock (--now):
// the three deadlines of Art. 14(2), exit 3 once one passed unsubmitted,
// the 14 days counted from the fix, and an incident's month from its
// notification (Art. 14(4)).
func TestReportOpenThenStatus(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cemark.yaml"), []byte("product: {name: Example Gateway, version: 1.4.0}\nreporting: {member_state: DK, csirt: CFCS, submitters: [Jane Doe]}\n"), 0o644)
	code, stdout, stderr := cli(t, nil, "report", "open", "--root", dir, "--kind", "vulnerability", "--vuln", "CVE-2026-1234",
		"--title", "Remote code execution in libfoo", "--aware-at", "2026-11-05T10:30:00+01:00", "--now", "2026-11-05T10:00:00Z")
	if code != exitOK || strings.TrimSpace(stdout) != "2026-11-05-cve-2026-1234" {
		t.Fatalf("open: exit %d %q\n%s", code, stdout, stderr)
	}
	id := "2026-11-05-cve-2026-1234"
	status := func(now string) (int, map[string]string, string) {
		code, out, errOut := cli(t, nil, "report", "status", "--root", dir, "--now", now, "--json")
		var r struct {
			Events []struct {
				Deadlines []struct {
					Stage string `json:"stage"`
					Due   string `json:"due"`
					State string `json:"state"`
				} `json:"deadlines"`
			} `json:"events"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Events) != 1 {
			t.Fatalf("status --json: %v\n%s%s", err, out, errOut)
		}
		got := map[string]string{}
		for _, d := range r.Events[0].Deadlines {
			got[d.Stage] = d.Due + " " + d.State
		}
		return code, got, out
	}
	code, got, _ := status("2026-11-05T12:00:00Z")
	want := map[string]string{"early-warning": "2026-11-06T09:30:00Z due-soon", "notification": "2026-11-08T09:30:00Z running", "final": " waiting"}
	if code != exitOK || !equalMaps(got, want) {
		t.Errorf("status: exit %d %v, want 0 %v", code, got, want)
	}
	code, got, _ = status("2026-11-06T09:30:01Z")
	if code != exitNotConformant || got["early-warning"] != "2026-11-06T09:30:00Z overdue" {
		t.Errorf("a second past the early warning: exit %d %v, want 3 and overdue", code, got)
	}
	if code, _, stderr := cli(t, nil, "report", "submitted", id, "--root", dir, "--stage", "early-warning", "--at", "2026-11-05T20:00:00Z", "--by", "Jane Doe"); code != exitOK {
		t.Fatalf("submitted: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := cli(t, nil, "report", "fixed", id, "--root", dir, "--at", "2026-11-10T08:00:00Z", "--fixed-version", "1.4.1"); code != exitOK {
		t.Fatalf("fixed: exit %d\n%s", code, stderr)
	}
	code, got, _ = status("2026-11-07T12:00:00Z")
	if code != exitOK || got["early-warning"] != "2026-11-06T09:30:00Z met" || got["final"] != "2026-11-24T08:00:00Z running" {
		t.Errorf("after submission and fix: exit %d %v", code, got)
	}
	code, text, _ := cli(t, nil, "report", "status", "--root", dir, "--now", "2026-11-07T12:00:00Z")
	if !strings.Contains(text, "2026-11-08T09:30:00Z") || !strings.Contains(text, "21h 30m left") {
		t.Errorf("status table:\n%s", text)
	}

	// An incident: the final report one month after the notification.
	code, stdout, stderr = cli(t, nil, "report", "open", "--root", dir, "--kind", "incident", "--title", "Build server compromised",
		"--aware-at", "2026-11-05T09:30:00Z", "--now", "2026-11-05T10:00:00Z")
	if code != exitOK {
		t.Fatalf("open incident: exit %d\n%s", code, stderr)
	}
	inc := strings.TrimSpace(stdout)
	cli(t, nil, "report", "submitted", inc, "--root", dir, "--stage", "notification", "--at", "2026-11-06T09:00:00Z", "--by", "Jane Doe")
	_, out, _ := cli(t, nil, "report", "status", "--root", dir, "--now", "2026-11-07T12:00:00Z", "--json")
	if !strings.Contains(out, `"due": "2026-12-06T09:00:00Z"`) {
		t.Errorf("incident final report not one month after the notification:\n%s", out)
	}

	// Bad input: exit 2 before anything is written.
	for _, args := range [][]string{
		{"report", "open", "--root", dir, "--kind", "breach", "--title", "x", "--aware-at", "2026-11-05T09:30:00Z"},
		{"report", "open", "--root", dir, "--kind", "incident", "--title", "x", "--aware-at", "5 Nov 2026"},
		{"report", "submitted", id, "--root", dir, "--stage", "final-report", "--at", "2026-11-05T20:00:00Z", "--by", "Jane Doe"},
		{"report", "draft", "no-such-event", "--root", dir, "--stage", "final"},
	} {
		if code, _, stderr := cli(t, nil, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
		}
	}
}

func TestReportDraftAdvisoryNotice(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cemark.yaml"), []byte(`product: {name: Example Gateway, version: 1.4.0}
manufacturer: {name: Example ApS, website: "https://example.com"}
advisories: {folder: advisories}
reporting: {member_state: DK, csirt: CFCS, available_in: [DK]}
`), 0o644)
	_, stdout, _ := cli(t, nil, "report", "open", "--root", dir, "--kind", "vulnerability", "--vuln", "CVE-2026-1234",
		"--title", "RCE in libfoo", "--aware-at", "2026-11-05T09:30:00Z", "--now", "2026-11-05T10:00:00Z")
	id := strings.TrimSpace(stdout)
	code, out, stderr := cli(t, nil, "report", "draft", id, "--root", dir, "--stage", "early-warning")
	if code != exitOK || !strings.Contains(out, "early-warning.md") || !strings.Contains(stderr, "UNSIGNED") || !strings.Contains(stderr, "never submits") {
		t.Fatalf("draft: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := cli(t, nil, "report", "advisory", id, "--root", dir); code != exitUsage || !strings.Contains(stderr, "cemark report fixed") {
		t.Errorf("advisory before a fix: exit %d\n%s", code, stderr)
	}
	cli(t, nil, "report", "fixed", id, "--root", dir, "--at", "2026-11-07T12:00:00Z", "--fixed-version", "1.4.1")
	if code, out, stderr := cli(t, nil, "report", "advisory", id, "--root", dir); code != exitOK || strings.TrimSpace(out) != "advisories/2026-11-05-cve-2026-1234.json" {
		t.Fatalf("advisory: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = cli(t, nil, "report", "notice", id, "--root", dir)
	if code != exitOK || !strings.Contains(out, "notice.da.md") {
		t.Fatalf("notice: exit %d\n%s%s", code, out, stderr)
	}
	da, _ := os.ReadFile(filepath.Join(dir, "docs", "cra", "reports", id, "notice.da.md"))
	if !strings.Contains(string(da), "`advisories/2026-11-05-cve-2026-1234.json`") {
		t.Errorf("the notice does not point to the advisory:\n%s", da)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestRunShowsArt14Events: an event recorded with `cemark report open`
// reaches the technical file (03 lists it with its deadlines, 04 links
// Part II (2) and (8) to it) and, with its early warning due within 24
// hours, the run's failing findings list CEM-RPT-002 first. The file reads
// no clock: the same commit renders the same file a day later. An event
// file that does not read stops the run with exit 2 at file:line:column.
func TestRunShowsArt14Events(t *testing.T) {
	dir := product(t)
	aware := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	code, stdout, stderr := cli(t, nil, "report", "open", "--root", dir, "--kind", "vulnerability", "--vuln", "CVE-2026-1234",
		"--title", "Remote code execution in libfoo", "--aware-at", aware.Format(time.RFC3339))
	if code != exitOK {
		t.Fatalf("open: exit %d\n%s", code, stderr)
	}
	id := strings.TrimSpace(stdout)
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-q", "-m", "Art. 14 event")

	code, _, stderr = cli(t, nil, "run", dir)
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	failing := stderr[strings.Index(stderr, "Failing"):]
	if first := strings.SplitN(strings.TrimSpace(failing), "\n", 3)[1]; !strings.Contains(first, "CEM-RPT-002 high") || !strings.Contains(first, "docs/cra/reports/"+id+"/event.yaml") {
		t.Errorf("the first failing finding is not the Art. 14 deadline: %q\n%s", first, stderr)
	}
	vuln := string(mustRead(t, filepath.Join(dir, "docs", "cra", "03-vulnerability-handling.md")))
	due := aware.Add(24 * time.Hour).Format(time.RFC3339)
	if !strings.Contains(vuln, "| ["+id+"](reports/"+id+"/event.yaml): Remote code execution in libfoo | actively exploited vulnerability (Art. 14(1)) | "+aware.Format(time.RFC3339)+
		" | not marked submitted; due "+due+" (Art. 14(2)(a)) |") {
		t.Errorf("03-vulnerability-handling.md does not list the event:\n%s", vuln)
	}
	if risk := string(mustRead(t, filepath.Join(dir, "docs", "cra", "04-risk-assessment.md"))); strings.Count(risk, "[Art. 14 events](03-vulnerability-handling.md#art-14-events) (1 open, 0 closed)") != 2 {
		t.Errorf("04-risk-assessment.md does not link Part II (2) and (8) to the events")
	}
	gitIn(t, dir, "add", "docs/cra")
	gitIn(t, dir, "commit", "-q", "-m", "docs: the technical file")
	if code, out, stderr := cli(t, nil, "docs", dir, "--check"); code != exitOK {
		t.Errorf("docs --check: exit %d\n%s%s", code, out, stderr)
	}

	event := filepath.Join(dir, "docs", "cra", "reports", id, "event.yaml")
	if err := os.WriteFile(event, append(mustRead(t, event), "severity: high\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = cli(t, nil, "run", dir, "--no-docs")
	if code != exitUsage || !regexp.MustCompile(`docs/cra/reports/`+regexp.QuoteMeta(id)+`/event\.yaml:\d+:\d+: unknown key "severity"`).MatchString(stderr) {
		t.Errorf("a broken event file: exit %d, want 2 naming file:line:column\n%s", code, stderr)
	}
}
