package report

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Component is one component as the SBOM names it.
type Component struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	PURL    string `json:"purl,omitempty"`
}

// String is "name@version".
func (c Component) String() string {
	if c.Version == "" {
		return c.Name
	}
	return c.Name + "@" + c.Version
}

// VEXStatement is the manufacturer's statement on one vulnerability.
type VEXStatement struct {
	VulnID        string   `json:"vuln_id"`
	Status        string   `json:"status"` // not_affected | affected | fixed | under_investigation
	Justification string   `json:"justification,omitempty"`
	Detail        string   `json:"detail,omitempty"`
	Refs          []string `json:"refs,omitempty"` // the components it covers (bom-refs or purls)
}

// Evidence is what the drafts and the advisory are filled from: the SBOM
// of the last run (its primary component is the product), the VEX
// statements it carries, and the vulnerability scan's observations.
type Evidence struct {
	// SBOMPath is the CycloneDX SBOM's slash path relative to the root.
	SBOMPath     string         `json:"sbom_path,omitempty"`
	Product      *Component     `json:"product,omitempty"`
	Components   []Component    `json:"components,omitempty"`
	VEX          []VEXStatement `json:"vex,omitempty"`
	Observations []Observation  `json:"observations,omitempty"`
}

// maxSBOMSize bounds the SBOM read for drafts (cemark's own evidence).
const maxSBOMSize = 256 << 20

// ReadCycloneDX reads a CycloneDX JSON SBOM: its primary component, its
// components and the VEX analyses of its vulnerabilities. A missing file
// gives (nil, nil): the drafts then say the SBOM was not available.
func ReadCycloneDX(path, rel string) (*Evidence, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read SBOM: %w", err)
	}
	if info.Size() > maxSBOMSize {
		return nil, fmt.Errorf("read SBOM %s: larger than %d MiB", rel, maxSBOMSize>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read SBOM: %w", err)
	}
	bom := new(cdx.BOM)
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(bom); err != nil {
		return nil, fmt.Errorf("read SBOM %s: %w", rel, err)
	}
	ev := &Evidence{SBOMPath: rel}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		c := bom.Metadata.Component
		ev.Product = &Component{Name: c.Name, Version: c.Version, PURL: c.PackageURL}
	}
	if bom.Components != nil {
		for _, c := range *bom.Components {
			ev.Components = append(ev.Components, Component{Name: c.Name, Version: c.Version, PURL: c.PackageURL})
		}
	}
	sort.Slice(ev.Components, func(i, j int) bool {
		if ev.Components[i].Name != ev.Components[j].Name {
			return ev.Components[i].Name < ev.Components[j].Name
		}
		return ev.Components[i].Version < ev.Components[j].Version
	})
	if bom.Vulnerabilities != nil {
		for _, v := range *bom.Vulnerabilities {
			if v.Analysis == nil || v.Analysis.State == "" {
				continue
			}
			s := VEXStatement{VulnID: v.ID, Status: vexStatus(v.Analysis.State), Justification: string(v.Analysis.Justification), Detail: v.Analysis.Detail}
			if v.Affects != nil {
				for _, a := range *v.Affects {
					s.Refs = append(s.Refs, a.Ref)
				}
			}
			ev.VEX = append(ev.VEX, s)
		}
	}
	return ev, nil
}

// vexStatus maps a CycloneDX impact analysis state to the VEX status.
func vexStatus(s cdx.ImpactAnalysisState) string {
	switch s {
	case cdx.IASNotAffected, cdx.IASFalsePositive:
		return VEXNotAffected
	case cdx.IASResolved, cdx.IASResolvedWithPedigree:
		return VEXFixed
	case cdx.IASExploitable:
		return VEXAffected
	}
	return VEXUnderInvestigation
}

// purlBase is a package URL without qualifiers and subpath.
func purlBase(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		return p[:i]
	}
	return p
}

// affected returns the SBOM's components the event names (by package URL),
// in SBOM order.
func (ev *Evidence) affected(e Event) []Component {
	if ev == nil {
		return nil
	}
	want := map[string]bool{}
	for _, p := range e.Components {
		want[purlBase(p)] = true
	}
	var out []Component
	for _, c := range ev.Components {
		if c.PURL != "" && want[purlBase(c.PURL)] {
			out = append(out, c)
		}
	}
	return out
}

// vexFor returns the VEX statements on the event's vulnerabilities.
func (ev *Evidence) vexFor(e Event) []VEXStatement {
	if ev == nil {
		return nil
	}
	var out []VEXStatement
	for _, s := range ev.VEX {
		if slices.Contains(e.Vulnerabilities, s.VulnID) {
			out = append(out, s)
		}
	}
	return out
}

// kevFor returns the KEV date added of the event's vulnerabilities, from
// the scan's observations ("" when none is listed).
func (ev *Evidence) kevFor(e Event) []string {
	if ev == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, o := range ev.Observations {
		if o.KEVDateAdded != nil && slices.Contains(e.Vulnerabilities, o.VulnID) && !seen[o.VulnID] {
			seen[o.VulnID] = true
			out = append(out, o.VulnID+" added to CISA's Known Exploited Vulnerabilities catalogue on "+o.KEVDateAdded.UTC().Format("2006-01-02"))
		}
	}
	sort.Strings(out)
	return out
}
