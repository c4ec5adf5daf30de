package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"time"

	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/version"
)

// RunRecord is run.json: what ran, on which inputs, how long each stage
// took, and the digest of every file written. It is the one evidence file
// that is not byte-identical between runs, because it records timings.
type RunRecord struct {
	Tool    version.Info `json:"tool"`
	Inputs  []Input      `json:"inputs"`
	Stages  []StageTime  `json:"stages"`
	Outputs []Output     `json:"outputs"`
	// Signing says how the statements were signed: key ID, or keyless
	// identity, issuer and Rekor log indexes (which change every run).
	Signing *attest.Signing `json:"signing,omitempty"`
	// ReadOutside lists paths outside the product root that the command
	// line named and the run read: a conscious act, recorded.
	ReadOutside []string `json:"read_outside_root,omitempty"`
	// VulnDB is the vulnerability database the scan used (build date,
	// schema, checksum); absent when none was.
	VulnDB *vulnscan.DB `json:"vulnerability_db,omitempty"`
}

// Input is one input of the run with its digest.
type Input struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Digest string `json:"digest,omitempty"`
}

// StageTime is one stage's duration and result.
type StageTime struct {
	Name       string `json:"name"`
	DurationMS int64  `json:"duration_ms"`
	Status     string `json:"status"` // ok | failed
	Summary    string `json:"summary,omitempty"`
	// Reused is true when the stage's inputs were those of an earlier
	// run, whose outputs it took from the stage cache instead of making
	// them again (the same bytes).
	Reused bool `json:"reused,omitempty"`
}

// Output is one evidence file.
type Output struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

func (r *RunRecord) addInput(kind, root, path string, data []byte) {
	name := path
	if rel, err := filepath.Rel(root, path); err == nil {
		name = filepath.ToSlash(rel)
	}
	sum := sha256.Sum256(data)
	r.Inputs = append(r.Inputs, Input{Name: name, Kind: kind, Digest: "sha256:" + hex.EncodeToString(sum[:])})
}

// stageRun times one stage and reports it.
type stageRun struct {
	name   string
	start  time.Time
	p      Progress
	rec    *RunRecord
	reused bool
}

func startStage(p Progress, rec *RunRecord, name string) *stageRun {
	p.StageStarted(name)
	return &stageRun{name: name, start: time.Now(), p: p, rec: rec}
}

func (s *stageRun) done(summary string) {
	took := time.Since(s.start)
	s.rec.Stages = append(s.rec.Stages, StageTime{Name: s.name, DurationMS: took.Milliseconds(), Status: "ok", Summary: summary, Reused: s.reused})
	if s.reused {
		summary += " (reused: inputs unchanged)"
	}
	s.p.StageFinished(s.name, took, summary, nil)
}

func (s *stageRun) fail(err error) error {
	took := time.Since(s.start)
	s.rec.Stages = append(s.rec.Stages, StageTime{Name: s.name, DurationMS: took.Milliseconds(), Status: "failed"})
	s.p.StageFinished(s.name, took, "", err)
	return err
}
