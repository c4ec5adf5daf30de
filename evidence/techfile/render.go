package techfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/templates"

	"github.com/cemark/cemark/evidence/contain"
)

// orphanHeading heads the section that keeps manual text a newer template
// no longer has a place for.
const orphanHeading = "## Orphaned manual text\n\n" +
	"The template of this document no longer has the manual regions below. cemark keeps their text here so that nothing " +
	"is lost: move what is still needed into the current regions above, then delete the region.\n"

// Render renders the technical file into Options.Dir under Options.Root,
// or, with Options.Check, computes it, compares it with what is committed
// and writes nothing. Documents are rendered completely in memory before
// the first write; each file is then replaced atomically.
func Render(ctx context.Context, in Input, opts Options) (*Result, error) {
	cfg := &config.Config{}
	if in.Config != nil {
		c := *in.Config
		cfg = &c
	}
	in.Config = cfg
	// The pipeline passes both; a caller that leaves them out gets the
	// same derivation rather than an empty route.
	if in.Route.Class == "" {
		in.Route = conformity.RouteFor(cfg)
	}
	if len(in.Assessment.Points) == 0 {
		var ai conformity.Inputs
		if in.Report != nil && in.Report.Facts.Vulnerabilities != nil {
			ai.VulnScan = &in.Report.Facts.Vulnerabilities.Summary
		}
		in.Assessment = conformity.AssessWith(cfg, in.Report, ai)
	}
	lang := firstOf(opts.Lang, cfg.Docs.Lang, "en")
	if lang != "en" && lang != "da" {
		return nil, fmt.Errorf("technical file language %q: expected en or da", lang)
	}
	root := firstOf(opts.Root, ".")
	absDir, relDir, err := resolveOutDir(root, firstOf(opts.Dir, cfg.Docs.Dir, DefaultDir))
	if err != nil {
		return nil, err
	}
	tl := templateLoader{lang: lang, funcs: funcMap()}
	if td := firstOf(opts.TemplatesDir, cfg.Docs.Templates); td != "" {
		if !filepath.IsAbs(td) {
			td = filepath.Join(root, td)
		}
		fi, err := os.Stat(td)
		if err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("templates folder %s: not a readable folder", td)
		}
		tl.override = td
	}

	res := &Result{Dir: relDir}
	out := map[string][]byte{}    // document name → bytes to write
	onDisk := map[string][]byte{} // document name → bytes found, when the file exists

	// Substantial modification watch.
	current := summarise(in)
	stPath := filepath.Join(absDir, StateFile)
	stBytes, hadState, err := readExisting(stPath)
	if err != nil {
		return nil, err
	}
	if hadState {
		stBytes = bytes.ReplaceAll(stBytes, []byte("\r\n"), []byte("\n"))
		onDisk[StateFile] = stBytes
	}
	st := state{Schema: stateSchema, Accepted: current, AcceptedOn: dateText(in), AcceptedCommit: in.Commit}
	if hadState && !opts.AcceptChanges {
		if st, err = parseState(stBytes); err != nil {
			return nil, failure.Usage(fmt.Errorf("%s: %w (delete it to start again from this run's evidence)", filepath.Join(relDir, StateFile), err))
		}
	}
	res.Substantial = compare(st.Accepted, current)
	out[StateFile] = encodeState(st)

	v := buildView(in, lang, relDir)
	v.Substantial = res.Substantial
	docFills := fills{}
	for _, name := range documents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if name == docIndex {
			v.Index = indexRows(in, v, docFills)
			res.Index = v.Index
		}
		fresh, err := tl.render(name, v)
		if err != nil {
			return nil, err
		}
		freshSegs, err := parseRegions(fresh)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", tl.describe(name), err)
		}
		docPath := filepath.Join(absDir, name)
		rel := path.Join(relDir, name)
		old, exists, err := readExisting(docPath)
		if err != nil {
			return nil, err
		}
		if exists {
			// A checkout with CRLF line ends (git autocrlf) is the same text.
			old = bytes.ReplaceAll(old, []byte("\r\n"), []byte("\n"))
			onDisk[name] = old
		}
		var oldSegs []segment
		if exists {
			if oldSegs, err = parseRegions(string(old)); err != nil {
				// Damaged markers: leave the file exactly as it is.
				res.ManualEdits = append(res.ManualEdits, ManualEdit{File: rel, Region: "",
					Detail: fmt.Sprintf("cannot read the regions (%v); the file was left as it is — repair the markers, or delete the file to regenerate it", err)})
				docFills[name] = merge(freshSegs, nil, orphanHeading).manualFills
				out[name] = old
				continue
			}
		}
		var notices []string
		oldSegs, notices = tl.switchLanguage(name, rel, v, freshSegs, oldSegs)
		res.Notices = append(res.Notices, notices...)
		m := merge(freshSegs, oldSegs, orphanHeading)
		for _, e := range m.handEdits {
			e.File = rel
			res.ManualEdits = append(res.ManualEdits, e)
		}
		docFills[name] = m.manualFills
		out[name] = []byte(m.doc)
	}
	// Files are reported index first, then in Annex VII order.
	names := []string{docIndex}
	for _, d := range documents {
		if d != docIndex {
			names = append(names, d)
		}
	}
	if cfg.Docs.IncludeSBOM && len(in.SBOM.CycloneDX) > 0 {
		out[docSBOM] = in.SBOM.CycloneDX
		names = append(names, docSBOM)
	}
	names = append(names, StateFile)

	var diffs strings.Builder
	for _, name := range names {
		p := filepath.Join(absDir, name)
		rel := path.Join(relDir, name)
		old, exists := onDisk[name]
		if name == docSBOM {
			if old, exists, err = readExisting(p); err != nil {
				return nil, err
			}
		}
		fr := FileResult{Path: rel, Status: StatusUnchanged, SHA256: hashOf(string(out[name]))}
		if exists && bytes.Equal(old, out[name]) {
			res.Files = append(res.Files, fr)
			continue
		}
		res.Changed = true
		if opts.Check {
			fr.Status = StatusStale
			from := "a/" + rel
			if !exists {
				from = "/dev/null"
			}
			diffs.WriteString(unifiedDiff(from, "b/"+rel, string(old), string(out[name])))
		} else {
			if opts.Stage {
				res.Writes = append(res.Writes, Write{Path: p, Data: out[name]})
			} else if err := writeAtomic(p, out[name]); err != nil {
				return res, err
			}
			fr.Status = StatusUpdated
			if !exists {
				fr.Status = StatusCreated
			}
		}
		res.Files = append(res.Files, fr)
	}
	if opts.Check {
		stray, err := strayFiles(absDir, relDir)
		if err != nil {
			return nil, err
		}
		res.Stray = stray
		for _, s := range stray {
			diffs.WriteString(fmt.Sprintf("stray temporary file %s, left by an interrupted write: run `cemark docs` (it removes it) or delete it\n", s))
		}
	}
	res.Diff = diffs.String()
	return res, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// maxTemplateSize bounds an override template: a few KiB in practice.
const maxTemplateSize = 1 << 20

// templateLoader finds a document's template: for Danish, the da/ version
// first; within a language, the override folder before the embedded tree.
type templateLoader struct {
	override string
	lang     string
	funcs    template.FuncMap
}

func (l templateLoader) candidates(doc string) []string {
	name := doc + ".tmpl"
	var out []string
	if l.lang != "en" && localised[doc] {
		out = append(out, l.lang+"/"+name)
	}
	return append(out, name)
}

// load returns the template text and where it came from.
func (l templateLoader) load(doc string) (text, source string, err error) {
	for _, c := range l.candidates(doc) {
		if l.override != "" {
			p := filepath.Join(l.override, filepath.FromSlash(c))
			b, err := contain.ReadRegular(p, maxTemplateSize)
			if err == nil {
				return string(b), p, nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return "", "", fmt.Errorf("read template %s: %w", p, err)
			}
		}
		b, err := fs.ReadFile(templates.TechDoc, "techdoc/"+c)
		if err == nil {
			return string(b), "templates/techdoc/" + c + " (embedded)", nil
		}
	}
	return "", "", fmt.Errorf("no template for %s", doc)
}

func (l templateLoader) describe(doc string) string {
	_, src, err := l.load(doc)
	if err != nil {
		return doc
	}
	return src
}

var blankRuns = regexp.MustCompile(`\n{3,}`)

func (l templateLoader) render(doc string, v view) (string, error) {
	text, src, err := l.load(doc)
	if err != nil {
		return "", err
	}
	t, err := template.New(doc).Funcs(l.funcs).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("parse template %s: %w", src, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, v); err != nil {
		return "", fmt.Errorf("render template %s: %w", src, err)
	}
	// Conditional sections leave blank runs behind; one blank line is enough.
	s := blankRuns.ReplaceAllString(b.String(), "\n\n")
	return strings.TrimLeft(strings.TrimRight(s, "\n"), "\n") + "\n", nil
}
