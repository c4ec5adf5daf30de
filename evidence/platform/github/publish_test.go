package github

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
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
	got := Annotations(reportWith(2), "sub/product", 50)
	want := []Annotation{
		{Level: LevelError, File: "sub/product/Dockerfile", Line: 1, Title: "CEM-DEF-001 (high)", Message: "finding 00 [Annex I Part I (2)(b)]"},
		{Level: LevelError, File: "sub/product/Dockerfile", Line: 2, Title: "CEM-DEF-001 (high)", Message: "finding 01 [Annex I Part I (2)(b)]"},
		{Level: LevelWarning, Title: "CEM-VH-001 (high)", Message: "the check could not run: policy unreadable"},
		{Level: LevelWarning, File: "sub/product/compose.yaml", Line: 4, Title: "CEM-PORT-001 (medium)", Message: "port | 23"},
		{Level: LevelNotice, Title: "CEM-PORT-002 (info)", Message: "image port"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}

	capped := Annotations(reportWith(60), "", MaxAnnotations)
	if len(capped) != MaxAnnotations+1 {
		t.Fatalf("%d annotations, want %d plus the count", len(capped), MaxAnnotations)
	}
	last := capped[len(capped)-1]
	if last.Level != LevelNotice || !strings.HasPrefix(last.Message, "13 more finding(s) not annotated") {
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
	env := map[string]string{"INPUT_CHECKS": "CEM-DEF-001, CEM-PORT-001\nCEM-VH-001", "INPUT_FAIL-ON": "Medium", "INPUT_SUBJECTS": "dist/*.tar.gz\n\n"}
	in, err := ReadInputs(NewActions(&strings.Builder{}, func(k string) string { return env[k] }))
	if err != nil {
		t.Fatal(err)
	}
	want := Inputs{Path: ".", Docs: DocsOff, FailOn: checks.SeverityMedium,
		Checks: []string{"CEM-DEF-001", "CEM-PORT-001", "CEM-VH-001"}, Subjects: []string{"dist/*.tar.gz"}}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	env["INPUT_FAIL-ON"] = "severe"
	if _, err := ReadInputs(NewActions(&strings.Builder{}, func(k string) string { return env[k] })); err == nil || !strings.Contains(err.Error(), "fail-on") {
		t.Errorf("bad fail-on: %v", err)
	}
}
