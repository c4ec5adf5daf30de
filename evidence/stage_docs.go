package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/techfile"
)

// docsStage renders the technical file (Annex VII, with the declaration
// and the user information) from the evidence so far; the write stage
// commits it with the evidence. It always runs: it reads the technical
// file as it is on disk — manual regions, the accepted summary — which
// the last run itself wrote.
var docsStage = stageDef{
	name: StageDocs,
	inputs: "the configuration, the SBOM's facts, the report and the assessment, the statements' digests, the signers, " +
		"the Art. 14 events, the build pipelines git tracks, the technical file on disk (manual regions, the accepted summary), the templates",
	outputs: "the technical file's documents (written by the write stage, or compared with --check)",
	run:     runDocs,
}

func runDocs(ctx context.Context, r *runState) (string, error) {
	tf, err := renderDocs(ctx, r.ev, r.opts, r.pipelines.get(), false)
	if err != nil {
		return "", err
	}
	r.ev.TechFile = tf
	for _, me := range tf.ManualEdits {
		r.p.Notice(DescribeManualEdit(me))
	}
	for _, n := range tf.Notices {
		r.p.Notice(n)
	}
	return docsSummary(tf), nil
}

// renderDocs renders the technical file from the evidence so far and the
// build pipelines git tracks.
func renderDocs(ctx context.Context, ev *Evidence, opts Options, pipelines []string, check bool) (*techfile.Result, error) {
	in := techfile.Input{
		Config:        ev.Config,
		Route:         ev.Route,
		Assessment:    ev.Assessment,
		Product:       techfile.Product{Name: ev.Config.Product.Name, Version: ev.Config.Product.Version},
		Report:        ev.Report,
		Pipelines:     pipelines,
		Commit:        ev.Commit,
		Signers:       ev.signers,
		Art14:         art14Summary(ev),
		Vulns:         ev.Vulns,
		EvidenceFiles: map[string]string{},
		ToolName:      "cemark",
		ToolVersion:   ev.Tool.Cemark,
		Date:          ev.Time,
	}
	// Links from the technical file to the evidence files, relative to
	// the repository root (the technical file resolves them).
	docsDir := ev.plan.docsDir
	if rel := relIfInside(ev.Root, ev.OutDir); rel != "" {
		for _, name := range []string{evidencedir.Report, evidencedir.ReportSARIF, evidencedir.ReportMarkdown,
			evidencedir.CodeQuality, evidencedir.Ports, evidencedir.SBOMCycloneDX, evidencedir.SBOMSPDX,
			evidencedir.SBOMQuality, evidencedir.Conformity, evidencedir.Attestations, evidencedir.RunRecord} {
			in.EvidenceFiles[name] = rel + "/" + name
		}
	} else {
		in.EvidenceFiles = nil // outside the repository: nothing to link to
	}
	if ev.SBOM != nil {
		cdx, spdx, err := ev.SBOM.SHA256()
		if err != nil {
			return nil, err
		}
		in.SBOM = techfile.SBOMFacts{
			CycloneDXSHA256: cdx,
			SPDXSHA256:      spdx,
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
