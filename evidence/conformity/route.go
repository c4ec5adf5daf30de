package conformity

import (
	"strings"

	"github.com/cemark/cemark/evidence/config"
)

// Route is the conformity-assessment procedure open to the product (Art. 32).
type Route struct {
	Class string `json:"class"`
	// ModuleA is true when internal control (Annex VIII Part I) may be used.
	ModuleA bool `json:"module_a"`
	// Procedures lists the procedures available, e.g. "Module A",
	// "Module B + Module C", "Module H", "European cybersecurity certification".
	Procedures []string `json:"procedures"`
	// Explanation says why, citing the article.
	Explanation string `json:"explanation"`
}

// RouteFor works out the route from the configured class, the standards
// listed as applied in full, and open-source status (Art. 32(5)).
func RouteFor(cfg *config.Config) Route {
	class := cfg.Product.Class
	if class == "" {
		class = config.ClassDefault
	}
	fullyApplied := false
	for _, list := range [][]config.Standard{cfg.Standards, cfg.CommonSpecifications, cfg.CertificationSchemes} {
		for _, s := range list {
			if strings.EqualFold(s.Applied, "full") {
				fullyApplied = true
			}
		}
	}
	openSource := cfg.Product.OpenSource != nil && *cfg.Product.OpenSource
	switch class {
	case config.ClassDefault:
		return Route{Class: class, ModuleA: true,
			Procedures:  []string{"Module A", "Module B + Module C", "Module H", "European cybersecurity certification"},
			Explanation: "Art. 32(1): a product that is neither important nor critical may use internal control (Module A, Annex VIII Part I), EU-type examination with conformity to type (Module B + C), full quality assurance (Module H), or a European cybersecurity certification scheme where available (Art. 27(9))."}
	case config.ClassImportantClassI:
		if fullyApplied {
			return Route{Class: class, ModuleA: true,
				Procedures:  []string{"Module A", "Module B + Module C", "Module H", "European cybersecurity certification"},
				Explanation: "Art. 32(2): an important product of class I may use Module A because harmonised standards, common specifications or a certification scheme are listed as applied in full."}
		}
		r := Route{Class: class, ModuleA: false,
			Procedures:  []string{"Module B + Module C", "Module H"},
			Explanation: "Art. 32(2): Module A is not available to an important product of class I unless harmonised standards, common specifications or a European cybersecurity certification scheme are applied in full; none is listed as applied in full. Use EU-type examination with conformity to type (Module B + C) or full quality assurance (Module H)."}
		if openSource {
			r.ModuleA = true
			r.Procedures = append([]string{"Module A"}, r.Procedures...)
			r.Explanation = "Art. 32(5): as free and open-source software whose technical documentation is made public, the product may use Module A."
		}
		return r
	case config.ClassImportantClassII:
		r := Route{Class: class, ModuleA: false,
			Procedures:  []string{"Module B + Module C", "Module H", "European cybersecurity certification"},
			Explanation: "Art. 32(3): Module A is not available to an important product of class II. Use Module B + C, Module H, or a European cybersecurity certification scheme at assurance level at least 'substantial'."}
		if openSource {
			r.ModuleA = true
			r.Procedures = append([]string{"Module A"}, r.Procedures...)
			r.Explanation = "Art. 32(5): as free and open-source software whose technical documentation is made public, the product may use Module A."
		}
		return r
	case config.ClassCritical:
		return Route{Class: class, ModuleA: false,
			Procedures:  []string{"European cybersecurity certification", "Module B + Module C", "Module H"},
			Explanation: "Art. 32(4) and Art. 8(1): Module A is not available to a critical product. Where a delegated act requires European cybersecurity certification it must be used; otherwise the procedures for class II apply."}
	}
	return Route{Class: class, Explanation: "unknown product class"}
}
