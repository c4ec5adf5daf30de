// Package format lists the report encoders, one package each: json
// (report.json), sarif, codequality (GitLab Code Quality), markdown and
// table. The CLI and the pipeline pick encoders here by name.
package format

import (
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/format/codequality"
	"github.com/cemark/cemark/evidence/format/json"
	"github.com/cemark/cemark/evidence/format/markdown"
	"github.com/cemark/cemark/evidence/format/sarif"
	"github.com/cemark/cemark/evidence/format/table"
)

// Format is one encoder of a check report.
type Format struct {
	ID string // the --format name (evidencedir.ReportFile names its file)
	// RepoRooted formats are read from the repository (GitHub code
	// scanning, GitLab merge requests): they are encoded from a Located
	// report, paths from the repository root.
	RepoRooted bool
	Encode     func(w io.Writer, r *checks.Report) error
}

// All returns the formats in a fixed order.
func All() []Format {
	return []Format{
		{ID: table.ID, Encode: table.Encode},
		{ID: json.ID, Encode: json.Encode},
		{ID: sarif.ID, RepoRooted: true, Encode: sarif.Encode},
		{ID: codequality.ID, RepoRooted: true, Encode: codequality.Encode},
		{ID: markdown.ID, Encode: markdown.Encode},
	}
}

// IDs lists the format names.
func IDs() []string {
	var out []string
	for _, f := range All() {
		out = append(out, f.ID)
	}
	return out
}

// Lookup returns the format with this name.
func Lookup(id string) (Format, error) {
	for _, f := range All() {
		if f.ID == id {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown format %q: want one of %s", id, strings.Join(IDs(), ", "))
}

// WithPathPrefix returns a copy of r whose finding paths (and config file)
// start with prefix, for consumers that resolve paths against the
// repository root (GitHub code scanning, GitLab Code Quality) when the
// product is a folder of the repository. r is not changed.
func WithPathPrefix(r *checks.Report, prefix string) *checks.Report {
	prefix = strings.Trim(filepath.ToSlash(filepath.Clean(prefix)), "/")
	if r == nil || prefix == "" || prefix == "." {
		return r
	}
	join := func(p string) string {
		if p == "" {
			return ""
		}
		return path.Join(prefix, p)
	}
	c := *r
	c.ConfigFile = join(r.ConfigFile)
	if c.ConfigFile == "" {
		c.ConfigFile = path.Join(prefix, config.FileName)
	}
	c.Results = make([]checks.Result, len(r.Results))
	for i, res := range r.Results {
		res.Findings = append([]checks.Finding(nil), res.Findings...)
		for j := range res.Findings {
			res.Findings[j].Path = join(res.Findings[j].Path)
		}
		c.Results[i] = res
	}
	c.FileErrors = append([]checks.FileError(nil), r.FileErrors...)
	for i := range c.FileErrors {
		c.FileErrors[i].Path = join(c.FileErrors[i].Path)
	}
	return &c
}
