package evidence

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/format"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/techfile"
)

// Summary is the machine summary of a run (`cemark run --json`).
type Summary struct {
	Product struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Class   string `json:"class"`
	} `json:"product"`
	Route       conformity.Route  `json:"conformity_route"`
	EvidenceDir string            `json:"evidence_dir"`
	Files       map[string]string `json:"files,omitempty"` // name → sha256
	SBOM        *SBOMSummary      `json:"sbom,omitempty"`
	Findings    map[string]int    `json:"findings"`
	Conformity  map[string]int    `json:"conformity"`
	// Status is "conformant"-free wording on purpose: "evidence-complete",
	// "failing-findings" or "incomplete" (points not assessed, open items,
	// input missing).
	Status       string   `json:"status"`
	Missing      []string `json:"missing_input,omitempty"`
	Signed       bool     `json:"signed"`
	KeyID        string   `json:"key_id,omitempty"`
	SBOMByDigest bool     `json:"sbom_attested_by_digest,omitempty"`
	// ReportByDigest: report.json was above attestations.report_inline_limit.
	ReportByDigest bool     `json:"report_attested_by_digest,omitempty"`
	DocsChanged    bool     `json:"docs_changed"`
	DocsDir        string   `json:"docs_dir,omitempty"`
	Substantial    []string `json:"possible_substantial_modification,omitempty"`
	// Signing says how: key, or keyless identity, issuer and log indexes.
	Signing *attest.Signing `json:"signing,omitempty"`
}

// SBOMSummary is the SBOM's headline.
type SBOMSummary struct {
	Components int    `json:"components"`
	Quality    string `json:"quality"`
}

// Status words, used by the Action's `conformity` output too.
const (
	// StatusEvidenceComplete: no failing finding, no check that broke, no
	// manufacturer input missing, and every Annex I point evidenced,
	// stated by the manufacturer or justified not applicable.
	StatusEvidenceComplete = "evidence-complete"
	StatusFailing          = "failing-findings"
	StatusIncomplete       = "incomplete"
)

// Summarize builds the machine summary.
func (ev *Evidence) Summarize() Summary {
	var s Summary
	s.Product.Name = ev.Config.Product.Name
	s.Product.Version = ev.Config.Product.Version
	s.Product.Class = ev.Route.Class
	s.Route = ev.Route
	s.EvidenceDir = relOrAbs(ev.Root, ev.OutDir)
	s.Files = ev.Files
	if ev.SBOM != nil {
		s.SBOM = &SBOMSummary{Components: len(ev.SBOM.Components), Quality: ev.SBOM.Quality.Verdict}
	}
	s.Findings = map[string]int{}
	if ev.Report != nil {
		r := ev.Report.Summary
		s.Findings = map[string]int{"pass": r.Pass, "fail": r.Fail, "warn": r.Warn, "info": r.Info, "waived": r.Waived, "not-applicable": r.NotApplicable, "error": r.Error}
	}
	s.Conformity = map[string]int{}
	for st, n := range ev.Assessment.Counts() {
		s.Conformity[string(st)] = n
	}
	for _, m := range ev.Missing {
		s.Missing = append(s.Missing, m.Field)
	}
	s.Signed, s.KeyID, s.SBOMByDigest, s.ReportByDigest = ev.Signed, ev.KeyID, ev.SBOMByDigest, ev.ReportByDigest
	if ev.Signing.Method != "" {
		s.Signing = &ev.Signing
	}
	if ev.TechFile != nil {
		s.DocsChanged = ev.TechFile.Changed
		s.DocsDir = relOrAbs(ev.Root, ev.TechFile.Dir)
		for _, c := range ev.TechFile.Substantial {
			s.Substantial = append(s.Substantial, DescribeChange(c))
		}
	}
	s.Status = ev.Status()
	return s
}

// Status says what the evidence shows, never that the product complies.
func (ev *Evidence) Status() string {
	if ev.Report != nil && ev.Report.Summary.Fail > 0 {
		return StatusFailing
	}
	c := ev.Assessment.Counts()
	if c[conformity.FailingFinding] > 0 {
		return StatusFailing
	}
	if len(ev.Assessment.Unaddressed()) > 0 || len(ev.Route.OpenItems) > 0 || len(ev.Missing) > 0 ||
		(ev.Report != nil && ev.Report.Summary.Error > 0) {
		return StatusIncomplete
	}
	return StatusEvidenceComplete
}

// WriteText prints the human summary of a run.
func (ev *Evidence) WriteText(w io.Writer) {
	s := ev.Summarize()
	fmt.Fprintf(w, "\n%s %s — class %s; %s\n", s.Product.Name, s.Product.Version, s.Route.Class, routeLine(s.Route))
	if s.SBOM != nil {
		fmt.Fprintf(w, "  SBOM        %d components, TR-03183-2 fields %s\n", s.SBOM.Components, s.SBOM.Quality)
		for _, line := range strings.Split(ev.SBOM.Quality.Summary(), "\n") {
			if strings.HasPrefix(line, "Missing: ") {
				writeWrapped(w, "              ", "              ", line)
			}
		}
	}
	if ev.Report != nil {
		r := ev.Report.Summary
		fmt.Fprintf(w, "  Checks      %d ran; findings: %d failing, %s, %d waived, %s\n", r.Checks, r.Fail,
			plural(r.Warn, "warning", "warnings"), r.Waived, plural(r.Error, "check could not run", "checks could not run"))
		ev.writeFailing(w)
	}
	c := ev.Assessment.Counts()
	fmt.Fprintf(w, "  Annex I     %d evidence complete, %d stated not verified, %d with a failing finding, %d not applicable, %d not assessed\n",
		c[conformity.EvidenceComplete], c[conformity.StatedNotVerified], c[conformity.FailingFinding], c[conformity.NotApplicable], c[conformity.NotAssessed])
	if len(ev.Missing) > 0 {
		fields := make([]string, 0, len(ev.Missing))
		for _, m := range ev.Missing {
			fields = append(fields, m.Field)
		}
		sort.Strings(fields)
		fmt.Fprintf(w, "  Needs input %s (cemark.yaml)\n", strings.Join(fields, ", "))
	}
	if ev.SBOMByDigest {
		fmt.Fprintf(w, "  Large SBOM  attested by digest (above attestations.sbom_inline_limit), not inline\n")
	}
	if ev.ReportByDigest {
		fmt.Fprintf(w, "  Report      report.json attested by digest (above attestations.report_inline_limit), not inline\n")
	}
	if ev.Envelopes != nil {
		switch {
		case ev.Signing.Method == attest.SignKeyless:
			fmt.Fprintf(w, "  Attested    %d statements signed keylessly by %s (issuer %s), in Rekor\n", len(ev.Envelopes), ev.Signing.Identity, ev.Signing.Issuer)
		case ev.Signed:
			fmt.Fprintf(w, "  Attested    %d statements signed by key %s\n", len(ev.Envelopes), short(ev.KeyID))
		default:
			fmt.Fprintf(w, "  Attested    %d statements, UNSIGNED (no key: --key or CEMARK_SIGNING_KEY; no OIDC token for --sign keyless)\n", len(ev.Envelopes))
		}
	}
	if ev.TechFile != nil {
		state := "unchanged"
		switch {
		case ev.TechFileNotice() != "":
			state = "not in the repository yet: run `cemark docs` and commit it"
		case ev.TechFile.Changed:
			state = "updated"
		}
		fmt.Fprintf(w, "  Tech. file  %s (%s)\n", s.DocsDir, state)
		for _, sub := range s.Substantial {
			fmt.Fprintf(w, "  ! possible substantial modification: %s\n", sub)
		}
	}
	if len(ev.Files) > 0 {
		fmt.Fprintf(w, "  Evidence    %s\n", filepath.ToSlash(s.EvidenceDir))
	}
	fmt.Fprintf(w, "  Status      %s — cemark shows evidence and gaps; the manufacturer declares conformity.\n", s.Status)
}

func routeLine(r conformity.Route) string {
	if r.Role == config.RoleSteward {
		return "open-source software steward (Art. 24): no conformity assessment, declaration or CE marking"
	}
	if r.ModuleA {
		return "Module A (internal control) available"
	}
	return "Module A not available: " + strings.Join(r.Procedures, ", ")
}

// DescribeManualEdit words a hand edit the technical file kept.
func DescribeManualEdit(m techfile.ManualEdit) string {
	if m.Region == "" {
		return fmt.Sprintf("%s: text outside the marked regions, file left as it is: %s", m.File, m.Detail)
	}
	return fmt.Sprintf("%s: hand edit inside the generated region %q kept, not overwritten: %s", m.File, m.Region, m.Detail)
}

// DescribeChange words one possible substantial modification.
func DescribeChange(c techfile.Change) string {
	switch {
	case c.Before == "":
		return fmt.Sprintf("%s added: %s", c.Aspect, c.After)
	case c.After == "":
		return fmt.Sprintf("%s removed: %s", c.Aspect, c.Before)
	}
	return fmt.Sprintf("%s changed from %s to %s", c.Aspect, c.Before, c.After)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// TechFileNotice is the first run's word on a technical file that is not
// in the repository yet: the technical file was checked (docs --check,
// `docs: check`) and none of its files exists under the product root. A
// check then passes with this notice, so the first pipeline does not fail
// before anyone could commit the file; once committed, a stale file fails.
// Empty otherwise.
func (ev *Evidence) TechFileNotice() string {
	tf := ev.TechFile
	if tf == nil || len(tf.Files) == 0 {
		return ""
	}
	for _, f := range tf.Files {
		if f.Status != techfile.StatusStale {
			return "" // rendered or unchanged: not a check, or some file exists
		}
		if _, err := os.Lstat(filepath.Join(ev.Root, filepath.FromSlash(f.Path))); err == nil {
			return ""
		}
	}
	return fmt.Sprintf("technical file not in the repository yet: run `cemark docs` and commit %s", tf.Dir)
}

// MaxFailingShown is how many failing findings a run prints.
const MaxFailingShown = 10

// writeFailing prints the failing findings, worst first, at most
// MaxFailingShown, one each: file:line, check ID, severity, message
// (wrapped, never cut), then the command that lists them all.
func (ev *Evidence) writeFailing(w io.Writer) {
	located := format.Locate(ev.Report, format.Location{Fallback: ev.FallbackFile(), Exists: ev.Location().Exists})
	failing, total := format.WorstN(located, MaxFailingShown, func(f *checks.Finding) bool { return f.Outcome == checks.Fail })
	if total == 0 {
		return
	}
	fmt.Fprintf(w, "  Failing     (worst first)\n")
	for _, f := range failing {
		where := ev.displayPath(f.Path)
		if where != "" && f.Line > 0 {
			where += ":" + strconv.Itoa(f.Line)
		}
		head := fmt.Sprintf("    %s  %s %s  ", where, f.Check, f.Severity)
		writeWrapped(w, head, "        ", f.Message)
	}
	all := fmt.Sprintf("`cemark check %s` lists every finding", ev.displayPath("."))
	if n := total - MaxFailingShown; n > 0 {
		all = plural(n, "more failing finding", "more failing findings") + ": " + all
	}
	if _, ok := ev.Files[evidencedir.ReportMarkdown]; ok {
		all += ", as does " + ev.displayPath(filepath.Join(relOrAbs(ev.Root, ev.OutDir), evidencedir.ReportMarkdown))
	}
	writeWrapped(w, "    ", "      ", all)
}

// displayPath shows a path of the product (relative to its root) from the
// current folder, so that a terminal can open it.
func (ev *Evidence) displayPath(rel string) string {
	if rel == "" {
		return ""
	}
	abs := rel
	if !filepath.IsAbs(rel) {
		abs = filepath.Join(ev.Root, filepath.FromSlash(rel))
	}
	if wd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(abs)
}

// wrapWidth is where writeWrapped breaks lines: CI logs do not cut long
// lines, but a person reads a column.
const wrapWidth = 100

// writeWrapped writes first+text, broken at spaces before wrapWidth, with
// rest before every continuation line. Nothing is cut: a word longer than
// the line stays whole, on a line of its own.
func writeWrapped(w io.Writer, first, rest, text string) {
	line := first
	width := utf8.RuneCountInString(first)
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		sep := " "
		if line == "" || strings.HasSuffix(line, " ") {
			sep = ""
		}
		if strings.TrimSpace(line) != "" && width+len(sep)+n > wrapWidth {
			fmt.Fprintln(w, strings.TrimRight(line, " "))
			line, width, sep = rest, utf8.RuneCountInString(rest), ""
		}
		line += sep + word
		width += len(sep) + n
	}
	fmt.Fprintln(w, strings.TrimRight(line, " "))
}
