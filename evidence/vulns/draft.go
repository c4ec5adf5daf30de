package vulns

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/cemark/cemark/checks/vulnscan"
)

// DraftFile is where `cemark vex draft` writes by default: under .vex/,
// so the next run reads it.
const DraftFile = VEXDir + "/cemark.openvex.json"

// draftTooling marks a document cemark drafted; the digest after it is of
// the document as cemark wrote it (without the tooling field).
const draftTooling = "cemark vex draft"

var draftMark = regexp.MustCompile(`^cemark vex draft \(sha256:([0-9a-f]{64})\)$`)

// ErrDraftEdited says the VEX document was changed after cemark drafted
// it (or was never cemark's): it is the manufacturer's, and cemark leaves
// it as it is.
var ErrDraftEdited = errors.New("the VEX document was edited after cemark drafted it (or cemark did not write it): left unchanged")

// DraftInput is what a VEX draft is made of.
type DraftInput struct {
	Scan *vulnscan.Scan
	// Product and Version name the product (the statements' product).
	Product, Version string
	// Author is the manufacturer, who completes and owns the document.
	Author string
	// Time is the run's reference time (the document's timestamp).
	Time time.Time
}

// openVEXDoc is the OpenVEX v0.2.0 document cemark drafts, in the
// specification's field order.
type openVEXDoc struct {
	Context    string      `json:"@context"`
	ID         string      `json:"@id"`
	Author     string      `json:"author"`
	Role       string      `json:"role,omitempty"`
	Timestamp  string      `json:"timestamp"`
	Version    int         `json:"version"`
	Tooling    string      `json:"tooling,omitempty"`
	Statements []draftStmt `json:"statements"`
}

type draftStmt struct {
	Vulnerability draftVuln      `json:"vulnerability"`
	Timestamp     string         `json:"timestamp"`
	Products      []draftProduct `json:"products"`
	Status        string         `json:"status"`
	StatusNotes   string         `json:"status_notes,omitempty"`
}

type draftVuln struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
}

type draftProduct struct {
	ID            string         `json:"@id"`
	Subcomponents []draftProduct `json:"subcomponents,omitempty"`
}

// DraftVEX writes an OpenVEX document with an under_investigation
// statement for each open finding that no VEX statement decides yet, for
// the manufacturer to complete (not_affected with a justification,
// affected with an action, fixed). existing is the file as it is now (nil
// when there is none): a document cemark drafted and nobody changed since
// is redrafted; any other is the manufacturer's and DraftVEX returns
// ErrDraftEdited — it is never rewritten, as manual regions are not.
func DraftVEX(in DraftInput, existing []byte) ([]byte, int, error) {
	if in.Scan == nil || !in.Scan.Assessed {
		return nil, 0, errors.New("no vulnerability scan ran: nothing to draft (run cemark run with a vulnerability database first)")
	}
	if len(bytes.TrimSpace(existing)) > 0 && !unedited(existing) {
		return nil, 0, ErrDraftEdited
	}
	product := "pkg:generic/" + url.PathEscape(strings.TrimSpace(in.Product))
	if in.Version != "" {
		product += "@" + url.PathEscape(in.Version)
	}
	at := in.Time.UTC().Format(time.RFC3339)
	doc := openVEXDoc{
		Context:    "https://openvex.dev/ns/v0.2.0",
		Author:     strings.TrimSpace(in.Author),
		Role:       "manufacturer",
		Timestamp:  at,
		Version:    1,
		Statements: []draftStmt{},
	}
	if doc.Author == "" {
		doc.Author = "unknown (set manufacturer.name in cemark.yaml)"
	}
	for _, m := range in.Scan.Matches {
		if m.VEX != nil && m.VEX.Document != DraftFile {
			continue // another VEX document already decides it
		}
		sub := m.Package.PURL
		if sub == "" {
			sub = m.Package.Ref
		}
		doc.Statements = append(doc.Statements, draftStmt{
			Vulnerability: draftVuln{Name: m.ID, Aliases: m.Aliases},
			Timestamp:     at,
			Products:      []draftProduct{{ID: product, Subcomponents: []draftProduct{{ID: sub}}}},
			Status:        vulnscan.VEXUnderInvestigation,
			StatusNotes: fmt.Sprintf("drafted by cemark for %s %s (%s): set not_affected with a justification and an impact statement, affected with an action statement, or fixed",
				m.Package.Name, m.Package.Version, m.Severity),
		})
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, 0, err
	}
	sum := sha256.Sum256(body)
	doc.ID = "urn:cemark:vex:" + hex.EncodeToString(sum[:16])
	digest, err := draftDigest(doc)
	if err != nil {
		return nil, 0, err
	}
	doc.Tooling = fmt.Sprintf("%s (sha256:%s)", draftTooling, digest)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, 0, err
	}
	return append(out, '\n'), len(doc.Statements), nil
}

// draftDigest is the digest of the document without its tooling field,
// over its canonical JSON (keys sorted, no spaces).
func draftDigest(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return "", err
	}
	delete(m, "tooling")
	canon, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:]), nil
}

// unedited reports whether doc is a draft cemark wrote, unchanged since:
// its tooling field carries the digest of the rest, and the rest still
// has it.
func unedited(doc []byte) bool {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return false
	}
	tooling, _ := m["tooling"].(string)
	sub := draftMark.FindStringSubmatch(tooling)
	if sub == nil {
		return false
	}
	got, err := draftDigest(m)
	return err == nil && got == sub[1]
}
