package techfile

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/config"
)

// TestCitations pins each legal statement of the technical file to the
// provision it follows. Every case quotes the provision (Regulation (EU)
// 2024/2847, consolidated text 02024R2847-20241120) and names the text
// that must, or must not, appear in a document.
func TestCitations(t *testing.T) {
	t.Parallel()
	type check struct {
		doc  string
		want []string // substrings that must appear
		not  []string // substrings that must not
	}
	cases := []struct {
		name, cite, quote string
		cfg               func() *config.Config
		lang              string
		checks            []check
	}{
		{name: "declaration: fulfilment demonstrated", cite: "Art. 28(1)",
			quote:  "state that the fulfilment of the applicable essential cybersecurity requirements set out in Annex I has been demonstrated",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docDeclaration, want: []string{"The fulfilment of the applicable essential cybersecurity requirements set out in Annex I has\nbeen demonstrated (Art. 28(1))"}}}},
		{name: "declaration in Danish: væsentlige cybersikkerhedskrav", cite: "Art. 28(1) (DA)",
			quote: "the fulfilment of the applicable essential cybersecurity requirements set out in Annex I has been demonstrated",
			cfg:   func() *config.Config { return fixtureConfig(config.ClassDefault) }, lang: "da",
			checks: []check{{doc: docDeclaration, want: []string{"Det er blevet påvist, at de gældende væsentlige cybersikkerhedskrav i bilag I er opfyldt\n(artikel 28, stk. 1)", "modul A",
				// The reference gives no Danish text beyond this term: the rest is
				// cemark's translation, and the declaration says so (house rule:
				// what the reference does not settle is said, not guessed).
				"den øvrige danske tekst er cemarks oversættelse og er ikke kontrolleret mod forordningens danske udgave"},
				not: []string{"Module A", "internal control"}}}},
		{name: "item 7 names the procedure followed; no notified body with Module A", cite: "Annex V 7",
			quote: "Where applicable, the name and number of the notified body, a description of the conformity assessment procedure performed and identification of the certificate issued",
			cfg:   func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docDeclaration, want: []string{"Conformity assessment procedure performed: internal control (based on module A), Annex VIII Part I."},
				not: []string{"Notified body:"}}}},
		{name: "item 7 names the notified body with Module H", cite: "Annex V 7",
			quote: "the name and number of the notified body",
			cfg: func() *config.Config {
				c := fixtureConfig(config.ClassImportantClassII)
				c.Conformity.NotifiedBody = config.NotifiedBody{Name: "Nordic Cyber Certification A/S", Number: "2875", Certificate: "NCC-H-2027-17"}
				return c
			},
			checks: []check{{doc: docDeclaration, want: []string{"Notified body: Nordic Cyber Certification A/S,\nnumber 2875.", "Certificate issued: NCC-H-2027-17."}}}},
		{name: "CE marking for software: on the declaration or the website", cite: "Art. 30(1)",
			quote:  "For products with digital elements which are in the form of software, the CE marking shall be affixed either to the EU declaration of conformity referred to in Article 28 or on the website accompanying the software product",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docDeclaration, want: []string{"affixed either to this EU declaration of conformity or on the website\naccompanying the software", "Annex VIII Part I 4.1 for Module A", "(Art. 13(12))"}}}},
		{name: "notified-body number after CE only with Module H", cite: "Art. 30(4)",
			quote: "The CE marking shall be followed by the identification number of the notified body, where that body is involved in the conformity assessment procedure based on full quality assurance (based on module H)",
			cfg: func() *config.Config {
				c := fixtureConfig(config.ClassImportantClassII)
				c.Conformity.NotifiedBody = config.NotifiedBody{Name: "NCC", Number: "2875", Certificate: "C-1"}
				return c
			},
			checks: []check{{doc: docDeclaration, want: []string{"(Module H): 2875 (Art. 30(4))"}}}},
		{name: "no declaration and no CE marking for a steward", cite: "recital 19",
			quote: "they should not be permitted to affix the CE marking to the products with digital elements whose development they support",
			cfg:   stewardConfig,
			checks: []check{{doc: docDeclaration, want: []string{"draws up no EU declaration of conformity and may not affix the\nCE marking (Art. 24; recital 19)", "(Art. 24(1))"},
				not: []string{"## CE marking", "Simplified EU declaration"}}}},
		{name: "simplified declaration names the type designation", cite: "Annex VI",
			quote:  "declares that the product with digital elements type … [designation of type of product with digital element] is in compliance with Regulation (EU) 2024/2847",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docDeclaration, want: []string{"the product with digital elements type AG-1 is in\ncompliance with Regulation (EU) 2024/2847"}}}},
		{name: "user information: name and type", cite: "Annex II 3",
			quote:  "name and type and any additional information enabling the unique identification of the product with digital elements",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docGeneral, want: []string{"Name: acme-gateway. Type: AG-1."}}}},
		{name: "user information: type of support and its end", cite: "Annex II 7",
			quote:  "the type of technical security support offered by the manufacturer and the end-date of the support period",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docGeneral, want: []string{"Type of technical security support: Security updates for the latest minor release, free of charge.", "until 2032-12-31"}}}},
		{name: "user information: postpone updates", cite: "Annex I Part I (2)(c)",
			quote:  "through the notification of available updates to users, and the option to temporarily postpone them",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docGeneral, want: []string{"To postpone an update temporarily: snooze an update for up to 7 days in the app."}}}},
		{name: "dates: the Regulation applies from 11 December 2027", cite: "Art. 71(2), Art. 69(2)",
			quote: "This Regulation shall apply from 11 December 2027. … Products with digital elements that have been placed on the market before 11 December 2027 shall be subject to the requirements set out in this Regulation only if, from that date, those products are subject to a substantial modification.",
			cfg:   func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docIndex, want: []string{"apply from 2027-12-11 (Art. 71(2))", "(Art. 69(2))"}},
				{doc: docDeclaration, want: []string{"placed on the market from 2027-12-11 (Art. 71(2))"}}}},
		{name: "dates: Art. 14 from 11 September 2026, also for earlier products", cite: "Art. 71(2), Art. 69(3)",
			quote:  "However, Article 14 shall apply from 11 September 2026 … the obligations laid down in Article 14 shall apply to all products with digital elements that fall within the scope of this Regulation that have been placed on the market before 11 December 2027",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docIndex, want: []string{"Art. 14 apply from 2026-09-11 (Art. 71(2)), also to products\nplaced on the market before 2027-12-11 (Art. 69(3))"}}}},
		{name: "Art. 14 clocks for vulnerabilities", cite: "Art. 14(2)",
			quote: "within 24 hours … within 72 hours … a final report, no later than 14 days after a corrective or mitigating measure is available",
			cfg:   func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docVuln, want: []string{"within 24 hours", "within 72 hours", "no later than 14 days after a corrective or mitigating measure is available"},
				not: []string{"14 days after becoming aware"}}}},
		{name: "Art. 14 clocks for incidents", cite: "Art. 14(4)(c)",
			quote:  "a final report, within one month after the submission of the incident notification under point (b)",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docVuln, want: []string{"within one month after the incident notification"}}}},
		{name: "Art. 14 through the coordinator CSIRT of the main establishment", cite: "Art. 14(7)",
			quote:  "using the electronic notification end- point of the CSIRT designated as coordinator of the Member State where the manufacturers have their main establishment in the Union",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docVuln, want: []string{"| Member State of main establishment | DK |", "| CSIRT designated as coordinator | CFCS (Center for Cybersikkerhed) |", "single reporting platform (Art. 16)"}}}},
		{name: "Art. 14 is an open item until configured", cite: "Art. 14(7)",
			quote: "The notification shall be submitted using the electronic notification end- point of the CSIRT designated as coordinator",
			cfg: func() *config.Config {
				c := fixtureConfig(config.ClassDefault)
				c.Reporting = config.Reporting{}
				return c
			},
			checks: []check{{doc: docVuln, want: []string{"**OPEN ITEM:** Art. 14 reporting is not set up: set `reporting.member_state` and `reporting.csirt`"}},
				{doc: docIndex, want: []string{"Art. 14 reporting set-up (`reporting.member_state`)"}}}},
		{name: "Art. 14: informing users", cite: "Art. 14(8)",
			quote:  "where appropriate in a structured, machine-readable format that is easily automatically processable",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docVuln, want: []string{"### Informing users (Art. 14(8))", "structured, machine-readable format that is easily automatically processable"}}}},
		{name: "Art. 14 events: each deadline met or missed by the submission recorded", cite: "Art. 14(2)(a), (b)",
			quote: "an early warning notification of an actively exploited vulnerability, without undue delay and in any event within 24 hours … a vulnerability notification, without undue delay and in any event within 72 hours of the manufacturer becoming aware",
			cfg:   func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docVuln, want: []string{
				"met: submitted 2026-11-05T20:00:00Z, due 2026-11-06T09:30:00Z (Art. 14(2)(a))",
				"**missed**: submitted 2026-11-09T10:00:00Z, due 2026-11-08T09:30:00Z (Art. 14(2)(b))"},
				not: []string{"overdue", "compliant"}}}},
		{name: "Art. 14 events: the vulnerability final report waits for a fix", cite: "Art. 14(2)(c)",
			quote:  "a final report, no later than 14 days after a corrective or mitigating measure is available",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docVuln, want: []string{"waiting: due 14 days after a corrective or mitigating measure is available (Art. 14(2)(c))"}}}},
		{name: "Art. 14 events: the incident final report one month after the notification", cite: "Art. 14(4)(c)",
			quote:  "a final report, within one month after the submission of the incident notification under point (b)",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docVuln, want: []string{"met: submitted 2026-10-30T12:00:00Z, due 2026-11-04T09:00:00Z (Art. 14(4)(c))"}}}},
		{name: "Art. 14 events: none before Art. 14 applied", cite: "Art. 71(2)",
			quote:  "However, Article 14 shall apply from 11 September 2026",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docVuln, want: []string{"not applicable: aware before Art. 14 applied (11 September 2026, Art. 71(2))"}}}},
		{name: "Part II (2) and (8) link the Art. 14 events", cite: "Annex I Part II (2), (8)",
			quote: "address and remediate vulnerabilities without delay … ensure that, where security updates are available to address identified security issues, they are disseminated without delay",
			cfg:   func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docRisk, want: []string{
				"Address and remediate vulnerabilities without delay.** Applicability: applies to every product.",
				"[Art. 14 events](03-vulnerability-handling.md#art-14-events) (1 open, 2 closed)."}}}},
		{name: "no OJ citation yet", cite: "Art. 27(1)",
			quote:  "harmonised standards or parts thereof, the references of which have been published in the Official Journal of the European Union",
			cfg:    func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docStandards, want: []string{"no harmonised standard had been cited in the Official Journal under the Regulation"}}}},
		{name: "test reports: the product as shipped", cite: "Annex VII 6",
			quote: "reports of the tests carried out to verify the conformity of the product with digital elements and of the vulnerability handling processes",
			cfg:   func() *config.Config { return fixtureConfig(config.ClassDefault) },
			checks: []check{{doc: docTests, want: []string{"they do not\ntest the product as it runs"}},
				{doc: docIndex, want: []string{"| 6 | Test reports | [07-test-reports.md](07-test-reports.md) | needs manufacturer input |"}}}},
		{name: "photos only for hardware; unset is not software", cite: "Annex VII 1(c)",
			quote: "where the product with digital elements is a hardware product, photographs or illustrations showing external features, marking and internal layout",
			cfg: func() *config.Config {
				c := fixtureConfig(config.ClassDefault)
				c.Product.Hardware = nil
				return c
			},
			checks: []check{{doc: docIndex, want: []string{"| 1(c) | Photos or illustrations (hardware) | [01-general-description.md](01-general-description.md) | needs manufacturer input | whether the product has hardware"}}}},
		{name: "substantial modification", cite: "Art. 3(30)",
			quote: "a change to the product with digital elements following its placing on the market, which affects the compliance of the product with digital elements with the essential cybersecurity requirements set out in Part I of Annex I or which results in a modification to the intended purpose",
			cfg:   func() *config.Config { return fixtureConfig(config.ClassDefault) },
			// The section shows only when something changed: the template text is checked.
			checks: []check{{doc: "", want: []string{"affects compliance with the essential cybersecurity\nrequirements of Part I of Annex I or modifies the intended purpose", "recitals 38 and 39"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.cite == "" || tc.quote == "" {
				t.Fatal("every citation case quotes the provision it follows")
			}
			root := newRepo(t)
			in := fixtureInput(tc.cfg())
			mustRender(t, in, Options{Root: root, Lang: tc.lang})
			bundle := readBundle(t, filepath.Join(root, DefaultDir))
			for _, c := range tc.checks {
				doc := bundle[c.doc]
				if c.doc == "" {
					doc = readEmbedded(t, docIndex+".tmpl")
				}
				for _, w := range c.want {
					if !strings.Contains(doc, w) {
						t.Errorf("%s (%q): %s lacks %q", tc.cite, tc.quote, c.doc, w)
					}
				}
				for _, n := range c.not {
					if strings.Contains(doc, n) {
						t.Errorf("%s (%q): %s says %q", tc.cite, tc.quote, c.doc, n)
					}
				}
			}
		})
	}
}

// TestSwitchToDanish: switching an English file to Danish replaces
// cemark's guidance, keeps the manufacturer's words, and says which of
// them are still in English (Art. 13(18), Art. 28(2): the languages the
// Member States require).
func TestSwitchToDanish(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	dir := filepath.Join(root, DefaultDir)
	mustRender(t, defaultInput(), Options{Root: root, Lang: "en"})
	mine := "The gateway runs inside the home network behind the customer's router.\n"
	fillRegion(t, filepath.Join(dir, docGeneral), "ii-4-security", mine)

	res := mustRender(t, defaultInput(), Options{Root: root, Lang: "da"})
	doc := readFile(t, filepath.Join(dir, docGeneral))
	if !strings.Contains(doc, mine) {
		t.Errorf("manufacturer text lost on the switch")
	}
	if strings.Contains(doc, "List the known or foreseeable circumstances") || !strings.Contains(doc, "Angiv de kendte eller forudsigelige omstændigheder") {
		t.Errorf("English guidance kept after the switch to Danish:\n%s", doc)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], `manual region "ii-4-security"`) || !strings.Contains(res.Notices[0], "translate it") {
		t.Errorf("notices %q", res.Notices)
	}
	if len(res.ManualEdits) != 0 {
		t.Errorf("a language switch reported as hand edits: %+v", res.ManualEdits)
	}
	if again := mustRender(t, defaultInput(), Options{Root: root, Lang: "da"}); again.Changed || len(again.Notices) != 0 {
		t.Errorf("second Danish render: changed %v, notices %q", again.Changed, again.Notices)
	}
	decl := readFile(t, filepath.Join(dir, docDeclaration))
	if !strings.Contains(decl, "cemark oversætter ikke fabrikantens egen tekst") {
		t.Errorf("the Danish declaration does not say manual text is not translated")
	}
}
