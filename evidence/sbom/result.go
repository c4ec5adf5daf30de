// Package sbom makes the product's SBOM with the syft library: sources,
// one catalogue, CycloneDX 1.6 and SPDX 2.3 through syft's encoders,
// enrichment to BSI TR-03183-2 v2.1 and the NTIA minimum elements, and the
// quality report that says which components miss which field.
package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"

	syftsbom "github.com/anchore/syft/syft/sbom"
)

// Result is the SBOM stage's output, read by every later stage.
type Result struct {
	// CycloneDX is the CycloneDX 1.6 JSON document, enriched.
	CycloneDX []byte
	// spdx is the SPDX 2.3 JSON document, enriched (SPDX): Generate
	// returns once the CycloneDX document is made, the SPDX one (the
	// larger) is encoded meanwhile, for the later stages that need it.
	spdx *document
	// Quality is the TR-03183-2 / NTIA coverage report (sbom-quality.json).
	Quality Quality
	// Components summarises the catalogue, sorted by name then version.
	Components []Component
	// Images are the container images given as sources.
	Images []Image
	// Sources are the sources scanned, with their digests.
	Sources []SourceInfo
	// Catalogue is the merged syft catalogue the documents were encoded
	// from, kept for the vulnerability stage: it matches these very
	// packages (with syft's metadata) instead of cataloguing again.
	Catalogue *syftsbom.SBOM

	// cdxSum is the CycloneDX document's SHA-256, worked out once: the
	// stage keys, the technical file and the statements each name it, and
	// a large product's is MBs to hash.
	cdxSumOnce sync.Once
	cdxSum     string
}

// WithDocuments is a Result of documents made before (the stage cache
// keeps them); the caller fills in the rest.
func WithDocuments(cycloneDX, spdx []byte) *Result {
	return &Result{CycloneDX: cycloneDX, spdx: madeDocument(spdx)}
}

// SPDX is the SPDX document, once encoded, or why it could not be.
func (r *Result) SPDX() ([]byte, error) {
	return r.spdx.bytes()
}

// CycloneDXSHA256 is the hex SHA-256 of the CycloneDX document. The
// documents are not changed once made.
func (r *Result) CycloneDXSHA256() string {
	r.cdxSumOnce.Do(func() { r.cdxSum = hexSHA256(r.CycloneDX) })
	return r.cdxSum
}

// SHA256 is the hex SHA-256 of the CycloneDX and the SPDX document, side
// by side; an error when the SPDX document could not be encoded.
func (r *Result) SHA256() (cycloneDX, spdx string, err error) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		spdx, err = r.spdx.sha256()
	}()
	cycloneDX = r.CycloneDXSHA256()
	<-done
	return cycloneDX, spdx, err
}

// document is an encoded document: made, or being made in the
// background, with its SHA-256 worked out once.
type document struct {
	done    chan struct{} // closed once b and err are set
	b       []byte
	err     error
	sumOnce sync.Once
	sum     string
}

// madeDocument is a document already made.
func madeDocument(b []byte) *document {
	d := &document{done: make(chan struct{}), b: b}
	close(d.done)
	return d
}

// encodeDocument makes a document in the background: encode's bytes,
// then their digest, which every user of an SBOM asks for.
func encodeDocument(encode func() ([]byte, error)) *document {
	d := &document{done: make(chan struct{})}
	go func() {
		d.b, d.err = encode()
		close(d.done)
		_, _ = d.sha256()
	}()
	return d
}

func (d *document) bytes() ([]byte, error) {
	<-d.done
	return d.b, d.err
}

func (d *document) sha256() (string, error) {
	b, err := d.bytes()
	if err != nil {
		return "", err
	}
	d.sumOnce.Do(func() { d.sum = hexSHA256(b) })
	return d.sum, nil
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Component is one package of the catalogue, as later stages need it.
type Component struct {
	Name     string   `json:"name"`
	Version  string   `json:"version,omitempty"`
	Type     string   `json:"type"` // syft package type: go-module, npm, python, deb …
	PURL     string   `json:"purl,omitempty"`
	Licences []string `json:"licences,omitempty"`
	// TopLevel is true for a direct dependency of the product.
	TopLevel bool `json:"top_level,omitempty"`
	// Network is true for a component known to provide network services or
	// clients (HTTP servers, MQTT, gRPC …): a new one can be a substantial
	// modification.
	Network bool `json:"network,omitempty"`
}

// Image is a container image given as a source.
type Image struct {
	Source         string            `json:"source"` // e.g. "oci-archive:dist/image.tar"
	Name           string            `json:"name,omitempty"`
	ManifestDigest string            `json:"manifest_digest,omitempty"` // sha256:…
	ExposedPorts   []string          `json:"exposed_ports,omitempty"`   // "8080/tcp"
	User           string            `json:"user,omitempty"`
	Env            []string          `json:"env,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
}

// SourceInfo is one scanned source.
type SourceInfo struct {
	Input  string `json:"input"`            // as given: "dir:.", "file:dist/app"
	Kind   string `json:"kind"`             // dir | file | docker-archive | oci-archive | oci-dir
	Path   string `json:"path"`             // relative to the product root where inside it
	Digest string `json:"digest,omitempty"` // sha256 of a file / manifest digest of an image
}

// Quality is sbom-quality.json.
type Quality struct {
	Components int `json:"components"`
	// Fields holds one row per TR-03183-2 field and NTIA element.
	Fields []FieldCoverage `json:"fields"`
	// Verdict: "complete" when every required field is covered for every
	// component, else "incomplete".
	Verdict string `json:"verdict"`
}

// FieldCoverage is how many components carry one field.
type FieldCoverage struct {
	Field    string   `json:"field"`    // e.g. "hash-sha512"
	Title    string   `json:"title"`    // e.g. "SHA-512 hash of the deployable component"
	Standard []string `json:"standard"` // "BSI TR-03183-2 5.2.2", "NTIA"
	Required bool     `json:"required"`
	Covered  int      `json:"covered"`
	Total    int      `json:"total"`
	Share    float64  `json:"share"`   // Covered/Total, rounded to 4 places
	Verdict  string   `json:"verdict"` // complete | partial | missing | not-applicable
	// Missing names up to 50 components that lack the field, sorted.
	Missing      []string `json:"missing,omitempty"`
	MissingCount int      `json:"missing_count,omitempty"`
}
