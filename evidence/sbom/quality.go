package sbom

import (
	"fmt"
	"math"
	"sort"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

const maxMissingNames = 50

const (
	stdTRDoc  = "BSI TR-03183-2 5.2.1"
	stdTRComp = "BSI TR-03183-2 5.2.2"
	stdTRIf   = "BSI TR-03183-2 5.2.3"
	stdNTIA   = "NTIA minimum elements"
)

// fieldCheck is one row of the quality report.
type fieldCheck struct {
	field, title string
	standard     []string
	required     bool
	// doc checks the document once; comp checks each component.
	doc  func(*cdx.BOM) bool
	comp func(c cdx.Component, deps map[string]bool) bool
}

var qualityFields = []fieldCheck{
	{field: "sbom-creator", title: "Creator of the SBOM (manufacturer, as email or URL)", standard: []string{stdTRDoc}, required: true,
		doc: func(b *cdx.BOM) bool { return b.Metadata != nil && hasContact(b.Metadata.Manufacturer) }},
	{field: "sbom-author", title: "Author of the SBOM data", standard: []string{stdNTIA}, required: true,
		doc: func(b *cdx.BOM) bool {
			return b.Metadata != nil && b.Metadata.Manufacturer != nil && b.Metadata.Manufacturer.Name != ""
		}},
	{field: "timestamp", title: "Timestamp of SBOM compilation", standard: []string{stdTRDoc, stdNTIA}, required: true,
		doc: func(b *cdx.BOM) bool { return b.Metadata != nil && b.Metadata.Timestamp != "" }},
	{field: "product-version", title: "Version of the product (primary component)", standard: []string{stdTRComp, stdNTIA}, required: true,
		doc: func(b *cdx.BOM) bool {
			return b.Metadata != nil && b.Metadata.Component != nil && b.Metadata.Component.Version != ""
		}},
	{field: "product-supplier", title: "Supplier of the product (primary component)", standard: []string{stdTRComp, stdNTIA}, required: true,
		doc: func(b *cdx.BOM) bool {
			return b.Metadata != nil && b.Metadata.Component != nil && hasContact(b.Metadata.Component.Supplier)
		}},
	{field: "product-licence", title: "Licence of the product (primary component)", standard: []string{stdTRComp}, required: true,
		doc: func(b *cdx.BOM) bool {
			return b.Metadata != nil && b.Metadata.Component != nil && b.Metadata.Component.Licenses != nil && len(*b.Metadata.Component.Licenses) > 0
		}},
	{field: "component-creator", title: "Component creator (email or URL)", standard: []string{stdTRComp}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool {
			return hasContact(c.Supplier) || hasContact(c.Manufacturer) || strings.Contains(c.Author, "@") || strings.Contains(c.Author, "://")
		}},
	{field: "supplier", title: "Supplier name", standard: []string{stdNTIA}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool {
			return (c.Supplier != nil && c.Supplier.Name != "") || (c.Manufacturer != nil && c.Manufacturer.Name != "")
		}},
	{field: "name", title: "Component name", standard: []string{stdTRComp, stdNTIA}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool { return c.Name != "" }},
	{field: "version", title: "Component version", standard: []string{stdTRComp, stdNTIA}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool { return c.Version != "" }},
	{field: "filename", title: "File name of the component", standard: []string{stdTRComp}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool { return prop(c, bsiFilename) != "" }},
	{field: "dependencies", title: "Dependency relationship", standard: []string{stdTRComp, stdNTIA}, required: true,
		comp: func(c cdx.Component, deps map[string]bool) bool { return deps[c.BOMRef] }},
	{field: "licence", title: "Distribution licence (SPDX)", standard: []string{stdTRComp}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool { return c.Licenses != nil && len(*c.Licenses) > 0 }},
	{field: "hash-sha512", title: "SHA-512 hash of the deployable component", standard: []string{stdTRComp}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool { return hasHash(c, cdx.HashAlgoSHA512) }},
	{field: "executable", title: "Executable property", standard: []string{stdTRComp}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool { return prop(c, bsiExecProp) != "" }},
	{field: "archive", title: "Archive property", standard: []string{stdTRComp}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool { return prop(c, bsiArchProp) != "" }},
	{field: "structured", title: "Structured property", standard: []string{stdTRComp}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool { return prop(c, bsiStructProp) != "" }},
	{field: "unique-identifiers", title: "Other unique identifiers (purl or CPE)", standard: []string{stdNTIA, stdTRIf}, required: true,
		comp: func(c cdx.Component, _ map[string]bool) bool { return c.PackageURL != "" || c.CPE != "" }},
	{field: "purl", title: "Package URL (if it exists)", standard: []string{stdTRIf}, required: false,
		comp: func(c cdx.Component, _ map[string]bool) bool { return c.PackageURL != "" }},
	{field: "cpe", title: "CPE (if it exists)", standard: []string{stdTRIf}, required: false,
		comp: func(c cdx.Component, _ map[string]bool) bool { return c.CPE != "" }},
	{field: "source-uri", title: "Source code URI (if it exists)", standard: []string{stdTRIf}, required: false,
		comp: func(c cdx.Component, _ map[string]bool) bool {
			return hasExtRef(c, cdx.ERTypeVCS, cdx.ERTypeSourceDistribution)
		}},
}

// assessQuality measures the enriched CycloneDX BOM. The components
// assessed are the catalogued packages (and the operating system); file
// entries and the cemark source components are not components in
// TR-03183-2's sense.
func assessQuality(bom *cdx.BOM, _ Config) Quality {
	var comps []cdx.Component
	if bom.Components != nil {
		for _, c := range *bom.Components {
			if c.Type == cdx.ComponentTypeFile || strings.HasPrefix(c.BOMRef, "source:") {
				continue
			}
			comps = append(comps, c)
		}
	}
	inGraph := map[string]bool{}
	if bom.Dependencies != nil {
		for _, d := range *bom.Dependencies {
			if d.Dependencies == nil {
				continue
			}
			inGraph[d.Ref] = true
			for _, on := range *d.Dependencies {
				inGraph[on] = true
			}
		}
	}
	q := Quality{Components: len(comps), Verdict: "complete"}
	for _, fc := range qualityFields {
		row := FieldCoverage{Field: fc.field, Title: fc.title, Standard: fc.standard, Required: fc.required}
		if fc.doc != nil {
			row.Total = 1
			if fc.doc(bom) {
				row.Covered = 1
			} else {
				row.Missing = []string{"(document)"}
				row.MissingCount = 1
			}
		} else {
			row.Total = len(comps)
			var missing []string
			for _, c := range comps {
				if fc.comp(c, inGraph) {
					row.Covered++
				} else {
					missing = append(missing, componentLabel(c))
				}
			}
			sort.Strings(missing)
			missing = dedupe(missing)
			row.MissingCount = row.Total - row.Covered
			if len(missing) > maxMissingNames {
				missing = missing[:maxMissingNames]
			}
			row.Missing = missing
		}
		switch {
		case row.Total == 0:
			row.Verdict = "not-applicable"
		case row.Covered == row.Total:
			row.Verdict = "complete"
		case row.Covered == 0:
			row.Verdict = "missing"
		default:
			row.Verdict = "partial"
		}
		if row.Total > 0 {
			row.Share = math.Round(float64(row.Covered)/float64(row.Total)*10000) / 10000
		}
		if row.Required && row.Verdict != "complete" && row.Verdict != "not-applicable" {
			q.Verdict = "incomplete"
		}
		q.Fields = append(q.Fields, row)
	}
	return q
}

// Summary is a few lines for people: whether the TR-03183-2 / NTIA fields
// are complete, what is missing, and which of the two formats BSI
// TR-03183-2 v2.1.0 accepts. A field no component could be checked for
// (an SBOM with no component) is never called complete.
func (q Quality) Summary() string {
	var b strings.Builder
	if q.Components == 0 {
		fmt.Fprintf(&b, "SBOM: 0 components; BSI TR-03183-2 / NTIA document fields %s, component fields not checked: there is no component.\n", q.Verdict)
	} else {
		fmt.Fprintf(&b, "SBOM: %d components; BSI TR-03183-2 / NTIA fields %s.\n", q.Components, q.Verdict)
	}
	var complete, unchecked, gaps []string
	for _, f := range q.Fields {
		if !f.Required {
			continue
		}
		switch f.Verdict {
		case "complete":
			complete = append(complete, f.Field)
		case "not-applicable":
			unchecked = append(unchecked, f.Field)
		default:
			if f.Total == 1 && len(f.Missing) == 1 && f.Missing[0] == "(document)" {
				gaps = append(gaps, f.Field+" (needs manufacturer input)")
			} else {
				gaps = append(gaps, fmt.Sprintf("%s (%d of %d components lack it)", f.Field, f.Total-f.Covered, f.Total))
			}
		}
	}
	if len(complete) > 0 {
		fmt.Fprintf(&b, "Complete: %s.\n", strings.Join(complete, ", "))
	}
	if len(unchecked) > 0 {
		fmt.Fprintf(&b, "Not checked (no component): %s.\n", strings.Join(unchecked, ", "))
	}
	if len(gaps) > 0 {
		fmt.Fprintf(&b, "Missing: %s.\n", strings.Join(gaps, "; "))
	}
	b.WriteString(FormatNote + "\n")
	return b.String()
}

// FormatNote says which of cemark's SBOM formats BSI TR-03183-2 v2.1.0
// accepts: CycloneDX 1.6 or later, SPDX 3.0.1 or later.
const FormatNote = "Formats: the CycloneDX 1.6 SBOM is in a format BSI TR-03183-2 v2.1.0 accepts (CycloneDX 1.6 or later); the SPDX 2.3 SBOM is not (v2.1.0 asks for SPDX 3.0.1 or later) and carries the same fields for tools that read SPDX."

func componentLabel(c cdx.Component) string {
	name := c.Name
	if c.Group != "" {
		name = c.Group + "/" + name
	}
	if c.Version != "" {
		return name + "@" + c.Version
	}
	return name
}

func hasContact(o *cdx.OrganizationalEntity) bool {
	if o == nil {
		return false
	}
	if o.URL != nil && len(*o.URL) > 0 {
		return true
	}
	if o.Contact != nil {
		for _, c := range *o.Contact {
			if c.Email != "" {
				return true
			}
		}
	}
	return false
}

func hasHash(c cdx.Component, algo cdx.HashAlgorithm) bool {
	if c.Hashes == nil {
		return false
	}
	for _, h := range *c.Hashes {
		if h.Algorithm == algo && h.Value != "" {
			return true
		}
	}
	return false
}

func hasExtRef(c cdx.Component, types ...cdx.ExternalReferenceType) bool {
	if c.ExternalReferences == nil {
		return false
	}
	for _, r := range *c.ExternalReferences {
		for _, t := range types {
			if r.Type == t && r.URL != "" {
				return true
			}
		}
	}
	return false
}

func prop(c cdx.Component, name string) string {
	if c.Properties == nil {
		return ""
	}
	for _, p := range *c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}
