package attest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/contain"
)

// Rule verdicts.
const (
	VerdictPass = "pass"
	VerdictFail = "fail"
)

// Policy is a verify policy file (YAML, strict: unknown keys are errors):
//
//	version: 1
//	rules:
//	  no_failing_check_at_or_above: high   # info | low | medium | high | critical
//	  sbom_complete: true                  # an SBOM is attested and TR-03183-2 required fields are complete
//	  support_period_not_ended: true       # conformity statement's support period ends on or after --at
//	  no_not_met: true                     # no Annex I point has a failing finding in the conformity statement
//	identities:                            # who may sign keylessly (added to --certificate-identity)
//	  - issuer: https://token.actions.githubusercontent.com
//	    identity_regexp: 'https://github\.com/acme/widget/\.github/workflows/.+@refs/heads/main'
type Policy struct {
	Version int         `yaml:"version"`
	Rules   PolicyRules `yaml:"rules"`
	// Identities pin keyless signers, in the shape of
	// updates.keyless_identities: issuer and exactly one of identity and
	// identity_regexp (anchored: it must match the whole identity).
	Identities []config.KeylessIdentity `yaml:"identities,omitempty"`
}

// PolicyRules are the optional rules; a zero value is off.
type PolicyRules struct {
	NoFailingCheckAtOrAbove string `yaml:"no_failing_check_at_or_above,omitempty"`
	SBOMComplete            bool   `yaml:"sbom_complete,omitempty"`
	SupportPeriodNotEnded   bool   `yaml:"support_period_not_ended,omitempty"`
	NoNotMet                bool   `yaml:"no_not_met,omitempty"`
}

// PolicyError is a policy file that cannot be used: unreadable, not YAML,
// an unknown key or a bad value. The CLI maps it to the usage exit code (2),
// because the fix is in the caller's input, not in the attestations.
type PolicyError struct {
	Path string
	Err  error
}

func (e *PolicyError) Error() string { return fmt.Sprintf("policy %s: %v", e.Path, e.Err) }
func (e *PolicyError) Unwrap() error { return e.Err }

// LoadPolicy reads and checks a policy file. Its errors are *PolicyError.
func LoadPolicy(path string) (*Policy, error) {
	b, err := contain.ReadRegular(path, maxKeySize)
	if err != nil {
		return nil, &PolicyError{Path: path, Err: err}
	}
	p, err := ParsePolicy(b)
	if err != nil {
		return nil, &PolicyError{Path: path, Err: err}
	}
	return p, nil
}

// ParsePolicy parses a policy strictly.
func ParsePolicy(b []byte) (*Policy, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var p Policy
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty policy")
		}
		return nil, err
	}
	switch p.Version {
	case 1:
	case 0:
		return nil, errors.New("version: missing; the first line should be \"version: 1\"")
	default:
		return nil, fmt.Errorf("version: %d is not supported; this cemark reads version 1", p.Version)
	}
	if s := p.Rules.NoFailingCheckAtOrAbove; s != "" && checks.Severity(s).Rank() < 0 {
		return nil, fmt.Errorf("no_failing_check_at_or_above: unknown severity %q (info, low, medium, high, critical)", s)
	}
	r := p.Rules
	if r.NoFailingCheckAtOrAbove == "" && !r.SBOMComplete && !r.SupportPeriodNotEnded && !r.NoNotMet && len(p.Identities) == 0 {
		return nil, errors.New("no rule is switched on and no identity is pinned")
	}
	if _, err := pinIdentities(p.Identities, "policy"); err != nil {
		return nil, err
	}
	return &p, nil
}

// Rule names in reports.
const (
	RuleNoFailingCheck = "no_failing_check_at_or_above"
	RuleSBOMComplete   = "sbom_complete"
	RuleSupportPeriod  = "support_period_not_ended"
	RuleNoNotMet       = "no_not_met"
)

// Evaluate applies the rules to the predicates of verified statements
// (by predicate type). Only verified statements are ever read.
func (p *Policy) Evaluate(preds map[string][]json.RawMessage, at time.Time) []RuleResult {
	var out []RuleResult
	if s := p.Rules.NoFailingCheckAtOrAbove; s != "" {
		out = append(out, ruleNoFailing(preds[PredicateReport], checks.Severity(s)))
	}
	if p.Rules.SBOMComplete {
		out = append(out, ruleSBOM(preds))
	}
	if p.Rules.SupportPeriodNotEnded {
		out = append(out, ruleSupport(preds[PredicateConformity], at))
	}
	if p.Rules.NoNotMet {
		out = append(out, ruleNotMet(preds[PredicateConformity]))
	}
	return out
}

func ruleNoFailing(reports []json.RawMessage, min checks.Severity) RuleResult {
	r := RuleResult{Rule: RuleNoFailingCheck + ": " + string(min)}
	if len(reports) == 0 {
		r.Verdict, r.Detail = VerdictFail, "no verified report statement ("+PredicateReport+")"
		return r
	}
	failing := map[string]bool{}
	for _, raw := range reports {
		var rp ReportPredicate
		err := json.Unmarshal(raw, &rp)
		switch {
		case err == nil && rp.Report == nil && rp.ReportFile != nil:
			// Attested by digest, and Verify found no report.json beside it.
			r.Verdict, r.Detail = VerdictFail, "the report statement names "+rp.ReportFile.Name+" by digest and it is not beside the statement: the report was not read"
			return r
		case err != nil || rp.Report == nil:
			r.Verdict, r.Detail = VerdictFail, "report predicate does not parse"
			return r
		}
		for _, f := range rp.Report.Findings() {
			if f.Failing() && f.Severity.Rank() >= min.Rank() {
				failing[f.Check+" ("+string(f.Severity)+")"] = true
			}
		}
	}
	if len(failing) > 0 {
		r.Verdict, r.Detail = VerdictFail, "failing checks at or above "+string(min)+": "+strings.Join(sortedKeys(failing), ", ")
		return r
	}
	r.Verdict, r.Detail = VerdictPass, "no failing finding at or above "+string(min)
	return r
}

type qualityFacts struct {
	Verdict string `json:"verdict"`
	Fields  []struct {
		Field    string   `json:"field"`
		Standard []string `json:"standard"`
		Required bool     `json:"required"`
		Verdict  string   `json:"verdict"`
	} `json:"fields"`
}

func ruleSBOM(preds map[string][]json.RawMessage) RuleResult {
	r := RuleResult{Rule: RuleSBOMComplete}
	has := len(preds[PredicateCycloneDX]) > 0 || len(preds[PredicateSPDX]) > 0
	for _, raw := range preds[PredicateReference] {
		if bytes.Contains(raw, []byte(PredicateCycloneDX)) || bytes.Contains(raw, []byte(PredicateSPDX)) {
			has = true
		}
	}
	if !has {
		r.Verdict, r.Detail = VerdictFail, "no verified SBOM statement (CycloneDX or SPDX)"
		return r
	}
	var q *qualityFacts
	for _, raw := range preds[PredicateReport] {
		var rp struct {
			SBOMQuality *qualityFacts `json:"sbomQuality"`
		}
		if err := json.Unmarshal(raw, &rp); err == nil && rp.SBOMQuality != nil {
			q = rp.SBOMQuality
		}
	}
	if q == nil {
		r.Verdict, r.Detail = VerdictFail, "SBOM attested, but no SBOM quality evidence (sbomQuality in the report statement)"
		return r
	}
	var missing []string
	checked := 0
	for _, f := range q.Fields {
		tr := false
		for _, s := range f.Standard {
			if strings.Contains(s, "TR-03183") {
				tr = true
			}
		}
		if !f.Required || !tr {
			continue
		}
		checked++
		if f.Verdict != "complete" && f.Verdict != "not-applicable" {
			missing = append(missing, f.Field+" ("+f.Verdict+")")
		}
	}
	sort.Strings(missing)
	switch {
	case len(missing) > 0:
		r.Verdict, r.Detail = VerdictFail, "TR-03183-2 required fields incomplete: "+strings.Join(missing, ", ")
	case checked == 0 && q.Verdict != "complete":
		r.Verdict, r.Detail = VerdictFail, fmt.Sprintf("SBOM quality verdict is %q", q.Verdict)
	default:
		r.Verdict, r.Detail = VerdictPass, "SBOM attested; TR-03183-2 required fields complete"
	}
	return r
}

func conformityPredicates(raws []json.RawMessage) ([]ConformityPredicate, error) {
	var out []ConformityPredicate
	for _, raw := range raws {
		var p ConformityPredicate
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("conformity predicate does not parse: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

func ruleSupport(raws []json.RawMessage, at time.Time) RuleResult {
	r := RuleResult{Rule: RuleSupportPeriod}
	ps, err := conformityPredicates(raws)
	if err != nil || len(ps) == 0 {
		r.Verdict, r.Detail = VerdictFail, "no verified conformity statement ("+PredicateConformity+")"
		if err != nil {
			r.Detail = err.Error()
		}
		return r
	}
	day := at.UTC().Format(time.DateOnly)
	for _, p := range ps {
		if p.Support.End == "" {
			r.Verdict, r.Detail = VerdictFail, "the conformity statement states no support period end"
			return r
		}
		end, err := config.ParseDate(p.Support.End)
		if err != nil {
			r.Verdict, r.Detail = VerdictFail, "support period end: "+err.Error()
			return r
		}
		if end.Before(at) {
			r.Verdict, r.Detail = VerdictFail, "support period ended on "+end.String()+" (checked at "+day+")"
			return r
		}
		r.Detail = "support period ends on " + end.String() + " (checked at " + day + ")"
	}
	r.Verdict = VerdictPass
	return r
}

func ruleNotMet(raws []json.RawMessage) RuleResult {
	r := RuleResult{Rule: RuleNoNotMet}
	ps, err := conformityPredicates(raws)
	if err != nil || len(ps) == 0 {
		r.Verdict, r.Detail = VerdictFail, "no verified conformity statement ("+PredicateConformity+")"
		if err != nil {
			r.Detail = err.Error()
		}
		return r
	}
	var notMet []string
	for _, p := range ps {
		for _, q := range p.Requirements {
			if q.Status == string(conformity.FailingFinding) {
				notMet = append(notMet, q.ID+" "+q.Clause)
			}
		}
	}
	if len(notMet) > 0 {
		r.Verdict, r.Detail = VerdictFail, "failing finding: "+strings.Join(notMet, ", ")
		return r
	}
	r.Verdict, r.Detail = VerdictPass, "no Annex I point has a failing finding"
	return r
}
