package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cemark/cemark/evidence/failure"
)

func ptr[T any](v T) *T { return &v }

// TestIssueExamples loads the shapes the issues show, exactly as written.
func TestIssueExamples(t *testing.T) {
	cfg, err := Load("testdata/issue-examples.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Product: Product{
			Name: "Example Gateway", Version: "1.4.0", Description: "Home automation gateway",
			IntendedPurpose:     "Connects home sensors to the manufacturer's cloud service",
			Class:               ClassDefault,
			OpenSource:          ptr(false),
			FirstPlacedOnMarket: &Date{2026, 3, 1},
			Support:             Support{End: &Date{2031, 3, 1}, Rationale: "Expected use of five years"},
		},
		Manufacturer: Manufacturer{Name: "Example ApS", Address: "Nørregade 1, 1165 København K, Denmark",
			Email: "security@example.com", Website: "https://example.com"},
		Security: Security{Contact: "security@example.com", CVDPolicy: "https://example.com/security"},
		Interfaces: []Interface{
			{Port: 443, Protocol: "tcp", Purpose: "HTTPS API for the mobile app"},
			{Port: 1883, Protocol: "tcp", Purpose: "MQTT for local sensors", Bind: "loopback"},
		},
		Waivers: []Waiver{{Check: "CEM-DEF-001", Path: "docker/dev/**",
			// YAML would end the text at the comma; people mean one text.
			Justification: "Developer image, never shipped",
			ApprovedBy:    "Head of Product Security", Expires: &Date{2027, 6, 30}}},
	}
	if diff := cmp.Diff(want, cfg, cmpopts.IgnoreFields(Config{}, "File", "Positions")); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// TestCRLF: a file saved with Windows line ends loads the same.
func TestCRLF(t *testing.T) {
	data, err := os.ReadFile("testdata/issue-examples.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse(FileName, data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(FileName, []byte(strings.ReplaceAll(string(data), "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-LF +CRLF):\n%s", diff)
	}
}

func TestLoadRootWithoutFile(t *testing.T) {
	cfg, path, err := LoadRoot(t.TempDir())
	if err != nil || path != "" || cfg == nil {
		t.Fatalf("LoadRoot(empty folder) = %v, %q, %v; want &Config{}, \"\", nil", cfg, path, err)
	}
	if diff := cmp.Diff(&Config{}, cfg); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadRootWithFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, FileName)
	if err := os.WriteFile(file, []byte("product:\n  name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, path, err := LoadRoot(dir)
	if err != nil || path != file || cfg.Product.Name != "x" {
		t.Fatalf("LoadRoot = %+v, %q, %v", cfg, path, err)
	}
	if err := os.WriteFile(file, []byte("product:\n  nmae: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, path, err = LoadRoot(dir)
	var ce *Error
	if !errors.As(err, &ce) || path != file || failure.KindOf(err) != failure.ErrUsage {
		t.Fatalf("LoadRoot(bad) = %q, %v (exit %v); want a *config.Error with exit 2", path, err, failure.KindOf(err))
	}
	if ce.File != file || ce.Line != 2 || ce.Column != 3 {
		t.Errorf("error at %s:%d:%d, want %s:2:3", ce.File, ce.Line, ce.Column, file)
	}
}

func TestLoadFileProblems(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "missing.yaml")); failure.KindOf(err) != failure.ErrUsage {
		t.Errorf("missing file: exit %v (%v), want 2", failure.KindOf(err), err)
	}
	if _, err := Load(dir); failure.KindOf(err) != failure.ErrUsage || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("folder: exit %v (%v), want 2 and 'is a folder'", failure.KindOf(err), err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", MaxFileSize)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); failure.KindOf(err) != failure.ErrUsage || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge file: exit %v (%v), want 2 and 'larger than'", failure.KindOf(err), err)
	}
}

// errorCase is a configuration and the message Parse gives for it ("" when
// it loads).
type errorCase struct {
	name string
	yaml string
	want string // every error, one a line
}

// errorCases are the bad-config cases, each with its precise message; the
// schema test runs them too.
func errorCases() []errorCase {
	return []errorCase{
		{"unknown key", "product:\n  name: x\n  nmae: y\n",
			`cemark.yaml:3:3: unknown key "nmae" in product; expected one of: name, version, type, type_designation, description, intended_purpose, class, open_source, licence, first_placed_on_market, support, hardware, technical_documentation_url, declaration_url, user_information_url`},
		{"unknown top-level key", "prodcut:\n  name: x\n",
			`cemark.yaml:1:1: unknown key "prodcut" at the top level; expected one of: product, manufacturer, security, sources, exclude, outputs, sbom, interfaces, waivers, checks, updates, advisories, standards, common_specifications, certification_schemes, conformity, risk_assessment, docs, attestations, reporting, vulnerabilities, limits`},
		{"vulnerability database age without a unit", "vulnerabilities:\n  max_db_age: 5\n",
			`cemark.yaml:2:15: wrong type for vulnerabilities.max_db_age: got a number (5); expected a string (write it in quotes: "5")`},
		{"vulnerability database age in weeks", "vulnerabilities:\n  max_db_age: 1w\n",
			`cemark.yaml:2:15: invalid value "1w" for vulnerabilities.max_db_age; expected an age in days or hours, e.g. "5d" or "36h"`},
		{"unknown vulnerability fail severity", "vulnerabilities:\n  fail_severity: severe\n",
			`cemark.yaml:2:18: invalid value "severe" for vulnerabilities.fail_severity; expected one of: critical, high, medium, low, none`},
		{"EPSS percentile above 100", "vulnerabilities:\n  fail_epss_percentile: 101\n",
			`cemark.yaml:2:25: 101 out of range for vulnerabilities.fail_epss_percentile; expected an integer from 0 to 100`},
		{"EU abbreviation for a member state", "reporting:\n  member_state: EL\n",
			`cemark.yaml:2:17: invalid value "EL" for reporting.member_state; expected one of: AT, BE, BG, CY, CZ, DE, DK, EE, ES, FI, FR, GR, HR, HU, IE, IT, LT, LU, LV, MT, NL, PL, PT, RO, SE, SI, SK`},
		{"a third country where the product is available", "reporting:\n  available_in: [DK, US]\n",
			`cemark.yaml:2:22: invalid value "US" for reporting.available_in[1]; expected one of: AT, BE, BG, CY, CZ, DE, DK, EE, ES, FI, FR, GR, HR, HU, IE, IT, LT, LU, LV, MT, NL, PL, PT, RO, SE, SI, SK`},
		{"impossible date", "product:\n  first_placed_on_market: 2026-02-30\n",
			`cemark.yaml:2:27: invalid date "2026-02-30" for product.first_placed_on_market; expected YYYY-MM-DD`},
		{"words for a date", "product:\n  support:\n    end: March 1\n",
			`cemark.yaml:3:10: invalid date "March 1" for product.support.end; expected YYYY-MM-DD`},
		{"date with a time", "waivers:\n  - {check: CEM-DEF-001, justification: j, expires: 2027-06-30T10:00:00Z}\n",
			`cemark.yaml:2:53: invalid date "2027-06-30T10:00:00Z" for waivers[0].expires; expected YYYY-MM-DD`},
		{"date without leading zeros", "product:\n  first_placed_on_market: 2026-3-1\n",
			`cemark.yaml:2:27: invalid date "2026-3-1" for product.first_placed_on_market; expected YYYY-MM-DD`},
		{"number for a date", "product:\n  first_placed_on_market: 20260301\n",
			`cemark.yaml:2:27: wrong type for product.first_placed_on_market: got a number (20260301); expected a date YYYY-MM-DD`},
		{"bad class", "product:\n  class: important-class-1\n",
			`cemark.yaml:2:10: invalid value "important-class-1" for product.class; expected one of: default, important-class-I, important-class-II, critical`},
		{"number for a string", "product:\n  version: 1.10\n",
			`cemark.yaml:2:12: wrong type for product.version: got a number (1.10); expected a string (write it in quotes: "1.10")`},
		{"yes for a boolean", "product:\n  open_source: yes\n",
			`cemark.yaml:2:16: wrong type for product.open_source: got a string ("yes"); expected true or false`},
		{"mapping for a string", "manufacturer:\n  name: {legal: x}\n",
			`cemark.yaml:2:9: wrong type for manufacturer.name: got a mapping; expected a string`},
		{"string for a section", "manufacturer: Example ApS\n",
			`cemark.yaml:1:15: wrong type for manufacturer: got a string ("Example ApS"); expected a mapping with keys: role, name, address, email, website, authorised_representative`},
		{"string for a list", "exclude: docs/**\n",
			`cemark.yaml:1:10: wrong type for exclude: got a string ("docs/**"); expected a list`},
		{"bad source", "sources: [dir:., \"image.tar\"]\n",
			`cemark.yaml:1:18: invalid value "image.tar" for sources[1]; expected dir:PATH, file:PATH, docker-archive:FILE, oci-archive:FILE or oci-dir:DIR`},
		{"bad protocol", "interfaces:\n  - {port: 53, protocol: dns}\n",
			`cemark.yaml:2:26: invalid value "dns" for interfaces[0].protocol; expected one of: tcp, udp, sctp`},
		{"bad bind", "interfaces:\n  - port: 80\n    bind: 0.0.0.0\n",
			`cemark.yaml:3:11: invalid value "0.0.0.0" for interfaces[0].bind; expected one of: all, loopback`},
		{"port too big", "interfaces:\n  - {port: 70000}\n",
			`cemark.yaml:2:12: 70000 out of range for interfaces[0].port; expected an integer from 1 to 65535`},
		{"port zero", "interfaces:\n  - {port: 0}\n",
			`cemark.yaml:2:12: 0 out of range for interfaces[0].port; expected an integer from 1 to 65535`},
		{"port as text", "interfaces:\n  - {port: \"443\"}\n",
			`cemark.yaml:2:12: wrong type for interfaces[0].port: got a string ("443"); expected an integer from 1 to 65535`},
		{"port with a fraction", "interfaces:\n  - {port: 443.5}\n",
			`cemark.yaml:2:12: invalid value 443.5 for interfaces[0].port; expected an integer from 1 to 65535`},
		{"interface without port", "interfaces:\n  - {protocol: udp}\n",
			`cemark.yaml:2:5: interfaces[0] has no port; expected port: an integer from 1 to 65535`},
		{"waiver without justification", "waivers:\n  - check: CEM-DEF-001\n    path: docker/**\n",
			`cemark.yaml:2:5: waivers[0] has no justification; expected justification: why the finding is accepted; it feeds the risk assessment`},
		{"waiver with empty justification", "waivers:\n  - check: CEM-DEF-001\n    justification: \"  \"\n",
			`cemark.yaml:3:20: waivers[0].justification is empty; expected why the finding is accepted; it feeds the risk assessment`},
		{"waiver with null justification", "waivers:\n  - check: CEM-DEF-001\n    justification:\n",
			`cemark.yaml:2:5: waivers[0] has no justification; expected justification: why the finding is accepted; it feeds the risk assessment`},
		{"bad check ID", "waivers:\n  - {check: CEM-def-1, justification: j}\n",
			`cemark.yaml:2:13: invalid value "CEM-def-1" for waivers[0].check; expected a check ID like CEM-DEF-001`},
		{"bad key type", "updates:\n  keys:\n    - {type: gpg, path: keys/release.asc}\n",
			`cemark.yaml:3:14: invalid value "gpg" for updates.keys[0].type; expected one of: cosign, pgp, minisign, ssh`},
		{"keyless identity without issuer", "updates:\n  keyless_identities:\n    - {identity: release@example.com}\n",
			`cemark.yaml:3:7: updates.keyless_identities[0] has no issuer; expected issuer: the OIDC issuer URL exactly as in the certificate, e.g. "https://token.actions.githubusercontent.com"`},
		{"keyless issuer without scheme", "updates:\n  keyless_identities:\n    - {issuer: token.actions.githubusercontent.com, identity: x}\n",
			`cemark.yaml:3:16: invalid value "token.actions.githubusercontent.com" for updates.keyless_identities[0].issuer; expected the OIDC issuer URL exactly as in the certificate, e.g. "https://token.actions.githubusercontent.com"`},
		{"keyless identity without identity", "updates:\n  keyless_identities:\n    - issuer: https://accounts.google.com\n      identity:\n",
			`cemark.yaml:3:7: updates.keyless_identities[0] has no identity or identity_regexp; expected exactly one: identity (the certificate identity, exactly) or identity_regexp (an RE2 regular expression the whole identity must match)`},
		{"keyless identity and regexp", "updates:\n  keyless_identities:\n    - issuer: https://accounts.google.com\n      identity: a@example.com\n      identity_regexp: .*@example\\.com\n",
			`cemark.yaml:5:7: updates.keyless_identities[0] has both identity and identity_regexp; expected exactly one: identity (the certificate identity, exactly) or identity_regexp (an RE2 regular expression the whole identity must match)`},
		{"signer without issuer", "attestations:\n  signers:\n    keyless:\n      - {identity: https://github.com/acme/gw/.github/workflows/ci.yml@refs/heads/main}\n",
			`cemark.yaml:4:9: attestations.signers.keyless[0] has no issuer; expected issuer: the OIDC issuer URL exactly as in the certificate, e.g. "https://token.actions.githubusercontent.com"`},
		{"signer with identity and regexp", "attestations:\n  signers:\n    keyless:\n      - issuer: https://gitlab.com\n        identity: a\n        identity_regexp: b\n",
			`cemark.yaml:6:9: attestations.signers.keyless[0] has both identity and identity_regexp; expected exactly one: identity (the certificate identity, exactly) or identity_regexp (an RE2 regular expression the whole identity must match)`},
		{"signer key blank", "attestations:\n  signers:\n    keys: [\" \"]\n",
			`cemark.yaml:3:12: attestations.signers.keys[0] is empty; expected a public key file (PEM, e.g. cemark.pub from cemark keygen), relative to the product root`},
		{"signers unknown key", "attestations:\n  signers:\n    identities: []\n",
			`cemark.yaml:3:5: unknown key "identities" in attestations.signers; expected one of: keyless, keys`},
		{"keyless identity regexp that does not compile", "updates:\n  keyless_identities:\n    - issuer: https://token.actions.githubusercontent.com\n      identity_regexp: 'https://github\\.com/org/(repo'\n",
			"cemark.yaml:4:24: invalid regular expression \"https://github\\\\.com/org/(repo\" for updates.keyless_identities[0].identity_regexp (error parsing regexp: missing closing ): `https://github\\.com/org/(repo`); expected an RE2 regular expression the whole certificate identity must match"},
		{"keyless identity regexp with a Perl look-ahead", "updates:\n  keyless_identities:\n    - {issuer: https://gitlab.com, identity_regexp: '(?!evil).*'}\n",
			"cemark.yaml:3:53: invalid regular expression \"(?!evil).*\" for updates.keyless_identities[0].identity_regexp (error parsing regexp: invalid or unsupported Perl syntax: `(?!`); expected an RE2 regular expression the whole certificate identity must match"},
		{"keyless identity blank", "updates:\n  keyless_identities:\n    - {issuer: https://gitlab.com, identity: \" \"}\n",
			`cemark.yaml:3:46: updates.keyless_identities[0].identity is empty; expected the certificate identity (subject alternative name), exactly`},
		{"keyless identity unknown key", "updates:\n  keyless_identities:\n    - {issuer: https://gitlab.com, san: x}\n",
			`cemark.yaml:3:36: unknown key "san" in updates.keyless_identities[0]; expected one of: issuer, identity, identity_regexp` + "\n" +
				`cemark.yaml:3:7: updates.keyless_identities[0] has no identity or identity_regexp; expected exactly one: identity (the certificate identity, exactly) or identity_regexp (an RE2 regular expression the whole identity must match)`},
		{"bad applied", "standards:\n  - {reference: EN 18031-1:2024, applied: mostly}\n",
			`cemark.yaml:2:43: invalid value "mostly" for standards[0].applied; expected one of: full, partial`},
		{"standard without reference", "certification_schemes:\n  - {applied: full}\n",
			`cemark.yaml:2:5: certification_schemes[0] has no reference; expected reference: the reference, e.g. "EN 18031-1:2024"`},
		{"bad docs lang", "docs: {lang: de}\n",
			`cemark.yaml:1:14: invalid value "de" for docs.lang; expected one of: en, da`},
		{"bad test severity", "checks: {test_severity: none}\n",
			`cemark.yaml:1:25: invalid value "none" for checks.test_severity; expected one of: info, low, medium, high, critical`},
		{"negative inline limit", "attestations: {sbom_inline_limit: -1}\n",
			`cemark.yaml:1:35: -1 out of range for attestations.sbom_inline_limit; expected an integer from 0 up`},
		{"negative report inline limit", "attestations: {report_inline_limit: -5}\n",
			`cemark.yaml:1:37: -5 out of range for attestations.report_inline_limit; expected an integer from 0 up`},
		{"bad risk assessment point", "risk_assessment:\n  I-2a: {applicable: true}\n  I-3: {applicable: false}\n",
			`cemark.yaml:3:3: unknown Annex I point "I-3" in risk_assessment; expected one of: I-1, I-2a, I-2b, I-2c, I-2d, I-2e, I-2f, I-2g, I-2h, I-2i, I-2j, I-2k, I-2l, I-2m, II-1, II-2, II-3, II-4, II-5, II-6, II-7, II-8`},
		{"unknown key in risk assessment", "risk_assessment:\n  I-2g: {applicable: false, reason: no personal data}\n",
			`cemark.yaml:2:29: unknown key "reason" in risk_assessment.I-2g; expected one of: applicable, justification, measures`},
		{"duplicate key", "product:\n  name: a\n  name: b\n",
			`cemark.yaml:3:3: duplicate key "name" in product (first at line 2); expected each key once`},
		{"duplicate section", "product: {}\nmanufacturer: {}\nproduct: {}\n",
			`cemark.yaml:3:1: duplicate key "product" at the top level (first at line 1); expected each key once`},
		{"duplicate risk point", "risk_assessment:\n  I-1: {}\n  I-1: {}\n",
			`cemark.yaml:3:3: duplicate key "I-1" in risk_assessment (first at line 2); expected each key once`},
		{"two documents", "product: {name: a}\n---\nproduct: {name: b}\n",
			`cemark.yaml:2:1: a second YAML document starts here; expected a single document`},
		{"list at the top", "- product\n",
			`cemark.yaml:1:1: the file holds a list; expected a mapping of sections: product, manufacturer, security, sources, exclude, outputs, sbom, interfaces, waivers, checks, updates, advisories, standards, common_specifications, certification_schemes, conformity, risk_assessment, docs, attestations, reporting, vulnerabilities, limits`},
		// Syntax errors carry the line yaml.v3 reports.
		{"syntax error", "product:\n  name: \"x\n",
			`cemark.yaml:2:9: found unexpected end of stream; expected valid YAML`},
		{"bad indentation", "product:\n  name: x\n   version: 1\n",
			`cemark.yaml:3:4: mapping values are not allowed in this context; expected valid YAML`},
		{"tab indentation", "product:\n\tname: x\n",
			`cemark.yaml:2:1: found character that cannot start any token; expected valid YAML`},
		{"sequence entry in a mapping", "updates:\n  artifacts:\n    - dist/*\n    mechanism: x\n",
			`cemark.yaml:4:5: did not find expected '-' indicator; expected valid YAML`},
		{"unclosed flow sequence", "product:\n  name: [a\n",
			`cemark.yaml:2:9: did not find expected ',' or ']'; expected valid YAML`},
		{"unknown anchor", "product:\n  name: x\nsources: [*nope]\n",
			`cemark.yaml:3:11: unknown anchor 'nope' referenced; expected valid YAML`},
		{"bare key in a block mapping", "product: {name: x}\nmanufacturer:\n  name: Example ApS\n  Denmark:\n",
			`cemark.yaml:4:3: unknown key "Denmark" in manufacturer; expected one of: role, name, address, email, website, authorised_representative`},
		{"no comma continuation for enumerations", "interfaces:\n  - {port: 53, protocol: tcp, udp}\n",
			`cemark.yaml:2:31: unknown key "udp" in interfaces[0]; expected one of: port, protocol, purpose, bind, tls`},
		{"bare known key stays a key", "waivers:\n  - {check: CEM-DEF-001, justification: j, path}\n",
			""},
		{"custom tag", "product:\n  name: !secret x\n",
			`cemark.yaml:2:9: wrong type for product.name: got a value tagged !secret; expected a string`},
		{"several problems, in file order", "product:\n  nmae: x\n  class: big\ninterfaces:\n  - {port: 99999}\n",
			"cemark.yaml:2:3: unknown key \"nmae\" in product; expected one of: name, version, type, type_designation, description, intended_purpose, class, open_source, licence, first_placed_on_market, support, hardware, technical_documentation_url, declaration_url, user_information_url\n" +
				"cemark.yaml:3:10: invalid value \"big\" for product.class; expected one of: default, important-class-I, important-class-II, critical\n" +
				"cemark.yaml:5:12: 99999 out of range for interfaces[0].port; expected an integer from 1 to 65535"},
	}
}

// TestParseErrors gives every bad-config case and its precise message.
func TestParseErrors(t *testing.T) {
	for _, tc := range errorCases() {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("cemark.yaml", []byte(tc.yaml))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; want %s", tc.want)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("message mismatch (-want +got):\n%s", diff)
			}
			if failure.KindOf(err) != failure.ErrUsage {
				t.Errorf("exit code %v, want %v", failure.KindOf(err), failure.ErrUsage)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "cemark.yaml" {
				t.Errorf("errors.As(*config.Error) = %v", ce)
			}
		})
	}
}

type acceptCase struct {
	name string
	yaml string
	want *Config
}

// acceptCases load; the schema test runs them too.
func acceptCases() []acceptCase {
	return []acceptCase{
		{"empty file", "", &Config{}},
		{"only comments", "# nothing yet\n", &Config{}},
		{"null document", "~\n", &Config{}},
		{"empty sections", "product:\nmanufacturer:\nsecurity: {}\n", &Config{}},
		{"empty values state nothing", "product:\n  name:\n  class:\n  first_placed_on_market:\n", &Config{}},
		{"quoted date", "product: {first_placed_on_market: \"2026-03-01\"}\n",
			&Config{Product: Product{FirstPlacedOnMarket: &Date{2026, 3, 1}}}},
		{"date-looking version stays text", "product: {version: 2026-03-01}\n",
			&Config{Product: Product{Version: "2026-03-01"}}},
		{"whole numbers written as floats", "interfaces: [{port: 443.0}]\nattestations: {sbom_inline_limit: 1e6}\n",
			&Config{Interfaces: []Interface{{Port: 443}}, Attestations: Attestations{SBOMInlineLimit: 1000000}}},
		{"anchors and aliases", "security: {contact: &c security@example.com}\nmanufacturer: {email: *c}\n",
			&Config{Security: Security{Contact: "security@example.com"}, Manufacturer: Manufacturer{Email: "security@example.com"}}},
		{"risk assessment", "risk_assessment:\n  I-2g: {applicable: false, justification: No personal data}\n",
			&Config{RiskAssessment: map[string]Requirement{"I-2g": {Applicable: ptr(false), Justification: "No personal data"}}}},
		{"keyless identities", "updates:\n  keyless_identities:\n" +
			"    - {issuer: https://accounts.google.com, identity: release@example.com}\n" +
			"    - issuer: https://token.actions.githubusercontent.com\n" +
			"      identity_regexp: 'https://github\\.com/org/repo/\\.github/workflows/release\\.yml@refs/tags/v.+'\n" +
			"      identity:\n",
			&Config{Updates: Updates{KeylessIdentities: []KeylessIdentity{
				{Issuer: "https://accounts.google.com", Identity: "release@example.com"},
				{Issuer: "https://token.actions.githubusercontent.com", IdentityRegexp: `https://github\.com/org/repo/\.github/workflows/release\.yml@refs/tags/v.+`},
			}}}},
		{"booleans", "sbom: {remote_lookups: True}\nproduct: {open_source: false}\n",
			&Config{SBOM: SBOMOptions{RemoteLookups: true}, Product: Product{OpenSource: ptr(false)}}},
	}
}

func TestParseAccepts(t *testing.T) {
	for _, tc := range acceptCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse("cemark.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			// Positions are tested on their own (TestPositions).
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Config{}, "File", "Positions")); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPositions(t *testing.T) {
	cfg, err := Parse("cemark.yaml", []byte("outputs:\n  dir: out\nupdates:\n  artifacts: [dist/*, \"bin/x\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"outputs.dir":          "cemark.yaml:2:8",
		"updates.artifacts[0]": "cemark.yaml:4:15",
		"updates.artifacts[1]": "cemark.yaml:4:23",
		"updates.keys":         "cemark.yaml",
	} {
		if got := cfg.Where(path); got != want {
			t.Errorf("Where(%q) = %q, want %q", path, got, want)
		}
	}
	err = cfg.ErrorAt("outputs.dir", "bad %s", "dir")
	if failure.KindOf(err) != failure.ErrUsage || err.Error() != "cemark.yaml:2:8: bad dir" {
		t.Errorf("ErrorAt = %v (exit %v)", err, failure.KindOf(err))
	}
}
