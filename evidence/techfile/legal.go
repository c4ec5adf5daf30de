package techfile

import (
	"strings"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
)

// routeView is the conformity route with its procedures in the document's
// language (the declaration and the user information may be Danish).
type routeView struct {
	conformity.Route
	Steward  bool
	Local    []procView // the procedures open to the product
	Followed *procView  // the procedure followed, when stated and open
	// NotifiedBody is true when the procedure followed involves one
	// (Module B + C, Module H): only then does item 7 name it.
	NotifiedBody bool
}

// procView is a procedure named in one language.
type procView struct {
	ID, Name, Description, Note string
}

// danishProcedures names the procedures of Art. 32(1) in Danish. The
// module names follow the Danish declaration's own wording; the longer
// descriptions follow Annex VIII's part titles.
var danishProcedures = map[string]procView{
	config.ProcedureModuleA:  {Name: "modul A", Description: "intern kontrol (baseret på modul A), bilag VIII, del I"},
	config.ProcedureModuleBC: {Name: "modul B + modul C", Description: "EU-typeafprøvning (baseret på modul B), bilag VIII, del II, efterfulgt af overensstemmelse med EU-typen baseret på intern produktionskontrol (baseret på modul C), bilag VIII, del III"},
	config.ProcedureModuleH:  {Name: "modul H", Description: "overensstemmelse baseret på fuld kvalitetssikring (baseret på modul H), bilag VIII, del IV"},
	config.ProcedureCertification: {Name: "europæisk cybersikkerhedscertificering",
		Description: "en europæisk cybersikkerhedscertificeringsordning i henhold til artikel 27, stk. 9"},
}

func localProcedure(p conformity.Procedure, lang string) procView {
	v := procView{ID: p.ID, Name: p.Name, Description: p.Description, Note: p.Note}
	if d, ok := danishProcedures[p.ID]; ok && lang == "da" {
		v.Name, v.Description, v.Note = d.Name, d.Description, ""
	}
	return v
}

func newRouteView(r conformity.Route, lang string) routeView {
	v := routeView{Route: r, Steward: r.Role == config.RoleSteward}
	for _, o := range r.Options {
		v.Local = append(v.Local, localProcedure(o, lang))
	}
	if r.Followed != nil {
		f := localProcedure(*r.Followed, lang)
		v.Followed = &f
		v.NotifiedBody = r.Followed.NotifiedBody
	}
	return v
}

// standardsView lists what the manufacturer applied with the route's
// judgement of each (Art. 27, Art. 32(2)); ok is true when one counts.
func standardsView(cfg *config.Config, r conformity.Route) (out []standardView, ok bool) {
	applied := func(a string) string {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			return a
		}
		return "not stated"
	}
	for _, s := range cfg.Standards {
		out = append(out, standardView{Kind: "harmonised standard", Reference: s.Reference, Title: s.Title,
			Applied: applied(s.Applied), Parts: s.Parts, OJReference: s.OJReference})
	}
	for _, s := range cfg.CommonSpecifications {
		out = append(out, standardView{Kind: "common specification", Reference: s.Reference, Title: s.Title,
			Applied: applied(s.Applied), Parts: s.Parts, ImplementingAct: s.ImplementingAct})
	}
	for _, s := range cfg.CertificationSchemes {
		out = append(out, standardView{Kind: "certification scheme", Reference: s.Reference, Title: s.Title,
			Applied: applied(s.Applied), Parts: s.Parts, AssuranceLevel: s.AssuranceLevel, Certificate: s.Certificate})
	}
	// RouteFor judged them in the same order.
	for i := range out {
		if i < len(r.Basis) && r.Basis[i].Reference == out[i].Reference {
			out[i].Counts, out[i].Why = r.Basis[i].Counts, r.Basis[i].Why
			ok = ok || out[i].Counts
		}
	}
	return out, ok
}

// ceView says where the CE marking goes (Art. 30) and what follows it.
type ceView struct {
	// Affixed is false for an open-source software steward (recital 19).
	Affixed bool
	// Software: product.hardware is false; Unknown: it is unset.
	Software, Unknown bool
	// ModuleH: the notified body's number follows the CE marking
	// (Art. 30(4)); Number is that number when stated.
	ModuleH bool
	Number  string
}

func newCEView(r conformity.Route, p config.Product) ceView {
	return ceView{
		Affixed:  r.CEMarking,
		Software: p.Hardware != nil && !*p.Hardware,
		Unknown:  p.Hardware == nil,
		ModuleH:  r.NotifiedBodyAfterCE,
	}
}

// datesView holds the Regulation's dates (Art. 69, Art. 71) and what they
// mean for this product.
type datesView struct {
	Applies, ReportingApplies string
	// ReferenceData is the date of cemark's reference data on acts and
	// harmonised standards ("September 2026").
	ReferenceData string
	// PlacedBefore says what a product first placed on the market before
	// the Regulation applies means for the support of later units.
	PlacedBefore      string
	PlacedBeforeShort bool
}

func newDatesView(p config.Product) datesView {
	v := datesView{Applies: conformity.Applies.String(), ReportingApplies: conformity.ReportingApplies.String(),
		ReferenceData: conformity.ReferenceDate}
	v.PlacedBefore, v.PlacedBeforeShort, _ = conformity.SupportFromApplication(p.FirstPlacedOnMarket, p.Support.End)
	return v
}

// reportingView is the Art. 14 set-up from cemark.yaml reporting.
type reportingView struct {
	config.Reporting
	// Missing names the keys still to set (the Member State of main
	// establishment and its coordinator CSIRT, Art. 14(7)); empty when set.
	Missing                 []string
	AvailableIn, Submitters string
}

func newReportingView(r config.Reporting) reportingView {
	v := reportingView{Reporting: r, AvailableIn: strings.Join(r.AvailableIn, ", "), Submitters: strings.Join(r.Submitters, ", ")}
	if strings.TrimSpace(r.MemberState) == "" {
		v.Missing = append(v.Missing, "reporting.member_state")
	}
	if strings.TrimSpace(r.CSIRT) == "" {
		v.Missing = append(v.Missing, "reporting.csirt")
	}
	return v
}
