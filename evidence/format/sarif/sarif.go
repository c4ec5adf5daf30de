// Package sarif encodes a check report as SARIF 2.1.0 for GitHub code
// scanning (github/codeql-action/upload-sarif) and other SARIF consumers.
//
// Choices, after scorecard's pkg/scorecard/sarif.go:
//   - a rule for every check that ran, passing or not, so that GitHub closes
//     the alerts of fixed findings;
//   - results for failing, warning and waived findings; waived ones carry a
//     suppression (kind "external" for cemark.yaml waivers, "inSource" for
//     cemark:ignore comments) with the justification, so they are visible but
//     closed;
//   - every result has a location: a finding without a file points at the
//     configuration file, line 1 (the pipeline's report.sarif is encoded
//     from a format.Locate'd report: a file that exists, from the
//     repository root);
//   - a result whose severity differs from its rule's (lowered in a test
//     path) carries its own security-severity;
//   - partialFingerprints are checks.Fingerprint (check, path and the
//     finding's stable key, never a line number), so alerts survive edits
//     above them and match the baseline's fingerprints.
//
// Checks that could not run are tool execution notifications, not results.
package sarif

import (
	"fmt"
	"io"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/internal/jsonindent"
)

// ID names the format on the command line.
const ID = "sarif"

// SchemaURI is the schema the log declares.
const SchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// InformationURI is cemark's home page.
const InformationURI = "https://github.com/cemark/cemark"

// FingerprintKey names cemark's partial fingerprint.
const FingerprintKey = "cemarkFindingHash/v1"

type log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []run  `json:"runs"`
}

type run struct {
	Tool        tool         `json:"tool"`
	Invocations []invocation `json:"invocations"`
	Results     []result     `json:"results"`
	ColumnKind  string       `json:"columnKind"`
	Properties  *runProps    `json:"properties,omitempty"`
}

type runProps struct {
	Product        string `json:"product,omitempty"`
	ProductVersion string `json:"productVersion,omitempty"`
	Note           string `json:"note"`
}

type tool struct {
	Driver driver `json:"driver"`
}

type driver struct {
	Name           string `json:"name"`
	Version        string `json:"version,omitempty"`
	InformationURI string `json:"informationUri"`
	Rules          []rule `json:"rules"`
}

type text struct {
	Text string `json:"text"`
}

type markdownText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type rule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     text         `json:"shortDescription"`
	FullDescription      text         `json:"fullDescription"`
	Help                 markdownText `json:"help"`
	HelpURI              string       `json:"helpUri"`
	DefaultConfiguration ruleConfig   `json:"defaultConfiguration"`
	Properties           ruleProps    `json:"properties"`
}

type ruleConfig struct {
	Level string `json:"level"`
}

type ruleProps struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity"`
	CRA              []string `json:"cra"`
	Standards        []string `json:"standards,omitempty"`
}

type invocation struct {
	ExecutionSuccessful        bool           `json:"executionSuccessful"`
	ToolExecutionNotifications []notification `json:"toolExecutionNotifications,omitempty"`
}

type notification struct {
	Level      string               `json:"level"`
	Message    text                 `json:"message"`
	Descriptor *descriptorReference `json:"associatedRule,omitempty"`
	Locations  []location           `json:"locations,omitempty"`
}

type descriptorReference struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             text              `json:"message"`
	Locations           []location        `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []suppression     `json:"suppressions,omitempty"`
	Properties          resultProps       `json:"properties"`
}

type resultProps struct {
	Outcome  string `json:"outcome"`
	Severity string `json:"severity"`
	// SecuritySeverity is set when the finding's severity is not its
	// rule's: cemark lowered it (a test or example path) or the check
	// judged this finding otherwise. GitHub otherwise shows the rule's.
	SecuritySeverity string   `json:"security-severity,omitempty"`
	CRA              []string `json:"cra"`
	Key              string   `json:"key,omitempty"`
}

type suppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

type location struct {
	PhysicalLocation physicalLocation `json:"physicalLocation"`
}

type physicalLocation struct {
	ArtifactLocation artifactLocation `json:"artifactLocation"`
	Region           *region          `json:"region,omitempty"`
}

type artifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type region struct {
	StartLine   int      `json:"startLine"`
	StartColumn int      `json:"startColumn,omitempty"`
	EndLine     int      `json:"endLine,omitempty"`
	Snippet     *snippet `json:"snippet,omitempty"`
}

type snippet struct {
	Text string `json:"text"`
}

// Encode writes r as a SARIF 2.1.0 log with one run.
func Encode(w io.Writer, r *checks.Report) error {
	if r == nil {
		return fmt.Errorf("encode SARIF: no report")
	}
	fallback := r.ConfigFile
	if fallback == "" {
		fallback = config.FileName
	}
	rn := run{
		Tool:        tool{Driver: driver{Name: "cemark", Version: r.Tool.Version, InformationURI: InformationURI, Rules: []rule{}}},
		Invocations: []invocation{{ExecutionSuccessful: true}},
		Results:     []result{},
		ColumnKind:  "unicodeCodePoints",
		Properties: &runProps{Product: r.Product.Name, ProductVersion: r.Product.Version,
			Note: "Findings are evidence for the EU Cyber Resilience Act, not a verdict: no failing finding does not mean compliant."},
	}
	for i, res := range r.Results {
		rn.Tool.Driver.Rules = append(rn.Tool.Driver.Rules, ruleFor(res.Meta))
		for _, f := range res.Findings {
			switch f.Outcome {
			case checks.Fail, checks.Warn, checks.Waived:
				rn.Results = append(rn.Results, resultFor(i, res.Meta.Severity, f, fallback))
			case checks.Error:
				rn.Invocations[0].ToolExecutionNotifications = append(rn.Invocations[0].ToolExecutionNotifications, notification{
					Level: "error", Message: text{Text: res.ID + ": " + f.Message},
					Descriptor: &descriptorReference{ID: res.ID, Index: i},
				})
			}
		}
	}
	// The results, one per finding, are encoded a few hundred at a time
	// (jsonindent.CompactArray) and put into the log encoded without them;
	// nothing is written before the whole log is encoded.
	results, err := jsonindent.CompactArray(rn.Results, 256, false)
	if err != nil {
		return fmt.Errorf("encode SARIF: %w", err)
	}
	rn.Results = []result{}
	head, err := jsonindent.Compact(log{Schema: SchemaURI, Version: "2.1.0", Runs: []run{rn}}, false)
	if err != nil {
		return fmt.Errorf("encode SARIF: %w", err)
	}
	// The tool's rules and the invocation come before the results: no
	// member of theirs is named results.
	b, err := jsonindent.Splice(head, "results", results)
	if err != nil {
		return fmt.Errorf("encode SARIF: %w", err)
	}
	return jsonindent.Write(w, b, "  ")
}

func ruleFor(m checks.Meta) rule {
	tags := []string{"security", "cra"}
	tags = append(tags, m.Tags...)
	var md strings.Builder
	fmt.Fprintf(&md, "**%s** (%s)\n\n", m.Title, m.ID)
	if m.Rationale != "" {
		fmt.Fprintf(&md, "%s\n\n", strings.TrimSpace(m.Rationale))
	}
	fmt.Fprintf(&md, "**CRA:** %s\n\n", strings.Join(m.CRA, "; "))
	if len(m.Standards) > 0 {
		fmt.Fprintf(&md, "**Standards:** %s\n\n", strings.Join(m.Standards, "; "))
	}
	fmt.Fprintf(&md, "**Remediation:** %s\n", strings.TrimSpace(m.Remediation))
	plain := fmt.Sprintf("%s\nCRA: %s\nRemediation: %s", oneLine(m.Rationale), strings.Join(m.CRA, "; "), oneLine(m.Remediation))
	full := oneLine(m.Rationale)
	if full == "" {
		full = m.Title
	}
	return rule{
		ID: m.ID, Name: ruleName(m.ID), ShortDescription: text{Text: m.Title}, FullDescription: text{Text: full},
		Help:                 markdownText{Text: strings.TrimSpace(plain), Markdown: md.String()},
		HelpURI:              InformationURI + "/blob/main/docs/checks.md#" + strings.ToLower(m.ID),
		DefaultConfiguration: ruleConfig{Level: level(m.Severity)},
		Properties: ruleProps{Tags: tags, Precision: "high", SecuritySeverity: securitySeverity(m.Severity),
			CRA: append([]string{}, m.CRA...), Standards: m.Standards},
	}
}

func resultFor(ruleIndex int, ruleSeverity checks.Severity, f checks.Finding, fallback string) result {
	lvl := level(f.Severity)
	if f.Outcome == checks.Warn && lvl == "error" {
		lvl = "warning"
	}
	loc := location{PhysicalLocation: physicalLocation{ArtifactLocation: artifactLocation{URI: f.Path, URIBaseID: "%SRCROOT%"}}}
	if f.Path == "" {
		loc.PhysicalLocation.ArtifactLocation.URI = fallback
		loc.PhysicalLocation.Region = &region{StartLine: 1}
	} else if f.Line > 0 {
		reg := &region{StartLine: f.Line, StartColumn: f.Column}
		if f.EndLine > f.Line {
			reg.EndLine = f.EndLine
		}
		if f.Snippet != "" {
			reg.Snippet = &snippet{Text: f.Snippet}
		}
		loc.PhysicalLocation.Region = reg
	} else {
		// GitHub wants a line; a whole-file finding points at line 1.
		loc.PhysicalLocation.Region = &region{StartLine: 1}
	}
	msg := f.Message
	if len(f.CRA) > 0 {
		msg += " (CRA " + strings.Join(f.CRA, "; ") + ")"
	}
	res := result{
		RuleID: f.Check, RuleIndex: ruleIndex, Level: lvl, Message: text{Text: msg},
		Locations:           []location{loc},
		PartialFingerprints: map[string]string{FingerprintKey: checks.Fingerprint(f)},
		Properties:          resultProps{Outcome: string(f.Outcome), Severity: string(f.Severity), CRA: append([]string{}, f.CRA...), Key: f.Key},
	}
	if f.Severity != ruleSeverity {
		res.Properties.SecuritySeverity = securitySeverity(f.Severity)
	}
	if f.Outcome == checks.Waived && f.Waiver != nil {
		kind := "external"
		if f.Waiver.Source == checks.WaiverSourceInline {
			kind = "inSource"
		}
		just := f.Waiver.Justification
		if f.Waiver.ApprovedBy != "" {
			just += " (approved by " + f.Waiver.ApprovedBy + ")"
		}
		if f.Waiver.Expires != "" {
			just += " (expires " + f.Waiver.Expires + ")"
		}
		res.Suppressions = []suppression{{Kind: kind, Status: "accepted", Justification: just}}
	}
	return res
}

// level maps a severity onto SARIF's levels.
func level(s checks.Severity) string {
	switch s {
	case checks.SeverityCritical, checks.SeverityHigh:
		return "error"
	case checks.SeverityMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub's numeric severity (critical ≥ 9.0, high
// 7.0–8.9, medium 4.0–6.9, low 0.1–3.9).
func securitySeverity(s checks.Severity) string {
	switch s {
	case checks.SeverityCritical:
		return "9.5"
	case checks.SeverityHigh:
		return "8.0"
	case checks.SeverityMedium:
		return "5.5"
	case checks.SeverityLow:
		return "3.0"
	}
	return "0.5"
}

// ruleName turns CEM-PORT-001 into CemPort001, the PascalCase form SARIF
// suggests for rule names.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + strings.ToLower(part[1:]))
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
