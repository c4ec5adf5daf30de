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
	// SPDX is the SPDX 2.3 JSON document, enriched.
	SPDX []byte
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

	// sums are the documents' SHA-256 (SHA256): the stage keys, the
	// technical file and the statements each name them, and a large
	// product's are MBs to hash.
	sumsOnce        sync.Once
	cdxSum, spdxSum string
}

// SHA256 is the hex SHA-256 of the CycloneDX and the SPDX document,
// worked out once, side by side. The documents are not changed once made.
func (r *Result) SHA256() (cycloneDX, spdx string) {
	r.sumsOnce.Do(func() {
		done := make(chan struct{})
		go func() {
			defer close(done)
			r.spdxSum = hexSHA256(r.SPDX)
		}()
		r.cdxSum = hexSHA256(r.CycloneDX)
		<-done
	})
	return r.cdxSum, r.spdxSum
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
