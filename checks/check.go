// Package checks is cemark's check framework: checks with stable IDs and
// embedded metadata, a collect step that gathers facts and a pure evaluate
// step that judges them, findings tied to CRA clauses, waivers, and the
// report every output format is encoded from.
//
// Check families live in sub-packages (surface, defaults, updates,
// vulnhandling, report, vulns) with their metadata beside the code;
// checks/all lists them in one explicit registry. They import nothing of
// evidence but its config model, and no family imports another (doc.go).
package checks

import "context"

// Outcome is what a finding says. It is an enum, not a bool: "could not be
// assessed" must never read as a pass.
type Outcome string

const (
	Pass          Outcome = "pass"
	Fail          Outcome = "fail"
	Warn          Outcome = "warn" // a gap that needs a person's attention, not a failure
	Info          Outcome = "info" // a fact for the risk assessment
	Waived        Outcome = "waived"
	NotApplicable Outcome = "not-applicable"
	Error         Outcome = "error" // the check broke; nothing was assessed
)

// Severity ranks failures. Order matters: see Rank.
type Severity string

const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank orders severities (info 0 … critical 4); unknown is -1.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 0
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	case SeverityCritical:
		return 4
	}
	return -1
}

// Meta is a check's metadata, kept in a YAML file beside its code and
// embedded. Docs, SARIF rules and the technical file are generated from it.
type Meta struct {
	ID          string   `yaml:"id" json:"id"` // CEM-<FAMILY>-<NNN>, never renamed
	Title       string   `yaml:"title" json:"title"`
	Rationale   string   `yaml:"rationale" json:"rationale"`
	Severity    Severity `yaml:"severity" json:"severity"`
	CRA         []string `yaml:"cra" json:"cra"` // "Annex I Part I (2)(j)"
	Standards   []string `yaml:"standards,omitempty" json:"standards,omitempty"`
	Remediation string   `yaml:"remediation" json:"remediation"`
	Tags        []string `yaml:"tags,omitempty" json:"tags,omitempty"`
}

// Check is one check. Collect may do I/O through the Target; Evaluate is
// pure, so it can be tested with plain tables of facts. Run calls several
// checks at once: Collect only reads the Target (its memo and file index
// are safe for concurrent use) and shares nothing else between calls.
type Check interface {
	Meta() Meta
	// Collect gathers this check's facts. Families share parsing through
	// Target.Memo so each file is read and parsed once per run.
	Collect(ctx context.Context, t *Target) (any, error)
	// Evaluate judges the facts. It returns findings without CRA, severity
	// defaults or waivers applied: the runner fills those from Meta.
	Evaluate(facts any) ([]Finding, error)
}
