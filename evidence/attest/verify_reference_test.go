package attest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/evidencedir"
)

// TestReportAttestedByDigest: report.json above the inline limit is named
// by digest in the report statement (GitHub caps an attestation at 16 MB,
// docs/attestations.md), at the limit it is carried inline; Verify reads
// the file beside the statement for the policy, fails a statement whose
// file differs, and the policy says when the file is not there.
func TestReportAttestedByDigest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	report := []byte(`{"results":[{"id":"CEM-DEF-001","severity":"critical","outcome":"fail","findings":[{"check":"CEM-DEF-001","severity":"critical","outcome":"fail","message":"default password"}]}]}` + "\n")
	sum := sha256.Sum256(report)
	ref := NewFileReference(evidencedir.Report, "application/json", sum[:], int64(len(report)))
	in := Input{Subjects: []*intotoRD{{Name: "widget", Digest: map[string]string{"sha256": strings.Repeat("ab", 32)}}},
		Report: sampleReport(), ReportFile: func() (*FileReference, error) { return ref, nil }, Config: sampleConfig(), Time: refTime}

	statement := func(limit int64) (Statement, map[string]json.RawMessage) {
		t.Helper()
		in.ReportInlineLimit = limit
		st, err := reportStatement(in)
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Predicate map[string]json.RawMessage `json:"predicate"`
		}
		if err := json.Unmarshal(st.Payload, &s); err != nil {
			t.Fatal(err)
		}
		return st, s.Predicate
	}
	if st, pred := statement(ref.Size); st.ByDigest || pred["report"] == nil || pred["reportFile"] != nil {
		t.Fatalf("at the limit the report is inline: by digest %v, predicate keys %v", st.ByDigest, keysOf(pred))
	}
	st, pred := statement(ref.Size - 1)
	if !st.ByDigest || pred["report"] != nil || !strings.Contains(string(pred["reportFile"]), `"sha256":"`+ref.Digest["sha256"]+`"`) ||
		!strings.Contains(st.Note, "report.json is "+humanBytes(ref.Size)+", above the inline limit") {
		t.Fatalf("above the limit: by digest %v, note %q, predicate %s", st.ByDigest, st.Note, pred["reportFile"])
	}

	s, _ := newTestSigner(t, KeyTypeEd25519)
	pub := writePub(t, dir, "cemark.pub", s.Public())
	envs := signAll(t, s, []Statement{st})
	ev := writeFile(t, filepath.Join(dir, ".cemark", "report"+evidencedir.EnvelopeSuffix), envs[0].JSON())
	policy := writeFile(t, filepath.Join(dir, "policy.yaml"), []byte("version: 1\nrules:\n  no_failing_check_at_or_above: high\n"))
	verify := func() *VerifyReport {
		t.Helper()
		rep, err := Verify(context.Background(), VerifyOptions{Attestations: []string{ev}, KeyFiles: []string{pub}, PolicyFile: policy})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	besides := filepath.Join(dir, ".cemark", evidencedir.Report)

	writeFile(t, besides, report)
	rep := verify()
	if !rep.Attestations[0].OK || rep.Attestations[0].ReportFile != besides || len(rep.Rules) != 1 ||
		rep.Rules[0].Detail != "failing checks at or above high: CEM-DEF-001 (critical)" {
		t.Fatalf("report.json beside the statement: %+v %+v", rep.Attestations, rep.Rules)
	}

	writeFile(t, besides, append([]byte(" "), report...))
	rep = verify()
	if rep.Verified || rep.Attestations[0].OK || !strings.Contains(rep.Attestations[0].Error, "is not the report the statement names") {
		t.Fatalf("a changed report.json: %+v", rep.Attestations)
	}

	if err := os.Remove(besides); err != nil {
		t.Fatal(err)
	}
	rep = verify()
	if rep.Verified || !rep.Attestations[0].OK || len(rep.Rules) != 1 ||
		rep.Rules[0].Detail != "the report statement names report.json by digest and it is not beside the statement: the report was not read" {
		t.Fatalf("no report.json: %+v %+v", rep.Attestations, rep.Rules)
	}

	// The statement names a file, never a path to read.
	in.ReportFile = func() (*FileReference, error) {
		return NewFileReference("../policy.yaml", "application/json", sum[:], ref.Size), nil
	}
	st, _ = statement(1)
	writeFile(t, ev, signAll(t, s, []Statement{st})[0].JSON())
	if rep = verify(); rep.Attestations[0].OK || rep.Attestations[0].Error != `the report statement names "../policy.yaml" by digest: not a file name` {
		t.Fatalf("a path for a name: %+v", rep.Attestations)
	}
}

func keysOf(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
