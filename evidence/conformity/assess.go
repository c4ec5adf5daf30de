package conformity

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
)

// Status is what the evidence shows for one point. It is not a legal
// verdict: cemark never says a requirement is fulfilled. The values are
// those of the conformity predicate v2 (docs/conformity-predicate.md).
type Status string

const (
	// EvidenceComplete: every check tied to the point ran with no fail,
	// warn or error finding; the checks cover the whole point, or cover
	// part of it and the manufacturer described the measures for the rest;
	// and the manufacturer text the point needs is present.
	EvidenceComplete Status = "evidence-complete"
	// StatedNotVerified: no check of cemark covers the point; the
	// manufacturer described the measures. cemark cannot verify them.
	StatedNotVerified Status = "stated-not-verified"
	// FailingFinding: a check tied to the point has a failing finding.
	FailingFinding Status = "failing-finding"
	// NotApplicable: the manufacturer declared the point not applicable
	// and justified it (Art. 13(4)).
	NotApplicable Status = "not-applicable"
	// NotAssessed: anything else — a warning, a check that broke, missing
	// measures or manufacturer text, an unjustified non-applicability.
	NotAssessed Status = "not-assessed"
)

// Addressed reports whether a point with this status needs nothing more
// before a release: the evidence is complete, the manufacturer stated the
// measures for a point no check covers, or the point was justified not
// applicable.
func (s Status) Addressed() bool {
	return s == EvidenceComplete || s == StatedNotVerified || s == NotApplicable
}

// Coverage says how much of a point the checks that ran cover.
type Coverage string

const (
	CoverageFull    Coverage = "full"
	CoveragePartial Coverage = "partial"
	CoverageNone    Coverage = "none" // no check tied to the point ran
)

// Assessment is the per-requirement view of one run.
type Assessment struct {
	Points []PointStatus `json:"points"`
}

// PointStatus is one Annex I point with its status and evidence.
type PointStatus struct {
	Point
	Status Status `json:"status"`
	// Coverage is how much of the point the checks that ran cover.
	Coverage Coverage `json:"coverage"`
	// Basis says in words why the status is what it is.
	Basis         string `json:"basis"`
	Justification string `json:"justification,omitempty"` // for not applicable
	Measures      string `json:"measures,omitempty"`      // the manufacturer's words
	// Checks that evidence this point, sorted; Failing, Warning, Errored
	// and Waived are subsets.
	Checks  []string `json:"checks,omitempty"`
	Failing []string `json:"failing,omitempty"`
	Warning []string `json:"warning,omitempty"`
	Errored []string `json:"errored,omitempty"`
	Waived  []string `json:"waived,omitempty"`
	// OpenItems lists what is missing before the point is evidenced.
	OpenItems []string `json:"open_items,omitempty"`
	// Vulnerabilities lists, for Part I (2)(a) and Part II (2), the open
	// vulnerabilities of the scan of the product's SBOM, KEV and critical
	// first, each with the day it was first seen and whether the policy
	// fails it: for the risk assessment, whatever the point's status.
	Vulnerabilities []string `json:"vulnerabilities,omitempty"`
}

// Inputs are evidence beyond the check report that some points need.
type Inputs struct {
	// VulnScan is the summary of the vulnerability scan of the product's
	// SBOM (vulnscan.Summarise), the only evidence on which Annex I Part I
	// (2)(a) can be complete; nil when no scan ran.
	VulnScan *vulnscan.Summary
}

// Assess is AssessWith without further inputs: Part I (2)(a) stays not
// assessed.
func Assess(cfg *config.Config, report *checks.Report) Assessment {
	return AssessWith(cfg, report, Inputs{})
}

// AssessWith combines the manufacturer's risk assessment (cemark.yaml
// risk_assessment and the statements a point needs) with the check report
// and in. The rule, in order:
//   - declared not applicable: "not-applicable" with the justification;
//     without one, or for a point that applies to every product (Part I (1),
//     all of Part II), "not-assessed" with an open item (Art. 13(4));
//   - a check tied to the point has a failing finding: "failing-finding";
//   - a check broke (error) or warned: "not-assessed", the warning as the
//     open item (a warning is not a pass);
//   - Part I (2)(a) follows the scan's own rule (knownVulnerabilities):
//     only a scan of the SBOM with a fresh database completes it, a KEV or
//     fixable critical/high vulnerability left open fails it, and the open
//     vulnerabilities the policy does not fail are listed, not warnings;
//     Part II (2) lists them too, with the day each was first seen;
//   - manufacturer text the point needs is missing: "not-assessed";
//   - checks ran with no finding against the point: "evidence-complete"
//     when they cover it whole, or cover part and the measures describe
//     the rest; else "not-assessed" asking for the measures;
//   - no check covers it: "stated-not-verified" with measures, else
//     "not-assessed".
func AssessWith(cfg *config.Config, report *checks.Report, in Inputs) Assessment {
	if cfg == nil {
		cfg = &config.Config{}
	}
	byPoint := evidenceByPoint(report)
	var out Assessment
	for _, p := range Points() {
		req := cfg.RiskAssessment[p.ID]
		e := byPoint[p.ID]
		if e == nil {
			e = &pointEvidence{}
		}
		ps := PointStatus{Point: p, Coverage: CoverageNone, Measures: strings.TrimSpace(req.Measures),
			Checks: keys(e.checks), Failing: keys(e.failing), Warning: keys(e.warning),
			Errored: keys(e.errored), Waived: keys(e.waived)}
		if len(ps.Checks) > 0 {
			ps.Coverage = CoverageFull
			if p.Uncovered != "" {
				ps.Coverage = CoveragePartial
			}
		}
		decide(&ps, cfg, req, e, in)
		vulnerabilityEvidence(&ps, in.VulnScan)
		out.Points = append(out.Points, ps)
	}
	return out
}

// decide sets the status, basis and open items of one point.
func decide(ps *PointStatus, cfg *config.Config, req config.Requirement, e *pointEvidence, in Inputs) {
	p := ps.Point
	measuresKey := "risk_assessment." + p.ID + ".measures"
	if req.Applicable != nil && !*req.Applicable {
		ps.Justification = strings.TrimSpace(req.Justification)
		switch {
		case p.Always:
			ps.Status = NotAssessed
			ps.Basis = "declared not applicable, but this point applies to every product"
			ps.open("this requirement cannot be declared not applicable; describe how it is met in " + measuresKey)
		case ps.Justification == "":
			ps.Status = NotAssessed
			ps.Basis = "declared not applicable without a justification"
			ps.open("justify the non-applicability in risk_assessment." + p.ID + ".justification (Art. 13(4))")
		default:
			ps.Status = NotApplicable
			ps.Basis = "declared not applicable in the risk assessment, with a justification (Art. 13(4))"
		}
		return
	}
	if p.ID == pointKnownVulns {
		knownVulnerabilities(ps, e, in.VulnScan)
		return
	}
	switch {
	case len(ps.Failing) > 0:
		ps.Status = FailingFinding
		ps.Basis = "failing findings in " + join(ps.Failing)
		return
	case len(ps.Errored) > 0:
		ps.Status = NotAssessed
		ps.Basis = "checks could not complete: " + join(ps.Errored)
		ps.open("re-run the checks that could not complete: " + join(ps.Errored))
		return
	case len(ps.Warning) > 0:
		ps.Status = NotAssessed
		ps.Basis = "warnings in " + join(ps.Warning) + ": a warning is not a pass"
		for _, w := range e.warnings {
			ps.open(w)
		}
		return
	}
	if missing := requiredText(cfg, p.ID); len(missing) > 0 {
		ps.Status = NotAssessed
		ps.Basis = "manufacturer statements this point needs are missing"
		if len(ps.Checks) > 0 {
			ps.Basis = "no finding against the point in " + join(ps.Checks) + ", but manufacturer statements it needs are missing"
		}
		for _, m := range missing {
			ps.open(m)
		}
		return
	}
	switch ps.Coverage {
	case CoverageFull:
		ps.Status = EvidenceComplete
		ps.Basis = "no finding against the point in " + join(ps.Checks) + "; the checks cover the whole point"
	case CoveragePartial:
		if ps.Measures == "" {
			ps.Status = NotAssessed
			ps.Basis = "no finding against the point in " + join(ps.Checks) + ", but the checks cover only part of it"
			ps.open("the checks cover only part of this point (" + p.Uncovered + "): describe the measures in " + measuresKey)
			break
		}
		ps.Status = EvidenceComplete
		ps.Basis = "no finding against the point in " + join(ps.Checks) + " (partial coverage); the manufacturer describes the measures for the rest: stated, not verified"
	default:
		if ps.Measures == "" {
			ps.Status = NotAssessed
			ps.Basis = "no check covers this point and no measures are described"
			if p.Always {
				ps.open("this point applies to every product: describe how it is met in " + measuresKey)
			} else {
				ps.open("state whether this point applies (risk_assessment." + p.ID + ".applicable) and how it is met (" + measuresKey + "), or justify why it does not apply")
			}
			break
		}
		ps.Status = StatedNotVerified
		ps.Basis = "measures described by the manufacturer: stated, not verified; no check of cemark covers this point"
	}
	if len(ps.Waived) > 0 && ps.Status == EvidenceComplete {
		ps.Basis += "; waived findings in " + join(ps.Waived)
	}
}

// requiredText lists the manufacturer statements point id needs that cfg
// lacks, each as an open item naming the key.
func requiredText(cfg *config.Config, id string) []string {
	var out []string
	need := func(have bool, item string) {
		if !have {
			out = append(out, item)
		}
	}
	set := func(s string) bool { return strings.TrimSpace(s) != "" }
	u := cfg.Updates
	switch id {
	case "I-2c":
		need(set(u.Mechanism), "say how security updates reach users: updates.mechanism")
		switch {
		case u.Automatic == nil:
			out = append(out, "say whether security updates install automatically by default: updates.automatic")
		case *u.Automatic:
			need(set(u.OptOut), "say how users switch automatic security updates off: updates.opt_out (Annex II 8(e))")
		default:
			need(set(cfg.RiskAssessment["I-2c"].Justification),
				"security updates are not automatic by default: justify why automatic updates do not apply in risk_assessment.I-2c.justification")
		}
		need(set(u.Notification), "say how users are notified of available updates: updates.notification")
		need(set(u.Postpone), "say how users can postpone an update temporarily: updates.postpone")
	case "II-4":
		a := cfg.Advisories
		need(a.GitHub || set(a.CSAF) || set(a.Folder) || set(a.URL),
			"say where fixed vulnerabilities are published: advisories (github, csaf, folder or url)")
	case "II-5":
		need(set(cfg.Security.CVDPolicy), "say where the coordinated vulnerability disclosure policy is: security.cvd_policy")
	case "II-6":
		need(set(cfg.Security.Contact), "give the contact address for vulnerability reports: security.contact")
	case "II-7":
		need(set(u.Mechanism), "describe the technical solution that distributes updates: updates.mechanism")
	}
	return out
}

// pointEvidence is what the report holds for one point.
type pointEvidence struct {
	checks, failing, warning, errored, waived map[string]bool
	warnings                                  []string // the warning messages, for open items
}

// maxWarningsPerCheck bounds the open items one check's warnings add.
const maxWarningsPerCheck = 5

func evidenceByPoint(report *checks.Report) map[string]*pointEvidence {
	out := map[string]*pointEvidence{}
	if report == nil {
		return out
	}
	for _, res := range report.Results {
		if res.Outcome == checks.NotApplicable {
			continue
		}
		for _, ref := range res.CRA {
			p, ok := PointByClause(ref)
			if !ok {
				continue
			}
			e := out[p.ID]
			if e == nil {
				e = &pointEvidence{map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, nil}
				out[p.ID] = e
			}
			e.checks[res.ID] = true
			if res.Outcome == checks.Error && len(res.Findings) == 0 {
				e.errored[res.ID] = true
			}
			warned := 0
			for _, f := range res.Findings {
				switch f.Outcome {
				case checks.Fail:
					e.failing[res.ID] = true
				case checks.Waived:
					e.waived[res.ID] = true
				case checks.Error:
					e.errored[res.ID] = true
				case checks.Warn:
					if f.Values["test_path"] == "true" {
						continue // a test fixture is not what ships
					}
					if listsOpenVulnerabilities(p.ID) && openVulnerability(res.ID, f) {
						continue // listed from the scan (vulnerabilityEvidence)
					}
					e.warning[res.ID] = true
					warned++
					switch {
					case warned <= maxWarningsPerCheck:
						e.warnings = append(e.warnings, res.ID+" warns: "+f.Message)
					case warned == maxWarningsPerCheck+1:
						e.warnings = append(e.warnings, res.ID+": more warnings in report.json")
					}
				}
			}
		}
	}
	return out
}

func (ps *PointStatus) open(item string) {
	for _, o := range ps.OpenItems {
		if o == item {
			return
		}
	}
	ps.OpenItems = append(ps.OpenItems, item)
}

// Counts tallies statuses.
func (a Assessment) Counts() map[Status]int {
	m := map[Status]int{}
	for _, p := range a.Points {
		m[p.Status]++
	}
	return m
}

// Unaddressed lists the points that still need something before a
// release: a status that is not Addressed, or open items.
func (a Assessment) Unaddressed() []PointStatus {
	var out []PointStatus
	for _, p := range a.Points {
		if !p.Status.Addressed() || len(p.OpenItems) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// Words says a status for people ("stated, not verified").
func (s Status) Words() string {
	switch s {
	case EvidenceComplete:
		return "evidence complete"
	case StatedNotVerified:
		return "stated, not verified"
	case FailingFinding:
		return "failing finding"
	case NotApplicable:
		return "not applicable"
	case NotAssessed:
		return "not assessed"
	}
	return fmt.Sprintf("unknown status %q", string(s))
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func join(s []string) string { return strings.Join(s, ", ") }
