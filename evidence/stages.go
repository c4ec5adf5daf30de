package evidence

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"

	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/exitcode"
	"github.com/cemark/cemark/evidence/gitinfo"
	"github.com/cemark/cemark/evidence/techfile"
)

// encodeReports turns the run's evidence into files. Each format has one
// encoder (evidence/format/*); the same bytes are written and attested.
func encodeReports(ev *Evidence, files map[string][]byte) error {
	if ev.SBOM != nil {
		files["sbom.cdx.json"] = ev.SBOM.CycloneDX
		files["sbom.spdx.json"] = ev.SBOM.SPDX
		q, err := marshal(ev.SBOM.Quality)
		if err != nil {
			return err
		}
		files["sbom-quality.json"] = q
		files["sbom-quality.txt"] = []byte(ev.SBOM.Quality.Summary())
	}
	if ev.Report != nil {
		if err := reportFiles(ev, files); err != nil {
			return err
		}
		inv := ev.Report.Facts.Inventory
		if inv != nil {
			b, err := marshal(inv)
			if err != nil {
				return err
			}
			files["ports.json"] = b
		}
	}
	c, err := marshal(struct {
		Route      any    `json:"conformity_route"`
		Assessment any    `json:"assessment"`
		Notice     string `json:"notice"`
	}{ev.Route, ev.Assessment, "cemark shows evidence and gaps per Annex I point; the manufacturer declares conformity under its sole responsibility."})
	if err != nil {
		return err
	}
	files["conformity.json"] = c
	return addVulnFiles(ev, files)
}

func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// buildStatements makes every statement but the conformity statement.
func buildStatements(ctx context.Context, ev *Evidence, opts Options, p Progress) error {
	var images []attest.Image
	if ev.SBOM != nil {
		for _, im := range ev.SBOM.Images {
			images = append(images, attest.Image{Name: im.Name, ManifestDigest: im.ManifestDigest})
		}
	}
	globs := append(append([]string{}, ev.Config.Attestations.Subjects...), opts.Subjects...)
	// Read once: it names the commit subject and the provenance's source.
	remote, _ := gitinfo.Remote(ctx, ev.Root)
	var subjects []*intotov1.ResourceDescriptor
	if len(globs) == 0 && len(images) == 0 && ev.Commit == "" && ev.SBOM != nil {
		// Outside git with nothing named, the product is identified by its
		// SBOM: the statements are about what that document describes.
		s512 := sha512.Sum512(ev.SBOM.CycloneDX)
		subjects = append(subjects, &intotov1.ResourceDescriptor{
			Name:   "sbom.cdx.json",
			Digest: map[string]string{"sha256": sha256Hex(ev.SBOM.CycloneDX), "sha512": hex.EncodeToString(s512[:])},
		})
		p.Notice("no --subject and no git commit: the statements name the CycloneDX SBOM as their subject")
	} else {
		var err error
		lim := attest.ReadLimits{MaxFileSize: maxFileSize(ev.Config), Skipped: func(path, reason string) {
			p.Notice(fmt.Sprintf("subject %s skipped: %s", path, reason))
		}}
		if subjects, err = attest.SubjectsWithin(ctx, ev.Root, globs, images, ev.Commit, remote, ev.Config.Product.Name, lim); err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
	}
	in := attest.Input{
		Subjects:        subjects,
		SBOMInlineLimit: ev.Config.Attestations.SBOMInlineLimit,
		Report:          ev.Report,
		CI:              ev.CI,
		Config:          ev.Config,
		Commit:          ev.Commit,
		ToolName:        "cemark",
		ToolVersion:     ev.Tool.Cemark,
		Time:            ev.Time,
	}
	if ev.SBOM != nil {
		in.SBOMCycloneDX, in.SBOMSPDX, in.SBOMQuality = ev.SBOM.CycloneDX, ev.SBOM.SPDX, ev.SBOM.Quality
	}
	if ev.configFile != nil {
		in.ConfigFile, in.ConfigName = ev.configFile, filepath.Base(ev.ConfigPath)
	}
	in.Remote = remote
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
	for _, st := range sts {
		if st.ByDigest {
			ev.SBOMByDigest = true
		}
	}
	return nil
}

// renderDocs renders the technical file from the evidence so far.
func renderDocs(ctx context.Context, ev *Evidence, opts Options, check bool) (*techfile.Result, error) {
	in := techfile.Input{
		Config:     ev.Config,
		Route:      ev.Route,
		Assessment: ev.Assessment,
		Product:    techfile.Product{Name: ev.Config.Product.Name, Version: ev.Config.Product.Version},
		Report:     ev.Report,
		Pipelines:  buildPipelines(ctx, ev.Root),
		Commit:     ev.Commit,
		Signers:    ev.signers,
		Art14:      art14Summary(ev),
		Vulns:      ev.Vulns,
		EvidenceFiles: map[string]string{
			"report.json": "report.json", "report.sarif": "report.sarif", "report.md": "report.md",
			"codequality.json": "codequality.json", "ports.json": "ports.json",
			"sbom.cdx.json": "sbom.cdx.json", "sbom.spdx.json": "sbom.spdx.json",
			"sbom-quality.json": "sbom-quality.json", "conformity.json": "conformity.json",
			"attestations.intoto.jsonl": "attestations.intoto.jsonl", "run.json": "run.json",
		},
		ToolName:    "cemark",
		ToolVersion: ev.Tool.Cemark,
		Date:        ev.Time,
	}
	// Links from the technical file to the evidence files, relative to
	// the repository root (the technical file resolves them).
	docsDir := ev.plan.docsDir
	if rel := relIfInside(ev.Root, ev.OutDir); rel != "" {
		for k, v := range in.EvidenceFiles {
			in.EvidenceFiles[k] = rel + "/" + v
		}
	} else {
		in.EvidenceFiles = nil // outside the repository: nothing to link to
	}
	if ev.SBOM != nil {
		in.SBOM = techfile.SBOMFacts{
			CycloneDXSHA256: sha256Hex(ev.SBOM.CycloneDX),
			SPDXSHA256:      sha256Hex(ev.SBOM.SPDX),
			ComponentCount:  len(ev.SBOM.Components),
			QualityVerdict:  ev.SBOM.Quality.Verdict,
		}
		for _, c := range ev.SBOM.Components {
			if c.TopLevel {
				in.SBOM.TopLevel = append(in.SBOM.TopLevel, techfile.Component{Name: c.Name, Version: c.Version, PURL: c.PURL, Licences: c.Licences, Network: c.Network})
			}
		}
		for _, f := range ev.SBOM.Quality.Fields {
			in.SBOM.Quality = append(in.SBOM.Quality, techfile.QualityRow{Field: f.Field, Share: f.Share, Verdict: f.Verdict})
		}
		if ev.Config.Docs.IncludeSBOM {
			in.SBOM.CycloneDX = ev.SBOM.CycloneDX
		}
	}
	// The report and the vulnerability statement of a scanned SBOM carry the
	// database of the day (its date, EPSS scores): listed, they would make
	// the file stale every day.
	scanned := ev.Vulns != nil && ev.Vulns.Assessed
	for _, st := range ev.Statements {
		// Provenance and the test result name the CI run (its ID and URL):
		// listing their digests would change the technical file on every
		// build of an unchanged product. They stay in attestations.intoto.jsonl.
		if st.Name == "provenance" || st.Name == "test-result" || (scanned && (st.Name == attest.NameReport || st.Name == attest.NameVulns)) {
			continue
		}
		in.Attestations = append(in.Attestations, techfile.AttestationRef{Name: st.Name, PredicateType: st.PredicateType, Digest: st.Digest()})
	}
	lang := opts.DocsLang
	if lang == "" {
		lang = ev.Config.Docs.Lang
	}
	tmpl := opts.TemplatesDir
	if tmpl == "" && ev.Config.Docs.Templates != "" {
		tmpl = absPath(ev.Root, ev.Config.Docs.Templates)
	}
	return techfile.Render(ctx, in, techfile.Options{
		Root: ev.Root, Dir: docsDir, Lang: lang, TemplatesDir: tmpl, Check: check || opts.DocsCheck,
		AcceptChanges: opts.AcceptChanges,
		// The documents are committed with the evidence (stage_write.go).
		Stage: true,
	})
}

func docsSummary(tf *techfile.Result) string {
	counts := map[string]int{}
	for _, f := range tf.Files {
		counts[f.Status]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d %s", counts[k], k)
	}
	return s
}

// techFileDigest is a SHA-256 over the bundle: each file's path and
// content digest, sorted, so that the conformity statement pins the
// technical file it was made with.
func techFileDigest(ev *Evidence) string {
	if ev.TechFile == nil {
		return ""
	}
	files := append([]techfile.FileResult(nil), ev.TechFile.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s  %s\n", f.SHA256, f.Path)
	}
	return hex.EncodeToString(h.Sum(nil))
}
