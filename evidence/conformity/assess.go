package conformity

import (
	"sort"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

// Status is what the evidence shows for one point. It is not a legal
// verdict: "met" means the manufacturer stated how the point is met and no
// check tied to it has a failing finding.
type Status string

const (
	Met           Status = "met"
	NotMet        Status = "not met"
	NotApplicable Status = "not applicable"
	NotAssessed   Status = "not assessed"
)

// Assessment is the per-requirement view of one run.
type Assessment struct {
	Points []PointStatus `json:"points"`
}

// PointStatus is one Annex I point with its status and evidence.
type PointStatus struct {
	Point
	Status Status `json:"status"`
	// Basis says in words why the status is what it is.
	Basis         string `json:"basis"`
	Justification string `json:"justification,omitempty"` // for not applicable
	Measures      string `json:"measures,omitempty"`      // the manufacturer's words
	// Checks that evidence this point, sorted; Failing and Waived are subsets.
	Checks  []string `json:"checks,omitempty"`
	Failing []string `json:"failing,omitempty"`
	Waived  []string `json:"waived,omitempty"`
	// OpenItems lists what is missing before the point can be judged.
	OpenItems []string `json:"open_items,omitempty"`
}

// Assess combines the manufacturer's risk assessment (cemark.yaml
// risk_assessment) with the check report. The rules, in order:
//   - declared not applicable: "not applicable", and an open item when the
//     justification is missing (Art. 13(4) requires one; such a point may
//     not be declared not applicable for Part II or Part I (1));
//   - a check tied to the point has a failing finding: "not met";
//   - checks tied to the point ran with no failing finding, or the
//     manufacturer described the measures: "met" (an error finding leaves
//     it "not assessed");
//   - otherwise "not assessed".
func Assess(cfg *config.Config, report *checks.Report) Assessment {
	if cfg == nil {
		cfg = &config.Config{}
	}
	type agg struct {
		checks, failing, waived, errored map[string]bool
	}
	byPoint := map[string]*agg{}
	if report != nil {
		for _, res := range report.Results {
			for _, ref := range res.CRA {
				p, ok := PointByClause(ref)
				if !ok {
					continue
				}
				a := byPoint[p.ID]
				if a == nil {
					a = &agg{map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}}
					byPoint[p.ID] = a
				}
				if res.Outcome != checks.NotApplicable {
					a.checks[res.ID] = true
				}
				for _, f := range res.Findings {
					switch f.Outcome {
					case checks.Fail:
						a.failing[res.ID] = true
					case checks.Waived:
						a.waived[res.ID] = true
					case checks.Error:
						a.errored[res.ID] = true
					}
				}
			}
		}
	}
	var out Assessment
	for _, p := range Points() {
		ps := PointStatus{Point: p}
		req, hasReq := cfg.RiskAssessment[p.ID]
		if hasReq {
			ps.Measures = req.Measures
		}
		a := byPoint[p.ID]
		if a != nil {
			ps.Checks, ps.Failing, ps.Waived = keys(a.checks), keys(a.failing), keys(a.waived)
		}
		switch {
		case hasReq && req.Applicable != nil && !*req.Applicable:
			ps.Status = NotApplicable
			ps.Justification = req.Justification
			ps.Basis = "declared not applicable in the risk assessment"
			if p.Always {
				ps.Status = NotAssessed
				ps.Basis = "declared not applicable, but this point applies to every product"
				ps.OpenItems = append(ps.OpenItems, "this requirement cannot be declared not applicable; describe how it is met")
			} else if req.Justification == "" {
				ps.OpenItems = append(ps.OpenItems, "justification for non-applicability missing (Art. 13(4))")
			}
		case a != nil && len(a.failing) > 0:
			ps.Status = NotMet
			ps.Basis = "failing findings in " + join(ps.Failing)
		case a != nil && len(a.errored) > 0:
			ps.Status = NotAssessed
			ps.Basis = "checks could not complete: " + join(keys(a.errored))
		case a != nil && len(a.checks) > 0:
			ps.Status = Met
			ps.Basis = "no failing finding in " + join(ps.Checks)
			if len(ps.Waived) > 0 {
				ps.Basis += "; waived findings in " + join(ps.Waived)
			}
			if ps.Measures == "" && !p.Always && p.ID != "I-2b" && p.ID != "I-2j" {
				// Checks alone evidence part of a point; say what a person must add.
				ps.OpenItems = append(ps.OpenItems, "describe the measures in risk_assessment."+p.ID+".measures")
			}
		case ps.Measures != "":
			ps.Status = Met
			ps.Basis = "measures described by the manufacturer; no check of cemark covers this point"
		default:
			ps.Status = NotAssessed
			ps.Basis = "no check covers this point and no measures are described"
			ps.OpenItems = append(ps.OpenItems, "state applicability and measures in risk_assessment."+p.ID)
		}
		out.Points = append(out.Points, ps)
	}
	return out
}

// Counts tallies statuses.
func (a Assessment) Counts() map[Status]int {
	m := map[Status]int{}
	for _, p := range a.Points {
		m[p.Status]++
	}
	return m
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func join(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}
