package evidence

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

// TestLargeReportAttestedByDigest: with report.json above
// attestations.report_inline_limit, the report statement names report.json
// by the digest run.json lists for it, the same whether the file was
// staged early (two processors and more) or not (one), and cemark verify
// reads it from beside the statement for its policy.
func TestLargeReportAttestedByDigest(t *testing.T) {
	db := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	dir := cacheProduct(t, "attestations: {report_inline_limit: 100}\n")
	env, pub := cacheEnvKey(t, db)
	opts := Options{Root: dir, NoCache: true, Getenv: env}
	mustRunOpts(t, opts) // the technical file exists from here on: the runs compared find it alike
	run := func(procs int) (*Evidence, map[string][]byte) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		ev := mustRunOpts(t, opts)
		return ev, evidenceAndDocs(t, dir)
	}
	_, one := run(1)
	ev, four := run(4)
	sameFiles(t, "four processors against one", one, four)
	if !ev.ReportByDigest || ev.SBOMByDigest {
		t.Fatalf("report by digest %v, SBOM by digest %v", ev.ReportByDigest, ev.SBOMByDigest)
	}

	envelope, err := attest.ParseEnvelope(four[filepath.Join(".cemark", "report"+evidencedir.EnvelopeSuffix)])
	if err != nil {
		t.Fatal(err)
	}
	payload, err := base64.StdEncoding.DecodeString(envelope.Payload)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Predicate attest.ReportPredicate `json:"predicate"`
	}
	if err := json.Unmarshal(payload, &st); err != nil {
		t.Fatal(err)
	}
	ref := st.Predicate.ReportFile
	if st.Predicate.Report != nil || ref == nil || ref.Name != evidencedir.Report || ref.Digest["sha256"] != ev.Files[evidencedir.Report] ||
		ref.Size != int64(len(four[filepath.Join(".cemark", evidencedir.Report)])) || st.Predicate.SBOMQuality == nil {
		t.Fatalf("report predicate %+v, want report.json by sha256 %s", st.Predicate, ev.Files[evidencedir.Report])
	}

	policy := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(policy, []byte("version: 1\nrules:\n  no_failing_check_at_or_above: critical\n  sbom_complete: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := attest.Verify(context.Background(), attest.VerifyOptions{
		Attestations: []string{filepath.Join(dir, ".cemark", evidencedir.Attestations)}, KeyFiles: []string{pub}, PolicyFile: policy})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range rep.Attestations {
		if !a.OK {
			t.Errorf("%s: %s", a.Source, a.Error)
		}
		if a.PredicateType == attest.PredicateReport && a.ReportFile != filepath.Join(dir, ".cemark", evidencedir.Report) {
			t.Errorf("report statement verified without reading report.json (%q)", a.ReportFile)
		}
	}
	for _, r := range rep.Rules {
		// The test database's critical vulnerability is in report.json only.
		if r.Rule == "no_failing_check_at_or_above: critical" && r.Detail != "failing checks at or above critical: CEM-VULN-001 (critical)" {
			t.Errorf("policy did not read report.json: %+v", r)
		}
		if r.Rule == attest.RuleSBOMComplete && !strings.HasPrefix(r.Detail, "TR-03183-2 required fields incomplete: ") {
			t.Errorf("SBOM quality not read from the report statement: %+v", r)
		}
	}
}
