package evidence

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks/all"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/evidence/techfile"
)

// runPlan is where one run reads and writes, decided in the config stage
// before any work is done.
type runPlan struct {
	bounds contain.Bounds
	// outDir is the evidence directory, absolute.
	outDir string
	// docsDir is the technical file's folder relative to the product root,
	// slash-separated; docsAbs the same, absolute.
	docsDir, docsAbs string
	// writesEvidence and writesDocs say what the run commits.
	writesEvidence, writesDocs bool
	// stateDir holds the run lock and the commit journal.
	stateDir string
	// outside lists command-line paths outside the product root that the
	// run reads: a conscious act, recorded in run.json.
	outside []string
}

// writes reports whether the run writes anything (and so takes the lock).
func (p *runPlan) writes() bool { return p.writesEvidence || p.writesDocs }

// planRun resolves every path the run writes through contain, with the
// origin of each (a flag, a CI input or cemark.yaml:line:column), and
// checks every path, glob and check ID the configuration and the command
// line name — all before the SBOM is made. Each problem is exit 2.
func planRun(root string, opts Options, cfg *config.Config) (*runPlan, error) {
	b, err := contain.New(root, opts.Workspace)
	if err != nil {
		return nil, err
	}
	p := &runPlan{bounds: b, writesEvidence: opts.WriteEvidence, writesDocs: !opts.NoDocs && !opts.DocsCheck}

	// The evidence directory.
	outPath, outFrom := ".cemark", contain.Origin{Key: "the default evidence directory"}
	switch {
	case opts.OutDir != "":
		outPath, outFrom = opts.OutDir, contain.Flag(orDefault(opts.OutDirFrom, "--out"))
	case cfg.Outputs.Dir != "":
		outPath, outFrom = cfg.Outputs.Dir, configOrigin(cfg, "outputs.dir")
	}
	if p.writesEvidence {
		if p.outDir, err = b.EvidenceDir(outPath, outFrom); err != nil {
			return nil, err
		}
	} else {
		p.outDir = absPath(b.Product, outPath)
	}

	// The technical file's folder: inside the product root, whatever the
	// boundary, because its links are relative to the root.
	docsPath, docsFrom := techfile.DefaultDir, contain.Origin{Key: "the default technical-file folder"}
	switch {
	case opts.DocsDir != "":
		docsPath, docsFrom = opts.DocsDir, contain.Flag(orDefault(opts.DocsDirFrom, "--docs-dir"))
	case cfg.Docs.Dir != "":
		docsPath, docsFrom = cfg.Docs.Dir, configOrigin(cfg, "docs.dir")
	}
	if !opts.NoDocs {
		pb, err := contain.New(b.Product, "")
		if err != nil {
			return nil, err
		}
		if p.docsAbs, err = pb.Dir(docsPath, docsFrom); err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(b.Product, p.docsAbs)
		p.docsDir = filepath.ToSlash(rel)
		if err := techfile.Precheck(p.docsAbs, p.docsDir, opts.AcceptChanges); err != nil {
			return nil, err
		}
		if p.writesEvidence && (contain.Within(p.outDir, p.docsAbs) || contain.Within(p.docsAbs, p.outDir)) {
			return nil, failure.Usage(fmt.Errorf("%s %q and %s %q overlap: cemark replaces the evidence directory whole, so the technical file must live elsewhere",
				outFrom, outPath, docsFrom, docsPath))
		}
	} else {
		p.docsDir = filepath.ToSlash(filepath.Clean(docsPath))
		p.docsAbs = absPath(b.Product, docsPath)
	}
	p.stateDir = evidencedir.StateDir(b.Product, p.outDir)

	if err := p.checkInputs(opts, cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// checkInputs validates what the run will read: globs, paths and check IDs
// from cemark.yaml (inside the product root, with their position) and from
// the command line (absolute paths allowed and recorded).
func (p *runPlan) checkInputs(opts Options, cfg *config.Config) error {
	b := p.bounds
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	globs := func(key string, vals []string) {
		for i, g := range vals {
			add(contain.CheckGlob(g, configOrigin(cfg, fmt.Sprintf("%s[%d]", key, i)), false))
		}
	}
	globs("exclude", cfg.Exclude)
	globs("updates.artifacts", cfg.Updates.Artifacts)
	globs("attestations.subjects", cfg.Attestations.Subjects)
	for _, g := range opts.Artifacts {
		add(contain.CheckGlob(g, contain.Flag("--artifacts"), true))
		p.noteOutside(g)
	}
	for _, g := range opts.Subjects {
		add(contain.CheckGlob(g, contain.Flag("--subject"), true))
		p.noteOutside(g)
	}

	// Sources: those of the command line win over cemark.yaml's.
	if len(opts.Sources) > 0 {
		for _, s := range opts.Sources {
			add(p.checkSource(s, contain.Flag("--source"), true))
		}
	} else {
		for i, s := range cfg.Sources {
			add(p.checkSource(s, configOrigin(cfg, fmt.Sprintf("sources[%d]", i)), false))
		}
	}

	// Files and folders cemark.yaml names for reading.
	readPath := func(key, val string) string {
		if val == "" {
			return ""
		}
		abs, err := b.ReadPath(val, configOrigin(cfg, key), false)
		add(err)
		return abs
	}
	for i, k := range cfg.Updates.Keys {
		readPath(fmt.Sprintf("updates.keys[%d].path", i), k.Path)
	}
	readPath("updates.trusted_root", cfg.Updates.TrustedRoot)
	readPath("advisories.folder", cfg.Advisories.Folder)
	if c := cfg.Advisories.CSAF; c != "" && !strings.Contains(c, "://") {
		readPath("advisories.csaf", c)
	}
	if !opts.NoDocs {
		if opts.TemplatesDir != "" {
			abs, err := b.ReadPath(opts.TemplatesDir, contain.Flag("--templates"), true)
			add(err)
			if err == nil {
				add(mustBeDir(abs, opts.TemplatesDir, contain.Flag("--templates")))
				p.noteOutside(abs)
			}
		} else if abs := readPath("docs.templates", cfg.Docs.Templates); abs != "" {
			add(mustBeDir(abs, cfg.Docs.Templates, configOrigin(cfg, "docs.templates")))
		}
	}
	for _, k := range opts.UpdateKeys {
		abs, err := b.ReadPath(k, contain.Flag("--update-key"), true)
		add(err)
		if err == nil {
			if _, serr := os.Stat(abs); serr != nil {
				add(&contain.PathError{Path: k, Origin: contain.Flag("--update-key"), Reason: "cannot be read: " + errors.Unwrap(serr).Error()})
			}
			p.noteOutside(abs)
		}
	}

	// Check IDs.
	reg, err := all.Registry()
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, id := range reg.IDs() {
		known[id] = true
	}
	unknown := func(id string) bool { return !known[strings.ToUpper(strings.TrimSpace(id))] }
	valid := strings.Join(reg.IDs(), ", ")
	if len(opts.Checks) > 0 {
		for _, id := range opts.Checks {
			if strings.TrimSpace(id) != "" && unknown(id) {
				add(failure.Usage(fmt.Errorf("--checks: unknown check ID %q; expected one of: %s", id, valid)))
			}
		}
	} else {
		for i, id := range cfg.Checks.Select {
			if unknown(id) {
				add(cfg.ErrorAt(fmt.Sprintf("checks.select[%d]", i), "unknown check ID %q in checks.select; expected one of: %s", id, valid))
			}
		}
	}
	for i, w := range cfg.Waivers {
		if unknown(w.Check) {
			add(cfg.ErrorAt(fmt.Sprintf("waivers[%d].check", i), "waivers[%d] names no known check %q, so it would waive nothing; expected one of: %s", i, w.Check, valid))
		}
	}
	sort.Strings(p.outside)
	return joinUsage(errs)
}

// checkSource validates one SBOM source: its path inside the product root
// (or absolute from the command line), present, and of the right kind —
// a folder for dir: and oci-dir:, a regular file (never a FIFO or a
// device) for file:, docker-archive: and oci-archive:.
func (p *runPlan) checkSource(src string, o contain.Origin, fromCommandLine bool) error {
	kind, path, ok := strings.Cut(src, ":")
	if !ok {
		kind, path = "dir", src
	}
	if path == "" {
		path = "."
	}
	abs, err := p.bounds.ReadPath(path, o, fromCommandLine)
	if err != nil {
		return err
	}
	if fromCommandLine {
		p.noteOutside(abs)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return &contain.PathError{Path: src, Origin: o, Reason: "cannot be read: " + reason(err)}
	}
	switch kind {
	case "dir", "oci-dir":
		if !fi.IsDir() {
			return &contain.PathError{Path: src, Origin: o, Reason: fmt.Sprintf("is %s; a %s: source is a folder", contain.Kind(fi.Mode()), kind)}
		}
	default:
		if !fi.Mode().IsRegular() {
			return &contain.PathError{Path: src, Origin: o, Reason: fmt.Sprintf("is %s; a %s: source is a regular file", contain.Kind(fi.Mode()), kind)}
		}
	}
	return nil
}

// noteOutside records a command-line path that lies outside the product root.
func (p *runPlan) noteOutside(path string) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.bounds.Product, path)
	}
	if !contain.Within(p.bounds.Product, filepath.Clean(path)) {
		p.outside = append(p.outside, filepath.Clean(path))
	}
}

func mustBeDir(abs, given string, o contain.Origin) error {
	fi, err := os.Stat(abs)
	if err != nil {
		return &contain.PathError{Path: given, Origin: o, Reason: "is not a readable folder: " + reason(err)}
	}
	if !fi.IsDir() {
		return &contain.PathError{Path: given, Origin: o, Reason: fmt.Sprintf("is %s; expected a folder of templates", contain.Kind(fi.Mode()))}
	}
	return nil
}

func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// configOrigin is the origin of a setting of cemark.yaml, with its position.
func configOrigin(cfg *config.Config, key string) contain.Origin {
	where := cfg.Where(key)
	if where == "" {
		where = config.FileName
	}
	return contain.Origin{Key: key, Where: where}
}

// joinUsage joins usage errors into one exit-2 error, or returns nil.
func joinUsage(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return failure.Usage(errors.Join(errs...))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
