package report

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/art14"
	"github.com/cemark/cemark/evidence/config"
)

func target(t *testing.T, root string, now time.Time, cfg *config.Config) *checks.Target {
	t.Helper()
	tg, err := checks.NewTarget(context.Background(), root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg.Now = now
	return tg
}

func run(t *testing.T, tg *checks.Target) map[string][]checks.Finding {
	t.Helper()
	reg, err := checks.NewRegistry(Checks()...)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := checks.Run(context.Background(), reg, tg, checks.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]checks.Finding{}
	for _, r := range rep.Results {
		out[r.ID] = r.Findings
	}
	return out
}

func TestKEVCandidateBecomesCEMRPT001(t *testing.T) {
	root := t.TempDir()
	kev := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tg := target(t, root, time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC), nil)
	if f := run(t, tg)[IDCandidate]; len(f) != 1 || f[0].Outcome != checks.Info || !strings.Contains(f[0].Message, "not assessed") {
		t.Fatalf("without a scan: %+v", f)
	}
	tg = target(t, root, time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC), nil)
	ProvideObservations(tg, []art14.Observation{
		{VulnID: "CVE-2026-1234", Package: "libfoo", Version: "1.2.3", PURL: "pkg:golang/example.com/libfoo@v1.2.3", KEVDateAdded: &kev,
			FirstSeen: time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)},
		{VulnID: "CVE-2026-9", Package: "libbar", Version: "1.0.0", KEVDateAdded: &kev, VEXStatus: art14.VEXNotAffected},
	})
	f := run(t, tg)[IDCandidate]
	if len(f) != 1 || f[0].Outcome != checks.Fail || f[0].Severity != checks.SeverityHigh || f[0].Key != "CVE-2026-1234" {
		t.Fatalf("CEM-RPT-001: %+v", f)
	}
	for _, want := range []string{"Known Exploited Vulnerabilities", "2026-11-03T08:00:00Z (first seen in the evidence history)",
		"early warning within 24 hours", "cemark report open --kind vulnerability --vuln CVE-2026-1234", "does not decide whether you are aware"} {
		if !strings.Contains(f[0].Message, want) {
			t.Errorf("message lacks %q:\n%s", want, f[0].Message)
		}
	}
	if got := strings.Join(f[0].CRA, "; "); !strings.Contains(got, "Art. 14(1)") {
		t.Errorf("CRA %s", got)
	}
}

func writeEvent(t *testing.T, root, id, body string) {
	t.Helper()
	p := filepath.Join(root, "docs", "cra", "reports", id, "event.yaml")
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDeadlineWithin24HoursFailsInCI(t *testing.T) {
	root := t.TempDir()
	writeEvent(t, root, "2026-11-05-cve-2026-1234", "kind: vulnerability\ntitle: RCE in libfoo\naware_at: 2026-11-05T09:30:00Z\nvulnerabilities: [CVE-2026-1234]\n")
	cases := []struct {
		now      time.Time
		outcomes string
	}{
		// 2.5 h after becoming aware: the early warning is due within 24 h.
		{time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC), "fail/high/early-warning"},
		// After 24 h without it: overdue; the notification now due within 24 h.
		{time.Date(2026, 11, 7, 10, 0, 0, 0, time.UTC), "fail/critical/early-warning fail/high/notification"},
	}
	for _, c := range cases {
		f := run(t, target(t, root, c.now, nil))[IDDeadline]
		var got []string
		for _, x := range f {
			got = append(got, string(x.Outcome)+"/"+string(x.Severity)+"/"+x.Values["stage"])
		}
		if strings.Join(got, " ") != c.outcomes {
			t.Errorf("at %s: %v, want %s", c.now, got, c.outcomes)
		}
		if f[0].Path != "docs/cra/reports/2026-11-05-cve-2026-1234/event.yaml" || !strings.Contains(f[0].Message, "2026-11-06T09:30:00Z") {
			t.Errorf("finding %+v", f[0])
		}
	}
	// A broken event file is a failure with its position.
	writeEvent(t, root, "2026-11-06-incident-x", "kind: incidnet\ntitle: x\naware_at: 2026-11-06T00:00:00Z\n")
	f := run(t, target(t, root, time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC), nil))[IDDeadline]
	found := false
	for _, x := range f {
		if x.Key == "event-file" {
			found = x.Outcome == checks.Fail && x.Path == "docs/cra/reports/2026-11-06-incident-x/event.yaml" && x.Line == 1 && x.Column == 7
		}
	}
	if !found {
		t.Errorf("broken event file not reported with its position: %+v", f)
	}
}

func TestSetup(t *testing.T) {
	root := t.TempDir()
	f := run(t, target(t, root, time.Now(), &config.Config{Reporting: config.Reporting{MemberState: "DK"}}))[IDSetup]
	if len(f) != 1 || f[0].Outcome != checks.Warn || !strings.Contains(f[0].Message, "reporting.csirt") || strings.Contains(f[0].Message, "reporting.member_state") {
		t.Errorf("setup: %+v", f)
	}
}
