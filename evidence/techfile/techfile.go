// Package techfile renders the Annex VII technical documentation (the
// "technical file") into the repository, by default docs/cra/, from the
// embedded Markdown templates in templates/techdoc, the configuration and
// one run's evidence.
//
// The file is kept current, never clobbered:
//   - every byte of a rendered document sits in a region. Generated regions
//     (<!-- cemark:generated id=… sha256=… -->) are replaced on each render;
//     the recorded hash reveals a hand edit, and such a region is then left
//     as it is and reported (ManualEdit) instead of being overwritten.
//     Manual regions (<!-- cemark:manual id=… -->) are created once with
//     guidance text and carried over verbatim on every later render; one
//     that a newer template no longer has is kept under "Orphaned manual
//     text" at the end of its document.
//   - rendering is deterministic (time comes from Input.Date); Options.Stage
//     returns the writes so the pipeline commits them with the evidence
//     (evidencedir), otherwise each file is replaced atomically;
//     Options.Check computes and diffs without writing.
//   - .cemark-state.json stores the summary of the evidence the file was
//     accepted for; differences are listed as a possible substantial
//     modification until Options.AcceptChanges records the new summary.
//
// cemark never declares the product compliant: the documents speak of
// evidence and gaps, and the declaration is left for a person to sign.
package techfile

import (
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/report"
)

// DefaultDir is where the technical file goes, relative to the product
// root, when docs.dir is unset.
const DefaultDir = config.DefaultDocsDir

// StateFile is the name of the stored evidence summary inside the file's folder.
const StateFile = ".cemark-state.json"

// File statuses.
const (
	StatusCreated   = "created"
	StatusUpdated   = "updated"
	StatusUnchanged = "unchanged"
	// StatusStale is reported by Check mode for a file that is missing or
	// differs from what a render would write.
	StatusStale = "stale"
)

// Index row states.
const (
	StateGenerated   = "generated"
	StateNeedsInput  = "needs manufacturer input"
	StateComplete    = "complete"
	StateNotIncluded = "on request"
)

// Input is everything a render reads. It is plain data: the caller (the
// pipeline) fills it from the run, so this package never scans anything.
type Input struct {
	Config     *config.Config
	Route      conformity.Route
	Assessment conformity.Assessment
	// Product is the resolved identity (config, detected version, --version).
	Product Product
	SBOM    SBOMFacts
	// Report is the check run; nil renders "not assessed" everywhere.
	Report *checks.Report
	// Pipelines are the CI/CD definitions in the repository (slash paths
	// from its root): the production process as code. The CI run that
	// makes the evidence is not an input: a file generated on a laptop
	// must be current in CI, and one CI run's facts belong in its
	// provenance statement.
	Pipelines []string
	// Commit is the product revision the evidence was made from.
	Commit       string
	Attestations []AttestationRef
	// Signers are who the manufacturer states signs the evidence
	// (attestations.signers), keys shown by their key ID: facts of the
	// product, not of one run. A run's own signature (a Rekor log index
	// changes with every build) stays in its evidence.
	Signers []Signer
	// Vulns is the vulnerability scan of the product's SBOM; nil when none
	// ran. The file states it without what changes daily (the database's
	// date and checksum, EPSS scores): see vulnView.
	Vulns *vulnscan.Scan
	// Art14 is the Art. 14 reporting of the product (report.Summarise): the
	// events recorded with cemark report and each deadline met, missed,
	// not marked submitted or waiting. It reads no clock.
	Art14 report.TechFileSummary
	// EvidenceFiles maps an evidence file's name ("report.json",
	// "report.sarif", "sbom.cdx.json" …) to its path relative to the
	// repository root (Options.Root), slash-separated, for links.
	EvidenceFiles map[string]string
	ToolName      string
	ToolVersion   string
	// Date is the reference time (commit time or SOURCE_DATE_EPOCH); the
	// wall clock is never read.
	Date time.Time
}

// Product is the product's resolved identity.
type Product struct {
	Name    string
	Version string
}

// SBOMFacts are the SBOM facts the file cites. They are plain fields so
// that this package does not depend on the SBOM generator.
type SBOMFacts struct {
	CycloneDXSHA256 string // hex sha256 of sbom.cdx.json
	SPDXSHA256      string // hex sha256 of sbom.spdx.json
	ComponentCount  int
	TopLevel        []Component
	Quality         []QualityRow
	// QualityVerdict is the overall TR-03183-2 verdict ("complete" | "incomplete").
	QualityVerdict string
	// CycloneDX is the document itself, written into the file only when
	// config docs.include_sbom is set (Annex VII 8: on reasoned request).
	CycloneDX []byte
}

// Component is one top-level component of the SBOM.
type Component struct {
	Name     string
	Version  string
	PURL     string
	Licences []string
	// Network is true for a component that provides network services or clients.
	Network bool
}

// QualityRow is one SBOM field-coverage row.
type QualityRow struct {
	Field   string
	Share   float64 // 0..1
	Verdict string  // complete | partial | missing | not-applicable
}

// AttestationRef names one in-toto statement of the run.
type AttestationRef struct {
	Name          string
	PredicateType string
	// Digest is the hex sha256 of the statement payload: deterministic,
	// unlike the envelope when ECDSA signs.
	Digest string
}

// Signer is one stated signer of the evidence: a keyless CI identity
// (Issuer with Identity or IdentityRegexp) or a public key (KeyPath, with
// its KeyID and KeyType).
type Signer struct {
	Issuer, Identity, IdentityRegexp string
	// KeyPath is the public key file, relative to the product root.
	KeyPath string
	// KeyID is the hex SHA-256 of the DER public key (the DSSE keyid).
	KeyID string
	// KeyType is "ecdsa-p256" or "ed25519".
	KeyType string
}

// Options say where and how to render.
type Options struct {
	// Root is the repository root; the output folder must be inside it.
	Root string
	// Dir is the output folder relative to Root (default docs/cra, or
	// config docs.dir). A folder outside Root, also through a symlink, is refused.
	Dir string
	// Lang is "en" (default) or "da": Danish for the declaration and the
	// user information; the other documents stay English with a note.
	Lang string
	// TemplatesDir overrides embedded templates file by file (same names,
	// "da/" for Danish ones). Relative paths are relative to Root.
	TemplatesDir string
	// Check computes and compares, writes nothing, and reports drift.
	Check bool
	// Stage computes what would be written and returns it in Result.Writes
	// instead of writing: the caller commits the documents together with the
	// evidence (evidencedir.Txn). Statuses are those the writes will give.
	Stage bool
	// AcceptChanges records the current evidence summary as the accepted
	// one, closing the "possible substantial modification" section.
	AcceptChanges bool
}

// Result says what a render did or, in Check mode, would do.
type Result struct {
	// Dir is the output folder relative to Root, slash-separated.
	Dir   string
	Files []FileResult
	// Changed is true when a file was (or, in Check mode, would be) written.
	Changed bool
	// Diff is a unified diff of every stale file (Check mode only).
	Diff string
	// ManualEdits are hand edits found inside generated regions: those
	// regions were kept as they were, not regenerated.
	ManualEdits []ManualEdit
	// Substantial lists the differences between the accepted evidence
	// summary and this run's: possible substantial modifications.
	Substantial []Change
	// Notices are things a person should read that do not make the file
	// stale, e.g. manual text left in English after a switch to Danish.
	Notices []string
	// Index is the README's Annex VII status table.
	Index []IndexRow
	// Writes are the files to write, in Stage mode.
	Writes []Write
	// Stray lists temporary files found in the folder, slash paths relative
	// to Root: left by an interrupted write, they make the file stale.
	Stray []string
}

// Write is one file a staged render would write.
type Write struct {
	Path string // absolute
	Data []byte
}

// FileResult is one written (or checked) file.
type FileResult struct {
	Path   string // relative to Root, slash-separated
	Status string // created | updated | unchanged | stale
	// SHA256 is the hex digest of the file's rendered content (what was
	// written, or in Check mode what would be), e.g. for attestation subjects.
	SHA256 string
}

// ManualEdit is a hand edit cemark found and did not overwrite.
type ManualEdit struct {
	File   string // relative to Root
	Region string // the region's id
	Detail string
}

// Change is one difference in the evidence summary.
type Change struct {
	Aspect string // e.g. "exposed interface", "intended purpose"
	Before string // empty when added
	After  string // empty when removed
}

// IndexRow is one Annex VII item in the index.
type IndexRow struct {
	Item   string // "1(a)" … "8"
	Title  string
	File   string // document name inside Dir
	Anchor string // section anchor inside File, may be empty
	State  string // generated | needs manufacturer input | complete | on request
	Detail string // what is missing, in words
}

// Stale reports whether the committed file does not match what a render
// makes: a file is stale (Check mode) or a hand edit kept a generated
// region from being refreshed. `cemark docs --check` exits 3 on it.
func (r *Result) Stale() bool {
	if r == nil {
		return false
	}
	if len(r.ManualEdits) > 0 || len(r.Stray) > 0 {
		return true
	}
	for _, f := range r.Files {
		if f.Status == StatusStale {
			return true
		}
	}
	return false
}
