package vulns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gocsaf/csaf/v3/csaf"
	openvex "github.com/openvex/go-vex/pkg/vex"

	"github.com/cemark/cemark/checks/vulnscan"
)

// VEXDir is the folder of VEX documents read by default (every *.json below it).
const VEXDir = ".vex"

// maxVEXSize bounds one VEX document: a product's VEX is never that large.
const maxVEXSize = 16 << 20

// VEXStatement is one statement of a VEX document, in the form matching needs.
type VEXStatement struct {
	// IDs are the vulnerability's name and aliases.
	IDs []string
	// Products are the identifiers (purls, or other IRIs) of the products
	// and subcomponents the statement is about.
	Products []string
	Decision vulnscan.VEXDecision
	// at orders statements about the same thing: the newest wins.
	at time.Time
}

// LoadVEX reads the VEX documents listed (relative to root) and every
// *.json under root/.vex/, OpenVEX or CSAF VEX, sorted by path. A document
// that cannot be read is listed with its error, never skipped in silence.
func LoadVEX(root string, listed []string) ([]VEXStatement, []vulnscan.VEXDocument) {
	paths := map[string]bool{}
	for _, p := range listed {
		paths[filepath.ToSlash(filepath.Clean(p))] = true
	}
	_ = filepath.WalkDir(filepath.Join(root, VEXDir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(strings.ToLower(d.Name()), ".json") || !d.Type().IsRegular() {
			return nil
		}
		if rel, err := filepath.Rel(root, p); err == nil {
			paths[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	names := make([]string, 0, len(paths))
	for p := range paths {
		names = append(names, p)
	}
	sort.Strings(names)
	var stmts []VEXStatement
	var docs []vulnscan.VEXDocument
	for _, rel := range names {
		doc := vulnscan.VEXDocument{Path: rel}
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			doc.Error = "outside the product root: VEX documents are read from the product only"
			docs = append(docs, doc)
			continue
		}
		ss, err := readVEX(filepath.Join(root, filepath.FromSlash(rel)), rel, &doc)
		if err != nil {
			doc.Error = err.Error()
		}
		doc.Statements = len(ss)
		docs = append(docs, doc)
		stmts = append(stmts, ss...)
	}
	return stmts, docs
}

func readVEX(path, rel string, doc *vulnscan.VEXDocument) ([]VEXStatement, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("file not found")
		}
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if fi.Size() > maxVEXSize {
		return nil, fmt.Errorf("larger than %d MB", maxVEXSize>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var probe struct {
		Context  any `json:"@context"`
		Document *struct {
			CSAFVersion string `json:"csaf_version"`
		} `json:"document"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	switch {
	case probe.Document != nil && probe.Document.CSAFVersion != "":
		doc.Format = "csaf"
		return csafStatements(data, rel, doc)
	case strings.Contains(fmt.Sprint(probe.Context), "openvex"):
		doc.Format = "openvex"
		return openVEXStatements(data, rel, doc)
	}
	return nil, errors.New("neither an OpenVEX document (@context https://openvex.dev/ns) nor a CSAF document")
}

func openVEXStatements(data []byte, rel string, doc *vulnscan.VEXDocument) ([]VEXStatement, error) {
	v, err := openvex.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("OpenVEX: %w", err)
	}
	doc.Author = v.Author
	var out []VEXStatement
	for i, s := range v.Statements {
		if !s.Status.Valid() {
			return nil, fmt.Errorf("OpenVEX statement %d: unknown status %q", i+1, s.Status)
		}
		ids := []string{string(s.Vulnerability.Name)}
		if s.Vulnerability.ID != "" {
			ids = append(ids, s.Vulnerability.ID)
		}
		for _, a := range s.Vulnerability.Aliases {
			ids = append(ids, string(a))
		}
		var prods []string
		for _, p := range s.Products {
			if len(p.Subcomponents) > 0 {
				// The statement is about these components inside the product.
				for _, sc := range p.Subcomponents {
					prods = append(prods, componentIDs(sc.Component)...)
				}
				continue
			}
			prods = append(prods, componentIDs(p.Component)...)
		}
		at := v.Timestamp
		if s.Timestamp != nil {
			at = s.Timestamp
		}
		if s.LastUpdated != nil {
			at = s.LastUpdated
		}
		d := vulnscan.VEXDecision{
			Status: string(s.Status), Justification: string(s.Justification),
			ImpactStatement: strings.TrimSpace(s.ImpactStatement), ActionStatement: strings.TrimSpace(s.ActionStatement),
			Author: v.Author, Document: rel, Format: "openvex",
		}
		st := VEXStatement{IDs: nonEmptyUnique(ids), Products: nonEmptyUnique(prods), Decision: d}
		if at != nil {
			st.at = at.UTC()
			st.Decision.Timestamp = at.UTC().Format(time.RFC3339)
		}
		out = append(out, st)
	}
	return out, nil
}

func componentIDs(c openvex.Component) []string {
	ids := []string{c.ID}
	for _, id := range c.Identifiers {
		ids = append(ids, id)
	}
	return ids
}

// csafStatements reads a CSAF 2.0 document's product statuses: known not
// affected, fixed, under investigation and affected, with the flags
// (justification), impact threats and remediations that name each product.
func csafStatements(data []byte, rel string, doc *vulnscan.VEXDocument) ([]VEXStatement, error) {
	var adv csaf.Advisory
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&adv); err != nil {
		return nil, fmt.Errorf("CSAF: %w", err)
	}
	if err := adv.Validate(); err != nil {
		return nil, fmt.Errorf("CSAF: %w", err)
	}
	author := ""
	if p := adv.Document.Publisher; p != nil && p.Name != nil {
		author = *p.Name
	}
	doc.Author = author
	var at time.Time
	stamp := ""
	if t := adv.Document.Tracking; t != nil && t.CurrentReleaseDate != nil {
		if parsed, err := time.Parse(time.RFC3339, *t.CurrentReleaseDate); err == nil {
			at = parsed.UTC()
			stamp = at.Format(time.RFC3339)
		}
	}
	purls := csafProductIDs(adv.ProductTree)
	var out []VEXStatement
	for _, v := range adv.Vulnerabilities {
		if v == nil || v.ProductStatus == nil {
			continue
		}
		var ids []string
		if v.CVE != nil {
			ids = append(ids, string(*v.CVE))
		}
		for _, id := range v.IDs {
			if id != nil && id.Text != nil {
				ids = append(ids, *id.Text)
			}
		}
		ps := v.ProductStatus
		for _, group := range []struct {
			status   string
			products []*csaf.Products
		}{
			{vulnscan.VEXNotAffected, []*csaf.Products{ps.KnownNotAffected}},
			{vulnscan.VEXFixed, []*csaf.Products{ps.Fixed, ps.FirstFixed}},
			{vulnscan.VEXUnderInvestigation, []*csaf.Products{ps.UnderInvestigation}},
			{vulnscan.VEXAffected, []*csaf.Products{ps.KnownAffected, ps.FirstAffected, ps.LastAffected}},
		} {
			for _, prods := range group.products {
				if prods == nil {
					continue
				}
				for _, pid := range *prods {
					if pid == nil {
						continue
					}
					id := string(*pid)
					d := vulnscan.VEXDecision{Status: group.status, Author: author, Timestamp: stamp, Document: rel, Format: "csaf"}
					for _, f := range v.Flags {
						if f != nil && f.Label != nil && names(f.ProductIds, id) {
							d.Justification = string(*f.Label)
						}
					}
					for _, th := range v.Threats {
						if th != nil && th.Category != nil && *th.Category == csaf.CSAFThreatCategoryImpact && th.Details != nil && names(th.ProductIds, id) {
							d.ImpactStatement = strings.TrimSpace(*th.Details)
						}
					}
					for _, r := range v.Remediations {
						if r != nil && r.Details != nil && names(r.ProductIds, id) {
							d.ActionStatement = strings.TrimSpace(*r.Details)
						}
					}
					prodIDs := append([]string{id}, purls[id]...)
					out = append(out, VEXStatement{IDs: nonEmptyUnique(ids), Products: nonEmptyUnique(prodIDs), Decision: d, at: at})
				}
			}
		}
	}
	return out, nil
}

func names(ps *csaf.Products, id string) bool {
	if ps == nil {
		return false
	}
	for _, p := range *ps {
		if p != nil && string(*p) == id {
			return true
		}
	}
	return false
}

// csafProductIDs maps each product ID of a CSAF product tree to the purls
// that identify it: its own, and for a relationship (a component in a
// product) the component's.
func csafProductIDs(t *csaf.ProductTree) map[string][]string {
	out := map[string][]string{}
	if t == nil {
		return out
	}
	add := func(fpn *csaf.FullProductName) {
		if fpn == nil || fpn.ProductID == nil {
			return
		}
		if h := fpn.ProductIdentificationHelper; h != nil && h.PURL != nil {
			out[string(*fpn.ProductID)] = append(out[string(*fpn.ProductID)], string(*h.PURL))
		}
	}
	var walk func(bs csaf.Branches)
	walk = func(bs csaf.Branches) {
		for _, b := range bs {
			if b == nil {
				continue
			}
			add(b.Product)
			walk(b.Branches)
		}
	}
	walk(t.Branches)
	if t.FullProductNames != nil {
		for _, f := range *t.FullProductNames {
			add(f)
		}
	}
	if t.RelationShips != nil {
		for _, r := range *t.RelationShips {
			if r == nil || r.FullProductName == nil || r.FullProductName.ProductID == nil || r.ProductReference == nil {
				continue
			}
			add(r.FullProductName)
			id := string(*r.FullProductName.ProductID)
			out[id] = append(out[id], out[string(*r.ProductReference)]...)
		}
	}
	return out
}

// ApplyVEX sets each match's VEX decision: the newest statement whose
// vulnerability (name or alias) is the match's ID or one of its aliases,
// and one of whose products or subcomponents is the package (by purl: the
// type, namespace and name must be equal, and the version when the VEX
// purl names one; or by its bom-ref).
func ApplyVEX(scan *vulnscan.Scan, stmts []VEXStatement) {
	if scan == nil {
		return
	}
	for i := range scan.Matches {
		m := &scan.Matches[i]
		var best *VEXStatement
		for j := range stmts {
			s := &stmts[j]
			if !overlaps(s.IDs, m.IDs()) || !appliesTo(s.Products, m.Package) {
				continue
			}
			if best == nil || !s.at.Before(best.at) {
				best = s
			}
		}
		if best != nil {
			d := best.Decision
			m.VEX = &d
		}
	}
}

func appliesTo(products []string, p vulnscan.Package) bool {
	for _, id := range products {
		if id == p.Ref || (p.PURL != "" && strings.HasPrefix(id, "pkg:") && openvex.PurlMatches(id, p.PURL)) {
			return true
		}
	}
	return false
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}

func nonEmptyUnique(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
