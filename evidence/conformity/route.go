package conformity

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/cemark/cemark/evidence/config"
)

// ReferenceDate is the date of cemark's reference data on implementing and
// delegated acts and harmonised standards (cra-reference §13). What cemark
// says did not exist, it says as of this date.
const ReferenceDate = "September 2026"

// Procedure is one conformity-assessment procedure of Art. 32(1).
type Procedure struct {
	ID   string `json:"id"`   // module-a | module-b-c | module-h | certification
	Name string `json:"name"` // "Module A"
	// Description names the procedure as item 7 of the declaration does.
	Description string `json:"description"`
	// NotifiedBody is true when a notified body takes part (Module B + C,
	// Module H): its name, number and certificate go into the declaration.
	NotifiedBody bool `json:"notified_body,omitempty"`
	// Note qualifies it: a condition, or why it may not be available.
	Note string `json:"note,omitempty"`
}

// procedure returns the Art. 32(1) procedure with the given ID.
func procedure(id string) Procedure {
	switch id {
	case config.ProcedureModuleA:
		return Procedure{ID: id, Name: "Module A",
			Description: "internal control (based on module A), Annex VIII Part I"}
	case config.ProcedureModuleBC:
		return Procedure{ID: id, Name: "Module B + Module C", NotifiedBody: true,
			Description: "EU-type examination (based on module B), Annex VIII Part II, followed by conformity to EU-type based on internal production control (based on module C), Annex VIII Part III"}
	case config.ProcedureModuleH:
		return Procedure{ID: id, Name: "Module H", NotifiedBody: true,
			Description: "conformity based on full quality assurance (based on module H), Annex VIII Part IV"}
	case config.ProcedureCertification:
		return Procedure{ID: id, Name: "European cybersecurity certification",
			Description: "a European cybersecurity certification scheme pursuant to Article 27(9)",
			Note:        "where available and applicable (Art. 32(1)(d)): as of " + ReferenceDate + " no delegated act under Art. 27(9) specifies such a scheme"}
	}
	return Procedure{ID: id, Name: id}
}

// Basis is one standard, common specification or certification scheme the
// manufacturer lists, and whether it opens Module A to an important
// product of class I (Art. 32(2)).
type Basis struct {
	Kind      string `json:"kind"` // harmonised standard | common specification | certification scheme
	Reference string `json:"reference"`
	// Counts is true when it is applied in full and is what Art. 27 and
	// Art. 32(2) accept: a harmonised standard cited in the Official
	// Journal under Regulation (EU) 2024/2847, a common specification
	// established by implementing act, a scheme at assurance level at
	// least "substantial".
	Counts bool   `json:"counts"`
	Why    string `json:"why"`
}

// Route is the conformity-assessment procedure open to the product (Art. 32).
type Route struct {
	Class string `json:"class"`
	// Role is manufacturer or steward (Art. 24).
	Role string `json:"role"`
	// ModuleA is true when internal control (Annex VIII Part I) may be used,
	// subject to Conditions.
	ModuleA bool `json:"module_a"`
	// Procedures names the procedures open to the product, in the order
	// of Art. 32(1); Options describes each.
	Procedures []string    `json:"procedures"`
	Options    []Procedure `json:"options"`
	// Explanation says why, citing the article.
	Explanation string `json:"explanation"`
	// Basis says which listed standards, specifications and schemes count.
	Basis []Basis `json:"basis,omitempty"`
	// Conditions are the terms a procedure is open on (Art. 32(2), (5)).
	Conditions []string `json:"conditions,omitempty"`
	// Followed is the procedure the manufacturer follows
	// (conformity.procedure), when it is open to the product.
	Followed *Procedure `json:"followed,omitempty"`
	// Declaration: an EU declaration of conformity is drawn up (Art. 28);
	// CEMarking: the CE marking is affixed (Art. 30). Both are false for
	// an open-source software steward.
	Declaration bool `json:"declaration"`
	CEMarking   bool `json:"ce_marking"`
	// NotifiedBodyAfterCE: the notified body's identification number
	// follows the CE marking (Module H only, Art. 30(4)).
	NotifiedBodyAfterCE bool `json:"notified_body_after_ce,omitempty"`
	// OpenItems are what the manufacturer still has to supply for the route.
	OpenItems []string `json:"open_items,omitempty"`
}

// Has reports whether the procedure id is open to the product.
func (r Route) Has(id string) bool {
	for _, o := range r.Options {
		if o.ID == id {
			return true
		}
	}
	return false
}

// RouteFor works out the route from the role, the configured class, the
// standards, common specifications and schemes listed, open-source
// status (Art. 32(5)) and the procedure followed.
func RouteFor(cfg *config.Config) Route {
	if cfg == nil {
		cfg = &config.Config{}
	}
	class := cfg.Product.Class
	if class == "" {
		class = config.ClassDefault
	}
	r := Route{Class: class, Role: config.RoleManufacturer, Declaration: true, CEMarking: true, Basis: basisOf(cfg)}
	if cfg.Manufacturer.Role == config.RoleSteward {
		r.Role = config.RoleSteward
		r.Declaration, r.CEMarking = false, false
		r.Procedures, r.Options = []string{}, []Procedure{}
		r.Explanation = "Art. 24: an open-source software steward is not a manufacturer. It carries out no conformity assessment, draws up no EU declaration of conformity and may not affix the CE marking (recital 19). It puts in place and documents in a verifiable manner a cybersecurity policy (Art. 24(1)), cooperates with market surveillance authorities (Art. 24(2)), and notifies actively exploited vulnerabilities to the extent it is involved in the development (Art. 14(1), Art. 24(3))."
		if strings.TrimSpace(cfg.Conformity.Procedure) != "" {
			r.OpenItems = append(r.OpenItems, "conformity.procedure is set, but a steward follows no conformity-assessment procedure (Art. 24)")
		}
		return r
	}
	openSource := cfg.Product.OpenSource != nil && *cfg.Product.OpenSource
	counting := counted(r.Basis)
	all := []string{config.ProcedureModuleA, config.ProcedureModuleBC, config.ProcedureModuleH, config.ProcedureCertification}
	switch class {
	case config.ClassDefault:
		r.set(all...)
		r.Explanation = "Art. 32(1): a product that is neither important nor critical may use internal control (Module A, Annex VIII Part I), EU-type examination followed by conformity to EU-type (Module B + C), full quality assurance (Module H), or, where available and applicable, a European cybersecurity certification scheme pursuant to Art. 27(9)."
	case config.ClassImportantClassI:
		switch {
		case len(counting) > 0:
			r.set(all...)
			r.Explanation = "Art. 32(2): an important product of class I may use Module A for the essential requirements covered by harmonised standards, common specifications or European cybersecurity certification schemes at assurance level at least 'substantial' (Art. 27) applied in full; listed as such: " + strings.Join(counting, "; ") + "."
			r.Conditions = append(r.Conditions, "Module A covers only the essential requirements covered in full by "+strings.Join(counting, "; ")+"; the requirements not covered go through Module B + C or Module H (Art. 32(2)).")
		case openSource:
			r.set(all...)
			r.Explanation = "Art. 32(5): as free and open-source software in a category of Annex III, the product may use any procedure of Art. 32(1), Module A included, provided its technical documentation is made available to the public when it is placed on the market. Without that, Art. 32(2) applies: no harmonised standard, common specification or certification scheme is listed that opens Module A."
		default:
			r.set(config.ProcedureModuleBC, config.ProcedureModuleH)
			r.Explanation = "Art. 32(2): Module A is open to an important product of class I only where harmonised standards, common specifications or European cybersecurity certification schemes at assurance level at least 'substantial' (Art. 27) are applied in full; none of those listed qualifies. Use EU-type examination with conformity to type (Module B + C) or full quality assurance (Module H). As of " + ReferenceDate + " no harmonised standard had been cited in the Official Journal under Regulation (EU) 2024/2847."
		}
	case config.ClassImportantClassII:
		if openSource {
			r.set(all...)
			r.Explanation = "Art. 32(5): as free and open-source software in a category of Annex III, the product may use any procedure of Art. 32(1), Module A included, provided its technical documentation is made available to the public when it is placed on the market. Without that, Art. 32(3) applies: Module B + C, Module H, or a certification scheme at assurance level at least 'substantial'."
		} else {
			r.set(config.ProcedureModuleBC, config.ProcedureModuleH, config.ProcedureCertification)
			r.Explanation = "Art. 32(3): Module A is not open to an important product of class II. Use EU-type examination with conformity to type (Module B + C), full quality assurance (Module H), or, where available and applicable, a European cybersecurity certification scheme pursuant to Art. 27(9) at assurance level at least 'substantial'."
			r.note(config.ProcedureCertification, "at assurance level at least 'substantial' (Art. 32(3)(c)); as of "+ReferenceDate+" no delegated act under Art. 27(9) specifies such a scheme")
		}
	case config.ClassCritical:
		r.set(config.ProcedureModuleBC, config.ProcedureModuleH, config.ProcedureCertification)
		r.Explanation = "Art. 32(4) and Art. 8(1): Module A is not open to a critical product. Where a delegated act under Art. 8(1) requires it, the product must obtain a European cybersecurity certificate at assurance level at least 'substantial' under a scheme adopted pursuant to Regulation (EU) 2019/881; such certificates are issued by certification bodies, not by notified bodies. As of " + ReferenceDate + " no delegated act under Art. 8(1) had been adopted, so the procedures of Art. 32(3) apply (Art. 32(4)(b)): Module B + C, Module H, or a certification scheme pursuant to Art. 27(9) at assurance level at least 'substantial'."
		r.note(config.ProcedureCertification, "no delegated act under Art. 8(1) yet; under Art. 32(3)(c), a scheme pursuant to Art. 27(9) at assurance level at least 'substantial', where available: as of "+ReferenceDate+" no delegated act under Art. 27(9) specifies one")
	default:
		r.Explanation = "unknown product class"
	}
	r.ModuleA = r.Has(config.ProcedureModuleA)
	fossOnly := openSource && len(counting) == 0 && (class == config.ClassImportantClassI || class == config.ClassImportantClassII)
	if fossOnly {
		r.Conditions = append(r.Conditions, "The technical documentation must be made available to the public at the time the product is placed on the market (Art. 32(5)).")
	}
	r.follow(cfg, fossOnly)
	return r
}

// set lists the procedures with these IDs, in the order of Art. 32(1).
func (r *Route) set(ids ...string) {
	r.Options = nil
	r.Procedures = []string{}
	for _, id := range ids {
		p := procedure(id)
		r.Options = append(r.Options, p)
		r.Procedures = append(r.Procedures, p.Name)
	}
}

// note replaces the note of procedure id.
func (r *Route) note(id, note string) {
	for i := range r.Options {
		if r.Options[i].ID == id {
			r.Options[i].Note = note
		}
	}
}

// follow records the procedure the manufacturer follows and what it still
// needs: fossOnly says the route rests on Art. 32(5).
func (r *Route) follow(cfg *config.Config, fossOnly bool) {
	id := strings.TrimSpace(cfg.Conformity.Procedure)
	if id == "" {
		r.OpenItems = append(r.OpenItems, "state the conformity-assessment procedure followed in conformity.procedure: one of "+strings.Join(ids(r.Options), ", ")+" (Annex V 7)")
		if fossOnly && strings.TrimSpace(cfg.Product.TechnicalDocumentationURL) == "" {
			r.OpenItems = append(r.OpenItems, publicDocsItem)
		}
		return
	}
	if !r.Has(id) {
		return // ValidateProcedure reports it as a configuration error
	}
	for _, o := range r.Options {
		if o.ID == id {
			o := o
			r.Followed = &o
		}
	}
	r.NotifiedBodyAfterCE = id == config.ProcedureModuleH
	needsPublicDocs := fossOnly && (id == config.ProcedureModuleA || (id == config.ProcedureCertification && cfg.Product.Class == config.ClassImportantClassI))
	if needsPublicDocs && strings.TrimSpace(cfg.Product.TechnicalDocumentationURL) == "" {
		r.OpenItems = append(r.OpenItems, publicDocsItem)
	}
	nb := cfg.Conformity.NotifiedBody
	if r.Followed.NotifiedBody && (strings.TrimSpace(nb.Name) == "" || strings.TrimSpace(nb.Number) == "" || strings.TrimSpace(nb.Certificate) == "") {
		r.OpenItems = append(r.OpenItems, "name the notified body, its number and the certificate it issued in conformity.notified_body (Annex V 7)")
	}
}

const publicDocsItem = "make the technical documentation available to the public when the product is placed on the market and give its address in product.technical_documentation_url (Art. 32(5))"

func ids(ps []Procedure) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// Problem is a conformity statement in cemark.yaml that contradicts the
// route: Path is the key ("conformity.procedure").
type Problem struct {
	Path, Msg string
}

// ValidateProcedure checks conformity.procedure and conformity.notified_body
// against the route: a procedure that Art. 32 does not open to the product
// is a configuration error, never a footnote.
func ValidateProcedure(cfg *config.Config) []Problem {
	if cfg == nil {
		return nil
	}
	r := RouteFor(cfg)
	var out []Problem
	id := strings.TrimSpace(cfg.Conformity.Procedure)
	switch {
	case id == "":
	case r.Role == config.RoleSteward:
		out = append(out, Problem{"conformity.procedure", fmt.Sprintf("procedure %q: an open-source software steward follows no conformity-assessment procedure (Art. 24); remove conformity.procedure", id)})
	case !r.Has(id):
		out = append(out, Problem{"conformity.procedure", fmt.Sprintf("procedure %q is not open to this product: %s Expected one of: %s", id, r.Explanation, strings.Join(ids(r.Options), ", "))})
	}
	nb := cfg.Conformity.NotifiedBody
	if nb != (config.NotifiedBody{}) && (id == "" || !procedure(id).NotifiedBody) {
		out = append(out, Problem{"conformity.notified_body", "a notified body takes part only in Module B + C (module-b-c) and Module H (module-h); with procedure " + orNone(id) + " the declaration names none (Annex V 7)"})
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none stated)"
	}
	return s
}

// Harmonised standards known to be harmonised under another act only: the
// EN 18031 series is cited under the Radio Equipment Directive, which
// gives no presumption of conformity with Annex I of the CRA.
var (
	redOnly = regexp.MustCompile(`(?i)^\s*(EN|prEN|FprEN)\s*18031-[123]\b`)
	draft   = regexp.MustCompile(`(?i)^\s*(prEN|FprEN|draft)\b`)
)

// basisOf judges every listed standard, common specification and scheme.
func basisOf(cfg *config.Config) []Basis {
	var out []Basis
	full := func(applied string) bool { return strings.EqualFold(strings.TrimSpace(applied), "full") }
	// inPart says why an entry applied in part does not open Module A.
	inPart := func(parts, what string) string {
		if p := strings.TrimSpace(parts); p != "" {
			parts = " (" + p + ")"
		}
		return "applied in part" + parts + ": the requirements " + what + " does not cover need Module B + C or Module H for an important product of class I (Art. 32(2))"
	}
	for _, s := range cfg.Standards {
		b := Basis{Kind: "harmonised standard", Reference: s.Reference}
		switch {
		case redOnly.MatchString(s.Reference):
			b.Why = "harmonised under the Radio Equipment Directive (2014/53/EU), not under Regulation (EU) 2024/2847: it gives no presumption of conformity with Annex I (Art. 27(1))"
		case draft.MatchString(s.Reference):
			b.Why = "a draft is not a harmonised standard: only standards whose references are published in the Official Journal give a presumption of conformity (Art. 27(1))"
		case strings.TrimSpace(s.OJReference) == "":
			b.Why = "no reference of its publication in the Official Journal under Regulation (EU) 2024/2847 is given (oj_reference); only such a publication gives a presumption of conformity (Art. 27(1)). As of " + ReferenceDate + " no harmonised standard had been cited under the Regulation"
		case !full(s.Applied):
			b.Why = inPart(s.Parts, "it")
		default:
			b.Counts = true
			b.Why = "applied in full; cited in the Official Journal as " + strings.TrimSpace(s.OJReference) + " (stated by the manufacturer; cemark's reference data of " + ReferenceDate + " knows of no citation under the Regulation: check it)"
		}
		out = append(out, b)
	}
	for _, s := range cfg.CommonSpecifications {
		b := Basis{Kind: "common specification", Reference: s.Reference}
		switch {
		case strings.TrimSpace(s.ImplementingAct) == "":
			b.Why = "a common specification is established by a Commission implementing act (Art. 27(2)); none is named (implementing_act). As of " + ReferenceDate + " none had been adopted"
		case !full(s.Applied):
			b.Why = inPart(s.Parts, "it")
		default:
			b.Counts = true
			b.Why = "applied in full; established by " + strings.TrimSpace(s.ImplementingAct) + " (Art. 27(2), (5))"
		}
		out = append(out, b)
	}
	for _, s := range cfg.CertificationSchemes {
		b := Basis{Kind: "certification scheme", Reference: s.Reference}
		level := strings.ToLower(strings.TrimSpace(s.AssuranceLevel))
		switch {
		case level != "substantial" && level != "high":
			b.Why = "assurance level " + orText(level, "not stated") + ": Art. 32(2) counts European cybersecurity certification schemes at assurance level at least 'substantial' (assurance_level)"
		case !full(s.Applied):
			b.Why = inPart(s.Parts, "the certificate")
		default:
			b.Counts = true
			b.Why = "certificate at assurance level '" + level + "' covering the relevant requirements in full (Art. 27(8), Art. 32(2))"
		}
		out = append(out, b)
	}
	return out
}

func counted(bs []Basis) []string {
	var out []string
	for _, b := range bs {
		if b.Counts {
			out = append(out, b.Reference)
		}
	}
	return out
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
