package conformity

import (
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/config"
)

// TestRoute pins the conformity route to Art. 32 and Art. 27. Each case
// quotes the provision it follows (Regulation (EU) 2024/2847, consolidated
// text 02024R2847-20241120).
func TestRoute(t *testing.T) {
	classI := func(mod func(*config.Config)) config.Config {
		c := config.Config{Product: config.Product{Class: config.ClassImportantClassI, OpenSource: boolp(false)}}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	cases := []struct {
		name, cite, quote string
		cfg               config.Config
		moduleA           bool
		procedures        []string
		explain           string // a substring of the explanation
		condition         string // a substring of a condition, "" for none
		open              string // a substring of an open item, "" for none
	}{
		{name: "default class", cite: "Art. 32(1)",
			quote: "The manufacturer shall demonstrate conformity with the essential cybersecurity requirements by using any of the following procedures: (a) the internal control procedure (based on module A)",
			cfg:   config.Config{Conformity: config.Conformity{Procedure: "module-a"}}, moduleA: true,
			procedures: []string{"module-a", "module-b-c", "module-h", "certification"}, explain: "Art. 32(1)"},
		{name: "class I with an RED-only standard: no Module A", cite: "Art. 27(1)",
			quote: "harmonised standards or parts thereof, the references of which have been published in the Official Journal of the European Union, shall be presumed to be in conformity with the essential cybersecurity requirements set out in Annex I",
			cfg: classI(func(c *config.Config) {
				c.Standards = []config.Standard{{Reference: "EN 18031-1:2024", Applied: "full", OJReference: "OJ L, 2025/138"}}
			}), moduleA: false, procedures: []string{"module-b-c", "module-h"}, explain: "none of those listed qualifies"},
		{name: "class I with a draft standard: no Module A", cite: "Art. 27(1)",
			quote: "the references of which have been published in the Official Journal",
			cfg: classI(func(c *config.Config) {
				c.Standards = []config.Standard{{Reference: "prEN 40000-1-2", Applied: "full"}}
			}), moduleA: false, procedures: []string{"module-b-c", "module-h"}},
		{name: "class I with a standard cited under the CRA, applied in full", cite: "Art. 32(2)",
			quote: "has not applied or has applied only in part harmonised standards, common specifications or European cybersecurity certification schemes at assurance level at least ‘substantial’ as referred to in Article 27",
			cfg: classI(func(c *config.Config) {
				c.Standards = []config.Standard{{Reference: "EN 40000-1-2:2027", Applied: "full", OJReference: "OJ L, 2027/123"}}
			}), moduleA: true, procedures: []string{"module-a", "module-b-c", "module-h", "certification"},
			condition: "Module A covers only the essential requirements covered in full by EN 40000-1-2:2027"},
		{name: "class I with a standard applied in part", cite: "Art. 32(2)",
			quote: "or has applied only in part harmonised standards",
			cfg: classI(func(c *config.Config) {
				c.Standards = []config.Standard{{Reference: "EN 40000-1-2:2027", Applied: "partial", OJReference: "OJ L, 2027/123"}}
			}), moduleA: false, procedures: []string{"module-b-c", "module-h"}},
		{name: "class I with a scheme at 'basic': no Module A", cite: "Art. 32(2)",
			quote: "European cybersecurity certification schemes at assurance level at least ‘substantial’",
			cfg: classI(func(c *config.Config) {
				c.CertificationSchemes = []config.CertificationScheme{{Reference: "EUCC", Applied: "full", AssuranceLevel: "basic"}}
			}), moduleA: false, procedures: []string{"module-b-c", "module-h"}},
		{name: "class I with a scheme at 'substantial': Module A", cite: "Art. 27(8)",
			quote: "for which an EU statement of conformity or certificate has been issued under a European cybersecurity certification scheme adopted pursuant to Regulation (EU) 2019/881 shall be presumed to be in conformity",
			cfg: classI(func(c *config.Config) {
				c.CertificationSchemes = []config.CertificationScheme{{Reference: "EUCC", Applied: "full", AssuranceLevel: "substantial"}}
			}), moduleA: true, procedures: []string{"module-a", "module-b-c", "module-h", "certification"},
			condition: "Module A covers only the essential requirements covered in full by EUCC"},
		{name: "class I with a common specification but no implementing act", cite: "Art. 27(2)",
			quote: "The Commission may adopt implementing acts establishing common specifications",
			cfg: classI(func(c *config.Config) {
				c.CommonSpecifications = []config.CommonSpecification{{Reference: "CS-1", Applied: "full"}}
			}), moduleA: false, procedures: []string{"module-b-c", "module-h"}},
		{name: "class I FOSS without public documentation", cite: "Art. 32(5)",
			quote:   "provided that the technical documentation referred to in Article 31 is made available to the public at the time of the placing on the market of those products",
			cfg:     config.Config{Product: config.Product{Class: config.ClassImportantClassI, OpenSource: boolp(true)}, Conformity: config.Conformity{Procedure: "module-a"}},
			moduleA: true, procedures: []string{"module-a", "module-b-c", "module-h", "certification"},
			condition: "made available to the public", open: "product.technical_documentation_url"},
		{name: "class I FOSS with public documentation", cite: "Art. 32(5)",
			quote: "shall be able to demonstrate conformity with the essential cybersecurity requirements set out in Annex I by using one of the procedures referred to in paragraph 1 of this Article",
			cfg: config.Config{Product: config.Product{Class: config.ClassImportantClassI, OpenSource: boolp(true), TechnicalDocumentationURL: "https://acme.example/cra"},
				Conformity: config.Conformity{Procedure: "module-a"}},
			moduleA: true, procedures: []string{"module-a", "module-b-c", "module-h", "certification"}, condition: "made available to the public"},
		{name: "class II FOSS: the same procedures as class I FOSS", cite: "Art. 32(5)",
			quote:   "Manufacturers of products with digital elements qualifying as free and open-source software, which fall under the categories set out in Annex III",
			cfg:     config.Config{Product: config.Product{Class: config.ClassImportantClassII, OpenSource: boolp(true)}, Conformity: config.Conformity{Procedure: "module-a"}},
			moduleA: true, procedures: []string{"module-a", "module-b-c", "module-h", "certification"},
			condition: "made available to the public", open: "product.technical_documentation_url"},
		{name: "class II", cite: "Art. 32(3)",
			quote:   "(c) where available and applicable, a European cybersecurity certification scheme pursuant to Article 27(9) of this Regulation at assurance level at least ‘substantial’",
			cfg:     config.Config{Product: config.Product{Class: config.ClassImportantClassII, OpenSource: boolp(false)}},
			moduleA: false, procedures: []string{"module-b-c", "module-h", "certification"}, open: "conformity.procedure"},
		{name: "critical: Art. 8(1) certification, no delegated act yet", cite: "Art. 8(1)",
			quote:   "Where no delegated acts as referred to in the first subparagraph of this paragraph have been adopted, products with digital elements which have the core functionality of a product category as set out in Annex IV shall be subject to the conformity assessment procedures referred to in Article 32(3)",
			cfg:     config.Config{Product: config.Product{Class: config.ClassCritical, OpenSource: boolp(true)}},
			moduleA: false, procedures: []string{"module-b-c", "module-h", "certification"}, explain: "certification bodies, not by notified bodies"},
		{name: "steward: no procedure, no declaration, no CE marking", cite: "recital 19",
			quote:   "they should not be permitted to affix the CE marking to the products with digital elements whose development they support",
			cfg:     config.Config{Manufacturer: config.Manufacturer{Role: config.RoleSteward}, Product: config.Product{OpenSource: boolp(true)}},
			moduleA: false, procedures: []string{}, explain: "Art. 24"},
		{name: "Module B + C names the notified body", cite: "Annex V 7",
			quote:   "Where applicable, the name and number of the notified body, a description of the conformity assessment procedure performed and identification of the certificate issued",
			cfg:     config.Config{Product: config.Product{Class: config.ClassImportantClassII, OpenSource: boolp(false)}, Conformity: config.Conformity{Procedure: "module-b-c"}},
			moduleA: false, procedures: []string{"module-b-c", "module-h", "certification"}, open: "conformity.notified_body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cite == "" || tc.quote == "" {
				t.Fatal("every route case quotes the provision it follows")
			}
			r := RouteFor(&tc.cfg)
			if r.ModuleA != tc.moduleA || strings.Join(ids(r.Options), ",") != strings.Join(tc.procedures, ",") {
				t.Errorf("%s (%q): module A %v, procedures %v; want %v, %v", tc.cite, tc.quote, r.ModuleA, ids(r.Options), tc.moduleA, tc.procedures)
			}
			if !strings.Contains(r.Explanation, tc.explain) {
				t.Errorf("explanation %q lacks %q", r.Explanation, tc.explain)
			}
			if got := strings.Join(r.Conditions, "\n"); (tc.condition == "") != (got == "") || !strings.Contains(got, tc.condition) {
				t.Errorf("conditions %q, want one with %q", r.Conditions, tc.condition)
			}
			if got := strings.Join(r.OpenItems, "\n"); !strings.Contains(got, tc.open) {
				t.Errorf("open items %q, want one with %q", r.OpenItems, tc.open)
			}
			if tc.cfg.Manufacturer.Role == config.RoleSteward && (r.Declaration || r.CEMarking) {
				t.Errorf("a steward gets a declaration (%v) or CE marking (%v)", r.Declaration, r.CEMarking)
			}
		})
	}
}

// TestNoOJCitationYet pins cra-reference §13: "As of early Sep 2026, no CRA
// harmonised standard was cited in the OJ"; the route says so, and a
// standard without an OJ reference under the Regulation never counts.
func TestNoOJCitationYet(t *testing.T) {
	r := RouteFor(&config.Config{Product: config.Product{Class: config.ClassImportantClassI},
		Standards: []config.Standard{{Reference: "EN 303 645 V3.1.3", Applied: "full"}}})
	if r.ModuleA || r.Basis[0].Counts || !strings.Contains(r.Basis[0].Why, "no harmonised standard had been cited") ||
		!strings.Contains(r.Explanation, "no harmonised standard had been cited in the Official Journal") {
		t.Errorf("route %+v", r)
	}
}

// TestValidateProcedure: a procedure Art. 32 does not open to the product
// is a configuration error, and so is a notified body outside B + C and H
// (Art. 30(4): "where that body is involved in the conformity assessment
// procedure based on full quality assurance (based on module H)").
func TestValidateProcedure(t *testing.T) {
	cases := []struct {
		name string
		cfg  config.Config
		want string // substring of the one problem, "" for none
	}{
		{"class II may not use Module A", config.Config{Product: config.Product{Class: config.ClassImportantClassII},
			Conformity: config.Conformity{Procedure: "module-a"}}, `procedure "module-a" is not open to this product`},
		{"class I with an RED-only standard may not use Module A", config.Config{Product: config.Product{Class: config.ClassImportantClassI},
			Standards:  []config.Standard{{Reference: "EN 18031-1:2024", Applied: "full", OJReference: "OJ L, 2025/138"}},
			Conformity: config.Conformity{Procedure: "module-a"}}, "Art. 32(2)"},
		{"Module H is open to class II", config.Config{Product: config.Product{Class: config.ClassImportantClassII},
			Conformity: config.Conformity{Procedure: "module-h", NotifiedBody: config.NotifiedBody{Name: "NB", Number: "0123", Certificate: "C-1"}}}, ""},
		{"a notified body with Module A", config.Config{Conformity: config.Conformity{Procedure: "module-a",
			NotifiedBody: config.NotifiedBody{Name: "NB"}}}, "only in Module B + C"},
		{"a steward follows no procedure", config.Config{Manufacturer: config.Manufacturer{Role: config.RoleSteward},
			Conformity: config.Conformity{Procedure: "module-a"}}, "steward follows no conformity-assessment procedure"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := ValidateProcedure(&tc.cfg)
			switch {
			case tc.want == "" && len(ps) > 0:
				t.Errorf("unexpected problems %+v", ps)
			case tc.want != "" && (len(ps) != 1 || !strings.Contains(ps[0].Msg, tc.want)):
				t.Errorf("problems %+v, want one with %q", ps, tc.want)
			}
		})
	}
}

// TestSupportFromApplication pins Art. 69(2): "Products with digital
// elements that have been placed on the market before 11 December 2027
// shall be subject to the requirements set out in this Regulation only if,
// from that date, those products are subject to a substantial
// modification", and Art. 71(2): "This Regulation shall apply from 11
// December 2027." A product placed earlier with five years of support
// leaves a unit placed on 11 December 2027 with less.
func TestSupportFromApplication(t *testing.T) {
	d := func(s string) *config.Date { v, _ := config.ParseDate(s); return &v }
	text, short, ok := SupportFromApplication(d("2026-03-01"), d("2031-03-01"))
	if !ok || !short || !strings.Contains(text, "gets 3 years and 2 months of support until 2031-03-01, not the 5 years and 0 months") {
		t.Errorf("got %q, short %v, ok %v", text, short, ok)
	}
	if _, _, ok := SupportFromApplication(d("2027-12-11"), d("2032-12-11")); ok {
		t.Error("a product placed from 11 December 2027 on gets a warning")
	}
	if Applies.String() != "2027-12-11" || ReportingApplies.String() != "2026-09-11" {
		t.Errorf("dates %s %s", Applies, ReportingApplies)
	}
}
