package techfile

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"text/template"
	"unicode"

	"github.com/Masterminds/sprig/v3"

	"github.com/cemark/cemark/checks"
	checkvulns "github.com/cemark/cemark/checks/vulns"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/evidencedir"
)

// view is what templates see. Everything is computed here so the
// templates stay declarative; slices are sorted so output is stable.
type view struct {
	Lang   string
	Danish bool
	Date   string // YYYY-MM-DD, from Input.Date
	Tool   string

	Cfg *config.Config
	// Title is the product's name for prose: "unnamed product" when unknown.
	Title        string
	Product      productView
	Manufacturer config.Manufacturer
	Security     config.Security
	Updates      config.Updates
	// Advisories lists where fixed vulnerabilities are published (Part II (4)).
	Advisories []string
	Route      routeView
	ClassTitle string
	Support    supportView
	Standards  []standardView // harmonised standards, common specs, schemes
	// FullyApplied: a listed standard, specification or scheme counts for
	// Art. 32(2) (applied in full, cited, at the right level).
	FullyApplied bool
	CE           ceView
	Dates        datesView
	Reporting    reportingView
	Conformity   config.Conformity
	// Art14Open and Art14Closed are the events recorded with cemark report.
	Art14Open, Art14Closed []art14EventView

	HasReport bool
	Summary   checks.Summary
	// CheckCounts counts checks (not findings) by their overall outcome.
	CheckCounts map[string]int
	Checks      []checkView
	Points      []pointView
	OpenItems   []string
	Residual    []waiverView
	Provisions  []provisionView
	Counts      assessmentCounts

	// Vulns is the vulnerability scan of the SBOM (03, 07).
	Vulns vulnView

	Interfaces   []ifaceView
	InvSources   []string
	Signing      *checks.UpdateSigning
	VulnHandling *checks.VulnHandling

	SBOM         SBOMFacts
	Components   []componentView
	IncludeSBOM  bool
	SBOMFile     string
	Attestations []AttestationRef
	Pipelines    []string
	Commit       string
	Evidence     []evidenceLink
	// Signers are the stated signers of the evidence, with the command
	// that verifies a build's evidence for each.
	Signers []signerView

	Index       []IndexRow
	Substantial []Change
	StateFile   string
}

type productView struct {
	Name, Version, Type, TypeDesignation, Description, IntendedPurpose, Licence string
	OpenSource                                                                  string // yes | no | not stated
	// Hardware is true for a product with hardware; HardwareStated is
	// false when product.hardware is unset (then neither is known).
	Hardware, HardwareStated           bool
	FirstPlaced                        string
	DeclarationURL, UserInformationURL string
	TechnicalDocumentationURL          string
}

type supportView struct {
	End, Rationale, Type string
	// Years is the length from first placing on the market to the end, when both are known.
	Years string
	Short bool // shorter than five years
	// Ended is true when the support period ended before the reference date.
	Ended bool
}

type standardView struct {
	Kind, Reference, Title, Applied, Parts, OJReference string
	AssuranceLevel, ImplementingAct, Certificate        string
	// Counts and Why: whether it opens Module A to class I (Art. 32(2)).
	Counts bool
	Why    string
}

type checkView struct {
	ID, Title, Outcome, Severity, CRA, Standards, Error string
	Counts                                              string // "2 fail, 1 waived"
	Findings                                            []findingView
	More                                                int // findings not listed
	// InScan is true for a check whose findings the vulnerability scan
	// section states (volatileChecks), rather than a list of its messages.
	InScan bool
}

type findingView struct {
	Outcome, Severity, Message, Where, Justification string
}

type pointView struct {
	ID, Clause, Title, Status, Applicability, Basis, Measures, Justification string
	Coverage                                                                 string
	Always                                                                   bool
	Checks                                                                   []checkRef
	Waived                                                                   []waiverView
	OpenItems                                                                []string
	// Art14 links Part II (2) and (8) to the Art. 14 events (03).
	Art14 string
	// Vulnerabilities are the open vulnerabilities listed for Part I (2)(a)
	// and Part II (2) (conformity.PointStatus.Vulnerabilities).
	Vulnerabilities []string
}

type checkRef struct{ ID, Outcome, Anchor string }

type waiverView struct {
	Check, Where, Message, Justification, ApprovedBy, Expires string
}

type provisionView struct{ Provision, Checks string }

type assessmentCounts struct {
	EvidenceComplete, StatedNotVerified, FailingFinding, NotApplicable, NotAssessed, Total int
}

type ifaceView struct {
	Port, Protocol, Bind, TLS, Service, Declared, Purpose, Places string
	// Row is the interface's line of the attack-surface table, its cells
	// escaped (cell): made here, since text/template took 100 ms for the
	// twelve actions of each of a large tree's thousands of rows.
	Row string
}

func (iv ifaceView) row() string {
	return "| " + iv.Port + " | " + iv.Protocol + " | " + cell(iv.Bind) + " | " + iv.TLS + " | " + cell(iv.Service) +
		" | " + iv.Declared + " | " + cell(iv.Purpose) + " | " + cell(iv.Places) + " |"
}

type componentView struct {
	Name, Version, PURL, Licences, Network string
}

type evidenceLink struct{ Name, Link, Path string }

type signerView struct{ Who, How, Verify string }

// maxFindingsListed caps the findings listed per check in 07; report.json has them all.
const maxFindingsListed = 25

func buildView(in Input, lang, relDir string) view {
	cfg := in.Config
	v := view{
		Lang:         lang,
		Danish:       lang == "da",
		Date:         dateText(in),
		Tool:         strings.TrimSpace(in.ToolName + " " + in.ToolVersion),
		Cfg:          cfg,
		Manufacturer: cfg.Manufacturer,
		Security:     cfg.Security,
		Updates:      cfg.Updates,
		Route:        newRouteView(in.Route, lang),
		ClassTitle:   classTitle(className(cfg.Product.Class)),
		Conformity:   cfg.Conformity,
		SBOM:         in.SBOM,
		IncludeSBOM:  cfg.Docs.IncludeSBOM,
		SBOMFile:     evidencedir.SBOMCycloneDX,
		Attestations: sortedAttestations(in.Attestations),
		Pipelines:    in.Pipelines,
		Commit:       in.Commit,
		StateFile:    StateFile,
	}
	if v.Tool == "" {
		v.Tool = "cemark"
	}
	p := cfg.Product
	v.Product = productView{
		Name: in.Product.Name, Version: in.Product.Version, Type: p.Type, TypeDesignation: strings.TrimSpace(p.TypeDesignation),
		Description: strings.TrimSpace(p.Description), IntendedPurpose: strings.TrimSpace(p.IntendedPurpose), Licence: p.Licence,
		Hardware: p.Hardware != nil && *p.Hardware, HardwareStated: p.Hardware != nil,
		DeclarationURL: p.DeclarationURL, UserInformationURL: p.UserInformationURL, OpenSource: "not stated",
		TechnicalDocumentationURL: strings.TrimSpace(p.TechnicalDocumentationURL),
	}
	if v.Product.Name == "" {
		v.Product.Name = p.Name
	}
	if v.Product.Version == "" {
		v.Product.Version = p.Version
	}
	v.Title = orText(v.Product.Name, "unnamed product")
	if a := cfg.Advisories; a.GitHub {
		v.Advisories = append(v.Advisories, "GitHub security advisories")
	}
	if a := cfg.Advisories; a.CSAF != "" {
		v.Advisories = append(v.Advisories, "CSAF ("+a.CSAF+")")
	}
	if a := cfg.Advisories; a.URL != "" {
		v.Advisories = append(v.Advisories, a.URL)
	}
	if a := cfg.Advisories; a.Folder != "" {
		v.Advisories = append(v.Advisories, "the folder `"+a.Folder+"`")
	}
	if p.OpenSource != nil {
		v.Product.OpenSource = map[bool]string{true: "yes", false: "no"}[*p.OpenSource]
	}
	if p.FirstPlacedOnMarket != nil {
		v.Product.FirstPlaced = p.FirstPlacedOnMarket.String()
	}
	v.Support.Rationale = strings.TrimSpace(p.Support.Rationale)
	v.Support.Type = strings.TrimSpace(p.Support.Type)
	if p.Support.End != nil {
		v.Support.End = p.Support.End.String()
		v.Support.Ended = !in.Date.IsZero() && p.Support.End.Before(in.Date)
		if p.FirstPlacedOnMarket != nil {
			v.Support.Years = conformity.YearsMonths(*p.FirstPlacedOnMarket, *p.Support.End)
			v.Support.Short = p.Support.End.Time().Before(p.FirstPlacedOnMarket.AddYears(5).Time())
		}
	}
	v.Standards, v.FullyApplied = standardsView(cfg, in.Route)
	v.CE = newCEView(in.Route, p)
	v.Dates = newDatesView(p)
	v.Reporting = newReportingView(cfg.Reporting)
	v.Art14Open, v.Art14Closed = art14Events(in.Art14.Open, relDir), art14Events(in.Art14.Closed, relDir)
	v.Vulns = newVulnView(in.Vulns, cfg)

	checkIDs := map[string]bool{}
	if in.Report != nil {
		v.HasReport = true
		v.Summary = in.Report.Summary
		v.CheckCounts = map[string]int{}
		for _, r := range in.Report.Results {
			v.CheckCounts[string(r.Outcome)]++
		}
		v.Signing = in.Report.Facts.UpdateSigning
		v.VulnHandling = in.Report.Facts.VulnHandling
		results := append([]checks.Result(nil), in.Report.Results...)
		sort.SliceStable(results, func(i, j int) bool { return results[i].ID < results[j].ID })
		provisions := map[string][]string{}
		for _, r := range results {
			checkIDs[r.ID] = true
			cv := checkView{ID: r.ID, Title: r.Title, Outcome: string(r.Outcome), Severity: string(r.Severity),
				CRA: strings.Join(r.CRA, "; "), Standards: strings.Join(r.Standards, "; "), Error: r.Error, InScan: volatileChecks[r.ID]}
			counts := map[checks.Outcome]int{}
			for _, f := range r.Findings {
				counts[f.Outcome]++
				if f.Outcome == checks.Pass || f.Outcome == checks.NotApplicable {
					continue
				}
				if f.Outcome == checks.Waived {
					w := waiverView{Check: r.ID, Where: where(f), Message: stableMessage(r.ID, f)}
					if f.Waiver != nil {
						w.Justification, w.ApprovedBy, w.Expires = f.Waiver.Justification, f.Waiver.ApprovedBy, f.Waiver.Expires
					}
					v.Residual = append(v.Residual, w)
				}
				if cv.InScan {
					continue
				}
				if len(cv.Findings) >= maxFindingsListed {
					cv.More++
					continue
				}
				fv := findingView{Outcome: string(f.Outcome), Severity: string(f.Severity), Message: f.Message, Where: where(f)}
				if f.Waiver != nil {
					fv.Justification = f.Waiver.Justification
				}
				cv.Findings = append(cv.Findings, fv)
			}
			var parts []string
			for _, o := range []checks.Outcome{checks.Fail, checks.Error, checks.Warn, checks.Waived, checks.Info, checks.Pass, checks.NotApplicable} {
				if counts[o] > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
				}
			}
			cv.Counts = strings.Join(parts, ", ")
			if cv.Counts == "" {
				cv.Counts = "no findings"
			}
			v.Checks = append(v.Checks, cv)
			for _, s := range r.Standards {
				provisions[s] = append(provisions[s], r.ID+" ("+string(r.Outcome)+")")
			}
		}
		provs := sortedKeys(provisions)
		sort.SliceStable(provs, func(i, j int) bool { return naturalLess(provs[i], provs[j]) })
		for _, prov := range provs {
			v.Provisions = append(v.Provisions, provisionView{Provision: prov, Checks: strings.Join(provisions[prov], ", ")})
		}
		if inv := in.Report.Facts.Inventory; inv != nil {
			ifs := append([]checks.ExposedInterface(nil), inv.Interfaces...)
			sort.SliceStable(ifs, func(i, j int) bool {
				if ifs[i].Port != ifs[j].Port {
					return ifs[i].Port < ifs[j].Port
				}
				return ifs[i].Protocol < ifs[j].Protocol
			})
			for _, i := range ifs {
				iv := ifaceView{Port: fmt.Sprint(i.Port), Protocol: orDash(i.Protocol), Bind: orText(i.Bind, "unknown"),
					TLS: "unknown", Service: orDash(i.Service), Declared: map[bool]string{true: "yes", false: "**no**"}[i.Declared], Purpose: orDash(i.Purpose)}
				if i.TLS != nil {
					iv.TLS = map[bool]string{true: "yes", false: "no"}[*i.TLS]
				}
				var places []string
				for _, pl := range i.Places {
					s := pl.Kind + ": " + pl.Path
					if pl.Line > 0 {
						s += fmt.Sprintf(":%d", pl.Line)
					}
					places = append(places, s)
				}
				iv.Places = strings.Join(places, "; ")
				iv.Row = iv.row()
				v.Interfaces = append(v.Interfaces, iv)
			}
			v.InvSources = append([]string(nil), inv.Sources...)
			sort.Strings(v.InvSources)
		}
	}

	for _, ps := range in.Assessment.Points {
		pv := pointView{ID: ps.ID, Clause: ps.Clause, Title: ps.Title, Basis: ps.Basis, Measures: strings.TrimSpace(ps.Measures),
			Justification: strings.TrimSpace(ps.Justification), Always: ps.Always, OpenItems: ps.OpenItems,
			Coverage: coverageWords(ps.Coverage), Vulnerabilities: ps.Vulnerabilities}
		pv.Status = ps.Status.Words()
		if ps.ID == "II-2" || ps.ID == "II-8" {
			pv.Art14 = art14Related(len(in.Art14.Open), len(in.Art14.Closed))
		}
		req := cfg.RiskAssessment[ps.ID]
		switch {
		case req.Applicable != nil && !*req.Applicable && !ps.Always:
			pv.Applicability = "declared not applicable"
		case ps.Always:
			pv.Applicability = "applies to every product"
		case req.Applicable != nil && *req.Applicable:
			pv.Applicability = "applies (declared)"
		default:
			pv.Applicability = "applies (not declared otherwise)"
		}
		failing, warning, errored, waived := set(ps.Failing), set(ps.Warning), set(ps.Errored), set(ps.Waived)
		for _, id := range ps.Checks {
			ref := checkRef{ID: id, Outcome: "no finding against the point"}
			switch {
			case failing[id]:
				ref.Outcome = "failing finding"
			case errored[id]:
				ref.Outcome = "could not complete"
			case warning[id]:
				ref.Outcome = "warning"
			case waived[id]:
				ref.Outcome = "no failing finding; findings waived"
			}
			if id == checkvulns.IDKnown && len(ps.Vulnerabilities) > 0 && !failing[id] && !errored[id] && !warning[id] {
				ref.Outcome = "open vulnerabilities that the policy does not fail, listed below"
			}
			if checkIDs[id] {
				ref.Anchor = anchor(id)
			}
			pv.Checks = append(pv.Checks, ref)
		}
		for _, w := range v.Residual {
			if waived[w.Check] {
				pv.Waived = append(pv.Waived, w)
			}
		}
		for _, o := range pv.OpenItems {
			v.OpenItems = append(v.OpenItems, ps.Clause+": "+o)
		}
		switch ps.Status {
		case conformity.EvidenceComplete:
			v.Counts.EvidenceComplete++
		case conformity.StatedNotVerified:
			v.Counts.StatedNotVerified++
		case conformity.FailingFinding:
			v.Counts.FailingFinding++
		case conformity.NotApplicable:
			v.Counts.NotApplicable++
		default:
			v.Counts.NotAssessed++
		}
		v.Counts.Total++
		v.Points = append(v.Points, pv)
	}

	for _, c := range in.SBOM.TopLevel {
		v.Components = append(v.Components, componentView{Name: c.Name, Version: orDash(c.Version), PURL: orDash(c.PURL),
			Licences: orText(strings.Join(c.Licences, ", "), "not stated"), Network: map[bool]string{true: "yes", false: "no"}[c.Network]})
	}
	sort.SliceStable(v.Components, func(i, j int) bool {
		if v.Components[i].Name != v.Components[j].Name {
			return v.Components[i].Name < v.Components[j].Name
		}
		return v.Components[i].Version < v.Components[j].Version
	})
	for _, name := range sortedKeys(in.EvidenceFiles) {
		v.Evidence = append(v.Evidence, evidenceLink{Name: name, Link: relLink(relDir, in.EvidenceFiles[name]), Path: in.EvidenceFiles[name]})
	}
	v.Signers = signersView(in)
	return v
}

// signersView names each stated signer and how a build's evidence is
// verified for it, from the evidence directory (where run.json is).
func signersView(in Input) []signerView {
	dir := config.DefaultEvidenceDir
	if p := in.EvidenceFiles[evidencedir.RunRecord]; p != "" {
		dir = path.Dir(p)
	}
	var out []signerView
	for _, s := range in.Signers {
		if s.KeyPath != "" {
			out = append(out, signerView{
				Who:    fmt.Sprintf("key ID `%s` (`%s`, %s)", s.KeyID, s.KeyPath, orText(s.KeyType, "public key")),
				How:    "signed with the private key of this public key",
				Verify: fmt.Sprintf("cemark verify --key %s %s", shellWord(s.KeyPath), path.Join(dir, evidencedir.Attestations)),
			})
			continue
		}
		who, cert := fmt.Sprintf("`%s`", s.Identity), "this identity"
		flag := "--certificate-identity " + shellWord(s.Identity)
		if s.IdentityRegexp != "" {
			who, cert = fmt.Sprintf("an identity matching `%s`", s.IdentityRegexp), "a matching identity"
			flag = "--certificate-identity-regexp " + shellWord(s.IdentityRegexp)
		}
		out = append(out, signerView{
			Who:    fmt.Sprintf("%s, OIDC issuer `%s`", who, s.Issuer),
			How:    "keyless (Sigstore): a Fulcio certificate for " + cert + " in each build, each signature logged in the Rekor transparency log",
			Verify: fmt.Sprintf("cemark verify %s --certificate-oidc-issuer %s %s", flag, shellWord(s.Issuer), path.Join(dir, "*.sigstore.json")),
		})
	}
	return out
}

// shellWord quotes s for a POSIX shell when it holds anything but plain
// path and URL characters.
func shellWord(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// coverageWords says how much of a point the checks cover.
func coverageWords(c conformity.Coverage) string {
	switch c {
	case conformity.CoverageFull:
		return "the checks cover the whole point"
	case conformity.CoveragePartial:
		return "the checks cover part of the point"
	}
	return "no check covers the point"
}

func where(f checks.Finding) string {
	switch {
	case f.Path != "" && f.Line > 0:
		return fmt.Sprintf("%s:%d", f.Path, f.Line)
	case f.Path != "":
		return f.Path
	case f.Key != "":
		return f.Key
	}
	return "-"
}

func sortedAttestations(a []AttestationRef) []AttestationRef {
	out := append([]AttestationRef(nil), a...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// naturalLess orders provision names as a reader expects: runs of digits
// compare by value, so "EN 303 645 5.3-2" comes before "EN 303 645 5.3-10".
// Ties fall back to the plain string order, keeping the order total.
func naturalLess(a, b string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na := strings.TrimLeft(a[si:i], "0")
			nb := strings.TrimLeft(b[sj:j], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			continue
		}
		if a[i] != b[j] {
			return a[i] < b[j]
		}
		i++
		j++
	}
	if len(a)-i != len(b)-j {
		return len(a)-i < len(b)-j
	}
	return a < b
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func set(s []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}

func orDash(s string) string { return orText(s, "-") }

func orText(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}

// relLink turns a root-relative path into a link relative to the output folder.
func relLink(relDir, target string) string {
	up := strings.Repeat("../", len(strings.Split(relDir, "/")))
	return up + strings.TrimPrefix(path.Clean(target), "/")
}

func className(c string) string {
	if c == "" {
		return config.ClassDefault
	}
	return c
}

func classTitle(c string) string {
	switch c {
	case config.ClassDefault:
		return "default: not an important or critical product (neither Annex III nor Annex IV)"
	case config.ClassImportantClassI:
		return "important product, class I (Annex III)"
	case config.ClassImportantClassII:
		return "important product, class II (Annex III)"
	case config.ClassCritical:
		return "critical product (Annex IV)"
	}
	return c + " (unknown class)"
}

// anchor is the GitHub/GitLab heading anchor of a heading's text.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	if s == "" {
		return "-"
	}
	return s
}

// funcMap is hermetic: sprig's functions without environment, clock,
// randomness or network, plus cemark's own pure helpers.
func funcMap() template.FuncMap {
	m := sprig.HermeticTxtFuncMap()
	m["cell"] = cell
	m["anchor"] = anchor
	m["code"] = func(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }
	m["pct"] = func(f float64) string {
		return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", f*100), "0"), ".") + "%"
	}
	// needs and behov mark missing manufacturer input, in English and Danish.
	m["needs"] = func(field string) string { return "**needs manufacturer input** (`" + field + "` in cemark.yaml)" }
	m["behov"] = func(field string) string { return "**kræver input fra fabrikanten** (`" + field + "` i cemark.yaml)" }
	m["deref"] = func(b *bool) bool { return b != nil && *b }
	return m
}

// dateText is the reference date, YYYY-MM-DD in UTC; "not known" when the
// caller had none (cemark never falls back to the wall clock).
func dateText(in Input) string {
	if in.Date.IsZero() {
		return "not known"
	}
	return in.Date.UTC().Format("2006-01-02")
}
