package config

import (
	"fmt"
	"regexp"
)

// rule is what a field accepts beyond its Go type. Rule paths name fields
// the way the file nests them: "interfaces[].port" for the port of every
// list item, "risk_assessment" for the map itself.
type rule struct {
	enum     []string
	pattern  *regexp.Regexp
	required bool // must be present and not empty
	nonBlank bool // a string with something other than white space
	hasRange bool
	min, max int64
	keys     []string // the keys a map may have
	want     string   // what is expected, for the error message
	// regexp: the string must compile as an RE2 (Go) regular expression;
	// the schema says "format": "regex", which Go's regexp checks too.
	regexp bool
	// exactlyOne names keys of a mapping of which exactly one must be
	// given (a null value counts as not given), with oneWant saying what
	// each is.
	exactlyOne []string
	oneWant    string
}

var (
	checkIDPattern = regexp.MustCompile(`^CEM-[A-Z]+-[0-9]{3}$`)
	sourcePattern  = regexp.MustCompile(`^(dir|file|docker-archive|oci-archive|oci-dir):.+$`)
	// nonBlankPattern is the JSON Schema's test for "not blank", used here
	// too so that loader and schema agree on every string.
	nonBlankPattern = regexp.MustCompile(`\S`)
	// oidcIssuerPattern: a Fulcio certificate holds the issuer as a URL;
	// "token.actions.githubusercontent.com" without the scheme never matches.
	oidcIssuerPattern = regexp.MustCompile(`^https?://\S+$`)
	// notifiedBodyNumberPattern: NANDO numbers are four digits.
	notifiedBodyNumberPattern = regexp.MustCompile(`^[0-9]{4}$`)
	sha256Pattern             = regexp.MustCompile(`^[0-9a-f]{64}$`)
	// agePattern is a whole number of days or hours: "5d", "36h".
	agePattern = regexp.MustCompile(`^[1-9][0-9]{0,4}[dh]$`)
)

// Enumerations of cemark.yaml, in the order the error messages list them.
func classes() []string {
	return []string{ClassDefault, ClassImportantClassI, ClassImportantClassII, ClassCritical}
}

// Procedures are the conformity-assessment procedures of Art. 32(1), in
// its order: Module A, Module B + C, Module H, certification.
func Procedures() []string {
	return []string{ProcedureModuleA, ProcedureModuleBC, ProcedureModuleH, ProcedureCertification}
}

// MemberStates are the ISO 3166-1 alpha-2 codes of the 27 EU Member States
// (Greece is GR in ISO 3166-1; the EU's own abbreviation EL is not accepted).
func MemberStates() []string {
	return []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
		"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
}

// ruleFor returns the rule for the field at rule path p (the zero rule:
// anything of the right type).
func ruleFor(p string) rule {
	switch p {
	case "product.class":
		return rule{enum: classes()}
	case "manufacturer.role":
		return rule{enum: []string{RoleManufacturer, RoleSteward}}
	case "conformity.procedure":
		return rule{enum: Procedures()}
	case "conformity.notified_body.number":
		return rule{pattern: notifiedBodyNumberPattern, want: "the notified body's four-digit identification number, e.g. \"0123\""}
	case "conformity.signed_declaration.sha256":
		return rule{pattern: sha256Pattern, want: "the hex SHA-256 of the signed declaration (64 lower-case hex digits)"}
	case "certification_schemes[].assurance_level":
		return rule{enum: []string{"basic", "substantial", "high"}}
	case "sources[]":
		return rule{pattern: sourcePattern, want: "dir:PATH, file:PATH, docker-archive:FILE, oci-archive:FILE or oci-dir:DIR"}
	case "interfaces[].port":
		return rule{required: true, hasRange: true, min: 1, max: 65535}
	case "interfaces[].protocol":
		return rule{enum: []string{"tcp", "udp", "sctp"}}
	case "interfaces[].bind":
		return rule{enum: []string{"all", "loopback"}}
	case "waivers[].check":
		return rule{required: true, pattern: checkIDPattern, want: "a check ID like CEM-DEF-001"}
	case "waivers[].justification":
		return rule{required: true, nonBlank: true, want: "why the finding is accepted; it feeds the risk assessment"}
	case "checks.test_severity":
		return rule{enum: []string{"info", "low", "medium", "high", "critical"}}
	case "updates.keys[].type":
		return rule{enum: []string{"cosign", "pgp", "minisign", "ssh"}}
	case "updates.keyless_identities[]", "attestations.signers.keyless[]":
		return rule{exactlyOne: []string{"identity", "identity_regexp"},
			oneWant: "identity (the certificate identity, exactly) or identity_regexp (an RE2 regular expression the whole identity must match)"}
	case "updates.keyless_identities[].issuer", "attestations.signers.keyless[].issuer":
		return rule{required: true, pattern: oidcIssuerPattern,
			want: `the OIDC issuer URL exactly as in the certificate, e.g. "https://token.actions.githubusercontent.com"`}
	case "updates.keyless_identities[].identity", "attestations.signers.keyless[].identity":
		return rule{nonBlank: true, want: "the certificate identity (subject alternative name), exactly"}
	case "updates.keyless_identities[].identity_regexp", "attestations.signers.keyless[].identity_regexp":
		return rule{nonBlank: true, regexp: true, want: "an RE2 regular expression the whole certificate identity must match"}
	case "attestations.signers.keys[]":
		return rule{nonBlank: true, want: "a public key file (PEM, e.g. cemark.pub from cemark keygen), relative to the product root"}
	case "standards[].reference", "common_specifications[].reference", "certification_schemes[].reference":
		return rule{required: true, nonBlank: true, want: `the reference, e.g. "EN 18031-1:2024"`}
	case "standards[].applied", "common_specifications[].applied", "certification_schemes[].applied":
		return rule{enum: []string{"full", "partial"}}
	case "risk_assessment":
		return rule{keys: annexIPointIDs}
	case "docs.lang":
		return rule{enum: []string{"en", "da"}}
	case "reporting.member_state", "reporting.available_in[]":
		return rule{enum: MemberStates(), want: "the ISO 3166-1 alpha-2 code of an EU Member State, e.g. DK"}
	case "limits.max_file_size":
		return rule{hasRange: true, min: 1, max: 1<<63 - 1}
	case "vulnerabilities.max_db_age":
		return rule{pattern: agePattern, want: `an age in days or hours, e.g. "5d" or "36h"`}
	case "vulnerabilities.fail_severity":
		return rule{enum: []string{"critical", "high", "medium", "low", "none"}}
	case "vulnerabilities.fail_epss_percentile":
		return rule{hasRange: true, min: 0, max: 100}
	case "vulnerabilities.db", "vulnerabilities.vex[]":
		return rule{nonBlank: true, want: "a path relative to the product root"}
	case "attestations.sbom_inline_limit", "attestations.report_inline_limit":
		return rule{hasRange: true, min: 0, max: 1<<63 - 1}
	}
	return rule{}
}

// rangeWant describes an integer range.
func (r rule) rangeWant() string {
	if r.max == 1<<63-1 {
		return fmt.Sprintf("an integer from %d up", r.min)
	}
	return fmt.Sprintf("an integer from %d to %d", r.min, r.max)
}

// Enum is the list of values the field at rule path p accepts (nil for a
// field that is not an enumeration), for code that writes cemark.yaml.
func Enum(p string) []string { return ruleFor(p).enum }
