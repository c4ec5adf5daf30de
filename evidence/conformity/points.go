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
	// Uncovered says what cemark's checks tied to the point cannot show:
	// the part the manufacturer's measures must describe. Empty for a
	// point the checks, when they run, cover whole.
	Uncovered string `json:"-"`
}

// Points lists Annex I Part I (1), (2)(a)–(m) and Part II (1)–(8) in order.
//
// No point is covered whole by cemark's static checks: each one they touch
// is partial, and the manufacturer's measures describe the rest. Part I
// (2)(a) is covered whole only by a vulnerability scan of the product's
// SBOM (see AssessWith and Inputs.VulnScan).
func Points() []Point {
	return []Point{
		{ID: "I-1", Clause: "Annex I Part I (1)", Title: "Cybersecurity appropriate to the risks", Always: true},
		{ID: "I-2a", Clause: "Annex I Part I (2)(a)", Title: "No known exploitable vulnerabilities"},
		{ID: "I-2b", Clause: "Annex I Part I (2)(b)", Title: "Secure-by-default configuration",
			Uncovered: "the checks read the configuration that ships (containers, credentials, debug settings, exposed services); the rest of the default configuration and the possibility to reset the product to its original state"},
		{ID: "I-2c", Clause: "Annex I Part I (2)(c)", Title: "Vulnerabilities addressed through security updates",
			Uncovered: "the checks verify that releases are signed and that the update statement is given; how vulnerabilities are fixed by security updates and the timeframe in which automatic updates install"},
		{ID: "I-2d", Clause: "Annex I Part I (2)(d)", Title: "Protection from unauthorised access",
			Uncovered: "the checks find default and hard-coded credentials; the authentication, identity or access management mechanisms and how possible unauthorised access is reported"},
		{ID: "I-2e", Clause: "Annex I Part I (2)(e)", Title: "Confidentiality of data",
			Uncovered: "the checks find disabled certificate verification and plaintext listeners; how stored, transmitted and otherwise processed data is kept confidential, e.g. encryption at rest and in transit"},
		{ID: "I-2f", Clause: "Annex I Part I (2)(f)", Title: "Integrity of data, commands, programs and configuration",
			Uncovered: "the checks verify signed artefacts and pinned build inputs; how data, commands, programs and configuration are protected against unauthorised modification at run time and how corruptions are reported"},
		{ID: "I-2g", Clause: "Annex I Part I (2)(g)", Title: "Data minimisation"},
		{ID: "I-2h", Clause: "Annex I Part I (2)(h)", Title: "Availability of essential functions"},
		{ID: "I-2i", Clause: "Annex I Part I (2)(i)", Title: "Minimised impact on other devices and networks"},
		{ID: "I-2j", Clause: "Annex I Part I (2)(j)", Title: "Limited attack surfaces, including external interfaces",
			Uncovered: "the checks inventory the network interfaces that ship; the other attack surfaces (local, physical, inside the product) and how they are limited"},
		{ID: "I-2k", Clause: "Annex I Part I (2)(k)", Title: "Exploitation mitigation",
			Uncovered: "the checks find container privileges and risky services; the exploitation-mitigation mechanisms and techniques of the product itself"},
		{ID: "I-2l", Clause: "Annex I Part I (2)(l)", Title: "Recording and monitoring of internal activity"},
		{ID: "I-2m", Clause: "Annex I Part I (2)(m)", Title: "Secure removal and transfer of data and settings"},
		{ID: "II-1", Clause: "Annex I Part II (1)", Title: "Identify and document vulnerabilities and components (SBOM)", Always: true,
			Uncovered: "the checks show the SBOM and its top-level dependencies; how vulnerabilities in the components are identified and documented"},
		{ID: "II-2", Clause: "Annex I Part II (2)", Title: "Address and remediate vulnerabilities without delay", Always: true,
			Uncovered: "the checks list the open vulnerabilities of the SBOM with the day each was first seen, and the candidate Art. 14 events; how vulnerabilities are addressed and remediated without delay, in proportion to the risk, including by security updates"},
		{ID: "II-3", Clause: "Annex I Part II (3)", Title: "Regular security tests and reviews", Always: true,
			Uncovered: "the checks show that the SBOM is scanned for known vulnerabilities with a current database on every build; the other tests and reviews of the product's security and how regularly they are made"},
		{ID: "II-4", Clause: "Annex I Part II (4)", Title: "Public disclosure of fixed vulnerabilities", Always: true,
			Uncovered: "the checks show where advisories are declared and read a local CSAF or advisories folder; what each disclosure contains and when it is published"},
		{ID: "II-5", Clause: "Annex I Part II (5)", Title: "Coordinated vulnerability disclosure policy", Always: true,
			Uncovered: "the checks read the policy for a reporting channel and a timeline; how the policy is put in place and enforced"},
		{ID: "II-6", Clause: "Annex I Part II (6)", Title: "Information sharing and a contact address for reports", Always: true,
			Uncovered: "the checks find the contact address; the other measures that facilitate sharing information about potential vulnerabilities, including in third-party components"},
		{ID: "II-7", Clause: "Annex I Part II (7)", Title: "Secure distribution of updates", Always: true,
			Uncovered: "the checks verify the signatures of the shipped artefacts; the mechanisms that distribute updates and, where applicable, distribute security updates automatically"},
		{ID: "II-8", Clause: "Annex I Part II (8)", Title: "Security updates disseminated without delay and free of charge", Always: true,
			Uncovered: "the checks verify the shipped artefacts; that security updates are disseminated without delay and free of charge, with advisory messages"},
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
