package art14

import (
	"time"

	"github.com/cemark/cemark/checks/vulnscan"
)

// Observations are what the vulnerability scan of the product's SBOM
// shows CEM-RPT-001: one per vulnerability × package, with its ID (the CVE
// when it has one: CISA's catalogue is keyed by CVE, and so is cemark
// report open --vuln), the package, version and purl, the day it was
// added to the KEV catalogue, the day the evidence first saw it, and the
// VEX status. A not_affected statement without a justification waives
// nothing (CEM-VULN-002), so it is not passed on as not_affected.
//
// ok is false when there is nothing to judge candidates on: no scan ran,
// or its database carries no KEV data.
func Observations(scan *vulnscan.Scan) (obs []Observation, ok bool) {
	if scan == nil || !scan.Assessed || !hasKEVData(scan.DB) {
		return nil, false
	}
	obs = make([]Observation, 0, len(scan.Matches))
	for _, m := range scan.Matches {
		o := Observation{VulnID: m.ID, Package: m.Package.Name, Version: m.Package.Version, PURL: m.Package.PURL}
		if cve := m.CVE(); cve != "" {
			o.VulnID = cve
		}
		for _, k := range m.KEV {
			if t, err := time.Parse(time.DateOnly, k.DateAdded); err == nil && (o.KEVDateAdded == nil || t.Before(*o.KEVDateAdded)) {
				o.KEVDateAdded = &t
			}
		}
		if t, err := time.Parse(time.DateOnly, m.FirstSeen); err == nil {
			o.FirstSeen = t
		}
		if d := m.VEX; d != nil {
			o.VEXStatus = d.Status
			if d.Status == vulnscan.VEXNotAffected && !d.Justified() {
				o.VEXStatus = "not_affected without a justification, which waives nothing"
			}
		}
		obs = append(obs, o)
	}
	return obs, true
}

// hasKEVData reports whether the database lists CISA's KEV catalogue
// among its providers (grype's provider "kev").
func hasKEVData(db *vulnscan.DB) bool {
	if db == nil {
		return false
	}
	for _, p := range db.Providers {
		if p.Name == "kev" {
			return true
		}
	}
	return false
}
