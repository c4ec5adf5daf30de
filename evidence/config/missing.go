package config

import (
	"sort"
	"strings"
)

// MissingInput is a fact only the manufacturer can state that cemark.yaml
// does not give. cemark reports it as "needs manufacturer input" and never
// fills it in.
type MissingInput struct {
	Field  string `json:"field"`  // "manufacturer.address"
	Why    string `json:"why"`    // what the fact is needed for
	Clause string `json:"clause"` // "Annex II 1", "Art. 13(8)" …
}

// Missing lists the manufacturer facts cfg lacks, sorted by Field. A value
// of only white space counts as missing. Facts cemark can find itself
// (product name, version, licence) are not listed.
func Missing(cfg *Config) []MissingInput {
	var out []MissingInput
	need := func(have bool, field, why, clause string) {
		if !have {
			out = append(out, MissingInput{Field: field, Why: why, Clause: clause})
		}
	}
	set := func(s string) bool { return strings.TrimSpace(s) != "" }
	p, m, s := cfg.Product, cfg.Manufacturer, cfg.Security

	need(set(m.Name), "manufacturer.name",
		"the manufacturer's name, registered trade name or trademark goes into the user information and the EU declaration of conformity", "Annex II 1")
	need(set(m.Address), "manufacturer.address",
		"the manufacturer's postal address goes into the user information and the EU declaration of conformity", "Annex II 1")
	need(set(m.Email), "manufacturer.email",
		"users need an email address or other digital contact of the manufacturer", "Annex II 1")
	need(set(s.Contact), "security.contact",
		"the single point of contact where vulnerabilities are reported", "Annex II 2")
	need(set(s.CVDPolicy), "security.cvd_policy",
		"where the coordinated vulnerability disclosure policy can be found", "Annex I Part II (5)")
	need(set(p.Type), "product.type",
		"the kind of product (software, or hardware with software) decides where the CE marking is affixed", "Art. 30(1)")
	need(set(p.TypeDesignation), "product.type_designation",
		"the product's type designation identifies it in the user information and the EU declaration of conformity", "Annex II 3, Annex V 1")
	need(set(p.Description), "product.description",
		"the general description of the product opens the technical documentation", "Annex VII 1")
	need(set(p.IntendedPurpose), "product.intended_purpose",
		"the intended purpose frames the risk assessment and the user information", "Annex VII 1(a)")
	need(set(p.Class), "product.class",
		"the class (default, important class I or II, critical) decides the conformity-assessment procedure", "Art. 32")
	need(p.FirstPlacedOnMarket != nil, "product.first_placed_on_market",
		"the date of placing on the market starts the retention and support periods", "Art. 13(13)")
	need(p.Support.End != nil, "product.support.end",
		"the end date of the support period must be stated (at least five years unless expected use is shorter)", "Art. 13(8)")
	need(set(p.Support.Rationale), "product.support.rationale",
		"the information used to determine the support period goes into the technical documentation", "Annex VII 4")
	if m.Role == RoleSteward {
		need(set(s.CybersecurityPolicy), "security.cybersecurity_policy",
			"an open-source software steward documents its cybersecurity policy in a verifiable manner", "Art. 24(1)")
	} else {
		need(set(cfg.Conformity.Procedure), "conformity.procedure",
			"the EU declaration of conformity names the conformity-assessment procedure followed", "Annex V 7")
	}
	r := cfg.Reporting
	need(set(r.MemberState), "reporting.member_state",
		"actively exploited vulnerabilities and severe incidents are notified to the CSIRT of the Member State of main establishment", "Art. 14(7)")
	need(set(r.CSIRT), "reporting.csirt",
		"the CSIRT designated as coordinator that receives the notifications through the single reporting platform", "Art. 14(7)")
	if p.Class == ClassImportantClassI || p.Class == ClassImportantClassII {
		need(p.OpenSource != nil, "product.open_source",
			"free and open-source products whose technical documentation is public may use Module A", "Art. 32(5)")
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}
