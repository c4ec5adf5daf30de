package checks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/cemark/cemark/evidence/config"
)

// DefaultTestPaths are the test, fixture and example folders whose
// findings are info when cemark.yaml names none (checks.test_paths). The
// conventions of IsTestPath (caddytest/, *_test.go …) apply with them.
var DefaultTestPaths = []string{"**/test/**", "**/tests/**", "**/testdata/**", "**/example/**", "**/examples/**", "**/__tests__/**", "**/spec/**",
	"**/integration/**", "**/integration-tests/**", "**/integration_tests/**", "**/e2e/**", "**/cypress/**",
	"**/fixtures/**", "**/fixture/**", "**/__fixtures__/**", "**/__mocks__/**"}

// DefaultTestSeverity is what the severity of a failing or warning finding
// in test code is lowered to when cemark.yaml does not say
// (checks.test_severity). The finding stays in the report as info: a test
// fixture or an example is not what ships, so it never counts as a
// failure of the product.
const DefaultTestSeverity = SeverityInfo

// RunOptions describe the run for the report.
type RunOptions struct {
	ToolVersion string
	Product     Product
	// ConfigFile is the configuration file's path relative to the product
	// root, where findings about waivers point; default "cemark.yaml".
	ConfigFile string
	// Catalogue lists every known check ID (the full registry before
	// --checks selected from it). When set, a waiver naming a check that is
	// not in it is reported by CEM-WVR-001: it is most likely a typo, and it
	// waives nothing.
	Catalogue []string
	// Baseline, when set, marks the findings it holds as existing
	// (Finding.Baseline) after waivers are applied.
	Baseline *Baseline
}

// Run runs every check of reg against t: Collect, then Evaluate. A check
// that returns an error or panics records one Error finding and the others
// still run. Then the runner fills each finding's CRA references, standards
// and default severity from the check's metadata, masks snippets, lowers the
// severity of findings in test and example paths, applies the waivers of
// cemark.yaml and inline cemark:ignore comments, adds the framework checks'
// findings (CEM-WVR-001, CEM-WVR-002) and sorts everything.
//
// Run returns an error only when it cannot run at all (no registry or
// file index, a cancelled context, a bad test severity).
func Run(ctx context.Context, reg *Registry, t *Target, opts RunOptions) (*Report, error) {
	if reg == nil {
		return nil, errors.New("run checks: no registry")
	}
	if t == nil || t.Files == nil {
		return nil, errors.New("run checks: no target file index (build the target with NewTarget)")
	}
	if t.Memo == nil {
		t.Memo = NewMemo()
	}
	cfg := t.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	ship := newShipping(cfg, t.Files.Read)
	testSev := DefaultTestSeverity
	if cfg.Checks.TestSeverity != "" {
		s, err := ParseSeverity(cfg.Checks.TestSeverity)
		if err != nil || s == "" {
			return nil, fmt.Errorf("run checks: checks.test_severity %q: want one of info, low, medium, high, critical", cfg.Checks.TestSeverity)
		}
		testSev = s
	}
	configFile := opts.ConfigFile
	if configFile == "" {
		configFile = config.FileName
	}

	rep := &Report{
		SchemaVersion: ReportSchemaVersion,
		Tool:          Tool{Name: "cemark", Version: opts.ToolVersion},
		Product:       opts.Product,
		ConfigFile:    opts.ConfigFile,
	}
	all := reg.Checks()
	ran := runAll(ctx, all, t)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("run checks: %w", err)
	}
	var sheets []FactSheet
	for i, c := range all {
		m := c.Meta()
		res := Result{Meta: m}
		if !isFrameworkCheck(m.ID) {
			res.Findings, res.Error = ran[i].findings, ran[i].err
			if fs, ok := ran[i].facts.(FactSheet); ok {
				sheets = append(sheets, fs)
			}
			for i := range res.Findings {
				lowerNotShipped(&res.Findings[i], ship, testSev) // normalised by runAll
			}
		}
		rep.Results = append(rep.Results, res)
	}

	ws := newWaiverState(cfg.Waivers, t, reg, opts.Catalogue)
	for i := range rep.Results {
		for j := range rep.Results[i].Findings {
			ws.apply(&rep.Results[i].Findings[j])
		}
	}
	for i := range rep.Results {
		res := &rep.Results[i]
		switch res.ID {
		case WaiverCheckID:
			res.Findings = ws.waiverFindings(configFile)
		case IgnoreCheckID:
			res.Findings = ws.ignoreFindings()
		default:
			continue
		}
		for j := range res.Findings {
			normalise(&res.Findings[j], res.Meta)
		}
	}

	for i := range rep.Results {
		res := &rep.Results[i]
		SortFindings(res.Findings)
		if res.Findings == nil {
			res.Findings = []Finding{}
		}
		res.Outcome = WorstOutcome(res.Findings)
	}
	if rep.Results == nil {
		rep.Results = []Result{}
	}
	// No slice report.json writes as [] is left nil (Findings above): the
	// report and report.json's bytes decode to each other exactly, and
	// the stage cache keeps only those bytes.
	sort.SliceStable(rep.Results, func(i, j int) bool { return rep.Results[i].ID < rep.Results[j].ID })
	// Each family that ran states its fact sheet (once per family: its
	// checks share the memoised facts, and stating them again is the same).
	for _, fs := range sheets {
		fs.StateFacts(&rep.Facts)
	}
	rep.FileErrors = t.Files.Errors()
	rep.Summary = Summarise(rep)
	opts.Baseline.Apply(rep)
	return rep, nil
}

// ranCheck is what runOne gave for one check.
type ranCheck struct {
	facts    any
	findings []Finding
	err      string
}

// runAll runs every check but the framework's (runOne), one per processor
// at a time, and returns what each gave, its findings normalised, in
// checks' order: the report is the same whatever the timing. Checks only
// read the target, and a family's checks share its collection through the
// target's memo, which makes each at most once; so the first check of
// each family (its ID without the number) is started first, and the
// others, which mostly wait for their family's collection, after them. A
// cancelled ctx stops starting checks.
func runAll(ctx context.Context, all []Check, t *Target) []ranCheck {
	out := make([]ranCheck, len(all))
	var first, rest []int
	started := map[string]bool{}
	for i, c := range all {
		id := c.Meta().ID
		if isFrameworkCheck(id) {
			continue
		}
		if family := id[:max(0, strings.LastIndexByte(id, '-'))]; !started[family] {
			started[family] = true
			first = append(first, i)
		} else {
			rest = append(rest, i)
		}
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() == nil {
					out[i].facts, out[i].findings, out[i].err = runOne(ctx, all[i], t)
					m := all[i].Meta()
					for j := range out[i].findings {
						normalise(&out[i].findings[j], m)
					}
				}
			}
		})
	}
	for _, i := range append(first, rest...) {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// runOne collects and evaluates one check and returns the facts it
// collected with the findings. Any error or panic becomes one Error
// finding saying what broke (and no facts).
func runOne(ctx context.Context, c Check, t *Target) (facts any, findings []Finding, errMsg string) {
	id := c.Meta().ID
	fail := func(step string, err error) (any, []Finding, string) {
		msg := fmt.Sprintf("%s: %v", step, err)
		return nil, []Finding{{Check: id, Outcome: Error, Message: "check could not run: " + msg}}, msg
	}
	facts, err := protect(func() (any, error) { return c.Collect(ctx, t) })
	if err != nil {
		return fail("collect", err)
	}
	fs, err := protect(func() (any, error) { return c.Evaluate(facts) })
	if err != nil {
		return fail("evaluate", err)
	}
	got, _ := fs.([]Finding)
	// Copy: the runner rewrites findings and must not touch a check's own
	// slices or maps.
	out := make([]Finding, len(got))
	for i, f := range got {
		if f.Values != nil {
			vals := make(map[string]string, len(f.Values))
			for k, v := range f.Values {
				vals[k] = v
			}
			f.Values = vals
		}
		out[i] = f
	}
	for _, f := range out {
		if outcomeRank(f.Outcome) < 0 {
			return fail("evaluate", fmt.Errorf("finding with unknown outcome %q", f.Outcome))
		}
		if f.Severity != "" && f.Severity.Rank() < 0 {
			return fail("evaluate", fmt.Errorf("finding with unknown severity %q", f.Severity))
		}
	}
	return facts, out, ""
}

// ErrCheckPanicked marks a check that panicked; the run goes on.
var ErrCheckPanicked = errors.New("check panicked")

func protect(fn func() (any, error)) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			// No stack trace: it could carry file contents into the report.
			// The panic value is what a bug report needs.
			err = fmt.Errorf("%w: %v", ErrCheckPanicked, r)
		}
	}()
	return fn()
}

// normalise fills what the runner owns: the check ID, CRA references and
// standards from metadata, the default severity, and masked text.
func normalise(f *Finding, m Meta) {
	f.Check = m.ID
	f.CRA = append([]string(nil), m.CRA...)
	if len(m.Standards) > 0 {
		f.Standards = append([]string(nil), m.Standards...)
	} else {
		f.Standards = nil
	}
	if f.Severity == "" {
		f.Severity = m.Severity
		if f.Severity == "" {
			f.Severity = SeverityInfo
		}
	}
	f.Path = strings.TrimPrefix(f.Path, "./")
	f.Snippet = MaskSecrets(f.Snippet)
	f.Message = MaskSecrets(f.Message)
	for k, v := range f.Values {
		f.Values[k] = MaskSecrets(v)
	}
}

// lowerNotShipped handles findings in test code, examples and development
// compose files: they are still reported, as info with lower severity, since a
// test fixture or a developer's compose file is not what ships; a failure
// there never counts against the product. Values records what it was.
func lowerNotShipped(f *Finding, ship *shipping, to Severity) {
	if f.Outcome != Fail && f.Outcome != Warn {
		return
	}
	why := ship.notShipped(f.Path)
	if why == "" {
		return
	}
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	f.Values["not_shipped"] = why
	if why == NotShippedTest || why == NotShippedExample {
		f.Values["test_path"] = "true" // under checks.test_paths (or the built-in conventions)
	}
	f.Values["outcome_lowered_from"] = string(f.Outcome)
	f.Outcome = Info
	if f.Severity.Rank() > to.Rank() {
		f.Values["severity_lowered_from"] = string(f.Severity)
		f.Severity = to
	}
}

// outcomeRank orders outcomes from worst (highest) to best: fail > error >
// warn > waived > info > pass > not-applicable. Unknown is -1.
func outcomeRank(o Outcome) int {
	switch o {
	case Fail:
		return 6
	case Error:
		return 5
	case Warn:
		return 4
	case Waived:
		return 3
	case Info:
		return 2
	case Pass:
		return 1
	case NotApplicable:
		return 0
	}
	return -1
}

// WorstOutcome is a result's outcome: the worst of its findings', pass
// when there are none.
func WorstOutcome(fs []Finding) Outcome {
	if len(fs) == 0 {
		return Pass
	}
	worst := fs[0].Outcome
	for _, f := range fs[1:] {
		if outcomeRank(f.Outcome) > outcomeRank(worst) {
			worst = f.Outcome
		}
	}
	return worst
}

// SortFindings orders findings by path, line, column, key, message (then
// outcome and severity, so equal places still sort the same every run).
func SortFindings(fs []Finding) { SortFindingsBy(fs, ComparePlace) }

// ComparePlace is SortFindings' order.
func ComparePlace(a, b *Finding) int {
	return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column),
		cmp.Compare(a.Key, b.Key), cmp.Compare(a.Message, b.Message), cmp.Compare(a.Outcome, b.Outcome),
		cmp.Compare(a.Severity, b.Severity))
}

// SortFindingsBy sorts fs by compare, stably. It sorts the findings'
// positions and moves each finding once: a stable sort of the findings
// themselves (a few hundred bytes each) moves them many times, which
// showed in profiles of trees with tens of thousands of findings.
func SortFindingsBy(fs []Finding, compare func(a, b *Finding) int) {
	order := make([]int32, len(fs))
	for i := range order {
		order[i] = int32(i)
	}
	// Ties keep the findings' order: the sort is stable by construction.
	slices.SortFunc(order, func(i, j int32) int { return cmp.Or(compare(&fs[i], &fs[j]), cmp.Compare(i, j)) })
	sorted := make([]Finding, len(fs))
	for k, i := range order {
		sorted[k] = fs[i]
	}
	copy(fs, sorted)
}

// Summarise counts the checks and the findings by outcome. Results must
// have their Outcome set.
func Summarise(r *Report) Summary {
	s := Summary{Checks: len(r.Results)}
	for _, res := range r.Results {
		if s.CheckOutcomes == nil {
			s.CheckOutcomes = map[Outcome]int{}
		}
		s.CheckOutcomes[res.Outcome]++
		for _, f := range res.Findings {
			if f.Baseline {
				s.Baseline++
			}
			switch f.Outcome {
			case Pass:
				s.Pass++
			case Fail:
				s.Fail++
			case Warn:
				s.Warn++
			case Info:
				s.Info++
			case Waived:
				s.Waived++
			case NotApplicable:
				s.NotApplicable++
			case Error:
				s.Error++
			}
		}
	}
	return s
}

// ParseSeverity reads a severity name (case-insensitive). "none", "never"
// and "" give "" with no error: no severity, so FailsAt finds nothing.
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	switch v {
	case "", "none", "never":
		return "", nil
	}
	if v.Rank() < 0 {
		return "", fmt.Errorf("unknown severity %q: want one of info, low, medium, high, critical, or none", s)
	}
	return v, nil
}

// FailsAt returns the failing findings (Outcome Fail; waived ones and
// those the baseline holds do not count) whose severity is min or higher,
// for --fail-on. An empty min ("none") returns nothing.
func FailsAt(r *Report, min Severity) []Finding {
	if r == nil || min == "" || min.Rank() < 0 {
		return nil
	}
	var out []Finding
	for _, f := range r.Findings() {
		if f.FailsGate() && f.Severity.Rank() >= min.Rank() {
			out = append(out, f)
		}
	}
	return out
}
