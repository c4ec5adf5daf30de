package evidencedir

import "path/filepath"

// The evidence directory's files. Every name is here, once: the stages
// that make the files, the technical file's links and the CI outputs take
// them from this list (contain.Marker, which contain checks before any
// write, is the one name kept there).
const (
	// RunRecord is run.json: what ran, on which inputs, the digest of every
	// other file (evidence.RunRecord).
	RunRecord = "run.json"

	// SBOMCycloneDX and SBOMSPDX are the SBOM in CycloneDX 1.6 and SPDX 2.3;
	// SBOMQuality and SBOMQualityText its TR-03183-2 coverage report.
	SBOMCycloneDX   = "sbom.cdx.json"
	SBOMSPDX        = "sbom.spdx.json"
	SBOMQuality     = "sbom-quality.json"
	SBOMQualityText = "sbom-quality.txt"

	// Report is the check report (report.json, its JSON Schema in
	// checks/schema); ReportSARIF, CodeQuality and ReportMarkdown the same
	// findings for GitHub code scanning, GitLab merge requests and people.
	Report         = "report.json"
	ReportSARIF    = "report.sarif"
	CodeQuality    = "codequality.json"
	ReportMarkdown = "report.md"

	// Ports is the attack-surface inventory; Conformity the assessment per
	// Annex I point with the conformity route.
	Ports      = "ports.json"
	Conformity = "conformity.json"

	// DependencyScanning is GitLab's dependency-scanning report of the
	// vulnerability scan.
	DependencyScanning = "gl-dependency-scanning-report.json"

	// Attestations is every signed statement, one DSSE envelope per line
	// (the name SLSA and Scorecard use); each statement also has
	// <name>EnvelopeSuffix and, when signed keylessly, <name>BundleSuffix.
	Attestations   = "attestations.intoto.jsonl"
	EnvelopeSuffix = ".dsse.json"
	BundleSuffix   = ".sigstore.json"
)

// ReportFile is the file a check-report format is kept in, by its format
// ID (evidence/format), "" for a format the directory does not keep.
func ReportFile(formatID string) string {
	switch formatID {
	case "json":
		return Report
	case "sarif":
		return ReportSARIF
	case "gitlab-codequality":
		return CodeQuality
	case "markdown":
		return ReportMarkdown
	}
	return ""
}

// CacheFolder is the stage cache's folder in the state folder (StateDir):
// in the repository's git folder, or hidden beside the evidence directory
// outside git. Never inside the evidence directory, which is replaced
// whole on every run.
const CacheFolder = "cemark-cache"

// CacheDir is the stage cache's folder for a run whose run lock and
// journal live in stateDir.
func CacheDir(stateDir string) string {
	if inGitDir(stateDir) {
		return filepath.Join(stateDir, CacheFolder)
	}
	return filepath.Join(stateDir, "."+CacheFolder)
}
