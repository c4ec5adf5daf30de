package report

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cemark/cemark/evidence/config"
)

// NoticeLangs are the languages cemark drafts the user information in.
var NoticeLangs = []string{"en", "da"}

// noticeText is the fixed wording of the Art. 14(8) notice in one language.
type noticeText struct {
	comment, heading, vulnWhat, incidentWhat, versions, noVersions, todo string
	what, do, update, toWriteDo, updates, automatic, contact, machine    string
	basis                                                                string
}

var noticeTexts = map[string]noticeText{
	"en": {
		comment:      "Draft by cemark of the information to users that Art. 14(8) of Regulation (EU) 2024/2847 asks for. Review it, complete the parts marked To write, and publish it to the impacted users (where appropriate all users).",
		heading:      "Security notice",
		vulnWhat:     "An actively exploited vulnerability (%s) affects %s.",
		incidentWhat: "A severe security incident has affected %s: %s.",
		versions:     "Affected versions",
		noVersions:   "**[To write: the affected versions]**",
		todo:         "To write",
		what:         "What happened",
		do:           "What you should do",
		update:       "Update to version %s.",
		toWriteDo:    "the risk mitigation and corrective measures you can deploy to reduce the impact",
		updates:      "How updates reach you",
		automatic:    "Security updates are installed automatically unless you switched automatic updates off.",
		contact:      "Contact",
		machine:      "A structured, machine-readable form of this notice (CSAF 2.0)",
		basis:        "This notice informs users under Art. 14(8) of Regulation (EU) 2024/2847 (Cyber Resilience Act).",
	},
	"da": {
		comment:      "Udkast fra cemark til den information til brugerne, som artikel 14, stk. 8, i forordning (EU) 2024/2847 kræver. Gennemgå det, udfyld de steder, der er markeret Skal udfyldes, og offentliggør det for de berørte brugere og, hvor det er relevant, for alle brugere.",
		heading:      "Sikkerhedsmeddelelse",
		vulnWhat:     "En aktivt udnyttet sårbarhed (%s) berører %s.",
		incidentWhat: "En alvorlig sikkerhedshændelse har påvirket %s: %s.",
		versions:     "Berørte versioner",
		noVersions:   "**[Skal udfyldes: de berørte versioner]**",
		todo:         "Skal udfyldes",
		what:         "Hvad er der sket",
		do:           "Hvad du skal gøre",
		update:       "Opdatér til version %s.",
		toWriteDo:    "de foranstaltninger til risikobegrænsning og afhjælpning, som du selv kan tage i brug for at mindske virkningen",
		updates:      "Sådan får du opdateringer",
		automatic:    "Sikkerhedsopdateringer installeres automatisk, medmindre du har slået automatiske opdateringer fra.",
		contact:      "Kontakt",
		machine:      "En struktureret, maskinlæsbar udgave af denne meddelelse (CSAF 2.0)",
		basis:        "Denne meddelelse informerer brugerne efter artikel 14, stk. 8, i forordning (EU) 2024/2847 (forordningen om cyberrobusthed).",
	},
}

// NoticeInput is what the user information is made from.
type NoticeInput struct {
	Event  Event
	Config *config.Config
	// AdvisoryPath is the CSAF advisory's slash path, when one was written.
	AdvisoryPath string
}

// BuildNotice drafts the information to users of Art. 14(8) in lang (en
// or da): what happened, the affected versions, what users should do and
// how updates reach them, the contact, and the machine-readable advisory
// when there is one. Words only the manufacturer can give are marked.
func BuildNotice(in NoticeInput, lang string) ([]byte, error) {
	t, ok := noticeTexts[lang]
	if !ok {
		return nil, fmt.Errorf("notice: language %q; expected one of %s", lang, strings.Join(NoticeLangs, ", "))
	}
	cfg := in.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	e := in.Event
	product := cfg.Product.Name
	if product == "" {
		product = "**[" + t.todo + ": product]**"
	}
	gap := func(s string) string { return "**[" + t.todo + ": " + s + "]**" }
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- %s -->\n\n", t.comment)
	fmt.Fprintf(&b, "# %s: %s\n\n", t.heading, e.Title)
	fmt.Fprintf(&b, "## %s\n\n", t.what)
	if e.Kind == KindIncident {
		fmt.Fprintf(&b, t.incidentWhat+"\n\n", product, e.Title)
	} else {
		ids := strings.Join(e.Vulnerabilities, ", ")
		if ids == "" {
			ids = gap("ID")
		}
		fmt.Fprintf(&b, t.vulnWhat+"\n\n", ids, product)
	}
	versions := strings.Join(e.ProductVersions, ", ")
	if versions == "" {
		versions = t.noVersions
	}
	fmt.Fprintf(&b, "**%s:** %s\n\n", t.versions, versions)
	fmt.Fprintf(&b, "## %s\n\n", t.do)
	if len(e.FixedVersions) > 0 {
		fmt.Fprintf(&b, t.update+"\n\n", strings.Join(e.FixedVersions, ", "))
	} else {
		b.WriteString(gap(t.toWriteDo) + "\n\n")
	}
	if u := cfg.Updates; u.Mechanism != "" {
		fmt.Fprintf(&b, "## %s\n\n%s", t.updates, u.Mechanism)
		if u.Automatic != nil && *u.Automatic {
			b.WriteString(". " + t.automatic)
		}
		b.WriteString("\n\n")
	}
	contact := cfg.Security.Contact
	if contact == "" {
		contact = gap(t.contact)
	}
	fmt.Fprintf(&b, "## %s\n\n%s\n\n", t.contact, contact)
	if in.AdvisoryPath != "" {
		fmt.Fprintf(&b, "%s: `%s`\n\n", t.machine, in.AdvisoryPath)
	}
	fmt.Fprintf(&b, "---\n\n%s\n", t.basis)
	return b.Bytes(), nil
}
