package art14

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// VEX statuses, as CycloneDX, OpenVEX and CSAF share them.
const (
	VEXNotAffected        = "not_affected"
	VEXAffected           = "affected"
	VEXFixed              = "fixed"
	VEXUnderInvestigation = "under_investigation"
)

// Observation is one vulnerability the scan found in one component of
// the product as shipped: the small typed input the candidate logic needs
// from the vulnerability scan (the CEM-VULN family fills it).
type Observation struct {
	// VulnID is the vulnerability's ID (CVE-…, GHSA-…).
	VulnID  string `json:"vuln_id"`
	Package string `json:"package"`
	Version string `json:"version"`
	PURL    string `json:"purl,omitempty"`
	// KEVDateAdded is the day CISA added the vulnerability to its Known
	// Exploited Vulnerabilities catalogue; nil when it is not listed.
	KEVDateAdded *time.Time `json:"kev_date_added,omitempty"`
	// FirstSeen is when the evidence history first showed the
	// vulnerability in this component; zero when unknown.
	FirstSeen time.Time `json:"first_seen,omitzero"`
	// VEXStatus is the manufacturer's VEX statement for it, if any:
	// not_affected, affected, fixed, under_investigation.
	VEXStatus string `json:"vex_status,omitempty"`
}

// Candidate is a candidate reportable event: an actively exploited
// vulnerability (KEV-listed) in a component of the product as shipped,
// not waived by a VEX not_affected. It is not an event: only the
// manufacturer knows whether and when it became aware (Art. 14(1)), and
// confirms with cemark report open.
type Candidate struct {
	VulnID string `json:"vuln_id"`
	// Components are the affected components, "name@version (purl)", sorted.
	Components []string `json:"components"`
	PURLs      []string `json:"purls,omitempty"`
	// KnownSince is when the evidence knows of it: the later of the first
	// sighting in the evidence history and the KEV date added.
	KnownSince time.Time `json:"known_since"`
	// KnownSinceBasis says which of the two KnownSince is.
	KnownSinceBasis string     `json:"known_since_basis"`
	KEVDateAdded    time.Time  `json:"kev_date_added"`
	FirstSeen       *time.Time `json:"first_seen,omitempty"`
	VEXStatus       string     `json:"vex_status,omitempty"`
	// EventID names the event already opened for this vulnerability.
	EventID string `json:"event_id,omitempty"`
}

// Reason says, in one sentence, why this is a candidate and which clock
// would run.
func (c Candidate) Reason() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is listed in CISA's Known Exploited Vulnerabilities catalogue (added %s), so it is actively exploited (Art. 3(42)), and it is in %s as shipped",
		c.VulnID, c.KEVDateAdded.Format(time.DateOnly), strings.Join(c.Components, ", "))
	if c.VEXStatus != "" {
		fmt.Fprintf(&b, " (VEX: %s)", c.VEXStatus)
	} else {
		b.WriteString(" with no VEX statement that it is not affected")
	}
	fmt.Fprintf(&b, "; known to the evidence since %s (%s). If you are aware of it, Art. 14(2) runs from when you became aware: early warning within 24 hours, notification within 72 hours, final report 14 days after a corrective or mitigating measure is available",
		FormatTime(c.KnownSince), c.KnownSinceBasis)
	return b.String()
}

// Candidates picks the candidate reportable events from the scan's
// observations: KEV-listed, and neither VEX not_affected nor fixed for
// this component. Observations of one vulnerability in several components
// make one candidate. An event already opened for the vulnerability (open
// or closed) is named in EventID. The result is sorted by VulnID.
func Candidates(obs []Observation, events []Event) []Candidate {
	byVuln := map[string]*Candidate{}
	for _, o := range obs {
		if o.KEVDateAdded == nil || o.VEXStatus == VEXNotAffected || o.VEXStatus == VEXFixed || o.VulnID == "" {
			continue
		}
		c := byVuln[o.VulnID]
		if c == nil {
			c = &Candidate{VulnID: o.VulnID, KEVDateAdded: o.KEVDateAdded.UTC()}
			byVuln[o.VulnID] = c
		}
		comp := o.Package + "@" + o.Version
		if o.PURL != "" {
			comp += " (" + o.PURL + ")"
			c.PURLs = appendUnique(c.PURLs, o.PURL)
		}
		c.Components = appendUnique(c.Components, comp)
		if !o.FirstSeen.IsZero() && (c.FirstSeen == nil || o.FirstSeen.Before(*c.FirstSeen)) {
			t := o.FirstSeen.UTC()
			c.FirstSeen = &t
		}
		if o.KEVDateAdded.Before(c.KEVDateAdded) {
			c.KEVDateAdded = o.KEVDateAdded.UTC()
		}
		if o.VEXStatus != "" && c.VEXStatus == "" {
			c.VEXStatus = o.VEXStatus
		}
	}
	out := make([]Candidate, 0, len(byVuln))
	for _, c := range byVuln {
		sort.Strings(c.Components)
		sort.Strings(c.PURLs)
		c.KnownSince, c.KnownSinceBasis = c.KEVDateAdded, "the day it was added to the KEV catalogue"
		if c.FirstSeen != nil && c.FirstSeen.After(c.KEVDateAdded) {
			c.KnownSince, c.KnownSinceBasis = *c.FirstSeen, "first seen in the evidence history"
		}
		for _, e := range events {
			if slices.Contains(e.Vulnerabilities, c.VulnID) {
				c.EventID = e.ID
				break
			}
		}
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].VulnID < out[j].VulnID })
	return out
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
