package checks

import "github.com/cemark/cemark/checks/vulnscan"

// Facts are the report-level facts the check families gathered, emitted
// as they are so that an auditor sees the evidence and not only a verdict.
// Each family owns its field.
type Facts struct {
	Inventory     *Inventory     `json:"inventory,omitempty"`
	UpdateSigning *UpdateSigning `json:"update_signing,omitempty"`
	VulnHandling  *VulnHandling  `json:"vulnerability_handling,omitempty"`
	// Vulnerabilities is the vulnerability scan's fact sheet (CEM-VULN-…).
	Vulnerabilities *vulnscan.Facts `json:"vulnerabilities,omitempty"`
}

// Inventory is the product's attack surface: every network interface it
// exposes, merged across the places that declare it (ports.json).
type Inventory struct {
	Interfaces []ExposedInterface `json:"interfaces"`
	// Sources lists the files and images read for the inventory.
	Sources []string `json:"sources,omitempty"`
}

// ExposedInterface is one port/protocol the product exposes.
type ExposedInterface struct {
	Port     int     `json:"port"`
	Protocol string  `json:"protocol"`          // tcp | udp | sctp
	Bind     string  `json:"bind,omitempty"`    // all | loopback | an address; empty: unknown
	TLS      *bool   `json:"tls,omitempty"`     // nil: unknown
	Service  string  `json:"service,omitempty"` // well-known service name, e.g. "ssh"
	Declared bool    `json:"declared"`          // listed in cemark.yaml interfaces
	Purpose  string  `json:"purpose,omitempty"` // from the declaration
	Places   []Place `json:"places"`
}

// Place is one declaration of an interface.
type Place struct {
	Kind   string `json:"kind"` // dockerfile-expose | image-config | compose-ports | compose-expose | k8s-containerport | k8s-hostport | k8s-service | k8s-ingress | systemd-socket | source-listen
	Path   string `json:"path"` // file, or image reference for image-config
	Line   int    `json:"line,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Bind and TLS are what this place says (all | loopback | an address;
	// nil/empty: it does not say); the interface merges them.
	Bind string `json:"bind,omitempty"`
	TLS  *bool  `json:"tls,omitempty"`
	// Column, when known.
	Column int `json:"column,omitempty"`
}

// UpdateSigning is the fact sheet on how releases are signed and whether
// the shipped artefacts verify (Annex VII 2(b): secure distribution of updates).
type UpdateSigning struct {
	// Pipeline lists the signing steps found in release configuration.
	Pipeline []SigningStep `json:"pipeline,omitempty"`
	// Artifacts lists each shipped artefact's verdict.
	Artifacts []ArtifactVerdict `json:"artifacts,omitempty"`
	// Client lists evidence that the product verifies what it installs.
	Client []UpdaterEvidence `json:"client,omitempty"`
	// Mechanism as declared in cemark.yaml updates.
	Mechanism string `json:"mechanism,omitempty"`
	// KeyFingerprints of the keys that verified artefacts, sorted.
	KeyFingerprints []string `json:"key_fingerprints,omitempty"`
}

// SigningStep is one place in a pipeline that signs release output.
type SigningStep struct {
	Tool   string `json:"tool"`   // goreleaser | cosign | sigstore | actions/attest | slsa-github-generator | gpg | minisign
	Action string `json:"action"` // signs | binary_signs | docker_signs | sboms | sign-blob | attest …
	Path   string `json:"path"`
	Line   int    `json:"line,omitempty"`
	// Detail is the matched command or action reference, e.g. "cosign sign-blob".
	Detail string `json:"detail,omitempty"`
}

// ArtifactVerdict is the verification result for one shipped artefact.
type ArtifactVerdict struct {
	Path      string `json:"path"`
	SHA256    string `json:"sha256"`
	Verdict   string `json:"verdict"`             // verified | unverifiable | unsigned | bad-signature | digest-mismatch | identity-mismatch
	Method    string `json:"method,omitempty"`    // cosign-blob | sigstore-bundle | openpgp | minisign | checksums
	Signature string `json:"signature,omitempty"` // the signature file
	KeyID     string `json:"key_id,omitempty"`    // which key verified it
	Detail    string `json:"detail,omitempty"`
}

// UpdaterEvidence is one sign that the product verifies updates.
type UpdaterEvidence struct {
	Kind       string `json:"kind"` // go-tuf | sigstore-go | minisign | signature-verify | self-update | mender | rauc | swupdate
	Path       string `json:"path"`
	Line       int    `json:"line,omitempty"`
	Confidence string `json:"confidence"` // high | medium | low
	Detail     string `json:"detail,omitempty"`
}

// VulnHandling is the fact sheet on vulnerability-handling readiness.
type VulnHandling struct {
	SecurityPolicy   string   `json:"security_policy,omitempty"` // path of SECURITY.md
	ReportingChannel []string `json:"reporting_channels,omitempty"`
	DisclosureWindow string   `json:"disclosure_timeline,omitempty"`
	SecurityTxt      string   `json:"security_txt,omitempty"` // path
	Contacts         []string `json:"contacts,omitempty"`
	SupportEnd       string   `json:"support_end,omitempty"`
	Advisories       []string `json:"advisories,omitempty"`
	// SupportStart is when the product was first placed on the market, and
	// SupportStartSource where that date comes from ("cemark.yaml
	// product.first_placed_on_market" or "first release tag v1.0.0").
	SupportStart       string `json:"support_start,omitempty"`
	SupportStartSource string `json:"support_start_source,omitempty"`
	// SecurityTxtExpires is security.txt's Expires field as written.
	SecurityTxtExpires string `json:"security_txt_expires,omitempty"`
}
