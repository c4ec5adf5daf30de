package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cemark/cemark/evidence/config"
)

// DraftSchema names the JSON shape of a draft, versioned: ENISA's single
// reporting platform has published no format or API, so this shape is
// cemark's own. A change that removes or renames a field makes a new
// version (…/v2); adding a field does not.
const DraftSchema = "https://cemark.dev/art14-draft/v1"

// Disclaimer heads every draft.
const Disclaimer = "Draft prepared by cemark from the evidence and cemark.yaml. It is NOT submitted: cemark never submits a report. " +
	"A person completes the parts marked to write and submits it through ENISA's single reporting platform (Art. 14(7), Art. 16), " +
	"whose own format is not public; this draft's JSON shape is cemark's (" + DraftSchema + ")."

// Draft is one Art. 14 report as cemark drafts it: the event, the
// deadline, where it goes, and each element the article asks at this
// stage — filled from the evidence where it can be, marked where the
// manufacturer must write.
type Draft struct {
	Schema     string        `json:"schema"`
	Disclaimer string        `json:"disclaimer"`
	Event      DraftEvent    `json:"event"`
	Stage      Stage         `json:"stage"`
	Deadline   DraftDeadline `json:"deadline"`
	SubmitTo   SubmitTo      `json:"submit_to"`
	Elements   []Element     `json:"elements"`
	Notes      []Note        `json:"notes"`
}

// DraftEvent identifies the event a draft is about.
type DraftEvent struct {
	ID              string   `json:"id"`
	Kind            string   `json:"kind"`
	Title           string   `json:"title"`
	AwareAt         string   `json:"aware_at"`
	ProductVersions []string `json:"product_versions"`
	Vulnerabilities []string `json:"vulnerabilities"`
	Components      []string `json:"components"`
}

// DraftDeadline is the stage's deadline; Due is empty while its clock has
// not started.
type DraftDeadline struct {
	Basis       string `json:"basis"`
	Rule        string `json:"rule"`
	Due         string `json:"due,omitempty"`
	Provisional bool   `json:"provisional,omitempty"`
}

// SubmitTo is where the report goes (Art. 14(7)).
type SubmitTo struct {
	Channel     string `json:"channel"`
	MemberState string `json:"member_state,omitempty"`
	CSIRT       string `json:"csirt,omitempty"`
	Basis       string `json:"basis"`
	// ToWrite is set when cemark.yaml does not say where.
	ToWrite string `json:"to_write,omitempty"`
}

// Element is one piece of content the article asks at this stage.
type Element struct {
	ID    string `json:"id"`
	Basis string `json:"basis"`
	// Asks is what the article asks, paraphrased.
	Asks string `json:"asks"`
	// Evidence is what cemark could fill in, each with its source.
	Evidence []Fact `json:"evidence"`
	// ToWrite says what the manufacturer must write; empty when the
	// evidence answers the element.
	ToWrite string `json:"to_write,omitempty"`
}

// Fact is one filled-in statement and where it comes from.
type Fact struct {
	Text   string `json:"text"`
	Source string `json:"source"`
}

// Note is a legal point a person submitting should know, with its basis.
type Note struct {
	Basis string `json:"basis"`
	Text  string `json:"text"`
}

// DraftInput is what a draft is made from.
type DraftInput struct {
	Event    Event
	Config   *config.Config
	Evidence *Evidence
}

// Sources, as drafts name them. What the manufacturer states is stated,
// not verified.
const (
	srcEvent  = "event.yaml (stated by the manufacturer)"
	srcConfig = "cemark.yaml %s (stated, not verified)"
	srcSBOM   = "SBOM %s"
	srcScan   = "vulnerability scan"
)

// element texts: what each provision asks, paraphrased from the article.
var (
	askMemberStates       = "where applicable, the Member States on whose territory the manufacturer is aware the product has been made available"
	askProduct            = "general information, where available, about the product concerned"
	askExploit            = "the general nature of the exploit"
	askVulnerability      = "the general nature of the vulnerability"
	askMeasuresTaken      = "any corrective or mitigating measures taken"
	askUserMeasures       = "corrective or mitigating measures that users can take"
	askSensitivity        = "where applicable, how sensitive the manufacturer considers the notified information to be"
	askVulnDescription    = "a description of the vulnerability, including its severity and impact"
	askMaliciousActor     = "where available, information concerning any malicious actor that has exploited or is exploiting the vulnerability"
	askSecurityUpdate     = "details about the security update or other corrective measures that have been made available to remedy the vulnerability"
	askSuspectedMalicious = "at least whether the incident is suspected of being caused by unlawful or malicious acts"
	askIncidentNature     = "general information, where available, about the nature of the incident"
	askInitialAssessment  = "an initial assessment of the incident"
	askIncidentDesc       = "a detailed description of the incident, including its severity and impact"
	askRootCause          = "the type of threat or root cause that is likely to have triggered the incident"
	askMitigations        = "applied and ongoing mitigation measures"
)

// BuildDraft drafts the report of one stage.
func BuildDraft(in DraftInput, stage Stage) (*Draft, error) {
	e := in.Event
	cfg := in.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	var dl Deadline
	for _, d := range Deadlines(e, e.AwareAt) {
		if d.Stage == stage {
			dl = d
		}
	}
	if dl.Stage == "" {
		return nil, fmt.Errorf("draft: unknown stage %q", stage)
	}
	d := &Draft{
		Schema: DraftSchema, Disclaimer: Disclaimer, Stage: stage,
		Event: DraftEvent{ID: e.ID, Kind: e.Kind, Title: e.Title, AwareAt: FormatTime(e.AwareAt),
			ProductVersions: nonNil(e.ProductVersions), Vulnerabilities: nonNil(e.Vulnerabilities), Components: nonNil(e.Components)},
		Deadline: DraftDeadline{Basis: dl.Basis, Rule: dl.Rule, Provisional: dl.Provisional},
		SubmitTo: submitTo(e, cfg),
	}
	if dl.Due != nil {
		d.Deadline.Due = FormatTime(*dl.Due)
	}
	f := filler{e: e, cfg: cfg, ev: in.Evidence}
	b := func(letter string) string {
		if e.Kind == KindIncident {
			return "Art. 14(4)(" + letter + ")"
		}
		return "Art. 14(2)(" + letter + ")"
	}
	switch {
	case e.Kind == KindVulnerability && stage == EarlyWarning:
		d.Elements = []Element{f.memberStates(b("a"))}
	case e.Kind == KindVulnerability && stage == Notification:
		d.Elements = []Element{
			f.product(b("b")),
			{ID: "exploit_nature", Basis: b("b"), Asks: askExploit, Evidence: f.kev(),
				ToWrite: "how the vulnerability is being exploited (attack vector, preconditions, what an attacker gains), as far as known"},
			f.vulnerability(b("b"), askVulnerability, "vulnerability_nature",
				"the general nature of the vulnerability (type of weakness, the affected function)"),
			f.measuresTaken(b("b")),
			f.userMeasures(b("b")),
			f.sensitivity(b("b")),
		}
	case e.Kind == KindVulnerability && stage == Final:
		d.Elements = []Element{
			f.vulnerability(b("c")+"(i)", askVulnDescription, "description",
				"a description of the vulnerability with its severity (e.g. a CVSS vector) and its impact on the product and its users"),
			{ID: "malicious_actor", Basis: b("c") + "(ii)", Asks: askMaliciousActor, Evidence: []Fact{},
				ToWrite: "what is known of the malicious actor that exploited or is exploiting the vulnerability, or that nothing is known"},
			f.securityUpdate(b("c") + "(iii)"),
		}
	case e.Kind == KindIncident && stage == EarlyWarning:
		d.Elements = []Element{
			{ID: "suspected_malicious", Basis: b("a"), Asks: askSuspectedMalicious, Evidence: []Fact{},
				ToWrite: "whether the incident is suspected of being caused by unlawful or malicious acts: yes, no, or not yet known"},
			f.memberStates(b("a")),
		}
	case e.Kind == KindIncident && stage == Notification:
		d.Elements = []Element{
			{ID: "incident_nature", Basis: b("b"), Asks: askIncidentNature, Evidence: append(f.titleFact(), f.productFacts()...),
				ToWrite: "what happened: the nature of the incident, as far as known"},
			{ID: "initial_assessment", Basis: b("b"), Asks: askInitialAssessment, Evidence: []Fact{},
				ToWrite: "the initial assessment of the incident (scope, affected systems and data, likely effect on users)"},
			f.measuresTaken(b("b")),
			f.userMeasures(b("b")),
			f.sensitivity(b("b")),
		}
	case e.Kind == KindIncident && stage == Final:
		d.Elements = []Element{
			{ID: "description", Basis: b("c") + "(i)", Asks: askIncidentDesc, Evidence: append(f.titleFact(), f.productFacts()...),
				ToWrite: "a detailed description of the incident with its severity and impact"},
			{ID: "root_cause", Basis: b("c") + "(ii)", Asks: askRootCause, Evidence: []Fact{},
				ToWrite: "the type of threat or the root cause that likely triggered the incident"},
			{ID: "mitigations", Basis: b("c") + "(iii)", Asks: askMitigations, Evidence: f.fixFacts(),
				ToWrite: "the mitigation measures applied and those still ongoing"},
		}
	default:
		return nil, fmt.Errorf("draft: event %s has kind %q; expected vulnerability or incident", e.ID, e.Kind)
	}
	d.Notes = notes(e, stage)
	return d, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func submitTo(e Event, cfg *config.Config) SubmitTo {
	s := SubmitTo{Channel: "ENISA single reporting platform, end-point of the coordinator CSIRT of the Member State of main establishment", Basis: "Art. 14(7)",
		MemberState: e.MemberState, CSIRT: e.CSIRT}
	if s.MemberState == "" {
		s.MemberState = cfg.Reporting.MemberState
	}
	if s.CSIRT == "" {
		s.CSIRT = cfg.Reporting.CSIRT
	}
	if s.MemberState == "" || s.CSIRT == "" {
		s.ToWrite = "the Member State of main establishment and its coordinator CSIRT (set reporting.member_state and reporting.csirt in cemark.yaml)"
	}
	return s
}

func notes(e Event, stage Stage) []Note {
	var out []Note
	switch stage {
	case EarlyWarning:
		out = append(out, Note{Basis: "Art. 64(10)(a)",
			Text: "Micro and small enterprises are not fined for missing the 24-hour early-warning deadline; the obligation to send the early warning stays."})
	case Notification, Final:
		basis := "Art. 14(2)"
		if e.Kind == KindIncident {
			basis = "Art. 14(4)"
		}
		out = append(out, Note{Basis: basis, Text: "This report is due unless the relevant information has already been provided in an earlier one."})
	}
	if stage == Notification {
		out = append(out, Note{Basis: "Art. 14(6)", Text: "The CSIRT may ask for an intermediate report on relevant status updates."})
	}
	out = append(out, Note{Basis: "Art. 14(7)",
		Text: "Submit through ENISA's single reporting platform, using the end-point of the coordinator CSIRT of the Member State of main establishment; the report is accessible to ENISA at the same time."})
	return out
}

// filler fills elements from the evidence.
type filler struct {
	e   Event
	cfg *config.Config
	ev  *Evidence
}

func cfgSrc(key string) string { return fmt.Sprintf(srcConfig, key) }

func (f filler) titleFact() []Fact {
	return []Fact{{Text: f.e.Title, Source: srcEvent}}
}

func (f filler) memberStates(basis string) Element {
	el := Element{ID: "member_states", Basis: basis, Asks: askMemberStates, Evidence: []Fact{}}
	if ms := f.cfg.Reporting.AvailableIn; len(ms) > 0 {
		el.Evidence = append(el.Evidence, Fact{Text: strings.Join(ms, ", "), Source: cfgSrc("reporting.available_in")})
	} else {
		el.ToWrite = "the Member States where the product is made available, as far as you know them (or list them in reporting.available_in)"
	}
	return el
}

func (f filler) productFacts() []Fact {
	var out []Fact
	p := f.cfg.Product
	if p.Name != "" {
		text := p.Name
		if p.Description != "" {
			text += ": " + p.Description
		}
		out = append(out, Fact{Text: "Product: " + text, Source: cfgSrc("product")})
	} else if f.ev != nil && f.ev.Product != nil {
		out = append(out, Fact{Text: "Product: " + f.ev.Product.Name, Source: fmt.Sprintf(srcSBOM, f.ev.SBOMPath)})
	}
	if m := f.cfg.Manufacturer.Name; m != "" {
		out = append(out, Fact{Text: "Manufacturer: " + m, Source: cfgSrc("manufacturer.name")})
	}
	if len(f.e.ProductVersions) > 0 {
		out = append(out, Fact{Text: "Versions affected: " + strings.Join(f.e.ProductVersions, ", "), Source: srcEvent})
	}
	if f.ev != nil && f.ev.Product != nil && f.ev.Product.PURL != "" {
		out = append(out, Fact{Text: "Package URL of the product: " + f.ev.Product.PURL, Source: fmt.Sprintf(srcSBOM, f.ev.SBOMPath)})
	}
	return out
}

func (f filler) product(basis string) Element {
	el := Element{ID: "product", Basis: basis, Asks: askProduct, Evidence: f.productFacts()}
	if el.Evidence == nil {
		el.Evidence = []Fact{}
	}
	if f.cfg.Product.Name == "" || len(f.e.ProductVersions) == 0 {
		el.ToWrite = "the product's name and the versions affected (product.name in cemark.yaml, product_versions in event.yaml)"
	}
	return el
}

func (f filler) kev() []Fact {
	out := []Fact{}
	for _, k := range f.ev.kevFor(f.e) {
		out = append(out, Fact{Text: k, Source: srcScan})
	}
	return out
}

// vulnFacts are the vulnerability IDs, the affected components from the
// SBOM and the VEX statements on them.
func (f filler) vulnFacts() []Fact {
	out := []Fact{}
	if len(f.e.Vulnerabilities) > 0 {
		out = append(out, Fact{Text: "Vulnerabilities: " + strings.Join(f.e.Vulnerabilities, ", "), Source: srcEvent})
	}
	affected := f.ev.affected(f.e)
	for _, c := range affected {
		out = append(out, Fact{Text: "Affected component: " + c.String() + " (" + c.PURL + ")", Source: fmt.Sprintf(srcSBOM, f.ev.SBOMPath)})
	}
	if len(affected) == 0 {
		for _, p := range f.e.Components {
			out = append(out, Fact{Text: "Affected component: " + p, Source: srcEvent})
		}
	}
	for _, s := range f.ev.vexFor(f.e) {
		text := "VEX " + s.VulnID + ": " + s.Status
		if s.Justification != "" {
			text += " (" + s.Justification + ")"
		}
		if s.Detail != "" {
			text += ": " + s.Detail
		}
		out = append(out, Fact{Text: text, Source: fmt.Sprintf(srcSBOM, f.ev.SBOMPath) + " VEX"})
	}
	return out
}

func (f filler) vulnerability(basis, asks, id, toWrite string) Element {
	return Element{ID: id, Basis: basis, Asks: asks, Evidence: append(f.vulnFacts(), f.kev()...), ToWrite: toWrite}
}

func (f filler) fixFacts() []Fact {
	out := []Fact{}
	if c := f.e.CorrectiveMeasureAvailableAt; c != nil {
		out = append(out, Fact{Text: "Corrective or mitigating measure available since " + FormatTime(*c), Source: srcEvent})
	}
	if len(f.e.FixedVersions) > 0 {
		out = append(out, Fact{Text: "Fixed in version " + strings.Join(f.e.FixedVersions, ", "), Source: srcEvent})
	}
	return out
}

func (f filler) measuresTaken(basis string) Element {
	el := Element{ID: "measures_taken", Basis: basis, Asks: askMeasuresTaken, Evidence: f.fixFacts()}
	if len(el.Evidence) == 0 {
		el.ToWrite = "the corrective or mitigating measures taken so far, or that none is available yet"
	}
	return el
}

func (f filler) userMeasures(basis string) Element {
	el := Element{ID: "user_measures", Basis: basis, Asks: askUserMeasures, Evidence: []Fact{}}
	if len(f.e.FixedVersions) > 0 {
		el.Evidence = append(el.Evidence, Fact{Text: "Update to version " + strings.Join(f.e.FixedVersions, ", "), Source: srcEvent})
	}
	if m := f.cfg.Updates.Mechanism; m != "" {
		el.Evidence = append(el.Evidence, Fact{Text: "Updates reach users through: " + m, Source: cfgSrc("updates.mechanism")})
	}
	if len(f.e.FixedVersions) == 0 {
		el.ToWrite = "what users can do now to mitigate (configuration, workaround, disabling a feature) until a fix is available"
	}
	return el
}

func (f filler) sensitivity(basis string) Element {
	return Element{ID: "sensitivity", Basis: basis, Asks: askSensitivity, Evidence: []Fact{},
		ToWrite: "how sensitive you consider this information (e.g. a TLP label), and why"}
}

func (f filler) securityUpdate(basis string) Element {
	el := Element{ID: "security_update", Basis: basis, Asks: askSecurityUpdate, Evidence: f.fixFacts()}
	if m := f.cfg.Updates.Mechanism; m != "" {
		el.Evidence = append(el.Evidence, Fact{Text: "Distributed through: " + m, Source: cfgSrc("updates.mechanism")})
	}
	if len(f.e.FixedVersions) == 0 || f.e.CorrectiveMeasureAvailableAt == nil {
		el.ToWrite = "the security update or other corrective measure made available: version, date, where users get it (mark it with cemark report fixed)"
	}
	return el
}

// Gaps lists the elements the manufacturer must still write, by ID.
func (d *Draft) Gaps() []string {
	var out []string
	for _, el := range d.Elements {
		if el.ToWrite != "" {
			out = append(out, el.ID)
		}
	}
	return out
}

// JSON is the draft for a machine: indented, ending in a newline.
func (d *Draft) JSON() []byte {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("encode draft: %v", err)) // strings and slices only
	}
	return append(b, '\n')
}

// Markdown is the draft for a person.
func (d *Draft) Markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- %s -->\n\n", d.Disclaimer)
	kind := "actively exploited vulnerability"
	if d.Event.Kind == KindIncident {
		kind = "severe incident"
	}
	fmt.Fprintf(&b, "# %s: %s\n\n", capitalise(d.Stage.Title()), d.Event.Title)
	b.WriteString("**Draft — not submitted.** cemark never submits; complete the parts marked *To write* and submit it yourself.\n\n")
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| Event | %s (%s) |\n", d.Event.ID, kind)
	fmt.Fprintf(&b, "| Became aware | %s |\n", d.Event.AwareAt)
	due := "not running yet"
	if d.Deadline.Due != "" {
		due = d.Deadline.Due
	}
	prov := ""
	if d.Deadline.Provisional {
		prov = ", provisional"
	}
	fmt.Fprintf(&b, "| Due | %s — %s (%s%s) |\n", due, d.Deadline.Rule, d.Deadline.Basis, prov)
	if d.SubmitTo.ToWrite != "" {
		fmt.Fprintf(&b, "| Submit to | **To write:** %s |\n", d.SubmitTo.ToWrite)
	} else {
		fmt.Fprintf(&b, "| Submit to | %s (%s), through ENISA's single reporting platform (%s) |\n", d.SubmitTo.CSIRT, d.SubmitTo.MemberState, d.SubmitTo.Basis)
	}
	fmt.Fprintf(&b, "| Product versions | %s |\n", orNone(d.Event.ProductVersions))
	if d.Event.Kind == KindVulnerability {
		fmt.Fprintf(&b, "| Vulnerabilities | %s |\n", orNone(d.Event.Vulnerabilities))
	}
	fmt.Fprintf(&b, "\n## What %s asks\n", d.Deadline.Basis)
	for _, el := range d.Elements {
		fmt.Fprintf(&b, "\n### %s — %s\n\n", capitalise(el.Asks), el.Basis)
		for _, f := range el.Evidence {
			fmt.Fprintf(&b, "- %s — *%s*\n", f.Text, f.Source)
		}
		if len(el.Evidence) > 0 {
			b.WriteString("\n")
		}
		if el.ToWrite != "" {
			fmt.Fprintf(&b, "> **To write (manufacturer):** %s.\n", el.ToWrite)
		}
	}
	b.WriteString("\n## Notes\n\n")
	for _, n := range d.Notes {
		fmt.Fprintf(&b, "- %s (%s)\n", n.Text, n.Basis)
	}
	return b.Bytes()
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "**To write:** none recorded in event.yaml"
	}
	return strings.Join(s, ", ")
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
