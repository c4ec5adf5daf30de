package checks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/evidence/config"
)

// newTestTarget writes files into a temp root and indexes it.
func newTestTarget(t *testing.T, files map[string]string, cfg *config.Config) *Target {
	t.Helper()
	root := t.TempDir()
	for p, body := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tg, err := NewTarget(context.Background(), root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg.Now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	return tg
}

func findingsCheck(id string, fs ...Finding) Check {
	return fakeCheck{meta: meta(id), evaluate: func(any) ([]Finding, error) { return fs, nil }}
}

func date(s string) *config.Date {
	d, err := config.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

func mustRun(t *testing.T, tg *Target, cs ...Check) *Report {
	t.Helper()
	return mustRunOpts(t, tg, RunOptions{ToolVersion: "test", Product: Product{Name: "p"}}, cs...)
}

func mustRunOpts(t *testing.T, tg *Target, opts RunOptions, cs ...Check) *Report {
	t.Helper()
	reg, err := NewRegistry(append(FrameworkChecks(), cs...)...)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), reg, tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func result(t *testing.T, r *Report, id string) Result {
	t.Helper()
	for _, res := range r.Results {
		if res.ID == id {
			return res
		}
	}
	t.Fatalf("no result for %s", id)
	return Result{}
}

func TestRunErrorsAndPanicsAreContained(t *testing.T) {
	t.Parallel()
	tg := newTestTarget(t, map[string]string{"a.txt": "x"}, nil)
	panicky := fakeCheck{meta: meta("CEM-TST-001"), collect: func(context.Context, *Target) (any, error) { panic("boom") }}
	erring := fakeCheck{meta: meta("CEM-TST-002"), evaluate: func(any) ([]Finding, error) { return nil, errors.New("facts missing") }}
	evalPanic := fakeCheck{meta: meta("CEM-TST-003"), evaluate: func(any) ([]Finding, error) { var m map[string]int; m["x"] = 1; return nil, nil }}
	badOutcome := findingsCheck("CEM-TST-004", Finding{Outcome: "maybe", Message: "?"})
	fine := findingsCheck("CEM-TST-005", Finding{Outcome: Fail, Path: "a.txt", Line: 1, Message: "bad"})
	rep := mustRun(t, tg, panicky, erring, evalPanic, badOutcome, fine)

	for id, want := range map[string]string{
		"CEM-TST-001": "collect: check panicked: boom",
		"CEM-TST-002": "evaluate: facts missing",
		"CEM-TST-003": "evaluate: check panicked: assignment to entry in nil map",
		"CEM-TST-004": `unknown outcome "maybe"`,
	} {
		res := result(t, rep, id)
		if res.Outcome != Error || len(res.Findings) != 1 || res.Findings[0].Outcome != Error {
			t.Errorf("%s: outcome %s, findings %+v; want one Error finding", id, res.Outcome, res.Findings)
			continue
		}
		if !strings.Contains(res.Findings[0].Message, want) || !strings.Contains(res.Error, want) {
			t.Errorf("%s: message %q / error %q, want %q", id, res.Findings[0].Message, res.Error, want)
		}
		if len(res.Findings[0].CRA) == 0 || res.Findings[0].Check != id {
			t.Errorf("%s: error finding lacks check/CRA: %+v", id, res.Findings[0])
		}
	}
	if res := result(t, rep, "CEM-TST-005"); res.Outcome != Fail {
		t.Errorf("the healthy check did not run: %+v", res)
	}
	if rep.Summary.Error != 4 || rep.Summary.Fail != 1 || rep.Summary.Checks != 7 {
		t.Errorf("summary = %+v", rep.Summary)
	}
}

func TestRunFillsMetadata(t *testing.T) {
	t.Parallel()
	tg := newTestTarget(t, nil, nil)
	rep := mustRun(t, tg, findingsCheck("CEM-TST-001",
		Finding{Outcome: Fail, Path: "./x", Message: "m", CRA: []string{"wrong"}, Check: "CEM-OTHER-001"},
		Finding{Outcome: Fail, Path: "y", Message: "m", Severity: SeverityLow}))
	got := result(t, rep, "CEM-TST-001").Findings
	want := []Finding{
		{Check: "CEM-TST-001", Outcome: Fail, Severity: SeverityHigh, Message: "m", Path: "x", CRA: []string{"Annex I Part I (2)(b)"}, Standards: []string{"EN 303 645 5.1"}},
		{Check: "CEM-TST-001", Outcome: Fail, Severity: SeverityLow, Message: "m", Path: "y", CRA: []string{"Annex I Part I (2)(b)"}, Standards: []string{"EN 303 645 5.1"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
}

func TestRunWaivers(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Waivers: []config.Waiver{
		{Check: "CEM-TST-001", Path: "docker/dev/**", Justification: "dev image, never shipped", ApprovedBy: "Head of Product Security", Expires: date("2027-06-30")},
		{Check: "CEM-TST-001", Path: "legacy/*", Justification: "old", ApprovedBy: "PS", Expires: date("2026-11-26")},
		{Check: "CEM-TST-001", Path: "nothing/**", Justification: "stale"},
		{Check: "CEM-TST-002", Justification: "all paths, today is the last day", Expires: date("2026-11-27")},
		{Check: "CEM-GONE-001", Justification: "check not in this run"},
		{Check: "CEM-TSTT-001", Justification: "typo"},
	}}
	tg := newTestTarget(t, nil, cfg)
	rep := mustRunOpts(t, tg, RunOptions{Catalogue: []string{"CEM-TST-001", "CEM-TST-002", "CEM-GONE-001"}},
		findingsCheck("CEM-TST-001",
			Finding{Outcome: Fail, Path: "docker/dev/Dockerfile", Line: 3, Message: "root"},
			Finding{Outcome: Fail, Path: "docker/prod/Dockerfile", Line: 3, Message: "root"},
			Finding{Outcome: Fail, Path: "legacy/Dockerfile", Line: 1, Message: "root"},
			Finding{Outcome: Pass, Path: "docker/dev/other", Message: "fine"}),
		findingsCheck("CEM-TST-002", Finding{Outcome: Warn, Path: "k8s/a.yaml", Message: "w"}))

	f := result(t, rep, "CEM-TST-001").Findings
	// sorted by path: docker/dev/Dockerfile, docker/dev/other, docker/prod/Dockerfile, legacy/Dockerfile
	if f[0].Outcome != Waived || f[0].Waiver == nil || f[0].Waiver.Justification != "dev image, never shipped" ||
		f[0].Waiver.ApprovedBy != "Head of Product Security" || f[0].Waiver.Expires != "2027-06-30" || f[0].Waiver.Source != WaiverSourceConfig {
		t.Errorf("dev finding not waived with its justification: %+v %+v", f[0], f[0].Waiver)
	}
	if f[1].Outcome != Pass || f[1].Waiver != nil {
		t.Errorf("a passing finding was touched: %+v", f[1])
	}
	if f[2].Outcome != Fail || f[2].Waiver != nil {
		t.Errorf("prod finding waived: %+v", f[2])
	}
	if f[3].Outcome != Fail || f[3].Waiver == nil || f[3].Waiver.Expires != "2026-11-26" {
		t.Errorf("expired waiver must not waive but be shown: %+v %+v", f[3], f[3].Waiver)
	}
	if g := result(t, rep, "CEM-TST-002").Findings[0]; g.Outcome != Waived {
		t.Errorf("waiver expiring today (no path) should still waive: %+v", g)
	}

	wvr := result(t, rep, WaiverCheckID)
	if wvr.Outcome != Fail {
		t.Errorf("CEM-WVR-001 outcome = %s, want fail", wvr.Outcome)
	}
	var msgs []string
	for _, w := range wvr.Findings {
		msgs = append(msgs, string(w.Outcome)+": "+w.Message)
		if w.Path != "cemark.yaml" || len(w.CRA) == 0 || w.Key == "" {
			t.Errorf("waiver finding lacks path/CRA/key: %+v", w)
		}
	}
	wantMsgs := []string{
		"fail: waiver for CEM-TST-001 on legacy/* expired on 2026-11-26",
		"warn: unused waiver: the waiver for CEM-TST-001 on nothing/** matches no finding",
		"warn: the waiver for CEM-TSTT-001 on ** names no known check, so it waives nothing",
	}
	if diff := cmp.Diff(wantMsgs, msgs); diff != "" {
		t.Errorf("CEM-WVR-001 findings mismatch (-want +got):\n%s", diff)
	}
	if rep.Summary.Waived != 2 {
		t.Errorf("summary = %+v", rep.Summary)
	}
}

func TestRunInlineIgnores(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"Dockerfile": "FROM alpine\n# cemark:ignore CEM-TST-001 build stage only, never shipped\nUSER root\n" +
			"# cemark:ignore CEM-TST-001\nUSER 0\n" +
			"RUN x # cemark:ignore CEM-TST-002 other check\n" +
			"USER root # cemark:ignore CEM-TST-003, CEM-TST-001 -- same line works\n",
		"main.go": "package main\n\nfunc main() {\n\t// cemark:ignore CEM-TST-001 test server on loopback only\n\tlisten()\n}\n",
	}
	tg := newTestTarget(t, files, nil)
	rep := mustRun(t, tg, findingsCheck("CEM-TST-001",
		Finding{Outcome: Fail, Path: "Dockerfile", Line: 3, Message: "root"},
		Finding{Outcome: Fail, Path: "Dockerfile", Line: 5, Message: "root"},
		Finding{Outcome: Fail, Path: "Dockerfile", Line: 7, Message: "root"},
		Finding{Outcome: Fail, Path: "Dockerfile", Line: 6, Message: "wrong check id above"},
		Finding{Outcome: Fail, Path: "main.go", Line: 5, Message: "listen"},
		Finding{Outcome: Fail, Path: "main.go", Line: 6, Message: "two lines below: no"},
	))
	got := map[int]string{}
	for _, f := range result(t, rep, "CEM-TST-001").Findings {
		s := string(f.Outcome)
		if f.Waiver != nil {
			s += " (" + f.Waiver.Source + ", line " + itoa(f.Waiver.Line) + ": " + f.Waiver.Justification + ")"
		}
		got[f.Line*10+len(f.Path)%10] = s
	}
	want := map[int]string{
		30 + len("Dockerfile")%10: "waived (inline, line 2: build stage only, never shipped)",
		50 + len("Dockerfile")%10: "fail",
		60 + len("Dockerfile")%10: "fail",
		70 + len("Dockerfile")%10: "waived (inline, line 7: same line works)",
		50 + len("main.go")%10:    "waived (inline, line 4: test server on loopback only)",
		60 + len("main.go")%10:    "fail",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inline ignores mismatch (-want +got):\n%s", diff)
	}
	ig := result(t, rep, IgnoreCheckID)
	if ig.Outcome != Warn || len(ig.Findings) != 1 || ig.Findings[0].Path != "Dockerfile" || ig.Findings[0].Line != 4 ||
		!strings.Contains(ig.Findings[0].Message, "Dockerfile:4") || !strings.Contains(ig.Findings[0].Message, "no reason") {
		t.Errorf("reason-less ignore not reported: %+v", ig)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestRunTestPathsLowered(t *testing.T) {
	t.Parallel()
	fs := []Finding{
		{Outcome: Fail, Path: "examples/demo/Dockerfile", Message: "a"},
		{Outcome: Fail, Path: "pkg/testdata/x.yaml", Message: "b"},
		{Outcome: Fail, Path: "src/Dockerfile", Message: "c"},
		{Outcome: Fail, Path: "test/Dockerfile", Message: "d", Severity: SeverityInfo},
		{Outcome: Pass, Path: "test/ok", Message: "e"},
	}
	tg := newTestTarget(t, nil, nil)
	rep := mustRun(t, tg, findingsCheck("CEM-TST-001", fs...))
	var got []string
	for _, f := range result(t, rep, "CEM-TST-001").Findings {
		got = append(got, f.Path+" "+string(f.Outcome)+" "+string(f.Severity)+" "+f.Values["severity_lowered_from"])
	}
	want := []string{"examples/demo/Dockerfile info info high", "pkg/testdata/x.yaml info info high", "src/Dockerfile fail high ", "test/Dockerfile info info ", "test/ok pass high "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if n := len(FailsAt(rep, SeverityLow)); n != 1 {
		t.Errorf("FailsAt(low) = %d, want 1 (test paths lowered to info)", n)
	}

	cfg := &config.Config{Checks: config.Checks{TestPaths: []string{"qa/**"}, TestSeverity: "medium"}}
	tg = newTestTarget(t, nil, cfg)
	rep = mustRun(t, tg, findingsCheck("CEM-TST-001", fs...))
	got = nil
	for _, f := range result(t, rep, "CEM-TST-001").Findings {
		got = append(got, f.Path+" "+string(f.Severity))
	}
	want = []string{"examples/demo/Dockerfile high", "pkg/testdata/x.yaml high", "src/Dockerfile high", "test/Dockerfile info", "test/ok high"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("configured test paths mismatch (-want +got):\n%s", diff)
	}
}

func TestRunNotShippedIsInfo(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"docker-compose.yml":          "services: {}\n",
		"docker-compose.dev.yml":      "services: {}\n",
		"compose.override.yaml":       "services: {}\n",
		"deploy/compose.test.yaml":    "services: {}\n",
		"db/docker-compose.yaml":      "# This file provides quick setups for testing storage backends.\nservices: {}\n",
		"prod/docker-compose.yaml":    "# Production setup.\n# Run it with docker compose up.\nservices: {}\n",
		"podman/podman-compose.yml":   "services: {}\n",
		"release/prod.compose.yml":    "services: {}\n",
		"caddytest/caddytest.go":      "package caddytest\n",
		"internal/storagetest/s.go":   "package storagetest\n",
		"integration/ldap/config.yml": "a: b\n",
		"e2e/app.spec.ts":             "x\n",
		"cypress/docker-compose.yml":  "services: {}\n",
		"server/handler_test.go":      "package server\n",
		"latest/Dockerfile":           "FROM x\n",
		"evidence/attest/sign.go":     "package attest\n",
		"src/fixtures/key.pem":        "x\n",
		"examples/k8s/dex.yaml":       "kind: Deployment\n",
		"examples/docker-compose.yml": "services: {}\n",
		"examples/app/main_test.go":   "package app\n",
	}
	var fs []Finding
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fs = append(fs, Finding{Outcome: Fail, Severity: SeverityHigh, Path: p, Message: "x"})
	}
	check := func(cfg *config.Config) map[string]string {
		rep := mustRun(t, newTestTarget(t, files, cfg), findingsCheck("CEM-TST-001", fs...))
		got := map[string]string{}
		for _, f := range result(t, rep, "CEM-TST-001").Findings {
			got[f.Path] = string(f.Outcome) + " " + f.Values["not_shipped"]
		}
		return got
	}
	want := map[string]string{
		"docker-compose.yml":          "fail ",
		"docker-compose.dev.yml":      "info development compose file",
		"compose.override.yaml":       "info development compose file",
		"deploy/compose.test.yaml":    "info development compose file",
		"db/docker-compose.yaml":      "info development compose file",
		"prod/docker-compose.yaml":    "fail ",
		"podman/podman-compose.yml":   "fail ",
		"release/prod.compose.yml":    "fail ",
		"caddytest/caddytest.go":      "info test code",
		"internal/storagetest/s.go":   "info test code",
		"integration/ldap/config.yml": "info test code",
		"e2e/app.spec.ts":             "info test code",
		"cypress/docker-compose.yml":  "info test code",
		"server/handler_test.go":      "info test code",
		"latest/Dockerfile":           "fail ",
		"evidence/attest/sign.go":     "fail ",
		"src/fixtures/key.pem":        "info test code",
		// Examples are documentation users copy, not test code: the
		// reason says so; a test file under examples/ is still test code.
		"examples/k8s/dex.yaml":       "info example",
		"examples/docker-compose.yml": "info example",
		"examples/app/main_test.go":   "info test code",
	}
	if diff := cmp.Diff(want, check(nil)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	// checks.product_compose names development compose files that do ship.
	got := check(&config.Config{Checks: config.Checks{ProductCompose: []string{"docker-compose.dev.yml", "db/*"}}})
	if got["docker-compose.dev.yml"] != "fail " || got["db/docker-compose.yaml"] != "fail " || got["compose.override.yaml"] == "fail " {
		t.Errorf("product_compose not honoured: %v", got)
	}
}

func TestRunMasksSnippets(t *testing.T) {
	t.Parallel()
	tg := newTestTarget(t, nil, nil)
	rep := mustRun(t, tg, findingsCheck("CEM-TST-001",
		Finding{Outcome: Fail, Path: "Dockerfile", Line: 2, Message: "hard-coded DB_PASSWORD=hunter2", Snippet: "ENV DB_PASSWORD=hunter2", Values: map[string]string{"value": "token=abc123"}}))
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "hunter2") || strings.Contains(string(b), "abc123") {
		t.Errorf("secret in report: %s", b)
	}
}

func TestRunDeterministic(t *testing.T) {
	t.Parallel()
	files := map[string]string{"b/x": "1\n2\n3\n", "a/y": "1\n"}
	cs := func() []Check {
		return []Check{
			findingsCheck("CEM-TST-002", Finding{Outcome: Fail, Path: "b/x", Line: 3, Message: "z"}, Finding{Outcome: Fail, Path: "b/x", Line: 1, Message: "z"},
				Finding{Outcome: Warn, Path: "a/y", Message: "w", Key: "k2"}, Finding{Outcome: Warn, Path: "a/y", Message: "w", Key: "k1"}),
			findingsCheck("CEM-TST-001", Finding{Outcome: Info, Message: "i"}),
		}
	}
	tg := newTestTarget(t, files, nil)
	first, _ := json.Marshal(mustRun(t, tg, cs()...))
	for i := 0; i < 5; i++ {
		tg := newTestTarget(t, files, nil)
		again, _ := json.Marshal(mustRun(t, tg, cs()...))
		if string(again) != string(first) {
			t.Fatalf("run %d differs:\n%s\n%s", i, first, again)
		}
	}
	rep := mustRun(t, newTestTarget(t, files, nil), cs()...)
	var order []string
	for _, res := range rep.Results {
		for _, f := range res.Findings {
			order = append(order, f.Check+" "+f.Path+":"+itoa(f.Line)+" "+f.Key)
		}
	}
	want := []string{"CEM-TST-001 :0 ", "CEM-TST-002 a/y:0 k1", "CEM-TST-002 a/y:0 k2", "CEM-TST-002 b/x:1 ", "CEM-TST-002 b/x:3 "}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}
	if r := result(t, rep, "CEM-TST-001"); r.Outcome != Info {
		t.Errorf("outcome = %s", r.Outcome)
	}
	if r := result(t, rep, WaiverCheckID); r.Outcome != Pass || r.Findings == nil {
		t.Errorf("no waivers: CEM-WVR-001 = %+v, want pass with an empty list", r)
	}
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	tg := newTestTarget(t, nil, nil)
	reg, _ := NewRegistry(findingsCheck("CEM-TST-001"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, reg, tg, RunOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if _, err := Run(context.Background(), nil, tg, RunOptions{}); err == nil {
		t.Error("nil registry accepted")
	}
}

func TestParseSeverityAndFailsAt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Severity{"high": SeverityHigh, " CRITICAL ": SeverityCritical, "none": "", "never": "", "": "", "Info": SeverityInfo} {
		got, err := ParseSeverity(in)
		if err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("ParseSeverity(severe) accepted")
	}
	rep := &Report{Results: []Result{{Findings: []Finding{
		{Outcome: Fail, Severity: SeverityHigh}, {Outcome: Fail, Severity: SeverityMedium},
		{Outcome: Waived, Severity: SeverityCritical}, {Outcome: Warn, Severity: SeverityCritical}, {Outcome: Error, Severity: SeverityCritical},
	}}}}
	for sev, want := range map[Severity]int{SeverityCritical: 0, SeverityHigh: 1, SeverityMedium: 2, SeverityInfo: 2, "": 0} {
		if got := len(FailsAt(rep, sev)); got != want {
			t.Errorf("FailsAt(%q) = %d, want %d", sev, got, want)
		}
	}
}

func TestParseInlineIgnore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line   string
		ok     bool
		checks []string
		reason string
	}{
		{"# cemark:ignore CEM-DEF-001 dev image only", true, []string{"CEM-DEF-001"}, "dev image only"},
		{"USER root  # cemark:ignore CEM-DEF-001: one-shot job", true, []string{"CEM-DEF-001"}, "one-shot job"},
		{"\t// cemark:ignore CEM-PORT-001, CEM-PORT-003 loopback only", true, []string{"CEM-PORT-001", "CEM-PORT-003"}, "loopback only"},
		{"/* cemark:ignore CEM-DEF-009 test server */", true, []string{"CEM-DEF-009"}, "test server"},
		{"<!-- cemark:ignore CEM-VH-001 see wiki -->", true, []string{"CEM-VH-001"}, "see wiki"},
		{"# cemark:ignore CEM-DEF-001", true, []string{"CEM-DEF-001"}, ""},
		{"# cemark:ignore CEM-DEF-001   ", true, []string{"CEM-DEF-001"}, ""},
		{"# cemark:ignore cem-def-001 lower case is not an ID", false, nil, ""},
		{"# cemark:ignore all", false, nil, ""},
		{"cemark:ignore CEM-DEF-001 not in a comment", false, nil, ""},
		{"# nothing here", false, nil, ""},
	}
	for _, tc := range tests {
		got, ok := ParseInlineIgnore(tc.line)
		if ok != tc.ok || (ok && (!cmp.Equal(got.Checks, tc.checks) || got.Reason != tc.reason)) {
			t.Errorf("ParseInlineIgnore(%q) = %+v, %v; want %v %q, %v", tc.line, got, ok, tc.checks, tc.reason, tc.ok)
		}
	}
}

func TestRunWaiverFindingsPointAtTheWaiver(t *testing.T) {
	t.Parallel()
	yml := "product: {name: x}\nwaivers:\n  - check: CEM-TST-001\n    path: legacy/*\n    justification: old\n    expires: 2026-11-26\n" +
		"  - {check: CEM-TST-001, path: nothing/**, justification: stale}\n"
	cfg := &config.Config{Waivers: []config.Waiver{
		{Check: "CEM-TST-001", Path: "legacy/*", Justification: "old", Expires: date("2026-11-26")},
		{Check: "CEM-TST-001", Path: "nothing/**", Justification: "stale"},
	}}
	tg := newTestTarget(t, map[string]string{"cemark.yaml": yml}, cfg)
	rep := mustRunOpts(t, tg, RunOptions{ConfigFile: "cemark.yaml"},
		findingsCheck("CEM-TST-001", Finding{Outcome: Fail, Path: "legacy/Dockerfile", Line: 1, Message: "root"}))
	var got []string
	for _, f := range result(t, rep, WaiverCheckID).Findings {
		got = append(got, fmt.Sprintf("%s:%d %s", f.Path, f.Line, f.Outcome))
	}
	if diff := cmp.Diff([]string{"cemark.yaml:3 fail", "cemark.yaml:7 warn"}, got); diff != "" {
		t.Errorf("waiver findings (-want +got):\n%s", diff)
	}
}

// TestSortFindingsAgreesWithLess: SortFindings orders as the less
// function it was first written with, ties kept in their order.
func TestSortFindingsAgreesWithLess(t *testing.T) {
	less := func(a, b Finding) bool {
		switch {
		case a.Path != b.Path:
			return a.Path < b.Path
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Column != b.Column:
			return a.Column < b.Column
		case a.Key != b.Key:
			return a.Key < b.Key
		case a.Message != b.Message:
			return a.Message < b.Message
		case a.Outcome != b.Outcome:
			return a.Outcome < b.Outcome
		}
		return a.Severity < b.Severity
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	for range 50 {
		fs := make([]Finding, 200)
		for i := range fs {
			fs[i] = Finding{Path: pick("a", "b", ""), Line: rng.IntN(3), Column: rng.IntN(2), Key: pick("k", "l"),
				Message: pick("m", "n"), Outcome: Outcome(pick("fail", "warn")), Severity: Severity(pick("high", "low")),
				Snippet: strconv.Itoa(i)} // tells equal findings apart
		}
		want := slices.Clone(fs)
		sort.SliceStable(want, func(i, j int) bool { return less(want[i], want[j]) })
		SortFindings(fs)
		if !reflect.DeepEqual(fs, want) {
			t.Fatal("SortFindings orders otherwise than the less function")
		}
	}
}
