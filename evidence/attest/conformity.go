package attest

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
)

// ConformityPredicateVersion is the version of the conformity predicate's
// shape (docs/conformity-predicate.md). The major version is in the
// predicate type URI; minor versions only add optional fields.
const ConformityPredicateVersion = "2.1"

// Disclaimer is carried in every conformity predicate.
const Disclaimer = "cemark shows evidence; it does not declare conformity. The manufacturer declares conformity with Regulation (EU) 2024/2847 under its sole responsibility (Art. 28). \"evidence-complete\" means every check tied to the point ran with no fail, warn or error finding, the checks cover the point or the manufacturer describes the measures for the part they do not, and the statements the point needs are given; \"stated-not-verified\" means only the manufacturer's description covers the point. Neither is a legal verdict."

//go:embed schema/conformity-v2.schema.json
var schemaFS embed.FS

// ConformitySchema returns the JSON Schema of the conformity predicate.
func ConformitySchema() []byte {
	b, _ := schemaFS.ReadFile("schema/conformity-v2.schema.json")
	return b
}

// ConformityInput is what BuildConformityStatement needs.
type ConformityInput struct {
	Subjects   []*intotov1.ResourceDescriptor
	Config     *config.Config
	Assessment conformity.Assessment
	// Route is the conformity route; nil means conformity.RouteFor(Config).
	Route *conformity.Route
	// Statements are the run's other statements; their digests become
	// evidence by name.
	Statements []Statement
	// TechnicalFileSHA256 is the hex SHA-256 over the technical-file
	// bundle; empty when none was written.
	TechnicalFileSHA256 string
	ToolName            string
	ToolVersion         string
	// Time is the run's reference time (deterministic, passed in).
	Time time.Time
}

// ConformityPredicate is the predicate of https://cemark.dev/conformity/v2.
type ConformityPredicate struct {
	Version      string              `json:"version"`
	Disclaimer   string              `json:"disclaimer"`
	GeneratedBy  Generator           `json:"generatedBy"`
	GeneratedAt  string              `json:"generatedAt,omitempty"`
	Product      ConformityProduct   `json:"product"`
	Class        string              `json:"class"`
	Route        ConformityRoute     `json:"conformityRoute"`
	Support      SupportPeriod       `json:"supportPeriod"`
	Requirements []RequirementStatus `json:"requirements"`
	Summary      ConformitySummary   `json:"summary"`
	Evidence     ConformityEvidence  `json:"evidence"`
	OpenItems    []string            `json:"openItems"`
}

// Generator names the tool that made the predicate.
type Generator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// ConformityProduct is the product's identity.
type ConformityProduct struct {
	Name            string                 `json:"name"`
	Version         string                 `json:"version,omitempty"`
	Type            string                 `json:"type,omitempty"`
	TypeDesignation string                 `json:"typeDesignation,omitempty"`
	Manufacturer    ConformityManufacturer `json:"manufacturer"`
}

// ConformityManufacturer identifies the manufacturer, or the open-source
// software steward (role "steward", Art. 24).
type ConformityManufacturer struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	Address string `json:"address,omitempty"`
	Email   string `json:"email,omitempty"`
	Website string `json:"website,omitempty"`
}

// ConformityRoute is conformity.Route in the predicate's spelling.
type ConformityRoute struct {
	ModuleA     bool                  `json:"moduleA"`
	Procedures  []ConformityProcedure `json:"procedures"`
	Explanation string                `json:"explanation"`
	Conditions  []string              `json:"conditions,omitempty"`
	// Followed is the procedure the manufacturer states it follows.
	Followed *ConformityProcedure `json:"followed,omitempty"`
	// Declaration and CEMarking are false for an open-source software
	// steward (Art. 24, recital 19).
	Declaration bool `json:"declaration"`
	CEMarking   bool `json:"ceMarking"`
}

// ConformityProcedure is one procedure of Art. 32(1).
type ConformityProcedure struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Note string `json:"note,omitempty"`
}

// SupportPeriod is the support period of Art. 13(8); End is YYYY-MM-DD.
type SupportPeriod struct {
	End       string `json:"end,omitempty"`
	Rationale string `json:"rationale,omitempty"`
}

// RequirementStatus is one Annex I point.
type RequirementStatus struct {
	ID     string `json:"id"`
	Clause string `json:"clause"`
	Title  string `json:"title"`
	Status string `json:"status"`
	// Coverage is how much of the point the checks that ran cover:
	// full | partial | none.
	Coverage      string              `json:"coverage"`
	Basis         string              `json:"basis"`
	Justification string              `json:"justification,omitempty"`
	Measures      string              `json:"measures,omitempty"`
	Evidence      RequirementEvidence `json:"evidence"`
	OpenItems     []string            `json:"openItems"`
}

// RequirementEvidence is what a point's status rests on.
type RequirementEvidence struct {
	Checks        []string `json:"checks"`
	FailingChecks []string `json:"failingChecks,omitempty"`
	WarningChecks []string `json:"warningChecks,omitempty"`
	ErroredChecks []string `json:"erroredChecks,omitempty"`
	WaivedChecks  []string `json:"waivedChecks,omitempty"`
	// Vulnerabilities lists, for Part I (2)(a) and Part II (2), the open
	// vulnerabilities of the scan of the SBOM with the day each was first
	// seen (version 2.1).
	Vulnerabilities []string `json:"vulnerabilities,omitempty"`
	// Attestations names the statements (keys of evidence.attestations)
	// that carry this point's evidence.
	Attestations []string `json:"attestations"`
}

// ConformitySummary counts points by status.
type ConformitySummary struct {
	EvidenceComplete  int `json:"evidenceComplete"`
	StatedNotVerified int `json:"statedNotVerified"`
	FailingFinding    int `json:"failingFinding"`
	NotApplicable     int `json:"notApplicable"`
	NotAssessed       int `json:"notAssessed"`
}

// ConformityEvidence holds the digests the statement binds to.
type ConformityEvidence struct {
	// Attestations maps statement name to its predicate type and the hex
	// SHA-256 of its payload.
	Attestations  map[string]AttestationRef `json:"attestations"`
	TechnicalFile *DigestRef                `json:"technicalFile,omitempty"`
}

// AttestationRef points at another statement of the run.
type AttestationRef struct {
	PredicateType string `json:"predicateType"`
	SHA256        string `json:"sha256"`
}

// DigestRef is a digest.
type DigestRef struct {
	SHA256 string `json:"sha256"`
}

// BuildConformityStatement makes the conformity statement: for every
// Annex I point the status the assessment gave, with its evidence.
func BuildConformityStatement(ctx context.Context, in ConformityInput) (Statement, error) {
	if err := ctx.Err(); err != nil {
		return Statement{}, err
	}
	if len(in.Subjects) == 0 {
		return Statement{}, fmt.Errorf("conformity statement: no subject")
	}
	pred, err := ConformityPredicateFor(in)
	if err != nil {
		return Statement{}, err
	}
	b, err := json.Marshal(pred)
	if err != nil {
		return Statement{}, fmt.Errorf("conformity statement: %w", err)
	}
	if err := ValidateConformityPredicate(b); err != nil {
		return Statement{}, fmt.Errorf("conformity statement: %w", err)
	}
	return NewStatement(NameConformity, PredicateConformity, in.Subjects, json.RawMessage(b))
}

// ConformityPredicateFor builds the predicate value.
func ConformityPredicateFor(in ConformityInput) (ConformityPredicate, error) {
	cfg := in.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	route := in.Route
	if route == nil {
		r := conformity.RouteFor(cfg)
		route = &r
	}
	p := ConformityPredicate{
		Version:     ConformityPredicateVersion,
		Disclaimer:  Disclaimer,
		GeneratedBy: Generator{Name: nonEmpty(in.ToolName, "cemark"), Version: nonEmpty(in.ToolVersion, "unknown")},
		Product: ConformityProduct{
			Name: cfg.Product.Name, Version: cfg.Product.Version, Type: cfg.Product.Type,
			TypeDesignation: cfg.Product.TypeDesignation,
			Manufacturer: ConformityManufacturer{
				Name: cfg.Manufacturer.Name, Role: nonEmpty(route.Role, config.RoleManufacturer), Address: cfg.Manufacturer.Address,
				Email: cfg.Manufacturer.Email, Website: cfg.Manufacturer.Website,
			},
		},
		Class: route.Class,
		Route: ConformityRoute{ModuleA: route.ModuleA, Procedures: []ConformityProcedure{}, Explanation: route.Explanation,
			Conditions: route.Conditions, Declaration: route.Declaration, CEMarking: route.CEMarking},
		Evidence:  ConformityEvidence{Attestations: map[string]AttestationRef{}},
		OpenItems: append([]string{}, route.OpenItems...),
	}
	for _, o := range route.Options {
		p.Route.Procedures = append(p.Route.Procedures, ConformityProcedure{ID: o.ID, Name: o.Name, Note: o.Note})
	}
	if f := route.Followed; f != nil {
		p.Route.Followed = &ConformityProcedure{ID: f.ID, Name: f.Name, Note: f.Note}
	}
	if p.Class == "" {
		p.Class = config.ClassDefault
	}
	if !in.Time.IsZero() {
		p.GeneratedAt = in.Time.UTC().Format(time.RFC3339)
	}
	if cfg.Product.Support.End != nil {
		p.Support.End = cfg.Product.Support.End.String()
	} else {
		p.OpenItems = append(p.OpenItems, "support period end missing: set product.support.end (Art. 13(8))")
	}
	p.Support.Rationale = cfg.Product.Support.Rationale
	if cfg.Product.Name == "" {
		p.OpenItems = append(p.OpenItems, "product name missing: set product.name")
	}
	if cfg.Manufacturer.Name == "" {
		p.OpenItems = append(p.OpenItems, "manufacturer name missing: set manufacturer.name")
	}
	have := map[string]bool{}
	for _, st := range in.Statements {
		if st.Name == NameConformity {
			continue
		}
		if _, dup := p.Evidence.Attestations[st.Name]; dup {
			return ConformityPredicate{}, fmt.Errorf("conformity statement: two statements named %q", st.Name)
		}
		p.Evidence.Attestations[st.Name] = AttestationRef{PredicateType: st.PredicateType, SHA256: st.Digest()}
		have[st.Name] = true
	}
	if in.TechnicalFileSHA256 != "" {
		if !hexSHA256.MatchString(in.TechnicalFileSHA256) {
			return ConformityPredicate{}, fmt.Errorf("conformity statement: technical file digest %q is not 64 hex digits", in.TechnicalFileSHA256)
		}
		p.Evidence.TechnicalFile = &DigestRef{SHA256: in.TechnicalFileSHA256}
	}
	byID := map[string]conformity.PointStatus{}
	for _, ps := range in.Assessment.Points {
		byID[ps.ID] = ps
	}
	for _, pt := range conformity.Points() {
		ps, ok := byID[pt.ID]
		if !ok {
			ps = conformity.PointStatus{Point: pt, Status: conformity.NotAssessed, Coverage: conformity.CoverageNone, Basis: "not in the assessment"}
		}
		rs := RequirementStatus{
			ID: pt.ID, Clause: pt.Clause, Title: pt.Title,
			Status: string(ps.Status), Coverage: nonEmpty(string(ps.Coverage), string(conformity.CoverageNone)), Basis: ps.Basis,
			Justification: ps.Justification, Measures: ps.Measures,
			Evidence: RequirementEvidence{
				Checks: nonNil(ps.Checks), FailingChecks: ps.Failing, WarningChecks: ps.Warning, ErroredChecks: ps.Errored, WaivedChecks: ps.Waived,
				Vulnerabilities: ps.Vulnerabilities,
				Attestations:    pointAttestations(pt.ID, len(ps.Checks) > 0, have),
			},
			OpenItems: nonNil(ps.OpenItems),
		}
		switch ps.Status {
		case conformity.EvidenceComplete:
			p.Summary.EvidenceComplete++
		case conformity.StatedNotVerified:
			p.Summary.StatedNotVerified++
		case conformity.FailingFinding:
			p.Summary.FailingFinding++
		case conformity.NotApplicable:
			p.Summary.NotApplicable++
		case conformity.NotAssessed:
			p.Summary.NotAssessed++
		default:
			return ConformityPredicate{}, fmt.Errorf("conformity statement: point %s has unknown status %q", pt.ID, ps.Status)
		}
		p.Requirements = append(p.Requirements, rs)
	}
	return p, nil
}

// pointAttestations names the statements that evidence a point: the check
// report and test results where checks ran, the SBOMs for Part II (1), the
// vulnerability scan for Part I (2)(a) and Part II (2) and (3), the
// provenance for Part II (7) (secure distribution of updates).
func pointAttestations(id string, hasChecks bool, have map[string]bool) []string {
	var names []string
	if hasChecks {
		names = append(names, NameReport, NameTestResult)
	}
	switch id {
	case "II-1":
		names = append(names, NameSBOMCycloneDX, NameSBOMSPDX, NameReport)
	case "I-2a", "II-2", "II-3":
		names = append(names, NameVulns)
	case "II-7":
		names = append(names, NameProvenance)
	}
	seen := map[string]bool{}
	out := []string{}
	for _, n := range names {
		if have[n] && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
