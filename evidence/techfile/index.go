package techfile

import (
	"fmt"
	"strings"

	"github.com/cemark/cemark/evidence/evidencedir"
)

// Document names, in the order of Annex VII.
const (
	docIndex       = "README.md"
	docGeneral     = "01-general-description.md"
	docDesign      = "02-design-development.md"
	docVuln        = "03-vulnerability-handling.md"
	docRisk        = "04-risk-assessment.md"
	docSupport     = "05-support-period.md"
	docStandards   = "06-standards.md"
	docTests       = "07-test-reports.md"
	docDeclaration = "08-eu-declaration-of-conformity.md"
	docSBOM        = evidencedir.SBOMCycloneDX
)

// documents are rendered in this order; the index comes last because it
// reports on the others.
var documents = []string{docGeneral, docDesign, docVuln, docRisk, docSupport, docStandards, docTests, docDeclaration, docIndex}

// localised documents have a Danish template; the others stay English.
var localised = map[string]bool{docGeneral: true, docDeclaration: true}

// fills records, per document and manual region, whether the manufacturer
// has replaced the guidance text.
type fills map[string]map[string]bool

// open reports whether a manual region exists and still holds its guidance.
func (f fills) open(doc, id string) bool {
	filled, ok := f[doc][id]
	return ok && !filled
}

// indexRows maps every Annex VII item to its document and state.
func indexRows(in Input, v view, f fills) []IndexRow {
	cfg := in.Config
	type row struct {
		item, title, file string
		missing           []string
		manual            bool // the item has parts only a person can write
		done              string
	}
	need := func(r *row, cond bool, what string) {
		if cond {
			r.missing = append(r.missing, what)
		}
	}
	// region requires a manual region to be written; field, when set, is
	// the cemark.yaml key that can give the same text instead.
	region := func(r *row, doc, id, what, field string) {
		if _, ok := f[doc][id]; ok {
			r.manual = true
		}
		where := "manual region `" + id + "` in " + doc
		if field != "" {
			where = "`" + field + "` in cemark.yaml, or " + where
		}
		need(r, f.open(doc, id), what+" ("+where+")")
	}
	m := cfg.Manufacturer
	var rows []*row

	r := &row{item: "1(a)", title: "Intended purpose", file: docGeneral}
	need(r, v.Product.IntendedPurpose == "", "intended purpose (`product.intended_purpose`)")
	region(r, docGeneral, "purpose-details", "intended use, security environment and foreseeable misuse", "")
	rows = append(rows, r)

	r = &row{item: "1(b)", title: "Software versions affecting compliance", file: docGeneral}
	need(r, v.Product.Version == "", "product version (`product.version` or a git tag)")
	rows = append(rows, r)

	r = &row{item: "1(c)", title: "Photos or illustrations (hardware)", file: docGeneral}
	switch {
	case !v.Product.HardwareStated:
		r.missing = append(r.missing, "whether the product has hardware (`product.hardware`: true or false)")
	case v.Product.Hardware:
		region(r, docGeneral, "photos", "photos or illustrations of external features, markings and internal layout", "")
	default:
		r.done = "not applicable: software only (`product.hardware` is false)"
		r.manual = true
	}
	rows = append(rows, r)

	r = &row{item: "1(d)", title: "User information and instructions (Annex II)", file: docGeneral}
	need(r, m.Name == "", "manufacturer name (`manufacturer.name`)")
	need(r, m.Address == "", "postal address (`manufacturer.address`)")
	need(r, m.Email == "", "e-mail or digital contact (`manufacturer.email`)")
	need(r, cfg.Security.Contact == "", "single point of contact (`security.contact`)")
	need(r, cfg.Security.CVDPolicy == "", "where the CVD policy is (`security.cvd_policy`)")
	need(r, v.Product.TypeDesignation == "", "type designation (`product.type_designation`, Annex II 3)")
	need(r, v.Support.Type == "", "type of technical security support (`product.support.type`, Annex II 7)")
	need(r, v.Support.End == "", "end of the support period (`product.support.end`)")
	region(r, docGeneral, "ii-4-security", "security properties and environment", "")
	region(r, docGeneral, "ii-5-risks", "foreseeable circumstances leading to significant risks", "")
	region(r, docGeneral, "ii-8-instructions", "instructions for secure use, updates and decommissioning", "")
	rows = append(rows, r)

	r = &row{item: "2(a)", title: "Design, development and system architecture", file: docDesign}
	if strings.TrimSpace(cfg.Docs.Architecture) == "" {
		region(r, docDesign, "architecture", "system architecture", "docs.architecture")
	}
	rows = append(rows, r)

	r = &row{item: "2(b)", title: "Vulnerability handling, SBOM, CVD policy, secure updates", file: docVuln}
	need(r, cfg.Security.Contact == "", "vulnerability contact (`security.contact`)")
	need(r, cfg.Security.CVDPolicy == "", "CVD policy (`security.cvd_policy`)")
	need(r, v.Updates.Mechanism == "", "update mechanism (`updates.mechanism`)")
	need(r, in.SBOM.CycloneDXSHA256 == "", "an SBOM (none in this run)")
	for _, k := range v.Reporting.Missing {
		r.missing = append(r.missing, "Art. 14 reporting set-up (`"+k+"`)")
	}
	region(r, docVuln, "vulnerability-process", "the vulnerability-handling process", "")
	rows = append(rows, r)

	r = &row{item: "2(c)", title: "Production and monitoring processes", file: docDesign}
	if strings.TrimSpace(cfg.Docs.Production) == "" {
		region(r, docDesign, "production", "production and monitoring processes", "docs.production")
	}
	rows = append(rows, r)

	r = &row{item: "3", title: "Cybersecurity risk assessment", file: docRisk, manual: true}
	if n := len(v.OpenItems); n > 0 {
		r.missing = append(r.missing, fmt.Sprintf("%d open item(s) in the risk assessment", n))
	}
	region(r, docRisk, "method", "risk-assessment method and context", "")
	rows = append(rows, r)

	r = &row{item: "4", title: "Support period", file: docSupport, manual: true}
	need(r, v.Support.End == "", "end date (`product.support.end`)")
	if v.Support.Rationale == "" {
		region(r, docSupport, "rationale", "the information used to set the support period", "product.support.rationale")
	}
	rows = append(rows, r)

	r = &row{item: "5", title: "Harmonised standards, common specifications, certification", file: docStandards}
	if !v.FullyApplied {
		region(r, docStandards, "solutions", "the solutions used to meet Annex I where no standard is applied in full", "")
	}
	rows = append(rows, r)

	// cemark's checks read the repository, images and artefacts; they do
	// not test the product as it runs. Annex VII 6 asks for reports of the
	// tests that verify conformity, which only the manufacturer has.
	r = &row{item: "6", title: "Test reports", file: docTests, manual: true}
	need(r, in.Report == nil, "a check run (no report in this run)")
	region(r, docTests, "other-tests", "reports of tests of the product as shipped (penetration tests, fuzzing, reviews of the vulnerability-handling processes): cemark's checks are static", "")
	rows = append(rows, r)

	r = &row{item: "7", title: "EU declaration of conformity", file: docDeclaration, manual: true}
	if v.Route.Steward {
		r.done = "not applicable: an open-source software steward draws up no EU declaration of conformity (Art. 24)"
	} else {
		need(r, m.Name == "", "manufacturer name (`manufacturer.name`)")
		need(r, m.Address == "", "manufacturer address (`manufacturer.address`)")
		need(r, v.Product.TypeDesignation == "", "type designation (`product.type_designation`, Annex V 1)")
		need(r, v.Route.Followed == nil, "the conformity-assessment procedure followed (`conformity.procedure`, Annex V 7)")
		nb := cfg.Conformity.NotifiedBody
		need(r, v.Route.NotifiedBody && (nb.Name == "" || nb.Number == "" || nb.Certificate == ""),
			"notified body name, number and certificate (`conformity.notified_body`, Annex V 7)")
		if v.Product.Hardware {
			region(r, docDeclaration, "additional-info", "a photo of the product (Annex V 4)", "")
		}
		sd := cfg.Conformity.SignedDeclaration
		need(r, sd.Location == "" || sd.SHA256 == "",
			"where the signed declaration is kept and its sha256 (`conformity.signed_declaration`): cemark never signs")
	}
	rows = append(rows, r)

	r = &row{item: "8", title: "SBOM on reasoned request", file: docSBOM}
	switch {
	case in.SBOM.CycloneDXSHA256 == "":
		r.missing = append(r.missing, "an SBOM (none in this run)")
		r.file = ""
	case cfg.Docs.IncludeSBOM && len(in.SBOM.CycloneDX) > 0:
	default:
		r.file = ""
		r.manual = true
		r.done = "kept with the build evidence (sha256 " + short12(in.SBOM.CycloneDXSHA256) + "); provided to a market surveillance authority on reasoned request (`docs.include_sbom` is off)"
	}
	rows = append(rows, r)

	out := make([]IndexRow, 0, len(rows))
	for _, r := range rows {
		ir := IndexRow{Item: r.item, Title: r.title, File: r.file}
		switch {
		case len(r.missing) > 0:
			ir.State = StateNeedsInput
			ir.Detail = strings.Join(r.missing, "; ")
		case r.manual:
			ir.State = StateComplete
			ir.Detail = r.done
		default:
			ir.State = StateGenerated
			ir.Detail = r.done
		}
		out = append(out, ir)
	}
	return out
}

func short12(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}
