// Package evidence is cemark's pipeline: one run loads the configuration,
// makes the SBOM, scans it for vulnerabilities, runs the checks, maps them
// onto Annex I, builds in-toto statements, keeps the technical file current,
// signs and writes the evidence. Each of those is a stage (stage_*.go) with
// declared inputs and outputs; every command selects the stages it needs
// (Selection) instead of doing their work itself. The evidence of a run is
// one value (Evidence) that every later stage reads: nothing is recomputed
// and no stage re-reads what an earlier one parsed. A stage whose inputs
// are those of an earlier run reuses that run's outputs (stagecache.go).
package evidence

import (
	"slices"
	"time"

	"github.com/cemark/cemark/checks"
)

// Stage names one stage of the pipeline.
type Stage string

// The stages, in the order they run (Stages describes each).
const (
	StageConfig Stage = "config"
	StageSBOM   Stage = "sbom"
	StageVulns  Stage = "vulns"
	StageChecks Stage = "checks"
	StageAttest Stage = "attest"
	StageDocs   Stage = "docs"
	StageSign   Stage = "sign"
	StageWrite  Stage = "write"
)

// Selection is the stages a command runs; they run in the pipeline's
// order whatever the order here. The config stage always runs: every
// other stage reads what it decided.
type Selection []Stage

// The selections of cemark's commands.
var (
	// RunStages is `cemark run` and the CI action: everything.
	RunStages = Selection{StageConfig, StageSBOM, StageVulns, StageChecks, StageAttest, StageDocs, StageSign, StageWrite}
	// DocsStages is `cemark docs`: the technical file from this run's
	// evidence, written without the evidence directory (the write stage
	// writes the evidence directory only after the sign stage).
	DocsStages = Selection{StageConfig, StageSBOM, StageVulns, StageChecks, StageAttest, StageDocs, StageWrite}
	// CheckStages is `cemark check` and `cemark baseline write`: the checks,
	// with the vulnerability scan of the SBOM the last run left.
	CheckStages = Selection{StageConfig, StageVulns, StageChecks}
	// ScanStages is `cemark vex draft`: the vulnerability scan of the SBOM
	// the last run left.
	ScanStages = Selection{StageConfig, StageVulns}
	// SBOMStages is `cemark sbom`.
	SBOMStages = Selection{StageConfig, StageSBOM}
	// InventoryStages is `cemark ports` and `cemark init`'s drafting: the
	// checks of the families that describe the product (Options.Checks).
	InventoryStages = Selection{StageConfig, StageChecks}
	// ConfigStages is the configuration alone (`cemark baseline write
	// --from`, which needs to know where the baseline goes).
	ConfigStages = Selection{StageConfig}
)

// Has reports whether s selects stage (the config stage always is).
func (s Selection) Has(stage Stage) bool {
	return stage == StageConfig || slices.Contains(s, stage)
}

// Without is s without the given stages.
func (s Selection) Without(stages ...Stage) Selection {
	out := make(Selection, 0, len(s))
	for _, st := range s {
		if !slices.Contains(stages, st) {
			out = append(out, st)
		}
	}
	return out
}

// Options configure one run. The zero value plus Root runs `cemark run`'s
// stages with the embedded defaults.
type Options struct {
	// Stages selects what runs (nil: RunStages).
	Stages Selection
	// NoCache runs every stage, reusing nothing from earlier runs and
	// storing nothing for later ones (--no-cache).
	NoCache bool
	// Root is the product root (default ".").
	Root string
	// ConfigPath overrides PATH/cemark.yaml (relative to Root).
	ConfigPath string
	// ProductVersion overrides the version (else git describe, else the commit).
	ProductVersion string
	// OutDir is the evidence directory (default ROOT/.cemark). Whatever
	// names it — this field, cemark.yaml outputs.dir — it passes through
	// contain.Bounds.EvidenceDir: inside the boundary, never the root, a
	// parent or .git, and never a folder cemark did not make.
	OutDir string
	// OutDirFrom and DocsDirFrom name where OutDir and DocsDir came from,
	// for messages: "--out" (default), "input output-dir", "CEMARK_OUTPUT_DIR".
	OutDirFrom  string
	DocsDirFrom string
	// Workspace bounds every write in CI: the workspace that holds Root.
	// Empty bounds writes by Root itself.
	Workspace string
	// LockTimeout is how long the run waits for another run on the same
	// product to release the run lock; 0 fails at once (exit 1).
	LockTimeout time.Duration
	// Sources override the configured SBOM sources (relative to Root).
	Sources []string
	// Checks selects check IDs (empty: cemark.yaml's checks.select, else all).
	Checks []string
	// Artifacts are globs of the shipped artefacts (update signing).
	Artifacts []string
	// UpdateKeys are public keys that sign the shipped artefacts (relative
	// to Root, or absolute).
	UpdateKeys []string
	// Subjects are globs of the build's artefacts to attest.
	Subjects []string
	// SigningKey is a key file; empty reads CEMARK_SIGNING_KEY.
	SigningKey string
	// Sign is the signing mode (`--sign`): "keyless", "key", "none", or ""
	// for the default — key when one is given, else keyless when an
	// ambient OIDC token is available, else none.
	Sign string
	// FulcioURL, RekorURL and TrustedRoot point keyless signing at a
	// private Sigstore instance (default: public-good Sigstore, its
	// trusted root through TUF).
	FulcioURL, RekorURL, TrustedRoot string
	// DocsDir, DocsLang and TemplatesDir override the config's docs section.
	DocsDir      string
	DocsLang     string
	TemplatesDir string
	// DocsCheck renders without writing and reports drift (cemark docs
	// --check, the action's docs: check).
	DocsCheck bool
	// AcceptChanges records the evidence summary as the new baseline for the
	// substantial-modification watch (after the manufacturer has decided).
	AcceptChanges bool
	// FailOn makes Run return a not-conformant error (exit 3) when a failing
	// finding is at or above this severity; empty never fails.
	FailOn checks.Severity
	// Baseline is a previous report.json (--baseline, relative to the
	// working directory; "" takes checks.baseline): the findings it holds
	// do not count for FailOn.
	Baseline string
	// Release, when set ("v1.2.0"), ends the run with a readiness checklist.
	Release string
	// PathPrefix is the product root's folder in the repository for the
	// paths of SARIF and Code Quality (cemark check --path-prefix); empty:
	// git's answer, else RepoRoot's.
	PathPrefix string
	// RepoRoot is the repository's root when git cannot say (a CI workspace
	// that is not a git checkout); CI outputs name files relative to it.
	// In a git work tree git's own answer is used.
	RepoRoot string
	// Getenv reads the environment (CI facts, SOURCE_DATE_EPOCH, keys).
	Getenv func(string) string
	// Now is the wall clock for expiry checks (waivers, support period,
	// security.txt); nil uses time.Now. It never reaches a generated file.
	Now func() time.Time
	// Progress receives stage events; nil is silent.
	Progress Progress

	// commitHook is called after each write step of the commit; an error
	// stops the commit as a crash would (crash-consistency tests).
	commitHook func(step string) error
	// sequentialChecks keeps the checks stage's tree work in that stage
	// (no warming beside the SBOM: checkswarm.go), for the tests that
	// compare the two.
	sequentialChecks bool
	// VulnDB is the vulnerability database folder (--vuln-db); empty uses
	// vulnerabilities.db, CEMARK_VULN_DB or $XDG_CACHE_HOME/cemark/grype-db.
	VulnDB string
	// VulnDBUpdate downloads a newer database before the scan
	// (--vuln-db-update); without it the run never reaches the network.
	VulnDBUpdate bool
	// VulnDBURL is the database listing to update from (default grype's).
	VulnDBURL string
}

// Progress is told what the pipeline is doing, for a terminal or a log.
type Progress interface {
	StageStarted(stage string)
	// StageUpdate reports progress inside a stage, e.g. "412 packages".
	StageUpdate(stage, detail string)
	StageFinished(stage string, took time.Duration, summary string, err error)
	// Notice is something a person should read (e.g. "statements are unsigned").
	Notice(msg string)
}

type silentProgress struct{}

func (silentProgress) StageStarted(string)                                {}
func (silentProgress) StageUpdate(string, string)                         {}
func (silentProgress) StageFinished(string, time.Duration, string, error) {}
func (silentProgress) Notice(string)                                      {}
