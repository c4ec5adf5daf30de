// Package gitlabds encodes a vulnerability scan as a GitLab Dependency
// Scanning report (gl-dependency-scanning-report.json, security report
// schema 15.2.1), so that the vulnerabilities cemark found in the SBOM
// appear in merge requests and the vulnerability report.
//
// One vulnerability entry per vulnerability × package. A finding a VEX
// statement waives (not_affected, justified) is kept and flagged as a
// likely false positive with the statement's justification; one a VEX
// statement says is fixed is left out. IDs are derived from the
// vulnerability, package and version, so the same finding keeps its ID
// across pipelines.
package gitlabds

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks/vulnscan"
)

// SchemaVersion is the GitLab security report schema version written.
const SchemaVersion = "15.2.1"

// SchemaURL is that schema's published location.
const SchemaURL = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v" + SchemaVersion + "/dist/dependency-scanning-report-format.json"

// Report is the top level of the report.
type Report struct {
	Version         string           `json:"version"`
	Schema          string           `json:"schema"`
	Scan            Scan             `json:"scan"`
	Vulnerabilities []Vulnerability  `json:"vulnerabilities"`
	DependencyFiles []DependencyFile `json:"dependency_files"`
}

// Scan describes the scan.
type Scan struct {
	Analyzer  Tool      `json:"analyzer"`
	Scanner   Tool      `json:"scanner"`
	Type      string    `json:"type"`
	StartTime string    `json:"start_time"`
	EndTime   string    `json:"end_time"`
	Status    string    `json:"status"`
	Messages  []Message `json:"messages,omitempty"`
}

// Tool is an analyzer or scanner.
type Tool struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	Version string `json:"version"`
	Vendor  Vendor `json:"vendor"`
}

// Vendor names who maintains a tool.
type Vendor struct {
	Name string `json:"name"`
}

// Message is a note to whoever started the scan.
type Message struct {
	Level string `json:"level"` // info | warn | fatal
	Value string `json:"value"`
}

// Vulnerability is one entry of vulnerabilities.
type Vulnerability struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Severity    string       `json:"severity"` // Info | Unknown | Low | Medium | High | Critical
	Solution    string       `json:"solution,omitempty"`
	Identifiers []Identifier `json:"identifiers"`
	Links       []Link       `json:"links,omitempty"`
	CVSSVectors []CVSSVector `json:"cvss_vectors,omitempty"`
	Flags       []Flag       `json:"flags,omitempty"`
	Location    Location     `json:"location"`
}

// Identifier is a CVE, GHSA or other ID.
type Identifier struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	URL   string `json:"url,omitempty"`
	Value string `json:"value"`
}

// Link points at the advisory.
type Link struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url"`
}

// CVSSVector is one CVSS vector and who scored it.
type CVSSVector struct {
	Vendor string `json:"vendor"`
	Vector string `json:"vector"`
}

// Flag marks a vulnerability, e.g. as a likely false positive.
type Flag struct {
	Type        string `json:"type"`
	Origin      string `json:"origin"`
	Description string `json:"description"`
}

// Location is where the dependency is declared.
type Location struct {
	File       string     `json:"file"`
	Dependency Dependency `json:"dependency"`
}

// Dependency is a package and version.
type Dependency struct {
	Package Package `json:"package"`
	Version string  `json:"version"`
}

// Package names a dependency.
type Package struct {
	Name string `json:"name"`
}

// DependencyFile lists the dependencies found in one file.
type DependencyFile struct {
	Path           string       `json:"path"`
	PackageManager string       `json:"package_manager"`
	Dependencies   []Dependency `json:"dependencies"`
}

// Options name the analyzer and say where files are.
type Options struct {
	ToolVersion string
	// File maps a file the SBOM names (relative to the product root) to
	// the path GitLab opens, from the repository root (format.Location.File);
	// nil keeps the SBOM's paths, and the SBOM's name for a package found
	// in no file.
	File func(string) string
}

// timeLayout is the schema's "yyyy-mm-ddThh:mm:ss" (UTC, no zone).
const timeLayout = "2006-01-02T15:04:05"

// Build makes the report of a scan. A scan that did not run is a report
// with status failure and a fatal message saying why, never an empty success.
func Build(scan *vulnscan.Scan, opts Options) Report {
	r := Report{Version: SchemaVersion, Schema: SchemaURL, Vulnerabilities: []Vulnerability{}, DependencyFiles: []DependencyFile{}}
	r.Scan = Scan{
		Analyzer: Tool{ID: "cemark", Name: "cemark", URL: "https://github.com/cemark/cemark", Version: nonEmpty(opts.ToolVersion, "devel"), Vendor: Vendor{Name: "cemark"}},
		Scanner:  Tool{ID: "grype", Name: "Grype", URL: "https://github.com/anchore/grype", Version: "unknown", Vendor: Vendor{Name: "Anchore"}},
		Type:     "dependency_scanning",
		Status:   "success",
	}
	if scan == nil {
		r.Scan.Status = "failure"
		r.Scan.Messages = []Message{{Level: "fatal", Value: "no vulnerability scan ran"}}
		return r
	}
	at := scan.Time.UTC().Format(timeLayout)
	r.Scan.StartTime, r.Scan.EndTime = at, at
	if scan.Scanner.Version != "" {
		r.Scan.Scanner.Version = scan.Scanner.Version
	}
	if !scan.Assessed {
		r.Scan.Status = "failure"
		r.Scan.Messages = []Message{{Level: "fatal", Value: strings.TrimSpace(scan.NotAssessed + "; " + scan.Fix)}}
		return r
	}
	for _, w := range scan.Warnings {
		r.Scan.Messages = append(r.Scan.Messages, Message{Level: "warn", Value: w})
	}
	files := map[string]map[string]Dependency{}
	managers := map[string]string{}
	for _, m := range scan.Matches {
		if m.VEX != nil && m.VEX.Status == vulnscan.VEXFixed {
			continue
		}
		file := ""
		if len(m.Package.Locations) > 0 {
			file = strings.TrimPrefix(m.Package.Locations[0], "/")
		}
		if opts.File != nil {
			file = opts.File(file)
		}
		if file == "" {
			file = scan.SBOM.Name
		}
		dep := Dependency{Package: Package{Name: m.Package.Name}, Version: m.Package.Version}
		v := Vulnerability{
			ID:          id(m),
			Name:        fmt.Sprintf("%s in %s %s", m.Title(), m.Package.Name, m.Package.Version),
			Description: m.Description,
			Severity:    severity(m.Severity),
			Identifiers: identifiers(m),
			Location:    Location{File: file, Dependency: dep},
		}
		if m.HasFix() {
			v.Solution = fmt.Sprintf("Upgrade %s to %s or later.", m.Package.Name, strings.Join(m.FixedIn, " or "))
		}
		if m.DataSource != "" {
			v.Links = append(v.Links, Link{URL: m.DataSource})
		}
		for _, c := range m.CVSS {
			if strings.HasPrefix(c.Vector, "CVSS:3") || !strings.HasPrefix(c.Vector, "CVSS:") {
				v.CVSSVectors = append(v.CVSSVectors, CVSSVector{Vendor: nonEmpty(c.Source, "unknown"), Vector: c.Vector})
			}
		}
		if d := m.VEX; d != nil && d.Status == vulnscan.VEXNotAffected && d.Justified() {
			v.Flags = append(v.Flags, Flag{Type: "flagged-as-likely-false-positive", Origin: "VEX " + d.Document,
				Description: fmt.Sprintf("not affected, stated by %s: %s", nonEmpty(d.Author, "an unnamed author"), strings.Trim(d.Justification+": "+d.ImpactStatement, ": "))})
		}
		r.Vulnerabilities = append(r.Vulnerabilities, v)
		if files[file] == nil {
			files[file] = map[string]Dependency{}
		}
		files[file][dep.Package.Name+"@"+dep.Version] = dep
		managers[file] = manager(m.Package.Type)
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		df := DependencyFile{Path: p, PackageManager: managers[p]}
		keys := make([]string, 0, len(files[p]))
		for k := range files[p] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			df.Dependencies = append(df.Dependencies, files[p][k])
		}
		r.DependencyFiles = append(r.DependencyFiles, df)
	}
	return r
}

// Encode writes the report as indented JSON.
func Encode(w io.Writer, scan *vulnscan.Scan, opts Options) error {
	b, err := json.MarshalIndent(Build(scan, opts), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// id is a stable UUID-shaped digest of vulnerability, package and version.
func id(m vulnscan.Match) string {
	sum := sha256.Sum256([]byte(m.ID + "\x00" + m.Package.Type + "\x00" + m.Package.Name + "\x00" + m.Package.Version + "\x00" + m.Package.Ref))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func identifiers(m vulnscan.Match) []Identifier {
	var out []Identifier
	for _, v := range m.IDs() {
		switch {
		case strings.HasPrefix(v, "CVE-"):
			out = append(out, Identifier{Type: "cve", Name: v, Value: v, URL: "https://nvd.nist.gov/vuln/detail/" + v})
		case strings.HasPrefix(v, "GHSA-"):
			out = append(out, Identifier{Type: "ghsa", Name: v, Value: v, URL: "https://github.com/advisories/" + v})
		case strings.HasPrefix(v, "GO-"):
			out = append(out, Identifier{Type: "go", Name: v, Value: v, URL: "https://pkg.go.dev/vuln/" + v})
		default:
			out = append(out, Identifier{Type: "grype", Name: v, Value: v})
		}
	}
	return out
}

func severity(s string) string {
	switch s {
	case vulnscan.SeverityCritical:
		return "Critical"
	case vulnscan.SeverityHigh:
		return "High"
	case vulnscan.SeverityMedium:
		return "Medium"
	case vulnscan.SeverityLow:
		return "Low"
	case vulnscan.SeverityNegligible:
		return "Info"
	}
	return "Unknown"
}

// manager names the package manager of a syft package type.
func manager(t string) string {
	switch t {
	case "npm":
		return "npm"
	case "go-module":
		return "go"
	case "java-archive", "jenkins-plugin":
		return "maven"
	case "python":
		return "pip"
	case "gem":
		return "bundler"
	case "php-composer":
		return "composer"
	case "rust-crate":
		return "cargo"
	case "dotnet":
		return "nuget"
	case "deb":
		return "apt"
	case "rpm":
		return "yum"
	case "apk":
		return "apk"
	}
	return nonEmpty(t, "unknown")
}

func nonEmpty(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}
