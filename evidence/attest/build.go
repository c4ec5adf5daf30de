package attest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	provenancev1 "github.com/in-toto/attestation/go/predicates/provenance/v1"
	testresultv0 "github.com/in-toto/attestation/go/predicates/test_result/v0"
	intotov1 "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/ci"
	"github.com/cemark/cemark/evidence/config"
)

// DefaultSBOMInlineLimit is the SBOM size above which the SBOM is attested
// by digest instead of inline: 16 MB, GitHub's attestation size limit.
const DefaultSBOMInlineLimit int64 = 16 << 20

// DefaultReportInlineLimit is the size of report.json above which the
// report statement names it by digest instead of carrying the report: 16
// MB, GitHub's attestation size limit, as for SBOMs.
const DefaultReportInlineLimit int64 = 16 << 20

// FileReference names an evidence file by its digest, like an in-toto
// resource descriptor, with its size. The name is the file's in the
// evidence directory, which a verifier looks for beside the statement.
type FileReference struct {
	Name      string            `json:"name"`
	MediaType string            `json:"mediaType"`
	Digest    map[string]string `json:"digest"`
	Size      int64             `json:"size"`
}

// NewFileReference names a file by its SHA-256 (the digest run.json lists
// for every evidence file).
func NewFileReference(name, mediaType string, sha256 []byte, size int64) *FileReference {
	return &FileReference{Name: name, MediaType: mediaType, Size: size, Digest: map[string]string{"sha256": hex.EncodeToString(sha256)}}
}

// Input is what BuildStatements needs. It takes the SBOM as bytes so this
// package never imports the SBOM generator (and syft with it).
type Input struct {
	Subjects []*intotov1.ResourceDescriptor
	// SBOMCycloneDX and SBOMSPDX are the JSON documents; either may be nil
	// (no statement is made for it).
	SBOMCycloneDX []byte
	SBOMSPDX      []byte
	// SBOMQuality is the TR-03183-2 coverage report (sbom.Quality, or any
	// value with the same JSON shape). It is carried in the report
	// predicate so that a verifier's policy can check it.
	SBOMQuality any
	// SBOMInlineLimit in bytes; 0 means DefaultSBOMInlineLimit.
	SBOMInlineLimit int64
	// SBOMPredicates are SBOMs made canonical ahead (SBOMPredicate); an
	// SBOM statement uses the one made from its very document, if any.
	SBOMPredicates []*Predicate
	// Report is the check report; nil: no test-result and report statements.
	Report *checks.Report
	// ReportFile gives report.json as the evidence directory holds it.
	// Above ReportInlineLimit (0: DefaultReportInlineLimit) the report
	// statement names it by digest instead of carrying the report; nil, or
	// a nil reference: inline. It is called when the report statement is
	// made, after the SBOM statements: the file may still be being written.
	ReportFile        func() (*FileReference, error)
	ReportInlineLimit int64
	// ConfigFile is cemark.yaml as read (its digest goes into the
	// test-result configuration); ConfigName its name ("cemark.yaml").
	ConfigFile []byte
	ConfigName string
	CI         ci.Environment
	Config     *config.Config
	// Commit is the source commit (full hex); CI.Commit wins when set.
	// Remote is the repository URL without credentials, for provenance.
	Commit string
	Remote string
	// ToolName and ToolVersion name cemark in the predicates.
	ToolName    string
	ToolVersion string
	// Time is the run's reference time (SOURCE_DATE_EPOCH or commit time),
	// never the wall clock, so that statements are reproducible.
	Time time.Time
	// Materials are extra resolved dependencies for provenance.
	Materials []*intotov1.ResourceDescriptor
}

// BuildStatements makes one statement per predicate, in this order:
// sbom-cyclonedx, sbom-spdx, test-result, report, provenance (each only
// when its input is present; provenance always).
func BuildStatements(ctx context.Context, in Input) ([]Statement, error) {
	if len(in.Subjects) == 0 {
		return nil, fmt.Errorf("build statements: no subject")
	}
	if in.ToolName == "" {
		in.ToolName = "cemark"
	}
	limit := in.SBOMInlineLimit
	if limit <= 0 {
		limit = DefaultSBOMInlineLimit
	}
	var out []Statement
	add := func(st Statement, err error) error {
		if err != nil {
			return err
		}
		out = append(out, st)
		return ctx.Err()
	}
	// The CycloneDX statement (an SBOM of MBs made canonical) is made
	// beside the others, and waited for whichever way this returns.
	var cdx Statement
	var cdxErr error
	cdxDone := make(chan struct{})
	go func() {
		defer close(cdxDone)
		if in.SBOMCycloneDX != nil {
			cdx, cdxErr = sbomStatement(in, NameSBOMCycloneDX, PredicateCycloneDX, "sbom.cdx.json", "application/vnd.cyclonedx+json", in.SBOMCycloneDX, limit)
		}
	}()
	defer func() { <-cdxDone }()
	if in.SBOMSPDX != nil {
		if err := add(sbomStatement(in, NameSBOMSPDX, PredicateSPDX, "sbom.spdx.json", "application/spdx+json", in.SBOMSPDX, limit)); err != nil {
			return nil, err
		}
	}
	if in.Report != nil {
		if err := add(testResultStatement(in)); err != nil {
			return nil, err
		}
		if err := add(reportStatement(in)); err != nil {
			return nil, err
		}
	}
	if err := add(provenanceStatement(in)); err != nil {
		return nil, err
	}
	<-cdxDone
	if in.SBOMCycloneDX != nil {
		if cdxErr != nil {
			return nil, cdxErr
		}
		out = append([]Statement{cdx}, out...)
	}
	return out, nil
}

// sbomStatement carries the SBOM inline, or, above limit, a reference to
// it by digest (in-toto reference predicate) so the envelope stays under
// GitHub's size cap; the Statement's Note says which.
func sbomStatement(in Input, name, predType, fileName, mediaType string, doc []byte, limit int64) (Statement, error) {
	if int64(len(doc)) <= limit {
		var pred any = json.RawMessage(doc)
		if i := slices.IndexFunc(in.SBOMPredicates, func(p *Predicate) bool { return p.madeFrom(doc) }); i >= 0 {
			pred = in.SBOMPredicates[i]
		}
		st, err := NewStatement(name, predType, in.Subjects, pred)
		if err != nil {
			return Statement{}, fmt.Errorf("SBOM %s: %w", fileName, err)
		}
		return st, nil
	}
	pred := map[string]any{
		"attester": map[string]any{"id": toolURI(in)},
		"references": []any{map[string]any{
			"name":      fileName,
			"mediaType": mediaType,
			"digest":    bytesDigests(doc),
			"annotations": map[string]any{
				"predicateType": predType,
				"size":          len(doc),
			},
		}},
	}
	st, err := NewStatement(name, PredicateReference, in.Subjects, pred)
	if err != nil {
		return Statement{}, err
	}
	st.ByDigest = true
	st.Note = fmt.Sprintf("%s is %s, above the inline limit of %s: attested by digest (sha256 %s), not inline",
		fileName, humanBytes(int64(len(doc))), humanBytes(limit), bytesDigests(doc)["sha256"])
	return st, nil
}

func toolURI(in Input) string {
	v := in.ToolVersion
	if v == "" {
		v = "unknown"
	}
	return "https://cemark.dev/tool/" + in.ToolName + "@" + v
}

func humanBytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	if n >= 1<<10 {
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// testResultStatement maps each check's outcome onto the in-toto
// test-result predicate: pass, info, waived and not-applicable are passed;
// warn is warned; fail and error are failed (an error assessed nothing).
func testResultStatement(in Input) (Statement, error) {
	tr := &testresultv0.TestResult{}
	for _, r := range in.Report.Results {
		switch r.Outcome {
		case checks.Fail, checks.Error:
			tr.FailedTests = append(tr.FailedTests, r.ID)
		case checks.Warn:
			tr.WarnedTests = append(tr.WarnedTests, r.ID)
		default:
			tr.PassedTests = append(tr.PassedTests, r.ID)
		}
	}
	switch {
	case len(tr.FailedTests) > 0:
		tr.Result = "FAILED"
	case len(tr.WarnedTests) > 0:
		tr.Result = "WARNED"
	default:
		tr.Result = "PASSED"
	}
	tr.Url = in.CI.RunURL
	if in.ConfigFile != nil {
		name := in.ConfigName
		if name == "" {
			name = config.FileName
		}
		d := bytesDigests(in.ConfigFile)
		tr.Configuration = append(tr.Configuration, &intotov1.ResourceDescriptor{Name: name, Digest: map[string]string{"sha256": d["sha256"]}})
	}
	tr.Configuration = append(tr.Configuration, &intotov1.ResourceDescriptor{Name: "tool", Uri: toolURI(in)})
	return NewStatement(NameTestResult, PredicateTestResult, in.Subjects, tr)
}

// ReportPredicate is the predicate of https://cemark.dev/report/v1: the
// full check report, or report.json by digest when it is above the inline
// limit, and the SBOM quality report.
type ReportPredicate struct {
	Report *checks.Report `json:"report,omitempty"`
	// ReportFile names report.json by digest instead of Report; a verifier
	// reads the report from that file beside the statement.
	ReportFile  *FileReference `json:"reportFile,omitempty"`
	SBOMQuality any            `json:"sbomQuality,omitempty"`
}

// reportStatement carries the report inline, or, when report.json is
// above the limit, names it by digest: a large product's report is tens of
// MB, which GitHub refuses as an attestation and which would be encoded,
// canonicalised, signed and written twice more only to repeat report.json.
func reportStatement(in Input) (Statement, error) {
	limit := in.ReportInlineLimit
	if limit <= 0 {
		limit = DefaultReportInlineLimit
	}
	var f *FileReference
	if in.ReportFile != nil {
		var err error
		if f, err = in.ReportFile(); err != nil {
			return Statement{}, fmt.Errorf("report statement: %w", err)
		}
	}
	if f == nil || f.Size <= limit {
		return NewStatement(NameReport, PredicateReport, in.Subjects, ReportPredicate{Report: in.Report, SBOMQuality: in.SBOMQuality})
	}
	st, err := NewStatement(NameReport, PredicateReport, in.Subjects, ReportPredicate{ReportFile: f, SBOMQuality: in.SBOMQuality})
	if err != nil {
		return Statement{}, err
	}
	st.ByDigest = true
	st.Note = fmt.Sprintf("%s is %s, above the inline limit of %s: attested by digest (sha256 %s), not inline",
		f.Name, humanBytes(f.Size), humanBytes(limit), f.Digest["sha256"])
	return st, nil
}

// BuildType returns the SLSA build type cemark uses on a platform.
func BuildType(platform string) string {
	switch platform {
	case ci.GitHub, ci.GitLab:
	default:
		platform = ci.Local
	}
	return "https://cemark.dev/buildtypes/" + platform + "/v1"
}

// LocalBuilderID is the builder ID of a run outside CI.
const LocalBuilderID = "https://cemark.dev/local"

// provenanceStatement makes SLSA provenance v1 from the allow-listed CI
// facts only (ci.Environment never holds a secret or an arbitrary variable).
func provenanceStatement(in Input) (Statement, error) {
	env := in.CI
	commit := env.Commit
	if commit == "" {
		commit = in.Commit
	}
	repoURL := in.Remote
	if env.ServerURL != "" && env.Repository != "" {
		repoURL = env.ServerURL + "/" + env.Repository
	}
	// entryPoint is always set: SLSA requires externalParameters, and a
	// local run has no CI facts to put there.
	ext := map[string]any{"entryPoint": nonEmpty(in.ToolName, "cemark") + " run"}
	setIf := func(m map[string]any, k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	setIf(ext, "repository", repoURL)
	setIf(ext, "ref", env.Ref)
	setIf(ext, "workflow", env.Workflow)
	setIf(ext, "eventName", env.EventName)
	internal := map[string]any{"platform": nonEmpty(env.Platform, ci.Local)}
	setIf(internal, "runnerEnvironment", env.RunnerEnv)
	setIf(internal, "runnerOs", env.RunnerOS)
	setIf(internal, "jobName", env.JobName)
	extS, err := structpb.NewStruct(ext)
	if err != nil {
		return Statement{}, fmt.Errorf("provenance: %w", err)
	}
	intS, err := structpb.NewStruct(internal)
	if err != nil {
		return Statement{}, fmt.Errorf("provenance: %w", err)
	}
	var deps []*intotov1.ResourceDescriptor
	if commit != "" && gitSHA.MatchString(strings.ToLower(commit)) {
		uri := repoURL
		if uri != "" {
			uri = "git+" + strings.TrimPrefix(uri, "git+")
			if env.Ref != "" {
				uri += "@" + env.Ref
			}
		}
		deps = append(deps, &intotov1.ResourceDescriptor{Uri: uri, Name: nonEmpty(uri, "source"), Digest: map[string]string{"gitCommit": strings.ToLower(commit)}})
	}
	deps = append(deps, in.Materials...)
	builderID := LocalBuilderID
	switch env.Platform {
	case ci.GitHub:
		if env.Workflow != "" {
			builderID = nonEmpty(env.ServerURL, "https://github.com") + "/" + env.Workflow
		} else if repoURL != "" {
			builderID = repoURL + "/actions"
		}
	case ci.GitLab:
		if repoURL != "" {
			builderID = repoURL + "/-/runners/" + nonEmpty(env.RunnerEnv, "self-managed")
		}
	}
	prov := &provenancev1.Provenance{
		BuildDefinition: &provenancev1.BuildDefinition{
			BuildType:            BuildType(env.Platform),
			ExternalParameters:   extS,
			InternalParameters:   intS,
			ResolvedDependencies: deps,
		},
		RunDetails: &provenancev1.RunDetails{
			Builder: &provenancev1.Builder{Id: builderID, Version: map[string]string{nonEmpty(in.ToolName, "cemark"): nonEmpty(in.ToolVersion, "unknown")}},
			Metadata: &provenancev1.BuildMetadata{
				InvocationId: env.RunURL,
			},
		},
	}
	if !in.Time.IsZero() {
		ts := timestamppb.New(in.Time.UTC())
		prov.RunDetails.Metadata.StartedOn = ts
		prov.RunDetails.Metadata.FinishedOn = ts
	}
	if err := prov.Validate(); err != nil {
		return Statement{}, fmt.Errorf("provenance: %w", err)
	}
	return NewStatement(NameProvenance, PredicateProvenance, in.Subjects, prov)
}

func nonEmpty(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
