// Package updates holds cemark's update-signing checks (CEM-UPD-…): how
// the release pipeline signs its output, whether the shipped artefacts'
// signatures verify offline against the manufacturer's keys, whether the
// product verifies what it installs, and whether cemark.yaml states how
// updates reach users.
//
// All checks share one collect step, run once per Target through
// Target.Memo; each check's evaluation is pure over those facts. The
// signatures are verified by checks/internal/sigverify with the run's
// keyring (sigverify.Keys), which other families share; this package finds
// the artefacts, the release pipeline and the update client, and judges.
// Metadata lives in meta/<ID>.yml beside the code.
package updates

import (
	"context"
	"embed"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/input"
	"github.com/cemark/cemark/checks/internal/sigverify"
	"github.com/cemark/cemark/evidence/config"
)

//go:embed meta/*.yml
var metaFS embed.FS

// Check IDs of the family. They are stable: never renamed or reused.
const (
	IDPipeline    = "CEM-UPD-001"
	IDArtifacts   = "CEM-UPD-002"
	IDClient      = "CEM-UPD-003"
	IDStatement   = "CEM-UPD-004"
	IDConsistency = "CEM-UPD-005"
)

var evaluators = []checks.Evaluator[*Collected]{
	{ID: IDPipeline, Eval: evalPipeline},
	{ID: IDArtifacts, Eval: evalArtifacts},
	{ID: IDClient, Eval: evalClient},
	{ID: IDStatement, Eval: evalStatement},
	{ID: IDConsistency, Eval: evalConsistency},
}

// MetaFS is the family's embedded metadata (meta/<ID>.yml), for the
// catalogue test in checks/all.
func MetaFS() fs.FS { return metaFS }

// Checks returns the family's checks in ID order.
func Checks() []checks.Check { return checks.FamilyChecks(metaFS, collect, evaluators) }

// Collected is everything the family's checks judge.
type Collected struct {
	Signing checks.UpdateSigning
	// Keys are the verification keys of the run (no key material).
	Keys []KeyInfo
	// KeyErrors are key files that could not be loaded.
	KeyErrors []string
	// PipelineErrors are release-configuration files that could not be parsed.
	PipelineErrors []string
	// UnmatchedGlobs are updates.artifacts globs that match no file.
	UnmatchedGlobs []string
	// KeylessSigners are the certificate identities behind keyless
	// verdicts (verified or identity-mismatch), sorted by artefact path.
	KeylessSigners []sigverify.KeylessSigner
	// Statement is cemark.yaml's updates section.
	Statement config.Updates
	// AutomaticJustified is true when risk_assessment["I-2c"] holds a
	// justification (for automatic updates being off).
	AutomaticJustified bool
}

// KeyInfo describes one verification key for the report.
type KeyInfo struct {
	Source              string `json:"source"`
	Path                string `json:"path,omitempty"`
	Kind                string `json:"kind,omitempty"`
	Fingerprint         string `json:"fingerprint,omitempty"`
	DeclaredFingerprint string `json:"declared_fingerprint,omitempty"`
	// DeclaredMatches: the declared fingerprint is the key file's (for an
	// OpenPGP keyring: one of its keys'). Meaningful when both are set.
	DeclaredMatches bool `json:"declared_matches"`
}

const memoKey = "updates/facts"

// Facts returns the update-signing fact sheet of the run, for the report
// and the technical file. It is computed once per Target.
func Facts(ctx context.Context, t *checks.Target) (*checks.UpdateSigning, error) {
	f, err := collect(ctx, t)
	if err != nil {
		return nil, err
	}
	s := f.Signing
	return &s, nil
}

func collect(ctx context.Context, t *checks.Target) (*Collected, error) {
	return checks.Memoized(t.Memo, memoKey, func() (*Collected, error) { return collectOnce(ctx, t) })
}

// treeMemoKey is the Target.Memo key of the facts read from the tree and
// the configuration alone (treeFacts).
const treeMemoKey = "updates/tree"

// treeFacts are what the release pipeline and the product's code show:
// they read neither the artefacts nor the keys given for the run.
type treeFacts struct {
	pipeline       []checks.SigningStep
	pipelineErrors []string
	client         []checks.UpdaterEvidence
}

// WarmTree does ahead, on t, the family's work that reads only the tree
// and the configuration: the release pipeline's signing steps and the
// code that verifies what it installs. A pipeline runs it while syft
// catalogues; the facts collected later are the same.
func WarmTree(ctx context.Context, t *checks.Target) error {
	_, err := collectTree(ctx, t)
	return err
}

func collectTree(ctx context.Context, t *checks.Target) (*treeFacts, error) {
	return checks.Memoized(t.Memo, treeMemoKey, func() (*treeFacts, error) {
		var tf treeFacts
		tf.pipeline, tf.pipelineErrors = DetectPipeline(ctx, t)
		// Go files that do not parse are not release configuration; the
		// SURFACE parsers report them.
		tf.client, _ = DetectClient(ctx, t)
		// Both stop early when cancelled: what they found is not all.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return &tf, nil
	})
}

func collectOnce(ctx context.Context, t *checks.Target) (*Collected, error) {
	cfg := t.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	f := &Collected{Statement: cfg.Updates}
	if r, ok := cfg.RiskAssessment["I-2c"]; ok && strings.TrimSpace(r.Justification) != "" {
		f.AutomaticJustified = true
	}
	f.Signing.Mechanism = cfg.Updates.Mechanism

	tf, err := collectTree(ctx, t)
	if err != nil {
		return nil, err
	}
	f.Signing.Pipeline, f.PipelineErrors, f.Signing.Client = tf.pipeline, tf.pipelineErrors, tf.client

	keys := sigverify.Keys(t)
	f.KeyErrors = keys.Errors
	for _, k := range keys.Keys {
		f.Keys = append(f.Keys, KeyInfo{
			Source: k.Source, Path: k.Path, Kind: k.Kind, Fingerprint: k.Fingerprint,
			DeclaredFingerprint: k.DeclaredFingerprint, DeclaredMatches: k.DeclaredMatches(),
		})
	}

	artefacts, unmatched := ResolveArtifacts(t.Root, t.Artifacts, cfg.Updates.Artifacts)
	f.UnmatchedGlobs = unmatched
	trusted := cfg.Updates.TrustedRoot
	if trusted != "" && !filepath.IsAbs(trusted) {
		trusted = filepath.Join(t.Root, filepath.FromSlash(trusted))
	}
	ver := &sigverify.Verifier{Keys: keys, Root: t.Root, TrustedRoot: trusted, Identities: cfg.Updates.KeylessIdentities, Now: t.Now}
	f.Signing.Artifacts = ver.VerifyArtifacts(ctx, artefacts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.KeylessSigners = ver.KeylessSigners()
	seen := map[string]bool{}
	for _, a := range f.Signing.Artifacts {
		// A keyless signature names an identity, not a key; that holds for
		// a checksum file signed keylessly too.
		if _, keyless := f.keylessSigner(a.Path); keyless {
			continue
		}
		if a.Verdict == sigverify.VerdictVerified && a.Method != sigverify.MethodSigstoreKeyless && a.KeyID != "" && !seen[a.KeyID] {
			seen[a.KeyID] = true
			f.Signing.KeyFingerprints = append(f.Signing.KeyFingerprints, a.KeyID)
		}
	}
	sort.Strings(f.Signing.KeyFingerprints)
	return f, nil
}

// keylessSigner returns the keyless signer of the artefact at path, if its
// verdict rests on one.
func (f *Collected) keylessSigner(path string) (sigverify.KeylessSigner, bool) {
	i := sort.Search(len(f.KeylessSigners), func(i int) bool { return f.KeylessSigners[i].Path >= path })
	if i < len(f.KeylessSigners) && f.KeylessSigners[i].Path == path {
		return f.KeylessSigners[i], true
	}
	return sigverify.KeylessSigner{}, false
}

// ResolveArtifacts expands the shipped artefacts: the CLI's absolute paths
// and cemark.yaml's globs (relative to root, path/filepath.Glob syntax).
// Signature, certificate and checksum files are left out: they are
// verified with the artefact they belong to. The result is sorted and
// free of duplicates; globs that match nothing are returned too.
func ResolveArtifacts(root string, paths, globs []string) ([]string, []string) {
	set := map[string]bool{}
	realRoot, _ := filepath.EvalSymlinks(root)
	add := func(p string) {
		// Regular files only: a FIFO or a device would block or never end.
		info, err := os.Stat(p)
		if err != nil || !info.Mode().IsRegular() || sigverify.IsSignatureOrChecksumFile(filepath.Base(p)) {
			return
		}
		set[filepath.Clean(p)] = true
	}
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		if strings.ContainsAny(p, "*?[") {
			matches, _ := filepath.Glob(p)
			for _, m := range matches {
				add(m)
			}
			continue
		}
		add(p)
	}
	var unmatched []string
	for _, g := range globs {
		pattern := g
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(root, filepath.FromSlash(g))
		}
		matches, err := filepath.Glob(pattern)
		if err != nil || len(matches) == 0 {
			unmatched = append(unmatched, g)
			continue
		}
		for _, m := range matches {
			// cemark.yaml's globs read inside the root only, also past symlinks.
			if real, err := filepath.EvalSymlinks(m); !filepath.IsAbs(g) && (err != nil || !input.Within(realRoot, real)) {
				continue
			}
			add(m)
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, unmatched
}
