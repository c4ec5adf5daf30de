package format

import (
	"cmp"
	"container/heap"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks"
)

// Location says where a report's files are for consumers that open them
// from the repository: GitHub code scanning and annotations, GitLab Code
// Quality and the dependency list.
type Location struct {
	// Prefix is the product root's folder relative to the repository root,
	// slash-separated ("" when the product is the repository). Computed
	// once per run (evidence.Evidence.RepoPrefix) and used by every output.
	Prefix string
	// Fallback is the file, relative to the product root, that a finding
	// without a file (or naming one that does not exist, such as a
	// cemark.yaml nobody wrote) points at: see evidence.Evidence.FallbackFile.
	// Empty leaves such findings as they are.
	Fallback string
	// Exists reports whether a slash path relative to the product root is
	// a file; nil trusts every path.
	Exists func(rel string) bool
}

// Locate returns a copy of r whose findings all name a file the consumer
// can open, relative to the repository root: findings without a file,
// naming an image (docker-archive:…) or a missing file point at
// loc.Fallback; every path gets loc.Prefix. r is not changed.
func Locate(r *checks.Report, loc Location) *checks.Report {
	if r == nil {
		return nil
	}
	c := *r
	c.Results = make([]checks.Result, len(r.Results))
	for i, res := range r.Results {
		res.Findings = append([]checks.Finding(nil), res.Findings...)
		for j := range res.Findings {
			f := &res.Findings[j]
			if loc.Fallback != "" && !isFile(f.Path, loc.Exists) {
				f.Path, f.Line, f.Column, f.EndLine, f.Snippet = loc.Fallback, 0, 0, 0, ""
			}
		}
		c.Results[i] = res
	}
	if loc.Fallback != "" && !isFile(c.ConfigFile, loc.Exists) {
		c.ConfigFile = loc.Fallback
	}
	return WithPathPrefix(&c, loc.Prefix)
}

// File is the file p (relative to the product root) as a consumer that
// opens files from the repository opens it: loc.Fallback when p names no
// file of the product, then from the repository root (loc.Prefix). The
// GitLab dependency-scanning report locates each vulnerability with it,
// as SARIF and Code Quality locate findings.
func (loc Location) File(p string) string {
	if loc.Fallback != "" && !isFile(p, loc.Exists) {
		p = loc.Fallback
	}
	prefix := strings.Trim(filepath.ToSlash(filepath.Clean(loc.Prefix)), "/")
	if p == "" || prefix == "" || prefix == "." {
		return p
	}
	return path.Join(prefix, p)
}

// isFile reports whether p names a file of the product: not empty, not an
// image reference, and present when exists can tell.
func isFile(p string, exists func(string) bool) bool {
	if p == "" || strings.Contains(p, ":") {
		return false
	}
	return exists == nil || exists(p)
}

// Art14DeadlineCheck is CEM-RPT-002 (checks/report.IDDeadline): a report
// under Art. 14 overdue or due within 24 hours. Its failures come before
// every other finding wherever findings are listed worst first: the clock
// of Art. 14 runs in hours, a fix can wait for the next build.
const Art14DeadlineCheck = "CEM-RPT-002"

// KnownVulnerabilityCheck is CEM-VULN-001 (checks/vulns.IDKnown): one
// finding per vulnerability and package of the SBOM. Its findings for a
// vulnerability in CISA's Known Exploited Vulnerabilities catalogue, then
// its critical ones, come right after the Art. 14 deadlines wherever
// findings are listed worst first: a known exploited vulnerability is the
// first thing Annex I Part I (2)(a) rules out.
const KnownVulnerabilityCheck = "CEM-VULN-001"

// Worst returns the findings that need a person's attention — failing,
// checks that could not run, warnings and information — worst first: an
// Art. 14 deadline due or passed (a failing Art14DeadlineCheck finding),
// then the open vulnerabilities in CISA's KEV catalogue, then the open
// critical ones (VulnerabilityRank), then by outcome, then severity. A check that could not run and recorded
// no finding is listed as one. Check IDs are filled in. Every place that
// shows "the top N" uses this order; equally bad findings are in
// checks.SortFindings' order (file, line, …).
func Worst(r *checks.Report) []checks.Finding {
	out := attention(r, nil)
	checks.SortFindingsBy(out, worseFirst)
	return out
}

// WorstN is the first n of Worst's findings that keep accepts (every one
// when keep is nil), and how many it accepts in all. It picks them
// without sorting every finding: the run's summary shows a few of a large
// product's tens of thousands.
func WorstN(r *checks.Report, n int, keep func(*checks.Finding) bool) (top []checks.Finding, total int) {
	fs := attention(r, keep)
	if n <= 0 {
		return nil, len(fs)
	}
	// Worst's order, ties by position as in its stable sort.
	order := func(i, j int32) int { return cmp.Or(worseFirst(&fs[i], &fs[j]), cmp.Compare(i, j)) }
	// A heap of the n worst seen so far, the least bad of them on top.
	lessBad := func(i, j int32) bool { return order(i, j) > 0 }
	h := &indexHeap{less: lessBad}
	for i := range fs {
		switch {
		case len(h.idx) < n:
			heap.Push(h, int32(i))
		case lessBad(h.idx[0], int32(i)):
			h.idx[0] = int32(i)
			heap.Fix(h, 0)
		}
	}
	slices.SortFunc(h.idx, order)
	top = make([]checks.Finding, len(h.idx))
	for k, i := range h.idx {
		top[k] = fs[i]
	}
	return top, len(fs)
}

// indexHeap is container/heap over positions in a slice of findings.
type indexHeap struct {
	idx  []int32
	less func(i, j int32) bool
}

func (h *indexHeap) Len() int           { return len(h.idx) }
func (h *indexHeap) Less(a, b int) bool { return h.less(h.idx[a], h.idx[b]) }
func (h *indexHeap) Swap(a, b int)      { h.idx[a], h.idx[b] = h.idx[b], h.idx[a] }
func (h *indexHeap) Push(x any)         { h.idx = append(h.idx, x.(int32)) }
func (h *indexHeap) Pop() any {
	x := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return x
}

// attention is the findings Worst lists, in the report's order, with
// their check IDs filled in; only those keep accepts when it is not nil.
func attention(r *checks.Report, keep func(*checks.Finding) bool) []checks.Finding {
	if r == nil {
		return nil
	}
	var out []checks.Finding
	add := func(f checks.Finding) {
		if keep == nil || keep(&f) {
			out = append(out, f)
		}
	}
	for _, res := range r.Results {
		for _, f := range res.Findings {
			if attentionRank(f.Outcome) >= 0 {
				if f.Check == "" {
					f.Check = res.ID
				}
				add(f)
			}
		}
		if res.Outcome == checks.Error && len(res.Findings) == 0 {
			add(checks.Finding{Check: res.ID, Outcome: checks.Error, Severity: res.Severity, Message: "the check could not run: " + res.Error})
		}
	}
	return out
}

// worseFirst is Worst's order: worst first; equally bad findings in
// place order (checks.ComparePlace).
func worseFirst(a, b *checks.Finding) int {
	if da, db := Art14Deadline(*a), Art14Deadline(*b); da != db {
		if da {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(VulnerabilityRank(*b), VulnerabilityRank(*a)); c != 0 {
		return c
	}
	if c := cmp.Compare(attentionRank(a.Outcome), attentionRank(b.Outcome)); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Severity.Rank(), a.Severity.Rank()); c != 0 {
		return c
	}
	return checks.ComparePlace(a, b)
}

// Art14Deadline reports whether f is a report under Art. 14 overdue or due
// within 24 hours.
func Art14Deadline(f checks.Finding) bool {
	return f.Check == Art14DeadlineCheck && f.Outcome == checks.Fail
}

// VulnerabilityRank ranks an open vulnerability finding (failing or
// warning) of KnownVulnerabilityCheck for Worst: 2 when the vulnerability
// is in CISA's KEV catalogue, 1 when it is critical, 0 otherwise and for
// every other finding.
func VulnerabilityRank(f checks.Finding) int {
	if f.Check != KnownVulnerabilityCheck || (f.Outcome != checks.Fail && f.Outcome != checks.Warn) {
		return 0
	}
	switch {
	case f.Values["kev"] == "true":
		return 2
	case f.Values["severity"] == "critical":
		return 1
	}
	return 0
}

// attentionRank orders the outcomes Worst lists; -1 for the others.
func attentionRank(o checks.Outcome) int {
	switch o {
	case checks.Fail:
		return 0
	case checks.Error:
		return 1
	case checks.Warn:
		return 2
	case checks.Info:
		return 3
	}
	return -1
}

// Where is a finding's "file:line" (just the file when it has no line;
// "" when it has no file).
func Where(f checks.Finding) string {
	if f.Path == "" {
		return ""
	}
	if f.Line > 0 {
		return f.Path + ":" + strconv.Itoa(f.Line)
	}
	return f.Path
}
