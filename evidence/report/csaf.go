package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/gocsaf/csaf/v3/csaf"
	"github.com/gocsaf/csaf/v3/util"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/failure"
)

// AdvisoryInput is what a CSAF advisory is made from.
type AdvisoryInput struct {
	Event    Event
	Config   *config.Config
	Evidence *Evidence
	// ToolVersion is cemark's version, for document.tracking.generator.
	ToolVersion string
}

var cvePattern = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)

// BuildAdvisory makes the CSAF 2.0 advisory (profile
// csaf_security_advisory) that discloses a fixed vulnerability (Annex I
// Part II (4)): the product tree from the SBOM and the event (the
// product's affected and fixed versions, each with its package URL, and
// each affected component as a default component of every affected
// version); per vulnerability its product status (known_affected, fixed),
// a vendor_fix remediation naming the fixed versions, and references.
// The release dates are when the corrective measure became available, so
// the same event gives the same document.
//
// The event must be a vulnerability with a corrective measure marked
// (cemark report fixed); cemark.yaml must name the manufacturer and its
// website (the publisher's namespace). Otherwise the error says what is
// missing, with exit code 2.
func BuildAdvisory(in AdvisoryInput) (*csaf.Advisory, error) {
	e := in.Event
	cfg := in.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	var missing []string
	if e.Kind != KindVulnerability {
		missing = append(missing, "the event is an incident: a CSAF advisory discloses a vulnerability (write the incident's user information with cemark report notice)")
	}
	if e.CorrectiveMeasureAvailableAt == nil || len(e.FixedVersions) == 0 {
		missing = append(missing, "no corrective measure is marked: run cemark report fixed "+e.ID+" --at TIME --fixed-version V")
	}
	if len(e.Vulnerabilities) == 0 {
		missing = append(missing, "event.yaml lists no vulnerabilities")
	}
	if len(e.ProductVersions) == 0 {
		missing = append(missing, "event.yaml lists no product_versions (the affected versions)")
	}
	if cfg.Manufacturer.Name == "" {
		missing = append(missing, "cemark.yaml has no manufacturer.name (the CSAF publisher)")
	}
	if u, err := url.Parse(cfg.Manufacturer.Website); cfg.Manufacturer.Website == "" || err != nil || u.Scheme == "" || u.Host == "" {
		missing = append(missing, "cemark.yaml has no manufacturer.website as a URL (the CSAF publisher namespace)")
	}
	productName := cfg.Product.Name
	if productName == "" && in.Evidence != nil && in.Evidence.Product != nil {
		productName = in.Evidence.Product.Name
	}
	if productName == "" {
		missing = append(missing, "cemark.yaml has no product.name")
	}
	if len(missing) > 0 {
		return nil, failure.Usage(fmt.Errorf("advisory for %s: %s", e.ID, strings.Join(missing, "; ")))
	}

	date := FormatTime(*e.CorrectiveMeasureAvailableAt)
	str := func(s string) *string { return &s }
	pid := func(s string) *csaf.ProductID { p := csaf.ProductID(s); return &p }
	products := func(ids []string) *csaf.Products {
		ps := make(csaf.Products, 0, len(ids))
		for _, id := range ids {
			ps = append(ps, pid(id))
		}
		return &ps
	}

	// Product tree: vendor → product name → one branch per version.
	var productPURL string
	if in.Evidence != nil && in.Evidence.Product != nil {
		productPURL = in.Evidence.Product.PURL
	}
	var versionBranches csaf.Branches
	var affectedIDs, fixedIDs []string
	versionID := map[string]string{}
	addVersion := func(v string) string {
		if id, ok := versionID[v]; ok {
			return id
		}
		id := fmt.Sprintf("CSAFPID-%04d", len(versionID)+1)
		versionID[v] = id
		fpn := &csaf.FullProductName{Name: str(productName + " " + v), ProductID: pid(id)}
		if p := withVersion(productPURL, v); p != "" {
			pu := csaf.PURL(p)
			fpn.ProductIdentificationHelper = &csaf.ProductIdentificationHelper{PURL: &pu}
		}
		cat := csaf.CSAFBranchCategoryProductVersion
		versionBranches = append(versionBranches, &csaf.Branch{Category: &cat, Name: str(v), Product: fpn})
		return id
	}
	for _, v := range e.ProductVersions {
		affectedIDs = append(affectedIDs, addVersion(v))
	}
	for _, v := range e.FixedVersions {
		fixedIDs = append(fixedIDs, addVersion(v))
	}
	vendorCat, nameCat := csaf.CSAFBranchCategoryVendor, csaf.CSAFBranchCategoryProductName
	tree := &csaf.ProductTree{Branches: csaf.Branches{{
		Category: &vendorCat, Name: str(cfg.Manufacturer.Name),
		Branches: csaf.Branches{{Category: &nameCat, Name: str(productName), Branches: versionBranches}},
	}}}

	// Affected components, from the SBOM (or the purls the event names),
	// each a default component of every affected version.
	comps := in.Evidence.affected(e)
	if len(comps) == 0 {
		for _, p := range e.Components {
			comps = append(comps, Component{Name: p, PURL: p})
		}
	}
	if len(comps) > 0 {
		var fpns csaf.FullProductNames
		var rels csaf.Relationships
		for i, c := range comps {
			cid := fmt.Sprintf("CSAFPID-C%04d", i+1)
			fpn := &csaf.FullProductName{Name: str(c.String()), ProductID: pid(cid)}
			if c.PURL != "" {
				pu := csaf.PURL(c.PURL)
				fpn.ProductIdentificationHelper = &csaf.ProductIdentificationHelper{PURL: &pu}
			}
			fpns = append(fpns, fpn)
			for j, v := range e.ProductVersions {
				rid := fmt.Sprintf("CSAFPID-R%04d-%04d", i+1, j+1)
				cat := csaf.CSAFRelationshipCategoryDefaultComponentOf
				rels = append(rels, &csaf.Relationship{
					Category:                  &cat,
					FullProductName:           &csaf.FullProductName{Name: str(c.String() + " as a component of " + productName + " " + v), ProductID: pid(rid)},
					ProductReference:          pid(cid),
					RelatesToProductReference: pid(versionID[v]),
				})
				affectedIDs = append(affectedIDs, rid)
			}
		}
		tree.FullProductNames = &fpns
		tree.RelationShips = &rels
	}

	var vulns csaf.Vulnerabilities
	for _, id := range e.Vulnerabilities {
		v := &csaf.Vulnerability{
			Title: str(e.Title),
			Notes: csaf.Notes{noteOf(csaf.CSAFNoteCategoryDescription, "Description",
				fmt.Sprintf("%s in %s. %s", id, productName, e.Title))},
			ProductStatus: &csaf.ProductStatus{KnownAffected: products(affectedIDs), Fixed: products(fixedIDs)},
			Remediations: csaf.Remediations{{
				Category:   ptrTo(csaf.CSAFRemediationCategoryVendorFix),
				Date:       str(date),
				Details:    str(fmt.Sprintf("Update %s to version %s.", productName, strings.Join(e.FixedVersions, ", "))),
				ProductIds: products(affectedIDs),
			}},
		}
		if cvePattern.MatchString(id) {
			cve := csaf.CVE(id)
			v.CVE = &cve
			v.References = append(v.References, &csaf.Reference{ReferenceCategory: str(string(csaf.CSAFReferenceCategoryExternal)),
				Summary: str("CVE record " + id), URL: str("https://www.cve.org/CVERecord?id=" + id)})
		} else {
			system, _, _ := strings.Cut(id, "-")
			v.IDs = csaf.VulnerabilityIDs{{SystemName: str(system), Text: str(id)}}
		}
		for _, s := range in.Evidence.vexFor(e) {
			if s.VulnID == id && s.Detail != "" {
				v.Notes = append(v.Notes, noteOf(csaf.CSAFNoteCategoryDetails, "Impact analysis", s.Detail))
			}
		}
		vulns = append(vulns, v)
	}

	var refs csaf.References
	for _, r := range e.References {
		refs = append(refs, &csaf.Reference{ReferenceCategory: str(string(csaf.CSAFReferenceCategoryExternal)), Summary: str("Reference"), URL: str(r)})
	}
	if cfg.Security.CVDPolicy != "" && strings.HasPrefix(cfg.Security.CVDPolicy, "https://") {
		refs = append(refs, &csaf.Reference{ReferenceCategory: str(string(csaf.CSAFReferenceCategoryExternal)),
			Summary: str("Coordinated vulnerability disclosure policy"), URL: str(cfg.Security.CVDPolicy)})
	}

	cat := csaf.DocumentCategory("csaf_security_advisory")
	ver := csaf.CSAFVersion20
	lang := csaf.Lang("en")
	trackingID := csaf.TrackingID(e.ID)
	status := csaf.CSAFTrackingStatusFinal
	one := csaf.RevisionNumber("1")
	tlp := csaf.TLPLabel(csaf.TLPLabelWhite)
	pubCat := csaf.CSAFCategoryVendor
	engineVersion := in.ToolVersion
	publisher := &csaf.DocumentPublisher{Category: &pubCat, Name: str(cfg.Manufacturer.Name), Namespace: str(cfg.Manufacturer.Website)}
	if c := cfg.Security.Contact; c != "" {
		publisher.ContactDetails = str(c)
	}
	doc := &csaf.Document{
		Category:     &cat,
		CSAFVersion:  &ver,
		Lang:         &lang,
		Title:        str(productName + ": " + e.Title),
		Publisher:    publisher,
		Distribution: &csaf.DocumentDistribution{TLP: &csaf.TLP{DocumentTLPLabel: &tlp}},
		Notes: csaf.Notes{noteOf(csaf.CSAFNoteCategorySummary, "Summary",
			fmt.Sprintf("%s affects %s %s. It is fixed in version %s.", strings.Join(e.Vulnerabilities, ", "), productName,
				strings.Join(e.ProductVersions, ", "), strings.Join(e.FixedVersions, ", ")))},
		References: refs,
		Tracking: &csaf.Tracking{
			ID: &trackingID, Status: &status, Version: &one,
			InitialReleaseDate: str(date), CurrentReleaseDate: str(date),
			RevisionHistory: csaf.Revisions{{Date: str(date), Number: &one, Summary: str("Initial release.")}},
			Generator:       &csaf.Generator{Engine: &csaf.Engine{Name: str("cemark"), Version: &engineVersion}},
		},
	}
	if engineVersion == "" {
		doc.Tracking.Generator.Engine.Version = nil
	}
	return &csaf.Advisory{Document: doc, ProductTree: tree, Vulnerabilities: vulns}, nil
}

func ptrTo[T any](v T) *T { return &v }

func noteOf(cat csaf.NoteCategory, title, text string) *csaf.Note {
	return &csaf.Note{NoteCategory: &cat, Title: &title, Text: &text}
}

// withVersion is the product's package URL with its version set to v
// ("" when the product has none).
func withVersion(purl, v string) string {
	if purl == "" {
		return ""
	}
	base := purlBase(purl)
	rest := purl[len(base):]
	if i := strings.LastIndex(base, "@"); i > strings.LastIndex(base, "/") {
		base = base[:i]
	}
	return base + "@" + url.PathEscape(v) + rest
}

// EncodeAdvisory is the advisory as written: indented JSON with a final
// newline.
func EncodeAdvisory(adv *csaf.Advisory) ([]byte, error) {
	b, err := json.MarshalIndent(adv, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode advisory: %w", err)
	}
	return append(b, '\n'), nil
}

// AdvisoryFileName is the CSAF file name of the advisory (CSAF 2.0 §5.1:
// the tracking ID in lower case, other characters as "_", ".json").
func AdvisoryFileName(adv *csaf.Advisory) string {
	return util.CleanFileName(string(*adv.Document.Tracking.ID))
}

// Validation is what an advisory was checked against.
type Validation struct {
	// Schema: the official CSAF 2.0 JSON schema (with the CVSS schemas),
	// as the gocsaf library embeds it.
	Schema []string `json:"schema_errors"`
	// Library: gocsaf's typed model (required fields, value patterns).
	Library string `json:"library_error,omitempty"`
	// MandatoryTests: the CSAF 2.0 §6.1 mandatory tests, run by a CSAF
	// validator service through gocsaf's remote validator; nil when no
	// validator was given (not assessed).
	MandatoryTests *MandatoryResult `json:"mandatory_tests,omitempty"`
}

// MandatoryResult is a validator service's verdict on the mandatory tests.
type MandatoryResult struct {
	Validator string   `json:"validator"`
	Valid     bool     `json:"valid"`
	Failures  []string `json:"failures,omitempty"`
}

// OK reports whether every check that ran passed.
func (v Validation) OK() bool {
	return len(v.Schema) == 0 && v.Library == "" && (v.MandatoryTests == nil || v.MandatoryTests.Valid)
}

// ValidateAdvisory checks the encoded advisory against the CSAF 2.0 JSON
// schema and gocsaf's model, and — when validatorURL names a CSAF
// validator service (the BSI csaf-validator-service API gocsaf's
// csaf_validator speaks) — against the mandatory tests of CSAF 2.0 §6.1.
func ValidateAdvisory(ctx context.Context, data []byte, validatorURL string) (Validation, error) {
	var v Validation
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return v, fmt.Errorf("validate advisory: %w", err)
	}
	errs, err := csaf.ValidateCSAF(doc)
	if err != nil {
		return v, fmt.Errorf("validate advisory against the CSAF 2.0 schema: %w", err)
	}
	v.Schema = errs
	var adv csaf.Advisory
	if err := json.Unmarshal(data, &adv); err != nil {
		v.Library = err.Error()
	} else if err := adv.Validate(); err != nil {
		v.Library = err.Error()
	}
	if validatorURL == "" {
		return v, nil
	}
	opts := &csaf.RemoteValidatorOptions{URL: validatorURL, Presets: []string{"mandatory"}}
	rv, err := opts.OpenWithContext()
	if err != nil {
		return v, fmt.Errorf("open CSAF validator %s: %w", validatorURL, err)
	}
	defer rv.Close()
	res, err := rv.ValidateWithContext(ctx, doc)
	if err != nil {
		return v, fmt.Errorf("CSAF validator %s: %w", validatorURL, err)
	}
	m := &MandatoryResult{Validator: validatorURL, Valid: res.Valid}
	for _, t := range res.Tests {
		for _, e := range t.Error {
			m.Failures = append(m.Failures, fmt.Sprintf("%s %s: %s", t.Name, e.InstancePath, e.Message))
		}
		if !t.Valid && len(t.Error) == 0 {
			m.Failures = append(m.Failures, t.Name+": not valid")
		}
	}
	sort.Strings(m.Failures)
	v.MandatoryTests = m
	return v, nil
}

// ErrInvalidAdvisory says the advisory cemark made does not validate: a
// defect of cemark, never written.
var ErrInvalidAdvisory = errors.New("the CSAF advisory does not validate")

// AdvisoryPath is where the advisory goes (Annex I Part II (4)):
// advisories.folder/<file>, else — when advisories.csaf is a local
// provider-metadata.json — the CSAF provider layout beside it,
// <dir>/white/<year>/<file>. Neither set is an error (exit 2).
func AdvisoryPath(cfg *config.Config, adv *csaf.Advisory) (string, error) {
	name := AdvisoryFileName(adv)
	if cfg != nil {
		a := cfg.Advisories
		if a.Folder != "" {
			return path.Join(filepath.ToSlash(a.Folder), name), nil
		}
		if a.CSAF != "" && !strings.Contains(a.CSAF, "://") {
			year := (*adv.Document.Tracking.InitialReleaseDate)[:4]
			return path.Join(path.Dir(filepath.ToSlash(a.CSAF)), "white", year, name), nil
		}
	}
	return "", failure.Usage(errors.New("cemark.yaml says nowhere to publish advisories: set advisories.folder, or advisories.csaf to a local provider-metadata.json (Annex I Part II (4))"))
}
