// Package conformity maps check results onto the essential requirements of
// Annex I and works out the conformity route of Art. 32. It states what the
// evidence shows per point; it never declares the product compliant — the
// manufacturer does that, under its sole responsibility.
package conformity

// Point is one essential requirement of Annex I.
type Point struct {
	ID     string `json:"id"`     // "I-2a", "II-5"
	Clause string `json:"clause"` // "Annex I Part I (2)(a)"
	Title  string `json:"title"`
	// Always is true for points that apply to every product (Part I (1)
	// and every Part II point); the others apply "where applicable" on the
	// basis of the risk assessment (Art. 13(3)-(4)).
	Always bool `json:"always,omitempty"`
}

// Points lists Annex I Part I (1), (2)(a)–(m) and Part II (1)–(8) in order.
func Points() []Point {
	return []Point{
		{ID: "I-1", Clause: "Annex I Part I (1)", Title: "Cybersecurity appropriate to the risks", Always: true},
		{ID: "I-2a", Clause: "Annex I Part I (2)(a)", Title: "No known exploitable vulnerabilities"},
		{ID: "I-2b", Clause: "Annex I Part I (2)(b)", Title: "Secure-by-default configuration"},
		{ID: "I-2c", Clause: "Annex I Part I (2)(c)", Title: "Vulnerabilities addressed through security updates"},
		{ID: "I-2d", Clause: "Annex I Part I (2)(d)", Title: "Protection from unauthorised access"},
		{ID: "I-2e", Clause: "Annex I Part I (2)(e)", Title: "Confidentiality of data"},
		{ID: "I-2f", Clause: "Annex I Part I (2)(f)", Title: "Integrity of data, commands, programs and configuration"},
		{ID: "I-2g", Clause: "Annex I Part I (2)(g)", Title: "Data minimisation"},
		{ID: "I-2h", Clause: "Annex I Part I (2)(h)", Title: "Availability of essential functions"},
		{ID: "I-2i", Clause: "Annex I Part I (2)(i)", Title: "Minimised impact on other devices and networks"},
		{ID: "I-2j", Clause: "Annex I Part I (2)(j)", Title: "Limited attack surfaces, including external interfaces"},
		{ID: "I-2k", Clause: "Annex I Part I (2)(k)", Title: "Exploitation mitigation"},
		{ID: "I-2l", Clause: "Annex I Part I (2)(l)", Title: "Recording and monitoring of internal activity"},
		{ID: "I-2m", Clause: "Annex I Part I (2)(m)", Title: "Secure removal and transfer of data and settings"},
		{ID: "II-1", Clause: "Annex I Part II (1)", Title: "Identify and document vulnerabilities and components (SBOM)", Always: true},
		{ID: "II-2", Clause: "Annex I Part II (2)", Title: "Address and remediate vulnerabilities without delay", Always: true},
		{ID: "II-3", Clause: "Annex I Part II (3)", Title: "Regular security tests and reviews", Always: true},
		{ID: "II-4", Clause: "Annex I Part II (4)", Title: "Public disclosure of fixed vulnerabilities", Always: true},
		{ID: "II-5", Clause: "Annex I Part II (5)", Title: "Coordinated vulnerability disclosure policy", Always: true},
		{ID: "II-6", Clause: "Annex I Part II (6)", Title: "Information sharing and a contact address for reports", Always: true},
		{ID: "II-7", Clause: "Annex I Part II (7)", Title: "Secure distribution of updates", Always: true},
		{ID: "II-8", Clause: "Annex I Part II (8)", Title: "Security updates disseminated without delay and free of charge", Always: true},
	}
}

// PointByClause finds the point a CRA reference such as
// "Annex I Part I (2)(j)" names; ok is false for references that are not
// an Annex I point (e.g. "Art. 13(8)", "Annex VII 2(b)").
func PointByClause(clause string) (Point, bool) {
	for _, p := range Points() {
		if p.Clause == clause {
			return p, true
		}
	}
	return Point{}, false
}

// PointByID finds a point by its ID ("I-2a").
func PointByID(id string) (Point, bool) {
	for _, p := range Points() {
		if p.ID == id {
			return p, true
		}
	}
	return Point{}, false
}
