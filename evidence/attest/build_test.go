package attest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/evidence/ci"
	"github.com/cemark/cemark/evidence/gitinfo"
)

func TestBuildStatementsNamesAndTypes(t *testing.T) {
	t.Parallel()
	sts, _ := sampleBundle(t, t.TempDir())
	var got []string
	for _, st := range sts {
		got = append(got, st.Name+" "+st.PredicateType)
		if _, err := ParseStatement(st.Payload); err != nil {
			t.Errorf("%s: %v", st.Name, err)
		}
	}
	want := []string{
		"sbom-cyclonedx " + PredicateCycloneDX,
		"sbom-spdx " + PredicateSPDX,
		"test-result " + PredicateTestResult,
		"report " + PredicateReport,
		"provenance " + PredicateProvenance,
		"conformity " + PredicateConformity,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("statements mismatch (-want +got):\n%s", d)
	}
}

func TestStatementsDeterministic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, _ := sampleBundle(t, dir)
	subjects, err := Subjects(context.Background(), dir, []string{"dist/*"}, nil, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	b := buildAll(t, subjects)
	if len(a) != len(b) {
		t.Fatalf("%d vs %d statements", len(a), len(b))
	}
	ed, _ := newTestSigner(t, KeyTypeEd25519)
	for i := range a {
		if !bytes.Equal(a[i].Payload, b[i].Payload) {
			t.Errorf("%s: payload differs between runs", a[i].Name)
		}
		// Canonical: re-canonicalising changes nothing.
		c, err := canonicalJSON(a[i].Payload)
		if err != nil || !bytes.Equal(c, a[i].Payload) {
			t.Errorf("%s: payload is not canonical", a[i].Name)
		}
		ea, _ := Sign(context.Background(), ed, a[i])
		eb, _ := Sign(context.Background(), ed, b[i])
		if !bytes.Equal(ea.JSON(), eb.JSON()) {
			t.Errorf("%s: Ed25519 envelope differs between runs", a[i].Name)
		}
	}
}

func TestTestResultPredicate(t *testing.T) {
	t.Parallel()
	sts, _ := sampleBundle(t, t.TempDir())
	pred := predicateOf(t, find(t, sts, NameTestResult))
	want := map[string]any{
		"result":      "FAILED",
		"passedTests": []any{"CEM-SURF-001"},
		"warnedTests": []any{"CEM-VULN-001"},
		"failedTests": []any{"CEM-DEF-001"},
		"url":         "https://github.com/acme/widget/actions/runs/42/attempts/1",
	}
	for k, v := range want {
		if d := cmp.Diff(v, pred[k]); d != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", k, d)
		}
	}
	conf, _ := json.Marshal(pred["configuration"])
	if !strings.Contains(string(conf), `"name":"cemark.yaml"`) {
		t.Errorf("configuration lacks cemark.yaml: %s", conf)
	}
}

func TestProvenanceAllowListed(t *testing.T) {
	t.Parallel()
	sts, _ := sampleBundle(t, t.TempDir())
	st := find(t, sts, NameProvenance)
	pred := predicateOf(t, st)
	bd := pred["buildDefinition"].(map[string]any)
	if bd["buildType"] != "https://cemark.dev/buildtypes/github/v1" {
		t.Errorf("buildType = %v", bd["buildType"])
	}
	rd := pred["runDetails"].(map[string]any)
	if id := rd["builder"].(map[string]any)["id"]; id != "https://github.com/acme/widget/.github/workflows/build.yml@refs/heads/main" {
		t.Errorf("builder.id = %v", id)
	}
	md := rd["metadata"].(map[string]any)
	if md["invocationId"] != "https://github.com/acme/widget/actions/runs/42/attempts/1" || md["startedOn"] != "2026-03-01T12:00:00Z" {
		t.Errorf("metadata = %v", md)
	}
	deps, _ := json.Marshal(bd["resolvedDependencies"])
	if !strings.Contains(string(deps), `"gitCommit":"0123456789abcdef0123456789abcdef01234567"`) {
		t.Errorf("resolvedDependencies lack the commit: %s", deps)
	}

	for _, tc := range []struct {
		env       ci.Environment
		buildType string
		builder   string
	}{
		{ci.Environment{Platform: ci.Local}, "https://cemark.dev/buildtypes/local/v1", LocalBuilderID},
		{ci.Environment{Platform: ci.GitLab, ServerURL: "https://gitlab.com", Repository: "acme/widget", RunnerEnv: "gitlab-hosted"}, "https://cemark.dev/buildtypes/gitlab/v1", "https://gitlab.com/acme/widget/-/runners/gitlab-hosted"},
	} {
		st, err := provenanceStatement(Input{Subjects: mustSubjects(t), CI: tc.env, Time: refTime})
		if err != nil {
			t.Fatal(err)
		}
		p := predicateOf(t, st)
		if got := p["buildDefinition"].(map[string]any)["buildType"]; got != tc.buildType {
			t.Errorf("%s: buildType %v", tc.env.Platform, got)
		}
		if got := p["runDetails"].(map[string]any)["builder"].(map[string]any)["id"]; got != tc.builder {
			t.Errorf("%s: builder %v", tc.env.Platform, got)
		}
	}
}

func TestSBOMAboveInlineLimitIsAttestedByDigest(t *testing.T) {
	t.Parallel()
	sts, err := BuildStatements(context.Background(), Input{Subjects: mustSubjects(t), SBOMCycloneDX: []byte(sampleCycloneDX), SBOMInlineLimit: 10, Time: refTime})
	if err != nil {
		t.Fatal(err)
	}
	st := find(t, sts, NameSBOMCycloneDX)
	if !st.ByDigest || st.PredicateType != PredicateReference || !strings.Contains(st.Note, "above the inline limit") {
		t.Fatalf("statement = %+v", st)
	}
	pred := predicateOf(t, st)
	b, _ := json.Marshal(pred)
	if !strings.Contains(string(b), bytesDigests([]byte(sampleCycloneDX))["sha256"]) || strings.Contains(string(b), "left-pad") {
		t.Errorf("reference predicate should carry the digest, not the SBOM: %s", b)
	}
}

func TestConformityPredicateMatchesSchema(t *testing.T) {
	t.Parallel()
	sts, _ := sampleBundle(t, t.TempDir())
	st := find(t, sts, NameConformity)
	pred := predicateOf(t, st)
	raw, _ := json.Marshal(pred)
	if err := ValidateConformityPredicate(raw); err != nil {
		t.Fatal(err)
	}
	var p ConformityPredicate
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Requirements) != 22 || p.Disclaimer == "" {
		t.Fatalf("requirements %d, disclaimer %q", len(p.Requirements), p.Disclaimer)
	}
	byID := map[string]RequirementStatus{}
	for _, r := range p.Requirements {
		byID[r.ID] = r
	}
	if r := byID["I-2b"]; r.Status != "failing-finding" || !cmp.Equal(r.Evidence.FailingChecks, []string{"CEM-DEF-001"}) {
		t.Errorf("I-2b = %+v", r)
	}
	if r := byID["II-1"]; !cmp.Equal(r.Evidence.Attestations, []string{NameReport, NameSBOMCycloneDX, NameSBOMSPDX}) {
		t.Errorf("II-1 attestations = %v", r.Evidence.Attestations)
	}
	for _, other := range sts[:len(sts)-1] {
		if got := p.Evidence.Attestations[other.Name].SHA256; got != other.Digest() {
			t.Errorf("evidence %s = %s, want %s", other.Name, got, other.Digest())
		}
	}
	if p.Support.End != "2031-12-31" || p.Product.Manufacturer.Name != "ACME GmbH" || p.Class != "default" {
		t.Errorf("identity = %+v %+v %s", p.Product, p.Support, p.Class)
	}

	// The schema rejects words cemark must never use.
	bad := strings.Replace(string(raw), `"status":"failing-finding"`, `"status":"compliant"`, 1)
	if err := ValidateConformityPredicate([]byte(bad)); err == nil {
		t.Error("schema accepted status \"compliant\"")
	}
}

func TestSubjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "dist", "b.tar.gz"), []byte("b"))
	writeFile(t, filepath.Join(dir, "dist", "a.bin"), []byte("a"))
	writeFile(t, filepath.Join(dir, "dist", "sub", "c.bin"), []byte("c"))
	got, err := Subjects(ctx, dir, []string{"dist/**/*.bin", "dist/*", "./dist/a.bin"},
		[]Image{{Name: "ghcr.io/acme/widget", ManifestDigest: "sha256:" + strings.Repeat("ab", 32)}}, "0123456789abcdef0123456789abcdef01234567", "", "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got {
		names = append(names, s.GetName())
	}
	if d := cmp.Diff([]string{"dist/a.bin", "dist/b.tar.gz", "dist/sub/c.bin", "ghcr.io/acme/widget"}, names); d != "" {
		t.Errorf("names (-want +got):\n%s", d)
	}
	if len(got[0].GetDigest()["sha512"]) != 128 || got[0].GetDigest()["sha256"] != bytesDigests([]byte("a"))["sha256"] {
		t.Errorf("digests = %v", got[0].GetDigest())
	}

	if _, err := Subjects(ctx, dir, []string{"nothing/*.zip"}, nil, "", "", ""); err == nil || !strings.Contains(err.Error(), `subject glob "nothing/*.zip" matches no file`) {
		t.Errorf("no-match error = %v", err)
	}
	// Outside a repository with a remote, the commit is named after the
	// product, never after the folder.
	c, err := Subjects(ctx, dir, nil, nil, "0123456789ABCDEF0123456789abcdef01234567", "", "Widget")
	if err != nil || len(c) != 1 || c[0].GetDigest()["gitCommit"] != "0123456789abcdef0123456789abcdef01234567" || c[0].GetName() != "Widget" {
		t.Errorf("commit subject = %v, %v", c, err)
	}
	if _, err := Subjects(ctx, dir, nil, nil, "", "", "Widget"); err == nil {
		t.Error("no subject at all must be an error")
	}
	if _, err := Subjects(ctx, dir, nil, []Image{{Name: "x", ManifestDigest: "md5:abc"}}, "", "", ""); err == nil {
		t.Error("bad image digest must be an error")
	}
}

func TestUnsignedEnvelopes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sts, _ := sampleBundle(t, dir)
	envs := make([]*Envelope, len(sts))
	for i, st := range sts {
		envs[i] = Unsigned(st)
	}
	back, err := ParseJSONL(EncodeJSONL(envs))
	if err != nil || len(back) != len(sts) {
		t.Fatalf("round trip: %d envelopes, %v", len(back), err)
	}
	if !strings.Contains(string(envs[0].JSON()), `"signatures":[]`) {
		t.Errorf("unsigned envelope must carry an empty signatures list: %s", envs[0].JSON())
	}
}

func mustSubjects(t *testing.T) []*intotoRD {
	t.Helper()
	s, err := CommitSubject("widget", "0123456789abcdef0123456789abcdef01234567")
	if err != nil {
		t.Fatal(err)
	}
	return []*intotoRD{s}
}

func find(t *testing.T, sts []Statement, name string) Statement {
	t.Helper()
	for _, st := range sts {
		if st.Name == name {
			return st
		}
	}
	t.Fatalf("no statement %s", name)
	return Statement{}
}

func predicateOf(t *testing.T, st Statement) map[string]any {
	t.Helper()
	var v struct {
		Predicate map[string]any `json:"predicate"`
	}
	if err := json.Unmarshal(st.Payload, &v); err != nil {
		t.Fatal(err)
	}
	return v.Predicate
}

// TestCommitSubjectIsTheSameInEveryClone: an ssh clone on a laptop and a
// CI runner's https clone with a token, in folders of different names, name
// the commit alike, so their statements are byte-identical.
func TestCommitSubjectIsTheSameInEveryClone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const commit = "0123456789abcdef0123456789abcdef01234567"
	var names []string
	for _, tc := range []struct{ folder, remote string }{
		{"my-checkout", "git@gitlab.example.com:group/widget.git"},
		{"workspace", "https://gitlab-ci-token:glcbt-secret@gitlab.example.com/group/widget.git"},
		{"widget", "ssh://git@gitlab.example.com:2222/group/widget"},
	} {
		dir := filepath.Join(t.TempDir(), tc.folder)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"init", "-q"}, {"remote", "add", "origin", tc.remote}} {
			if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		remote, err := gitinfo.Remote(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Subjects(ctx, dir, nil, nil, commit, remote, "Widget")
		if err != nil || len(got) != 1 {
			t.Fatalf("Subjects in %s = %v, %v", tc.folder, got, err)
		}
		names = append(names, got[0].GetName())
	}
	want := "git+https://gitlab.example.com/group/widget@" + commit
	if d := cmp.Diff([]string{want, want, want}, names); d != "" {
		t.Errorf("commit subject names (-want +got):\n%s", d)
	}
}

// TestSBOMPredicatesMadeAhead: an SBOM statement built from a predicate
// made ahead (SBOMPredicate, Make in the background) is the statement
// built from the document; a predicate made from another copy of the
// document, or from another document, is not used, and an SBOM above the
// inline limit gets none.
func TestSBOMPredicatesMadeAhead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	subjects, err := Subjects(ctx, t.TempDir(), nil, nil, "0123456789abcdef0123456789abcdef01234567", "", "widget")
	if err != nil {
		t.Fatal(err)
	}
	cdx, spdx := []byte(sampleCycloneDX), []byte(sampleSPDX)
	in := Input{Subjects: subjects, SBOMCycloneDX: cdx, SBOMSPDX: spdx, ToolName: "cemark", ToolVersion: "0.1.0", Time: refTime}
	want, err := BuildStatements(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	ahead := []*Predicate{SBOMPredicate(spdx, 0), SBOMPredicate(cdx, 0)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		ahead[0].Make() // the other is made by the statement
	}()
	in.SBOMPredicates = ahead
	got, err := BuildStatements(ctx, in)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !bytes.Equal(got[i].Payload, want[i].Payload) {
			t.Errorf("%s: payload with a predicate made ahead differs", want[i].Name)
		}
	}
	if ahead[1].v == nil {
		t.Error("the CycloneDX predicate was not the one the statement used")
	}

	copied := SBOMPredicate(append([]byte(nil), cdx...), 0)
	if copied.madeFrom(cdx) || SBOMPredicate(spdx, 0).madeFrom(cdx) || !ahead[1].madeFrom(cdx) {
		t.Error("madeFrom: a predicate is used only for the very document it was made from")
	}
	if p := SBOMPredicate(cdx, int64(len(cdx)-1)); p != nil {
		t.Error("an SBOM above the inline limit got a predicate: its statement names it by digest")
	}
}
