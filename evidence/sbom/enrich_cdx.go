package sbom

import (
	"bytes"
	"fmt"
	"net/url"
	"sort"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/anchore/syft/syft/artifact"

	"github.com/cemark/cemark/internal/jsonindent"
)

// BSI TR-03183-2 CycloneDX property taxonomy
// (github.com/BSI-Bund/tr-03183-cyclonedx-property-taxonomy).
const (
	bsiFilename   = "bsi:component:filename"
	bsiExecProp   = "bsi:component:executable"
	bsiArchProp   = "bsi:component:archive"
	bsiStructProp = "bsi:component:structured"
)

// cdxPackageID extracts syft's package ID from a CycloneDX bom-ref: syft
// writes the purl with a "package-id" qualifier, or the bare ID.
func cdxPackageID(ref string) artifact.ID {
	if !strings.HasPrefix(ref, "pkg:") {
		return artifact.ID(ref)
	}
	if _, q, ok := strings.Cut(ref, "?"); ok {
		if v, err := url.ParseQuery(q); err == nil && v.Get("package-id") != "" {
			return artifact.ID(v.Get("package-id"))
		}
	}
	return ""
}

func productRef(cfg Config) string { return "product:" + spdxSafe(cfg.Product.Name) }

func sourceRef(i int, spec sourceSpec) string {
	return fmt.Sprintf("source:%d:%s", i+1, spdxSafe(spec.Rel))
}

// enrichCycloneDX adds to syft's CycloneDX model (cyclonedxhelpers'
// ToFormatModel) what TR-03183-2 and NTIA ask and syft cannot know; see
// enrichSPDX. It changes bom in place and returns it.
func enrichCycloneDX(bom *cdx.BOM, cfg Config, parts []scanned, facts factSet) *cdx.BOM {
	if bom.Metadata == nil {
		bom.Metadata = &cdx.Metadata{}
	}
	md := bom.Metadata
	prod := cfg.Product
	md.Timestamp = cfg.Created.Format("2006-01-02T15:04:05Z")
	md.Tools = &cdx.ToolsChoice{Components: &[]cdx.Component{
		{Type: cdx.ComponentTypeApplication, Name: cfg.ToolName, Version: cfg.ToolVersion},
		{Type: cdx.ComponentTypeLibrary, Group: "github.com/anchore", Name: "syft", Version: SyftVersion(), Author: "anchore"},
	}}
	manufacturer := productOrg(prod)
	// The SBOM's creator (TR-03183-2 5.2.1) is the manufacturer: cemark runs
	// on its behalf.
	md.Manufacturer = manufacturer
	md.Supplier = manufacturer
	md.Properties = nil

	pref := productRef(cfg)
	product := cdx.Component{
		BOMRef:      pref,
		Type:        cdx.ComponentTypeApplication,
		Name:        prod.Name,
		Version:     prod.Version,
		Description: prod.Description,
		Supplier:    manufacturer,
	}
	if manufacturer != nil {
		product.Manufacturer = manufacturer
	}
	if prod.Licence != "" {
		product.Licenses = &cdx.Licenses{licenceChoice(prod.Licence)}
	}
	md.Component = &product

	// Components: one per source, then syft's packages enriched.
	var comps []cdx.Component
	srcRefs := make([]string, len(parts))
	for i, p := range parts {
		srcRefs[i] = sourceRef(i, p.spec)
		c := cdx.Component{
			BOMRef: srcRefs[i],
			Type:   cdxSourceType(p.spec.Kind),
			Name:   p.spec.Rel,
			Properties: &[]cdx.Property{
				{Name: "cemark:source:input", Value: p.spec.Input},
				{Name: "cemark:source:kind", Value: p.spec.Kind},
			},
		}
		if p.image != nil && p.image.Name != "" {
			c.Name = p.image.Name
		}
		if algo, val, ok := strings.Cut(p.info.Digest, ":"); ok && algo == "sha256" {
			c.Version = p.info.Digest
			c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: val}}
		}
		comps = append(comps, c)
	}
	pkgRefsBySource := make([][]string, len(parts))
	if bom.Components != nil {
		for _, c := range *bom.Components {
			id := cdxPackageID(c.BOMRef)
			f, ok := facts.pkgs[id]
			if ok && c.Type != cdx.ComponentTypeFile {
				enrichComponent(&c, f)
				for _, i := range f.sources {
					pkgRefsBySource[i] = append(pkgRefsBySource[i], c.BOMRef)
				}
			}
			comps = append(comps, c)
		}
	}
	bom.Components = &comps

	// Dependencies: product → sources → the packages nothing else in the
	// same source depends on; then syft's package graph.
	deps := map[string]*cdx.Dependency{}
	addDeps := func(ref string, on ...string) {
		d := deps[ref]
		if d == nil {
			d = &cdx.Dependency{Ref: ref, Dependencies: &[]string{}}
			deps[ref] = d
		}
		*d.Dependencies = append(*d.Dependencies, on...)
	}
	addDeps(pref, srcRefs...)
	dependedOn := map[string]bool{}
	if bom.Dependencies != nil {
		for _, d := range *bom.Dependencies {
			if d.Dependencies != nil {
				addDeps(d.Ref, *d.Dependencies...)
				for _, on := range *d.Dependencies {
					dependedOn[on] = true
				}
			} else {
				addDeps(d.Ref)
			}
		}
	}
	for i, refs := range pkgRefsBySource {
		var roots []string
		for _, r := range refs {
			if !dependedOn[r] {
				roots = append(roots, r)
			}
		}
		addDeps(srcRefs[i], roots...)
	}
	var depList []cdx.Dependency
	for _, d := range deps {
		sort.Strings(*d.Dependencies)
		*d.Dependencies = dedupe(*d.Dependencies)
		if len(*d.Dependencies) == 0 {
			d.Dependencies = nil
		}
		depList = append(depList, *d)
	}
	sort.Slice(depList, func(i, j int) bool { return depList[i].Ref < depList[j].Ref })
	bom.Dependencies = &depList

	// Completeness indicator (TR-03183-2 5.2.2 "dependencies … with a
	// completeness indicator"): syft reports what lockfiles, package
	// databases and binaries declare, and cannot know what it did not
	// see, so the dependency graph's completeness is stated as unknown.
	bom.Compositions = &[]cdx.Composition{{
		Aggregate:    cdx.CompositionAggregateUnknown,
		Dependencies: &[]cdx.BOMReference{cdx.BOMReference(pref)},
	}}

	// Sealed after encoding: see sealID.
	bom.SerialNumber = "urn:uuid:" + zeroUUID
	return bom
}

func enrichComponent(c *cdx.Component, f pkgFacts) {
	if f.supplier.Name != "" && c.Supplier == nil {
		c.Supplier = orgFromSPDX(f.supplier)
	}
	if f.file != nil {
		if f.file.SHA512 != "" {
			var hs []cdx.Hash
			if c.Hashes != nil {
				hs = *c.Hashes
			}
			hs = append(hs, cdx.Hash{Algorithm: cdx.HashAlgoSHA512, Value: f.file.SHA512})
			c.Hashes = &hs
		}
		var props []cdx.Property
		if c.Properties != nil {
			props = *c.Properties
		}
		if f.file.Name != "" {
			props = append(props, cdx.Property{Name: bsiFilename, Value: f.file.Name})
		}
		if f.file.Sniffed {
			props = append(props,
				cdx.Property{Name: bsiExecProp, Value: bsiExecutable(f.file.Executable)},
				cdx.Property{Name: bsiArchProp, Value: bsiArchive(f.file.Archive)},
				cdx.Property{Name: bsiStructProp, Value: bsiStructured(f.file.Structured)})
		}
		if f.file.Origin != "" {
			props = append(props, cdx.Property{Name: "cemark:hash:origin", Value: f.file.Origin})
		}
		c.Properties = &props
	}
}

// orgFromSPDX turns syft's "Name <email> (url)"-style supplier text into a
// CycloneDX organisational entity, keeping only what is there.
func orgFromSPDX(s supplier) *cdx.OrganizationalEntity {
	name, email, u := splitPersonOrOrg(s.Name)
	org := &cdx.OrganizationalEntity{Name: name}
	if u != "" {
		org.URL = &[]string{u}
	}
	if email != "" {
		org.Contact = &[]cdx.OrganizationalContact{{Email: email}}
	}
	return org
}

// splitPersonOrOrg splits "Name (email)" or "Name <email> (url)".
func splitPersonOrOrg(s string) (name, email, u string) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "<"); i >= 0 {
		if j := strings.Index(s[i:], ">"); j > 0 {
			email = strings.TrimSpace(s[i+1 : i+j])
			rest := strings.TrimSpace(s[i+j+1:])
			s = strings.TrimSpace(s[:i]) + " " + rest
		}
	}
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "("); i >= 0 && strings.HasSuffix(s, ")") {
		inner := strings.TrimSpace(s[i+1 : len(s)-1])
		switch {
		case strings.Contains(inner, "@") && !strings.Contains(inner, "/") && email == "":
			email = inner
			s = strings.TrimSpace(s[:i])
		case strings.HasPrefix(inner, "http://") || strings.HasPrefix(inner, "https://"):
			u = inner
			s = strings.TrimSpace(s[:i])
		}
	}
	if email == "" && strings.Contains(s, "@") && !strings.Contains(s, " ") {
		email = s
	}
	return s, email, u
}

// productOrg is the manufacturer as a CycloneDX entity, or nil when the
// configuration names none.
func productOrg(p Product) *cdx.OrganizationalEntity {
	if p.Supplier == "" && p.SupplierURL == "" && p.SupplierEmail == "" {
		return nil
	}
	org := &cdx.OrganizationalEntity{Name: p.Supplier}
	if p.SupplierURL != "" {
		org.URL = &[]string{p.SupplierURL}
	}
	if p.SupplierEmail != "" {
		org.Contact = &[]cdx.OrganizationalContact{{Email: p.SupplierEmail}}
	}
	return org
}

// licenceChoice states the product's licence as an SPDX expression: a
// CycloneDX license "id" must be on the SPDX list, which an expression or
// a LicenseRef need not be.
func licenceChoice(expr string) cdx.LicenseChoice {
	return cdx.LicenseChoice{Expression: expr}
}

func cdxSourceType(kind string) cdx.ComponentType {
	switch kind {
	case KindDockerArchive, KindOCIArchive, KindOCIDir:
		return cdx.ComponentTypeContainer
	case KindFile:
		return cdx.ComponentTypeFile
	}
	return cdx.ComponentTypeApplication
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// marshalCycloneDX encodes a BOM as CycloneDX 1.6 JSON, indented.
func marshalCycloneDX(bom *cdx.BOM) ([]byte, error) {
	// Compact from cyclonedx-go (which converts the BOM to 1.6), then
	// indented as its pretty encoder indents (SetIndent("", "  ")).
	var compact bytes.Buffer
	enc := cdx.NewBOMEncoder(&compact, cdx.BOMFileFormatJSON)
	enc.SetPretty(false).SetEscapeHTML(false)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return nil, fmt.Errorf("sbom: encode CycloneDX: %w", err)
	}
	return rawReplacementChars(jsonindent.Append(make([]byte, 0, 2*compact.Len()), compact.Bytes(), "  ")), nil
}
