package github

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/conformity"
)

func TestConformityOutput(t *testing.T) {
	for in, want := range map[string]string{
		"evidence-complete": EvidenceComplete, "failing-findings": FailingFindings, "no-failing-finding": Incomplete, "incomplete": Incomplete, "": Incomplete,
	} {
		if got := ConformityOutput(in); got != want {
			t.Errorf("ConformityOutput(%q) = %q, want %q", in, got, want)
		}
	}
}

func reportWith(n int) *checks.Report {
	r := &checks.Report{}
	res := checks.Result{Meta: checks.Meta{ID: "CEM-DEF-001", Severity: checks.SeverityHigh}}
	for i := 0; i < n; i++ {
		res.Findings = append(res.Findings, checks.Finding{Check: "CEM-DEF-001", Outcome: checks.Fail, Severity: checks.SeverityHigh,
			Message: fmt.Sprintf("finding %02d", i), Path: "Dockerfile", Line: i + 1, CRA: []string{"Annex I Part I (2)(b)"}})
	}
	res.Findings = append(res.Findings,
		checks.Finding{Check: "CEM-PORT-001", Outcome: checks.Warn, Severity: checks.SeverityMedium, Message: "port | 23", Path: "compose.yaml", Line: 4},
		checks.Finding{Check: "CEM-PORT-002", Outcome: checks.Info, Severity: checks.SeverityInfo, Message: "image port", Path: "ghcr.io/acme/widget:1"},
		checks.Finding{Check: "CEM-DEF-002", Outcome: checks.Pass, Message: "fine"},
		checks.Finding{Check: "CEM-DEF-003", Outcome: checks.Waived, Message: "waived"},
	)
	r.Results = []checks.Result{res, {Meta: checks.Meta{ID: "CEM-VH-001", Severity: checks.SeverityHigh}, Outcome: checks.Error, Error: "policy unreadable"}}
	return r
}

func TestAnnotations(t *testing.T) {
	got := Annotations(reportWith(2), MaxAnnotationsPerLevel, ".cemark/report.md")
	want := []Annotation{
		{Level: LevelError, File: "Dockerfile", Line: 1, Title: "CEM-DEF-001 (high)", Message: "finding 00 [Annex I Part I (2)(b)]"},
		{Level: LevelError, File: "Dockerfile", Line: 2, Title: "CEM-DEF-001 (high)", Message: "finding 01 [Annex I Part I (2)(b)]"},
		{Level: LevelWarning, Title: "CEM-VH-001 (high)", Message: "the check could not run: policy unreadable"},
		{Level: LevelWarning, File: "compose.yaml", Line: 4, Title: "CEM-PORT-001 (medium)", Message: "port | 23"},
		{Level: LevelNotice, Title: "cemark", Message: "1 more finding(s) not annotated (at most 10 errors and 10 warnings per step, worst first): all of them are in the job summary and .cemark/report.md"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
}

// TestAnnotationCap: GitHub shows at most 10 errors and 10 warnings per
// step, so cemark sends the 10 worst of each, then one notice that counts
// the rest and says where they are.
func TestAnnotationCap(t *testing.T) {
	r := reportWith(25)
	res := &r.Results[0]
	for i := 0; i < 15; i++ {
		sev := checks.SeverityLow
		if i == 14 {
			sev = checks.SeverityHigh // listed last, annotated first
		}
		res.Findings = append(res.Findings, checks.Finding{Check: "CEM-DEF-004", Outcome: checks.Warn, Severity: sev,
			Message: fmt.Sprintf("warning %02d", i), Path: "compose.yaml", Line: 100 + i})
	}
	// One failing finding of critical severity, listed last.
	res.Findings = append(res.Findings, checks.Finding{Check: "CEM-DEF-005", Outcome: checks.Fail, Severity: checks.SeverityCritical,
		Message: "hard-coded password", Path: "config/app.env", Line: 3})
	got := Annotations(r, MaxAnnotationsPerLevel, ".cemark/report.md")
	count := map[Level]int{}
	for _, a := range got {
		count[a.Level]++
	}
	if count[LevelError] != 10 || count[LevelWarning] != 10 || count[LevelNotice] != 1 {
		t.Fatalf("levels = %v, want 10 errors, 10 warnings, 1 notice", count)
	}
	if got[0].Title != "CEM-DEF-005 (critical)" {
		t.Errorf("first annotation %+v: the most severe comes first", got[0])
	}
	firstWarn := got[10]
	if firstWarn.Level != LevelWarning || firstWarn.Title != "CEM-VH-001 (high)" && firstWarn.Message != "warning 14" {
		t.Errorf("first warning %+v: the most severe warnings come first", firstWarn)
	}
	// 26 failing, 17 warnings (15 + the port + the broken check), 1 info:
	// 16 + 7 + 1 left out.
	last := got[len(got)-1]
	if last.Level != LevelNotice || !strings.HasPrefix(last.Message, "24 more finding(s) not annotated") || !strings.Contains(last.Message, ".cemark/report.md") {
		t.Errorf("last annotation = %+v", last)
	}
}

func TestRenderSummaryEscapesCells(t *testing.T) {
	md := RenderSummary(SummaryInput{Product: "Widget", Version: "1.0", Status: Incomplete,
		Assessment: conformity.Assessment{Points: []conformity.PointStatus{{Point: conformity.Point{ID: "I-2a", Clause: "Annex I Part I (2)(a)", Title: "No known exploitable vulnerabilities"}, Status: conformity.NotAssessed, Basis: "no check | covers\nthis"}}},
		Report:     reportWith(1), Missing: []string{"product.support.end"}})
	for _, s := range []string{
		"`incomplete`", "| Annex I Part I (2)(a) | No known exploitable vulnerabilities | ❔ not assessed | no check \\| covers this |",
		"port \\| 23", "**Needs manufacturer input** (cemark.yaml): product.support.end", "Attestations are **unsigned**",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("summary lacks %q:\n%s", s, md)
		}
	}
	if strings.Contains(md, "compliant") {
		t.Error("the summary must not say compliant")
	}
}

func TestInsideWorkspace(t *testing.T) {
	tests := []struct{ in, abs, rel string }{
		{".", "/ws", ""}, {"sub/dir", "/ws/sub/dir", "sub/dir"}, {"/ws/x", "/ws/x", "x"},
		{"../etc", "", ""}, {"/etc", "", ""}, {"a/../../b", "", ""},
	}
	for _, tt := range tests {
		abs, rel, err := insideWorkspace("/ws", tt.in)
		if (err != nil) != (tt.abs == "") || abs != tt.abs || rel != tt.rel {
			t.Errorf("insideWorkspace(%q) = %q, %q, %v", tt.in, abs, rel, err)
		}
	}
}

func TestFromFork(t *testing.T) {
	c := Context{EventName: "pull_request", Repository: "acme/widget"}
	c.Event.PullRequest = &struct {
		Number int `json:"number"`
		Head   struct {
			Ref  string `json:"ref"`
			SHA  string `json:"sha"`
			Repo *struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"head"`
		Base struct {
			Ref string `json:"ref"`
		} `json:"base"`
	}{}
	if !c.FromFork() {
		t.Error("a pull request whose head repository is gone counts as a fork")
	}
	c.Event.PullRequest.Head.Repo = &struct {
		FullName string `json:"full_name"`
	}{FullName: "Acme/Widget"}
	if c.FromFork() {
		t.Error("same repository (case-insensitive) is not a fork")
	}
	c.EventName = "push"
	c.Event.PullRequest.Head.Repo.FullName = "mallory/widget"
	if c.FromFork() {
		t.Error("a push is never from a fork")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("stdout closed") }

// go-githubactions panics when it cannot write; the wrapper must not.
func TestActionsDoNotPanic(t *testing.T) {
	a := NewActions(failingWriter{}, func(k string) string {
		return map[string]string{"GITHUB_OUTPUT": "/nonexistent/dir/output", "GITHUB_STEP_SUMMARY": "/nonexistent/dir/summary"}[k]
	})
	if err := a.AddMask("secret"); err == nil {
		t.Error("AddMask: no error")
	}
	if err := a.SetOutput("x", "y"); err == nil {
		t.Error("SetOutput: no error")
	}
	if err := a.AddStepSummary("# x"); err == nil {
		t.Error("AddStepSummary: no error")
	}
	if err := a.Annotate(Annotation{Level: LevelError, Message: "%s %d"}); err == nil {
		t.Error("Annotate: no error")
	}
}

func TestReadInputs(t *testing.T) {
	// INPUT_FAIL-ON as a Docker or JavaScript action gets it; INPUT_SOURCE
	// as the composite step passes hyphenated names (with underscores).
	env := map[string]string{"INPUT_CHECKS": "CEM-DEF-001, CEM-PORT-001\nCEM-VH-001", "INPUT_FAIL-ON": "Medium", "INPUT_SUBJECTS": "dist/*.tar.gz\n\n",
		"INPUT_SOURCE": "dir:.\ndocker-archive:dist/image.tar", "INPUT_OUTPUT_DIR": "out"}
	in, err := ReadInputs(NewActions(&strings.Builder{}, func(k string) string { return env[k] }))
	if err != nil {
		t.Fatal(err)
	}
	want := Inputs{Path: ".", Docs: DocsCheck, FailOn: checks.SeverityMedium,
		Checks: []string{"CEM-DEF-001", "CEM-PORT-001", "CEM-VH-001"}, Subjects: []string{"dist/*.tar.gz"},
		Sources: []string{"dir:.", "docker-archive:dist/image.tar"}, OutputDir: "out", VulnDBUpdate: true}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	env["INPUT_VULN_DB_UPDATE"] = "maybe"
	if _, err := ReadInputs(NewActions(&strings.Builder{}, func(k string) string { return env[k] })); err == nil || !strings.Contains(err.Error(), "vuln-db-update") {
		t.Errorf("bad vuln-db-update: %v", err)
	}
	delete(env, "INPUT_VULN_DB_UPDATE")
	env["INPUT_FAIL-ON"] = "severe"
	if _, err := ReadInputs(NewActions(&strings.Builder{}, func(k string) string { return env[k] })); err == nil || !strings.Contains(err.Error(), "fail-on") {
		t.Errorf("bad fail-on: %v", err)
	}
	env["INPUT_FAIL-ON"] = "high"
	for v, ok := range map[string]bool{"": true, "keyless": true, "Key": true, "none": true, "sigstore": false, "cosign": false} {
		env["INPUT_SIGNING"] = v
		in, err := ReadInputs(NewActions(&strings.Builder{}, func(k string) string { return env[k] }))
		if (err == nil) != ok || ok && in.Signing != strings.ToLower(v) {
			t.Errorf("signing %q: %q, %v", v, in.Signing, err)
		}
	}
}

// TestSigningLine: the job summary says how the run signed — the key ID,
// or the keyless identity and issuer with the command that verifies them —
// never "signed by key" with an empty key for a keyless run.
func TestSigningLine(t *testing.T) {
	const identity = "https://github.com/acme/widget/.github/workflows/cemark.yml@refs/heads/main"
	for _, tc := range []struct {
		name    string
		signing attest.Signing
		want    []string
		not     []string
	}{
		{"key", attest.Signing{Method: attest.SignKey, KeyID: "3f5c0a2e"}, []string{"Attestations signed by key 3f5c0a2e."}, []string{"keyless", "unsigned"}},
		{"keyless", attest.Signing{Method: attest.SignKeyless, Identity: identity, Issuer: "https://token.actions.githubusercontent.com",
			LogEntries: []attest.LogEntry{{Statement: "report", LogIndex: 7001}, {Statement: "conformity", LogIndex: 7002}}},
			[]string{"signed keylessly by " + identity, "issuer https://token.actions.githubusercontent.com", "Rekor log index 7001, 7002",
				"`cemark verify --certificate-identity " + identity + " --certificate-oidc-issuer https://token.actions.githubusercontent.com`"},
			[]string{"by key", "unsigned"}},
		{"unsigned, with the reason", attest.Signing{Method: attest.SignNone, Reason: "this pull request comes from a fork"},
			[]string{"Attestations are **unsigned**: this pull request comes from a fork."}, []string{"by key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := RenderSummary(SummaryInput{Status: Incomplete, Signing: tc.signing})
			for _, w := range tc.want {
				if !strings.Contains(md, w) {
					t.Errorf("summary lacks %q:\n%s", w, md)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(md, n) {
					t.Errorf("summary says %q:\n%s", n, md)
				}
			}
		})
	}
}

// TestArt14DeadlinesFirst: a report under Art. 14 overdue or due within
// 24 hours (CEM-RPT-002) heads the job summary and is the first
// annotation, before a critical finding of another check.
func TestArt14DeadlinesFirst(t *testing.T) {
	r := reportWith(3)
	r.Results[0].Findings = append(r.Results[0].Findings, checks.Finding{Check: "CEM-DEF-005", Outcome: checks.Fail, Severity: checks.SeverityCritical,
		Message: "hard-coded password", Path: "config/app.env", Line: 3})
	r.Results = append(r.Results, checks.Result{Meta: checks.Meta{ID: "CEM-RPT-002", Severity: checks.SeverityHigh}, Outcome: checks.Fail,
		Findings: []checks.Finding{{Check: "CEM-RPT-002", Outcome: checks.Fail, Severity: checks.SeverityHigh,
			Path:    "docs/cra/reports/2026-11-05-cve-2026-1234/event.yaml",
			Message: "event 2026-11-05-cve-2026-1234: the early warning is due 2026-11-06T09:30:00Z, within 24 hours (24 hours after becoming aware, Art. 14(2)(a)), and is not marked submitted"}}})
	ann := Annotations(r, MaxAnnotationsPerLevel, "")
	if ann[0].Title != "CEM-RPT-002 (high)" || ann[0].Level != LevelError || ann[1].Title != "CEM-DEF-005 (critical)" {
		t.Errorf("annotations: first %+v, second %+v", ann[0], ann[1])
	}
	md := RenderSummary(SummaryInput{Status: FailingFindings, Report: r})
	top, table := strings.Index(md, "### ⚠️ Art. 14 reporting deadlines"), strings.Index(md, "### Annex I")
	if top < 0 || top > table || !strings.Contains(md, "- **high** `docs/cra/reports/2026-11-05-cve-2026-1234/event.yaml`: event 2026-11-05-cve-2026-1234: the early warning is due") {
		t.Errorf("the Art. 14 deadline does not head the summary:\n%s", md)
	}
	if i, j := strings.Index(md, "| fail | high | CEM-RPT-002 |"), strings.Index(md, "| fail | critical | CEM-DEF-005 |"); i < 0 || i > j {
		t.Errorf("the findings table does not list the Art. 14 deadline first:\n%s", md)
	}
	if md := RenderSummary(SummaryInput{Status: FailingFindings, Report: reportWith(3)}); strings.Contains(md, "Art. 14 reporting deadlines") {
		t.Errorf("a summary without a deadline due names one:\n%s", md)
	}
}
