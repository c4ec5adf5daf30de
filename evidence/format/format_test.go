package format

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/report"
	"github.com/cemark/cemark/checks/vulns"
	"github.com/cemark/cemark/evidence/format/internal/fixture"
)

func TestLookup(t *testing.T) {
	for _, id := range []string{"table", "json", "sarif", "gitlab-codequality", "markdown"} {
		if f, err := Lookup(id); err != nil || f.Encode == nil || f.ID != id {
			t.Errorf("Lookup(%q) = %+v, %v", id, f, err)
		}
	}
	if _, err := Lookup("xml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestWithPathPrefix(t *testing.T) {
	r := fixture.Report()
	before := r.Findings()
	p := WithPathPrefix(r, "./services/gw/")
	var paths []string
	for _, f := range p.Findings() {
		paths = append(paths, f.Path)
	}
	for i, f := range p.Findings() {
		orig := before[i].Path
		switch {
		case orig == "" && f.Path != "":
			t.Errorf("a finding without a path got %q", f.Path)
		case orig != "" && f.Path != "services/gw/"+orig:
			t.Errorf("%q -> %q", orig, f.Path)
		}
	}
	if p.ConfigFile != "services/gw/cemark.yaml" || p.FileErrors[0].Path != "services/gw/assets/huge.json" {
		t.Errorf("config %q, file error %q", p.ConfigFile, p.FileErrors[0].Path)
	}
	for i, f := range r.Findings() {
		if f.Path != before[i].Path {
			t.Fatal("the original report was changed")
		}
	}
	if WithPathPrefix(r, ".") != r || WithPathPrefix(r, "") != r {
		t.Error("an empty prefix should return the report itself")
	}
}

// TestLocate: every finding of a located report names a file that exists,
// from the repository root; the original report is untouched.
func TestLocate(t *testing.T) {
	r := fixture.Report()
	r.Results[0].Findings = append(r.Results[0].Findings,
		checks.Finding{Check: "CEM-PORT-001", Outcome: checks.Fail, Severity: checks.SeverityHigh, Path: "docker-archive:dist/image.tar", Message: "image exposes tcp/23"},
		checks.Finding{Check: "CEM-PORT-001", Outcome: checks.Fail, Severity: checks.SeverityHigh, Path: "cemark.yaml", Line: 3, Message: "no contact"})
	exists := func(p string) bool { return p != "cemark.yaml" } // no cemark.yaml in this product
	loc := Location{Prefix: "services/api", Fallback: "README.md", Exists: exists}
	got := Locate(r, loc)
	for _, f := range got.Findings() {
		if !strings.HasPrefix(f.Path, "services/api/") {
			t.Errorf("%s %q: not from the repository root", f.Check, f.Path)
		}
		rel := strings.TrimPrefix(f.Path, "services/api/")
		if strings.Contains(rel, ":") || !exists(rel) {
			t.Errorf("%s %q: not a file that exists", f.Check, f.Path)
		}
		if rel == "README.md" && (f.Line != 0 || f.Snippet != "") {
			t.Errorf("a fallback location kept line %d / snippet %q of another file", f.Line, f.Snippet)
		}
	}
	if got.ConfigFile != "services/api/README.md" {
		t.Errorf("config file %q: it does not exist, so the fallback", got.ConfigFile)
	}
	for _, f := range r.Findings() {
		if strings.HasPrefix(f.Path, "services/") {
			t.Fatal("Locate changed the original report")
		}
	}
}

// TestWorst: failing first, then by severity; checks that broke count.
func TestWorst(t *testing.T) {
	fs := Worst(fixture.Report())
	if len(fs) == 0 || fs[0].Outcome != checks.Fail {
		t.Fatalf("first = %+v", fs)
	}
	for i := 1; i < len(fs); i++ {
		a, b := fs[i-1], fs[i]
		if attentionRank(a.Outcome) > attentionRank(b.Outcome) ||
			(a.Outcome == b.Outcome && a.Severity.Rank() < b.Severity.Rank()) {
			t.Errorf("%d: %s %s before %s %s", i, a.Outcome, a.Severity, b.Outcome, b.Severity)
		}
		if b.Check == "" {
			t.Errorf("%d: no check ID", i)
		}
	}
}

// TestWorstPutsArt14DeadlinesFirst: a report under Art. 14 overdue or due
// within 24 hours (CEM-RPT-002, high when due soon) comes before every
// other finding, critical ones included; a passing CEM-RPT-002 does not.
func TestWorstPutsArt14DeadlinesFirst(t *testing.T) {
	if Art14DeadlineCheck != report.IDDeadline {
		t.Fatalf("Art14DeadlineCheck %s is not checks/report's IDDeadline %s", Art14DeadlineCheck, report.IDDeadline)
	}
	r := fixture.Report()
	r.Results = append(r.Results, checks.Result{Meta: checks.Meta{ID: report.IDDeadline, Severity: checks.SeverityHigh}, Outcome: checks.Fail,
		Findings: []checks.Finding{
			{Outcome: checks.Pass, Severity: checks.SeverityInfo, Message: "no open event"},
			{Outcome: checks.Fail, Severity: checks.SeverityHigh, Path: "docs/cra/reports/2026-11-05-cve/event.yaml", Message: "the early warning is due within 24 hours"},
		}})
	fs := Worst(r)
	if fs[0].Check != report.IDDeadline || fs[0].Severity != checks.SeverityHigh || !Art14Deadline(fs[0]) {
		t.Fatalf("first = %+v: the Art. 14 deadline comes first", fs[0])
	}
	if fs[1].Severity != checks.SeverityCritical {
		t.Errorf("second = %+v: then the worst of the rest", fs[1])
	}
	for _, f := range fs[1:] {
		if f.Check == report.IDDeadline {
			t.Errorf("a passing %s is listed: %+v", report.IDDeadline, f)
		}
	}
}

// TestWorstPutsKEVAndCriticalVulnerabilitiesFirst: after the Art. 14
// deadlines, the open vulnerabilities in CISA's KEV catalogue, then the
// critical ones, come before every other finding (a failing critical one
// of another check included) — in the run's summary, the GitHub job
// summary and annotations, and the GitLab job log, which all list
// Worst's order. A vulnerability a VEX statement waived is not listed.
func TestWorstPutsKEVAndCriticalVulnerabilitiesFirst(t *testing.T) {
	if KnownVulnerabilityCheck != vulns.IDKnown {
		t.Fatalf("KnownVulnerabilityCheck %s is not checks/vulns' IDKnown %s", KnownVulnerabilityCheck, vulns.IDKnown)
	}
	r := fixture.Report()
	vuln := func(o checks.Outcome, sev checks.Severity, id, severity, kev string) checks.Finding {
		return checks.Finding{Outcome: o, Severity: sev, Path: "package-lock.json", Key: id,
			Values: map[string]string{"vulnerability": id, "severity": severity, "kev": kev}, Message: id}
	}
	r.Results = append(r.Results,
		checks.Result{Meta: checks.Meta{ID: report.IDDeadline, Severity: checks.SeverityHigh}, Outcome: checks.Fail,
			Findings: []checks.Finding{{Outcome: checks.Fail, Severity: checks.SeverityCritical, Message: "the early warning is overdue"}}},
		checks.Result{Meta: checks.Meta{ID: vulns.IDKnown, Severity: checks.SeverityHigh}, Outcome: checks.Fail,
			Findings: []checks.Finding{
				vuln(checks.Fail, checks.SeverityHigh, "GHSA-high", "high", ""),
				vuln(checks.Warn, checks.SeverityCritical, "GHSA-critical-unfixed", "critical", ""),
				vuln(checks.Fail, checks.SeverityCritical, "GHSA-critical", "critical", ""),
				vuln(checks.Waived, checks.SeverityCritical, "GHSA-waived-kev", "critical", "true"),
				vuln(checks.Fail, checks.SeverityHigh, "CVE-2021-44228", "low", "true"),
			}})
	fs := Worst(r)
	var got []string
	for _, f := range fs[:5] {
		got = append(got, f.Check+" "+f.Key)
	}
	want := []string{report.IDDeadline + " ", "CEM-VULN-001 CVE-2021-44228", "CEM-VULN-001 GHSA-critical", "CEM-VULN-001 GHSA-critical-unfixed"}
	if strings.Join(got[:4], "\n") != strings.Join(want, "\n") {
		t.Errorf("first four:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fs[4].Check == vulns.IDKnown {
		t.Errorf("fifth = %+v: then the worst of the rest, by outcome and severity (a failing critical of another check before a high vulnerability)", fs[4])
	}
	for _, f := range fs {
		if f.Key == "GHSA-waived-kev" {
			t.Errorf("a waived finding is listed: %+v", f)
		}
	}
}

// TestWorstAgreesWithLess: Worst orders as the less function it was first
// written with, on random reports; ties keep checks.SortFindings' order.
func TestWorstAgreesWithLess(t *testing.T) {
	less := func(a, b checks.Finding) bool {
		if da, db := Art14Deadline(a), Art14Deadline(b); da != db {
			return da
		}
		if va, vb := VulnerabilityRank(a), VulnerabilityRank(b); va != vb {
			return va > vb
		}
		if ra, rb := attentionRank(a.Outcome), attentionRank(b.Outcome); ra != rb {
			return ra < rb
		}
		return a.Severity.Rank() > b.Severity.Rank()
	}
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	for range 50 {
		var r checks.Report
		for _, id := range []string{Art14DeadlineCheck, KnownVulnerabilityCheck, "CEM-DEF-001"} {
			res := checks.Result{Meta: checks.Meta{ID: id}}
			for i := range 60 {
				res.Findings = append(res.Findings, checks.Finding{Check: id, Path: pick("a", "b"), Line: rng.IntN(3),
					Outcome:  checks.Outcome(pick("fail", "warn", "pass", "error")),
					Severity: checks.Severity(pick("critical", "high", "low")),
					Values:   map[string]string{"kev": pick("true", "false"), "severity": pick("critical", "high")},
					Message:  strconv.Itoa(i)})
			}
			r.Results = append(r.Results, res)
		}
		got := Worst(&r)
		var want []checks.Finding
		for _, res := range r.Results {
			for _, f := range res.Findings {
				if attentionRank(f.Outcome) >= 0 {
					want = append(want, f)
				}
			}
		}
		checks.SortFindings(want)
		sort.SliceStable(want, func(i, j int) bool { return less(want[i], want[j]) })
		if !reflect.DeepEqual(got, want) {
			t.Fatal("Worst orders otherwise than the less function")
		}
	}
}

// TestWorstNIsWorstsHead: WorstN gives Worst's first n of the findings it
// keeps, ties included (equal findings keep their order), and how many it
// keeps in all, on random reports.
func TestWorstNIsWorstsHead(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	for round := range 60 {
		var r checks.Report
		for _, id := range []string{Art14DeadlineCheck, KnownVulnerabilityCheck, "CEM-DEF-001", "CEM-DEF-002"} {
			res := checks.Result{Meta: checks.Meta{ID: id}, Outcome: checks.Outcome(pick("fail", "error"))}
			for i := range rng.IntN(40) {
				res.Findings = append(res.Findings, checks.Finding{Path: pick("a", "b", ""), Line: rng.IntN(3),
					Outcome:  checks.Outcome(pick("fail", "warn", "pass", "error", "info")),
					Severity: checks.Severity(pick("critical", "high", "low")),
					Values:   map[string]string{"kev": pick("true", "false"), "severity": pick("critical", "high")},
					Message:  pick("same", strconv.Itoa(i))})
			}
			r.Results = append(r.Results, res)
		}
		keep := func(f *checks.Finding) bool { return f.Outcome == checks.Fail }
		if round%3 == 0 {
			keep = nil
		}
		var want []checks.Finding
		for _, f := range Worst(&r) {
			if keep == nil || keep(&f) {
				want = append(want, f)
			}
		}
		for _, n := range []int{0, 1, 3, 10, 500} {
			got, total := WorstN(&r, n, keep)
			head := want[:min(n, len(want))]
			if total != len(want) || len(got) != len(head) || (len(head) > 0 && !reflect.DeepEqual(got, head)) {
				t.Fatalf("round %d: WorstN(%d) = %d findings of %d; want Worst's first %d of %d", round, n, len(got), total, len(head), len(want))
			}
		}
	}
}
