package evidence

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"

	intotov1 "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/cache"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
)

// attestStage builds the in-toto statements over the build's subjects:
// the SBOM in both formats, the test result, the report, the provenance
// and the vulnerabilities. The conformity statement follows the technical
// file (sign stage).
var attestStage = stageDef{
	name: StageAttest,
	inputs: "the SBOM, the report, the vulnerability scan, the subjects (attestations.subjects and --subject, else the commit " +
		"and the images), the commit and the git remote, the CI run, cemark.yaml",
	outputs:   "the statements (not yet signed) and their subjects",
	run:       runAttest,
	cached:    true,
	readsTree: true,
}

func runAttest(ctx context.Context, r *runState) (string, error) {
	ev := r.ev
	// Made for this stage's statements, and let go with it.
	defer func() { r.sbomPredicates = nil }()
	// Asked once (startGitFacts): it names the commit subject and the
	// provenance's source.
	remote := r.remote.get()
	key, err := r.attestKey(ctx, remote)
	if err != nil {
		return "", err
	}
	if key != "" {
		if summary, ok := r.restore(StageAttest, key, r.restoreStatements); ok {
			return summary, nil
		}
	}
	if err := buildStatements(ctx, r, remote); err != nil {
		return "", err
	}
	for _, st := range ev.Statements {
		if st.ByDigest {
			r.p.Notice(fmt.Sprintf("%s: %s", st.Name, st.Note))
		}
	}
	if key != "" {
		// Made now: the docs stage replaces the conformity statement.
		e, err := statementsEntry(ev)
		r.keep(StageAttest, key, func() (cache.Entry, error) { return e, err })
	}
	return fmt.Sprintf("%d statements; the conformity statement follows the technical file", len(ev.Statements)), nil
}

// attestKey is the digest of what the statements say: the SBOM, the
// report and the scan (their stages' keys, or digests), the subjects'
// globs and the tree they match in, the git remote and the CI run.
func (r *runState) attestKey(ctx context.Context, remote string) (cache.Key, error) {
	if r.cache == nil {
		return "", nil
	}
	ev := r.ev
	k := r.stageKey(StageAttest).Add("remote", remote).AddJSON("ci", ev.CI).
		AddJSON("subjects", r.opts.Subjects).Add("checks", string(r.checksKey))
	if ev.SBOM != nil {
		cdx, spdx, err := ev.SBOM.SHA256()
		if err != nil {
			return "", err
		}
		k.Add("cyclonedx", cdx).Add("spdx", spdx).
			AddJSON("images", ev.SBOM.Images).AddJSON("quality", ev.SBOM.Quality)
	}
	if r.checksKey == "" {
		b, err := json.Marshal(ev.Report)
		if err != nil {
			return "", err
		}
		k.Add("report", sha256Hex(b))
	}
	if ev.Vulns != nil {
		b, err := json.Marshal(ev.Vulns)
		if err != nil {
			return "", err
		}
		k.Add("vulns", sha256Hex(b))
	}
	if err := r.treeKey(ctx, k); err != nil {
		return "", err
	}
	return k.Sum(), nil
}

// The attest stage's entry: each statement's payload as it is, and the
// rest as JSON.
type statementsFacts struct {
	Statements []statementFacts `json:"statements"`
	// Subjects are the in-toto resource descriptors, protobuf JSON.
	Subjects []json.RawMessage `json:"subjects"`
}

type statementFacts struct {
	Name          string `json:"name"`
	PredicateType string `json:"predicate_type"`
	ByDigest      bool   `json:"by_digest,omitempty"`
	Note          string `json:"note,omitempty"`
}

func statementsEntry(ev *Evidence) (cache.Entry, error) {
	e := cache.Entry{}
	var f statementsFacts
	for i, st := range ev.Statements {
		f.Statements = append(f.Statements, statementFacts{Name: st.Name, PredicateType: st.PredicateType, ByDigest: st.ByDigest, Note: st.Note})
		e["payload-"+strconv.Itoa(i)] = st.Payload
	}
	for _, s := range ev.subjects {
		b, err := protojson.Marshal(s)
		if err != nil {
			return nil, err
		}
		f.Subjects = append(f.Subjects, b)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	e["statements.json"] = b
	return e, nil
}

func (r *runState) restoreStatements(e cache.Entry) error {
	var f statementsFacts
	if err := json.Unmarshal(e["statements.json"], &f); err != nil {
		return err
	}
	var sts []attest.Statement
	for i, s := range f.Statements {
		payload, ok := e["payload-"+strconv.Itoa(i)]
		if !ok {
			return fmt.Errorf("statement %d has no payload", i)
		}
		st := attest.WithPayload(s.Name, s.PredicateType, payload)
		st.ByDigest, st.Note = s.ByDigest, s.Note
		sts = append(sts, st)
	}
	var subjects []*intotov1.ResourceDescriptor
	for _, b := range f.Subjects {
		var d intotov1.ResourceDescriptor
		if err := protojson.Unmarshal(b, &d); err != nil {
			return err
		}
		subjects = append(subjects, &d)
	}
	r.ev.Statements, r.ev.subjects = sts, subjects
	markByDigest(r.ev)
	return nil
}

// markByDigest records which contents the statements name by digest.
func markByDigest(ev *Evidence) {
	for _, st := range ev.Statements {
		if !st.ByDigest {
			continue
		}
		switch st.Name {
		case attest.NameReport:
			ev.ReportByDigest = true
		case attest.NameSBOMCycloneDX, attest.NameSBOMSPDX:
			ev.SBOMByDigest = true
		}
	}
}

// buildStatements makes every statement but the conformity statement.
func buildStatements(ctx context.Context, r *runState, remote string) error {
	ev, opts, p := r.ev, r.opts, r.p
	var images []attest.Image
	if ev.SBOM != nil {
		for _, im := range ev.SBOM.Images {
			images = append(images, attest.Image{Name: im.Name, ManifestDigest: im.ManifestDigest})
		}
	}
	globs := append(append([]string{}, ev.Config.Attestations.Subjects...), opts.Subjects...)
	var subjects []*intotov1.ResourceDescriptor
	if len(globs) == 0 && len(images) == 0 && ev.Commit == "" && ev.SBOM != nil {
		// Outside git with nothing named, the product is identified by its
		// SBOM: the statements are about what that document describes.
		s512 := sha512.Sum512(ev.SBOM.CycloneDX)
		s256 := ev.SBOM.CycloneDXSHA256()
		subjects = append(subjects, &intotov1.ResourceDescriptor{
			Name:   evidencedir.SBOMCycloneDX,
			Digest: map[string]string{"sha256": s256, "sha512": hex.EncodeToString(s512[:])},
		})
		p.Notice("no --subject and no git commit: the statements name the CycloneDX SBOM as their subject")
	} else {
		var err error
		lim := attest.ReadLimits{MaxFileSize: maxFileSize(ev.Config), Skipped: func(path, reason string) {
			p.Notice(fmt.Sprintf("subject %s skipped: %s", path, reason))
		}}
		if subjects, err = attest.SubjectsWithin(ctx, ev.Root, globs, images, ev.Commit, remote, ev.Config.Product.Name, lim); err != nil {
			return failure.Usage(err)
		}
	}
	in := attest.Input{
		Subjects:          subjects,
		SBOMInlineLimit:   ev.Config.Attestations.SBOMInlineLimit,
		Report:            ev.Report,
		ReportInlineLimit: ev.Config.Attestations.ReportInlineLimit,
		CI:                ev.CI,
		Config:            ev.Config,
		Commit:            ev.Commit,
		ToolName:          "cemark",
		ToolVersion:       ev.Tool.Cemark,
		Time:              ev.Time,
	}
	if ev.SBOM != nil {
		spdx, err := ev.SBOM.SPDX()
		if err != nil {
			return err
		}
		in.SBOMCycloneDX, in.SBOMSPDX, in.SBOMQuality = ev.SBOM.CycloneDX, spdx, ev.SBOM.Quality
		in.SBOMPredicates = r.sbomPredicates.get()
	}
	if ev.configFile != nil {
		in.ConfigFile, in.ConfigName = ev.configFile, filepath.Base(ev.ConfigPath)
	}
	in.Remote = remote
	if ev.Report != nil {
		in.ReportFile = r.reportFileRef
	}
	sts, err := attest.BuildStatements(ctx, in)
	if err != nil {
		return err
	}
	vst, err := vulnStatement(ev, subjects)
	if err != nil {
		return err
	}
	sts = append(sts, vst...)
	ev.Statements = sts
	ev.subjects = subjects
	markByDigest(ev)
	return nil
}
