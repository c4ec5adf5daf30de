package evidence

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/format"
)

// This file is where CI outputs point: the product root's folder in the
// repository, computed once per run, and the file a finding without one
// points at. SARIF, Code Quality, GitHub annotations and the job summary,
// and GitLab's dependency report all take their paths from here.

// repoPrefix is the product root's folder relative to the repository
// root: opts.PathPrefix when given, else git's answer when the root is in a work tree (so a checkout into a
// sub-folder of the CI workspace is right too), else the root relative to
// opts.RepoRoot (a CI workspace that is not a git checkout), else "".
func repoPrefix(absRoot, gitPrefix string, inRepo bool, opts Options) string {
	if opts.PathPrefix != "" {
		return strings.Trim(filepath.ToSlash(opts.PathPrefix), "/")
	}
	if inRepo {
		return gitPrefix
	}
	if opts.RepoRoot == "" {
		return ""
	}
	repo, err := filepath.Abs(opts.RepoRoot)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(repo, absRoot)
	if err != nil || !filepath.IsLocal(rel) {
		return ""
	}
	if rel = filepath.ToSlash(rel); rel == "." {
		return ""
	}
	return rel
}

// readmeNames are the product folder's README, in the order looked for.
var readmeNames = []string{"README.md", "README", "README.rst", "README.txt", "README.adoc", "readme.md"}

// FallbackFile is the file, relative to the product root, that findings
// without a file point at in CI outputs: the configuration file when it
// exists, else the product folder's README, else the evidence file that
// the finding's facts are in (the SBOM, else report.json) by its real path.
func (ev *Evidence) FallbackFile() string {
	if f := fallbackFile(ev.Root, relIfInside(ev.Root, ev.ConfigPath)); f != "" {
		return f
	}
	out := ev.evidenceDirRel()
	if out == "" {
		return ""
	}
	if ev.SBOM != nil {
		return path.Join(out, evidencedir.SBOMCycloneDX)
	}
	return path.Join(out, evidencedir.Report)
}

// evidenceDirRel is the evidence directory relative to the product root
// when this run writes it there; "" otherwise (cemark check writes none,
// so its reports point at no evidence file).
func (ev *Evidence) evidenceDirRel() string {
	if ev.plan == nil || !ev.plan.writesEvidence {
		return ""
	}
	return relIfInside(ev.Root, ev.OutDir)
}

// fallbackFile is the configuration file (a slash path relative to root,
// "" for none) when it exists, else the product folder's README, else "".
func fallbackFile(root, config string) string {
	if config != "" && fileExists(root, config) {
		return config
	}
	for _, n := range readmeNames {
		if fileExists(root, n) {
			return n
		}
	}
	return ""
}

func (ev *Evidence) fileExists(rel string) bool { return fileExists(ev.Root, rel) }

func fileExists(root, rel string) bool {
	fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
	return err == nil && fi.Mode().IsRegular()
}

// CIReport is the check report as repository-rooted consumers need it
// (format.Locate): every finding names a file that exists, relative to the
// repository root. report.json keeps the product-relative paths.
func (ev *Evidence) CIReport() *checks.Report {
	return format.Locate(ev.Report, ev.Location())
}

// Location is this run's format.Location. Its Exists asks the file
// system once per file and run, of a file it found: a report of thousands
// of findings names thousands of files, and the SARIF, Code Quality and
// the run's summary each locate them. A file it did not find it asks
// again each time: the write stage may have made it since (the technical
// file's documents).
func (ev *Evidence) Location() format.Location {
	out := ev.evidenceDirRel()
	return format.Location{
		Prefix:   ev.RepoPrefix,
		Fallback: ev.FallbackFile(),
		Exists: func(rel string) bool {
			// Evidence files are written after the reports are encoded.
			if out != "" && strings.HasPrefix(rel, out+"/") {
				return true
			}
			if _, ok := ev.existing.Load(rel); ok {
				return true
			}
			if !ev.fileExists(rel) {
				return false
			}
			ev.existing.Store(rel, true)
			return true
		},
	}
}
