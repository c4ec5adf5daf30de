package sbom

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/anchore/syft/syft/artifact"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/cemark/cemark/internal/jsonindent"
)

const noAssertion = "NOASSERTION"

var spdxIDUnsafe = regexp.MustCompile(`[^a-zA-Z0-9.-]+`)

func spdxSafe(s string) string { return strings.Trim(spdxIDUnsafe.ReplaceAllString(s, "-"), "-") }

// spdxPackageID extracts syft's package ID from an SPDX element ID
// ("SPDXRef-Package-go-module-name-<id>"): syft appends the ID last.
func spdxPackageID(id common.ElementID) artifact.ID {
	s := string(id)
	if !strings.HasPrefix(s, "Package-") {
		return ""
	}
	return artifact.ID(s[strings.LastIndex(s, "-")+1:])
}

// productSPDXID is the product's (primary package's) SPDX element ID.
func productSPDXID(cfg Config) common.ElementID {
	return common.ElementID("Product-" + spdxSafe(cfg.Product.Name))
}

func sourceSPDXID(i int, spec sourceSpec) common.ElementID {
	return common.ElementID(fmt.Sprintf("Source-%d-%s", i+1, spdxSafe(spec.Rel)))
}

// enrichSPDX adds to syft's SPDX 2.3 document what TR-03183-2 and NTIA ask
// and syft cannot know: the manufacturer as creator, the fixed timestamp,
// the product as the described package with each source as a package it
// contains, component SHA-512 and file names, and a content-derived
// namespace. doc is syft's SPDX 2.3 model (spdxhelpers' ToFormatModel),
// changed in place and returned.
func enrichSPDX(doc *spdx.Document, cfg Config, parts []scanned, facts factSet) (*spdx.Document, error) {
	if doc == nil || doc.CreationInfo == nil {
		return nil, fmt.Errorf("sbom: syft's SPDX document has no creation info")
	}
	prod := cfg.Product
	doc.DocumentName = prod.Name
	if prod.Version != "" {
		doc.DocumentName += "-" + prod.Version
	}
	doc.CreationInfo.Created = cfg.Created.Format("2006-01-02T15:04:05Z")
	var creators []common.Creator
	if org := spdxOrganization(prod); org != "" {
		creators = append(creators, common.Creator{CreatorType: "Organization", Creator: org})
	}
	creators = append(creators,
		common.Creator{CreatorType: "Tool", Creator: cfg.ToolName + "-" + cfg.ToolVersion},
		common.Creator{CreatorType: "Tool", Creator: "syft-" + SyftVersion()})
	doc.CreationInfo.Creators = creators

	// The root package syft made from the (synthetic) source becomes the
	// product.
	var root *spdx.Package
	for _, p := range doc.Packages {
		if strings.HasPrefix(string(p.PackageSPDXIdentifier), "DocumentRoot-") {
			root = p
			break
		}
	}
	if root == nil {
		return nil, fmt.Errorf("sbom: syft's SPDX document has no root package")
	}
	oldRoot := root.PackageSPDXIdentifier
	rootID := productSPDXID(cfg)
	root.PackageSPDXIdentifier = rootID
	root.PackageName = prod.Name
	root.PackageVersion = prod.Version
	root.PackageDescription = prod.Description
	root.PrimaryPackagePurpose = "APPLICATION"
	if prod.Supplier != "" {
		root.PackageSupplier = &common.Supplier{SupplierType: "Organization", Supplier: spdxOrganization(prod)}
	}
	if prod.Licence != "" {
		root.PackageLicenseDeclared = prod.Licence
	}
	for _, r := range doc.Relationships {
		if r.RefA.ElementRefID == oldRoot {
			r.RefA.ElementRefID = rootID
		}
		if r.RefB.ElementRefID == oldRoot {
			r.RefB.ElementRefID = rootID
		}
	}

	// Each source is a package the product contains; each catalogued
	// package is contained by the source(s) it was found in.
	srcIDs := make([]common.ElementID, len(parts))
	for i, p := range parts {
		srcIDs[i] = sourceSPDXID(i, p.spec)
		sp := &spdx.Package{
			PackageName:               p.spec.Rel,
			PackageSPDXIdentifier:     srcIDs[i],
			PackageDownloadLocation:   noAssertion,
			FilesAnalyzed:             false,
			IsFilesAnalyzedTagPresent: true,
			PackageLicenseConcluded:   noAssertion,
			PackageLicenseDeclared:    noAssertion,
			PackageCopyrightText:      noAssertion,
			PackageComment:            "cemark source " + p.spec.Input,
			PrimaryPackagePurpose:     spdxPurpose(p.spec.Kind),
		}
		if p.image != nil && p.image.Name != "" {
			sp.PackageName = p.image.Name
		}
		if algo, val, ok := strings.Cut(p.info.Digest, ":"); ok && algo == "sha256" {
			sp.PackageVersion = p.info.Digest
			sp.PackageChecksums = []common.Checksum{{Algorithm: common.SHA256, Value: val}}
		}
		doc.Packages = append(doc.Packages, sp)
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA:         common.DocElementID{ElementRefID: rootID},
			Relationship: common.TypeRelationshipContains,
			RefB:         common.DocElementID{ElementRefID: srcIDs[i]},
		})
	}
	var rels []*spdx.Relationship
	for _, r := range doc.Relationships {
		id := spdxPackageID(r.RefB.ElementRefID)
		if r.RefA.ElementRefID == rootID && r.Relationship == common.TypeRelationshipContains && id != "" {
			for _, i := range facts.pkgs[id].sources {
				rels = append(rels, &spdx.Relationship{
					RefA:         common.DocElementID{ElementRefID: srcIDs[i]},
					Relationship: common.TypeRelationshipContains,
					RefB:         r.RefB,
				})
			}
			if len(facts.pkgs[id].sources) > 0 {
				continue
			}
		}
		rels = append(rels, r)
	}
	doc.Relationships = rels

	for _, p := range doc.Packages {
		f, ok := facts.pkgs[spdxPackageID(p.PackageSPDXIdentifier)]
		if !ok || f.file == nil {
			continue
		}
		if f.file.SHA512 != "" {
			p.PackageChecksums = append(p.PackageChecksums, common.Checksum{Algorithm: common.SHA512, Value: f.file.SHA512})
		}
		if f.file.Name != "" {
			p.PackageFileName = f.file.Name
		}
		if f.file.Sniffed {
			// SPDX 2.3 has no field for these BSI properties.
			note := fmt.Sprintf("BSI TR-03183-2: %s, %s, %s", bsiExecutable(f.file.Executable), bsiArchive(f.file.Archive), bsiStructured(f.file.Structured))
			p.PackageComment = strings.TrimSpace(strings.TrimSpace(p.PackageComment + "\n" + note))
		}
	}

	sortSPDX(doc)
	// Sealed after encoding: see sealID.
	doc.DocumentNamespace = "https://spdx.org/spdxdocs/" + spdxSafe(doc.DocumentName) + "-" + zeroUUID
	return doc, nil
}

// spdxSuppliers returns each package's supplier as syft stated it.
func spdxSuppliers(doc *spdx.Document) map[artifact.ID]supplier {
	out := map[artifact.ID]supplier{}
	for _, p := range doc.Packages {
		id := spdxPackageID(p.PackageSPDXIdentifier)
		if id == "" || p.PackageSupplier == nil || p.PackageSupplier.Supplier == "" || p.PackageSupplier.Supplier == noAssertion {
			continue
		}
		out[id] = supplier{Kind: p.PackageSupplier.SupplierType, Name: p.PackageSupplier.Supplier}
	}
	return out
}

// spdxOrganization formats the manufacturer as SPDX wants it:
// "Example ApS (security@example.com)".
func spdxOrganization(p Product) string {
	name := p.Supplier
	if name == "" {
		return ""
	}
	if p.SupplierEmail != "" {
		name += " (" + p.SupplierEmail + ")"
	}
	return name
}

func spdxPurpose(kind string) string {
	switch kind {
	case KindDockerArchive, KindOCIArchive, KindOCIDir:
		return "CONTAINER"
	case KindFile:
		return "FILE"
	}
	return "SOURCE"
}

func sortSPDX(doc *spdx.Document) {
	sort.SliceStable(doc.Packages, func(i, j int) bool {
		return doc.Packages[i].PackageSPDXIdentifier < doc.Packages[j].PackageSPDXIdentifier
	})
	// Each relationship's key is rendered once, not at every comparison.
	type keyed struct {
		key string
		r   *spdx.Relationship
	}
	rels := make([]keyed, len(doc.Relationships))
	for i, r := range doc.Relationships {
		rels[i] = keyed{common.RenderDocElementID(r.RefA) + " " + r.Relationship + " " + common.RenderDocElementID(r.RefB), r}
	}
	slices.SortStableFunc(rels, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	out := doc.Relationships[:0]
	for i, k := range rels {
		if i == 0 || k.key != rels[i-1].key {
			out = append(out, k.r)
		}
	}
	doc.Relationships = out
}

// marshalSPDX encodes as syft's SPDX encoder does, indented.
func marshalSPDX(doc *spdx.Document) ([]byte, error) {
	b, err := jsonindent.Marshal(doc, " ", false)
	if err != nil {
		return nil, fmt.Errorf("sbom: encode SPDX: %w", err)
	}
	return rawReplacementChars(b), nil
}

// rawReplacementChars writes each \ufffd escape in an encoded document as
// the character U+FFFD itself. encoding/json escapes every byte of a string
// that is not UTF-8 (a Latin-1 jar manifest, a binary's build info) as
// \ufffd; cemark's documents have always carried the character instead,
// since they were once made by reading syft's encoded documents back.
// Both forms are the same JSON string; this keeps the bytes, and so the
// sealed identifiers, the same. An escaped backslash followed by "ufffd"
// is text and is left alone.
func rawReplacementChars(doc []byte) []byte {
	const esc = `\ufffd`
	if !bytes.Contains(doc, []byte(esc)) {
		return doc
	}
	out := make([]byte, 0, len(doc))
	for {
		i := bytes.Index(doc, []byte(esc))
		if i < 0 {
			return append(out, doc...)
		}
		// The backslash starts an escape when an even number of
		// backslashes precede it.
		n := 0
		for j := i - 1; j >= 0 && doc[j] == '\\'; j-- {
			n++
		}
		out = append(out, doc[:i]...)
		if n%2 == 0 {
			out = append(out, "\uFFFD"...)
		} else {
			out = append(out, esc...)
		}
		doc = doc[i+len(esc):]
	}
}

// zeroUUID stands in for a document's identifier until the document is
// encoded; sealID then replaces it.
const zeroUUID = "00000000-0000-0000-0000-000000000000"

// sealID replaces the zeroUUID placeholder in the encoded document (the
// CycloneDX serialNumber or the SPDX documentNamespace) with a UUID derived
// from the SHA-256 of the document as encoded with the placeholder: the
// identifier depends on all the content but itself, and the document is
// encoded only once.
//
// The placeholder is found by its UUID: the whole placeholder opens with
// a quote, as a fifth of a JSON document does, and a search for it ran at
// a tenth of the speed (13 ms on a 3 MB SPDX document). The UUID takes the
// placeholder's place in doc itself, at the same length.
func sealID(doc []byte, quotedPlaceholder string) ([]byte, error) {
	at := strings.Index(quotedPlaceholder, zeroUUID)
	found, n := -1, 0
	for from := 0; at >= 0; {
		i := bytes.Index(doc[from:], []byte(zeroUUID))
		if i < 0 {
			break
		}
		i += from
		if start := i - at; start >= 0 && bytes.HasPrefix(doc[start:], []byte(quotedPlaceholder)) {
			found = i
			n++
		}
		from = i + 1
	}
	if n != 1 {
		return nil, fmt.Errorf("sbom: document identifier placeholder %s not found exactly once", quotedPlaceholder)
	}
	sum := sha256.Sum256(doc)
	copy(doc[found:found+len(zeroUUID)], uuidFromHash(sum[:]))
	return doc, nil
}

// uuidFromHash formats the first 16 bytes of a content hash as an RFC 9562
// name-based UUID (version 5 layout), so the same content always gets the
// same identifier.
func uuidFromHash(sum []byte) string {
	var u [16]byte
	copy(u[:], sum)
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

func bsiExecutable(b bool) string {
	if b {
		return "executable"
	}
	return "non-executable"
}

func bsiArchive(b bool) string {
	if b {
		return "archive"
	}
	return "no archive"
}

func bsiStructured(b bool) string {
	if b {
		return "structured"
	}
	return "unstructured"
}
