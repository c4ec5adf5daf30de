// Package config holds cemark.yaml: the manufacturer's statements about the
// product that no scanner can find (identity, class, support period, intended
// interfaces, waivers, how updates reach users). Every field is optional;
// missing manufacturer facts are reported as missing input, never invented.
package config

import (
	"path/filepath"
	"regexp"
	"strings"
)

// FileName is the configuration file looked up at the product root.
const FileName = "cemark.yaml"

// Product classes of Art. 7 and Art. 8 (Annex III and IV).
const (
	ClassDefault          = "default"
	ClassImportantClassI  = "important-class-I"
	ClassImportantClassII = "important-class-II"
	ClassCritical         = "critical"
)

// Config is the whole of cemark.yaml. Field order is the order of the file.
type Config struct {
	Product      Product      `yaml:"product" json:"product"`
	Manufacturer Manufacturer `yaml:"manufacturer" json:"manufacturer"`
	Security     Security     `yaml:"security" json:"security"`

	// Sources to put in the SBOM, each "dir:PATH", "file:PATH",
	// "docker-archive:FILE", "oci-archive:FILE" or "oci-dir:DIR".
	// Empty means "dir:." (the product root).
	Sources []string `yaml:"sources,omitempty" json:"sources,omitempty"`
	// Exclude holds path globs (relative to the product root) left out of
	// the SBOM and the checks, on top of the default exclusions.
	Exclude []string `yaml:"exclude,omitempty" json:"exclude,omitempty"`

	Outputs Outputs     `yaml:"outputs,omitempty" json:"outputs,omitempty"`
	SBOM    SBOMOptions `yaml:"sbom,omitempty" json:"sbom,omitempty"`

	// Interfaces the manufacturer declares the product exposes
	// (Annex I Part I (2)(j)); what ships must match.
	Interfaces []Interface `yaml:"interfaces,omitempty" json:"interfaces,omitempty"`
	Waivers    []Waiver    `yaml:"waivers,omitempty" json:"waivers,omitempty"`
	Checks     Checks      `yaml:"checks,omitempty" json:"checks,omitempty"`

	Updates    Updates    `yaml:"updates,omitempty" json:"updates,omitempty"`
	Advisories Advisories `yaml:"advisories,omitempty" json:"advisories,omitempty"`

	// Standards, common specifications and certification schemes applied
	// (Annex VII 5, Annex V 6; Art. 27; Art. 32(2) for class I).
	Standards            []Standard            `yaml:"standards,omitempty" json:"standards,omitempty"`
	CommonSpecifications []CommonSpecification `yaml:"common_specifications,omitempty" json:"common_specifications,omitempty"`
	CertificationSchemes []CertificationScheme `yaml:"certification_schemes,omitempty" json:"certification_schemes,omitempty"`
	// Conformity is the conformity-assessment procedure the manufacturer
	// follows (Art. 32) and what the declaration needs from it (Annex V 7,
	// Annex VII 7).
	Conformity Conformity `yaml:"conformity,omitempty" json:"conformity,omitempty"`
	// RiskAssessment records, per Annex I point, whether it applies and how
	// it is met (Art. 13(3)-(4)). Keys are point IDs: "I-1", "I-2a" … "I-2m",
	// "II-1" … "II-8" (see evidence/conformity).
	RiskAssessment map[string]Requirement `yaml:"risk_assessment,omitempty" json:"risk_assessment,omitempty"`

	Docs         Docs         `yaml:"docs,omitempty" json:"docs,omitempty"`
	Attestations Attestations `yaml:"attestations,omitempty" json:"attestations,omitempty"`

	// Reporting is how the manufacturer meets Art. 14: where it reports
	// actively exploited vulnerabilities and severe incidents.
	Reporting Reporting `yaml:"reporting,omitempty" json:"reporting,omitempty"`

	// Vulnerabilities configures the scan of the SBOM against grype's
	// vulnerability database (Annex I Part I (2)(a), Part II (2)-(3)).
	Vulnerabilities Vulnerabilities `yaml:"vulnerabilities,omitempty" json:"vulnerabilities,omitempty"`

	// Limits bounds what cemark reads from the product.
	Limits Limits `yaml:"limits,omitempty" json:"limits,omitempty"`

	// File is the configuration file's name as messages give it ("" when
	// the configuration was not read from a file); Positions say where in
	// it each setting stands. Neither is a key of the file.
	File      string    `yaml:"-" json:"-"`
	Positions Positions `yaml:"-" json:"-"`
}

// Limits bound cemark's reads, so that a hostile or mistaken input (a huge
// file, a device) cannot exhaust memory or time.
type Limits struct {
	// MaxFileSize is the largest file, in bytes, cemark reads or hashes from
	// the product: shipped artefacts, attestation subjects, file and archive
	// sources of the SBOM, keys. Default 8 GiB (8589934592).
	MaxFileSize int64 `yaml:"max_file_size,omitempty" json:"max_file_size,omitempty"`
}

// Product identifies the product with digital elements.
type Product struct {
	Name    string `yaml:"name,omitempty" json:"name,omitempty"`
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
	// Type is the kind of product, e.g. "software", "hardware with software".
	Type string `yaml:"type,omitempty" json:"type,omitempty"`
	// TypeDesignation is the model or type designation that, with the name,
	// identifies the product: the "type" of Annex II 3, Annex V 1 and
	// Annex VI (e.g. "GW-200", "acme-gateway 1.x").
	TypeDesignation string `yaml:"type_designation,omitempty" json:"type_designation,omitempty"`
	Description     string `yaml:"description,omitempty" json:"description,omitempty"`
	IntendedPurpose string `yaml:"intended_purpose,omitempty" json:"intended_purpose,omitempty"`
	// Class: default | important-class-I | important-class-II | critical.
	Class               string  `yaml:"class,omitempty" json:"class,omitempty"`
	OpenSource          *bool   `yaml:"open_source,omitempty" json:"open_source,omitempty"`
	Licence             string  `yaml:"licence,omitempty" json:"licence,omitempty"` // SPDX expression
	FirstPlacedOnMarket *Date   `yaml:"first_placed_on_market,omitempty" json:"first_placed_on_market,omitempty"`
	Support             Support `yaml:"support,omitempty" json:"support,omitempty"`
	// Hardware is true when the product has hardware (Annex VII 1(c)
	// photos; Art. 30(1) CE marking on the product), false for software
	// only; unset states neither.
	Hardware *bool `yaml:"hardware,omitempty" json:"hardware,omitempty"`
	// TechnicalDocumentationURL is where the technical documentation is
	// made public; free and open-source important products need it to use
	// Module A (Art. 32(5)).
	TechnicalDocumentationURL string `yaml:"technical_documentation_url,omitempty" json:"technical_documentation_url,omitempty"`
	// DeclarationURL is where the full EU declaration is published
	// (Annex II 6, Annex VI).
	DeclarationURL string `yaml:"declaration_url,omitempty" json:"declaration_url,omitempty"`
	// UserInformationURL points at Annex II 8 instructions.
	UserInformationURL string `yaml:"user_information_url,omitempty" json:"user_information_url,omitempty"`
}

// Support is the support period of Art. 13(8).
type Support struct {
	End       *Date  `yaml:"end,omitempty" json:"end,omitempty"`
	Rationale string `yaml:"rationale,omitempty" json:"rationale,omitempty"`
	// Type is the type of technical security support offered (Annex II 7),
	// e.g. "security updates for the latest minor release, free of charge".
	Type string `yaml:"type,omitempty" json:"type,omitempty"`
}

// Manufacturer roles: a manufacturer (Art. 13) or an open-source software
// steward (Art. 3(14), Art. 24).
const (
	RoleManufacturer = "manufacturer"
	RoleSteward      = "steward"
)

// Manufacturer is the legal or natural person placing the product on the
// market, or the open-source software steward that supports it.
type Manufacturer struct {
	// Role: manufacturer (default) | steward. A steward draws up no EU
	// declaration of conformity and affixes no CE marking; Art. 24 sets
	// its obligations.
	Role    string `yaml:"role,omitempty" json:"role,omitempty"`
	Name    string `yaml:"name,omitempty" json:"name,omitempty"`
	Address string `yaml:"address,omitempty" json:"address,omitempty"`
	Email   string `yaml:"email,omitempty" json:"email,omitempty"`
	Website string `yaml:"website,omitempty" json:"website,omitempty"`
	// AuthorisedRepresentative, when one acts for the manufacturer (Annex V 2).
	AuthorisedRepresentative string `yaml:"authorised_representative,omitempty" json:"authorised_representative,omitempty"`
}

// Security names the single point of contact and the CVD policy
// (Annex I Part II (5), (6); Annex II 2; Art. 13(17)).
type Security struct {
	Contact   string `yaml:"contact,omitempty" json:"contact,omitempty"`
	CVDPolicy string `yaml:"cvd_policy,omitempty" json:"cvd_policy,omitempty"`
	// CybersecurityPolicy is where an open-source software steward's
	// documented cybersecurity policy is (Art. 24(1)).
	CybersecurityPolicy string `yaml:"cybersecurity_policy,omitempty" json:"cybersecurity_policy,omitempty"`
}

// Outputs controls where evidence goes.
type Outputs struct {
	// Dir is the evidence directory relative to the product root; default
	// DefaultEvidenceDir.
	Dir string `yaml:"dir,omitempty" json:"dir,omitempty"`
}

// DefaultEvidenceDir is the evidence directory, relative to the product
// root, when outputs.dir is unset.
const DefaultEvidenceDir = ".cemark"

// EvidenceDir is the evidence directory as the configuration gives it:
// outputs.dir as a slash path without a trailing slash, else
// DefaultEvidenceDir. A nil configuration gives the default.
func (c *Config) EvidenceDir() string {
	if c == nil || c.Outputs.Dir == "" {
		return DefaultEvidenceDir
	}
	return strings.TrimSuffix(filepath.ToSlash(c.Outputs.Dir), "/")
}

// SBOMOptions tunes the SBOM stage.
type SBOMOptions struct {
	// RemoteLookups lets syft reach the network (Maven Central, Go proxy …).
	// Off by default: scans are offline.
	RemoteLookups bool `yaml:"remote_lookups,omitempty" json:"remote_lookups,omitempty"`
}

// Interface is one network interface the manufacturer declares.
type Interface struct {
	Port     int    `yaml:"port" json:"port"`
	Protocol string `yaml:"protocol,omitempty" json:"protocol,omitempty"` // tcp (default) | udp | sctp
	Purpose  string `yaml:"purpose,omitempty" json:"purpose,omitempty"`
	Bind     string `yaml:"bind,omitempty" json:"bind,omitempty"` // all | loopback
	TLS      *bool  `yaml:"tls,omitempty" json:"tls,omitempty"`
}

// Waiver accepts a check's failures on matching paths, with a reason that
// feeds the risk assessment. An expired waiver is itself a failure.
type Waiver struct {
	Check         string `yaml:"check" json:"check"`
	Path          string `yaml:"path,omitempty" json:"path,omitempty"` // glob, ** allowed; empty: every path
	Justification string `yaml:"justification" json:"justification"`
	ApprovedBy    string `yaml:"approved_by,omitempty" json:"approved_by,omitempty"`
	Expires       *Date  `yaml:"expires,omitempty" json:"expires,omitempty"`
}

// Checks tunes the check run.
type Checks struct {
	// Select limits the run to these check IDs (the CLI's --checks wins).
	Select []string `yaml:"select,omitempty" json:"select,omitempty"`
	// TestPaths are globs of test and example folders, scanned with lower
	// severity. Default: test, tests, testdata, example(s), __tests__, spec.
	TestPaths []string `yaml:"test_paths,omitempty" json:"test_paths,omitempty"`
	// TestSeverity is the severity findings under TestPaths are lowered to
	// (default "info").
	TestSeverity string `yaml:"test_severity,omitempty" json:"test_severity,omitempty"`
	// ProductStages names Dockerfile stages that ship, besides the final one.
	ProductStages []string `yaml:"product_stages,omitempty" json:"product_stages,omitempty"`
	// Dockerfiles, when set, are the Dockerfiles that build the product image.
	Dockerfiles []string `yaml:"dockerfiles,omitempty" json:"dockerfiles,omitempty"`
	// ComposeFiles, when set, are read as one project, in order.
	ComposeFiles []string `yaml:"compose_files,omitempty" json:"compose_files,omitempty"`
	// ComposeProfiles to activate.
	ComposeProfiles []string `yaml:"compose_profiles,omitempty" json:"compose_profiles,omitempty"`
	// ProductCompose names compose files (globs, relative to the root)
	// that ship with the product although they are named or marked as
	// development or test files (docker-compose.dev.yml, *.test.yaml,
	// compose.override.yml): their findings then count in full.
	ProductCompose []string `yaml:"product_compose,omitempty" json:"product_compose,omitempty"`
	// Baseline is a previous report.json (relative to the root): findings
	// it holds are existing and do not count for --fail-on. The CLI's
	// --baseline wins.
	Baseline string `yaml:"baseline,omitempty" json:"baseline,omitempty"`
}

// Updates states how security updates reach users (Annex I Part I (2)(c),
// Part II (7)) and which keys sign them.
type Updates struct {
	// Mechanism, e.g. "package manager", "OTA via Mender", "container image".
	Mechanism string `yaml:"mechanism,omitempty" json:"mechanism,omitempty"`
	// Automatic: security updates are installed automatically by default.
	Automatic *bool `yaml:"automatic,omitempty" json:"automatic,omitempty"`
	// OptOut says how users switch automatic updates off (Annex II 8(e)).
	OptOut string `yaml:"opt_out,omitempty" json:"opt_out,omitempty"`
	// Notification says how users learn of available updates.
	Notification string `yaml:"notification,omitempty" json:"notification,omitempty"`
	// Postpone says how users postpone an update temporarily
	// (Annex I Part I (2)(c)).
	Postpone string `yaml:"postpone,omitempty" json:"postpone,omitempty"`
	// Keys that sign releases.
	Keys []UpdateKey `yaml:"keys,omitempty" json:"keys,omitempty"`
	// TrustedRoot is a Sigstore trusted_root.json for bundle verification.
	TrustedRoot string `yaml:"trusted_root,omitempty" json:"trusted_root,omitempty"`
	// KeylessIdentities pin who may sign releases keylessly (a Sigstore
	// bundle with a Fulcio certificate, verified against TrustedRoot): a
	// keyless signature by any other identity fails. Empty: any identity
	// the trusted root certifies is accepted, and reported as not pinned.
	KeylessIdentities []KeylessIdentity `yaml:"keyless_identities,omitempty" json:"keyless_identities,omitempty"`
	// Artifacts are globs of what ships (the CLI's --artifacts adds to them).
	Artifacts []string `yaml:"artifacts,omitempty" json:"artifacts,omitempty"`
}

// UpdateKey is one release-signing key: a file, or a fingerprint to match.
type UpdateKey struct {
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// Type: cosign | pgp | minisign | ssh (inferred from the file when empty).
	Type string `yaml:"type,omitempty" json:"type,omitempty"`
	// Path to the public key, keyring or minisign key, relative to the root.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// Fingerprint the verifying key must have (hex SHA-256 of the DER public
	// key for cosign keys, OpenPGP fingerprint, minisign key ID).
	Fingerprint string `yaml:"fingerprint,omitempty" json:"fingerprint,omitempty"`
}

// KeylessIdentity is one signer a keyless signature may come from: the
// OIDC issuer and subject alternative name of its Fulcio certificate, as
// `cosign verify-blob --certificate-oidc-issuer … --certificate-identity …`
// pins them. Exactly one of Identity and IdentityRegexp is set.
type KeylessIdentity struct {
	// Issuer is the OIDC issuer URL, exactly as the certificate holds it,
	// e.g. "https://token.actions.githubusercontent.com".
	Issuer string `yaml:"issuer" json:"issuer"`
	// Identity is the certificate's subject alternative name, exactly: an
	// e-mail address or a URI such as
	// "https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.2.3".
	Identity string `yaml:"identity,omitempty" json:"identity,omitempty"`
	// IdentityRegexp is an RE2 regular expression the whole subject
	// alternative name must match (cemark anchors it with ^(?:…)$), e.g.
	// 'https://github\.com/org/repo/\.github/workflows/release\.yml@refs/tags/v.+'
	// (YAML single quotes keep the backslashes).
	IdentityRegexp string `yaml:"identity_regexp,omitempty" json:"identity_regexp,omitempty"`
}

// Advisories says where fixed vulnerabilities are published (Part II (4)).
type Advisories struct {
	GitHub bool   `yaml:"github,omitempty" json:"github,omitempty"` // GitHub security advisories
	CSAF   string `yaml:"csaf,omitempty" json:"csaf,omitempty"`     // provider-metadata.json: URL or local path
	Folder string `yaml:"folder,omitempty" json:"folder,omitempty"` // local advisories folder
	URL    string `yaml:"url,omitempty" json:"url,omitempty"`       // any other public page
}

// Standard is a standard applied (Annex VII 5, Annex V 6).
type Standard struct {
	Reference string `yaml:"reference" json:"reference"` // e.g. "EN 40000-1-2:2027"
	Title     string `yaml:"title,omitempty" json:"title,omitempty"`
	// Applied: full | partial.
	Applied string `yaml:"applied,omitempty" json:"applied,omitempty"`
	Parts   string `yaml:"parts,omitempty" json:"parts,omitempty"` // which parts, when partial
	// OJReference is the reference of the standard's publication in the
	// Official Journal as a harmonised standard under Regulation (EU)
	// 2024/2847 (Art. 27(1)). Only such a standard gives a presumption of
	// conformity; a citation under another act (EN 18031 under the Radio
	// Equipment Directive) does not.
	OJReference string `yaml:"oj_reference,omitempty" json:"oj_reference,omitempty"`
}

// CommonSpecification is a common specification applied (Art. 27(2), (5)).
type CommonSpecification struct {
	Reference string `yaml:"reference" json:"reference"`
	Title     string `yaml:"title,omitempty" json:"title,omitempty"`
	Applied   string `yaml:"applied,omitempty" json:"applied,omitempty"` // full | partial
	Parts     string `yaml:"parts,omitempty" json:"parts,omitempty"`
	// ImplementingAct is the Commission implementing act that establishes
	// the common specification (Art. 27(2)); without it, it is none.
	ImplementingAct string `yaml:"implementing_act,omitempty" json:"implementing_act,omitempty"`
}

// CertificationScheme is a European cybersecurity certification scheme
// under Regulation (EU) 2019/881 whose certificate the product holds
// (Art. 27(8)-(9)).
type CertificationScheme struct {
	Reference string `yaml:"reference" json:"reference"` // e.g. "EUCC"
	Title     string `yaml:"title,omitempty" json:"title,omitempty"`
	Applied   string `yaml:"applied,omitempty" json:"applied,omitempty"` // full | partial
	Parts     string `yaml:"parts,omitempty" json:"parts,omitempty"`
	// AssuranceLevel of the certificate: basic | substantial | high.
	// Art. 32(2) and (3) count a scheme only at "substantial" or above.
	AssuranceLevel string `yaml:"assurance_level,omitempty" json:"assurance_level,omitempty"`
	// Certificate identifies the certificate issued.
	Certificate string `yaml:"certificate,omitempty" json:"certificate,omitempty"`
}

// Conformity procedures of Art. 32(1), as cemark.yaml names them.
const (
	ProcedureModuleA       = "module-a"
	ProcedureModuleBC      = "module-b-c"
	ProcedureModuleH       = "module-h"
	ProcedureCertification = "certification"
)

// Conformity is the conformity assessment the manufacturer carries out.
type Conformity struct {
	// Procedure is the procedure followed: module-a | module-b-c |
	// module-h | certification. It must be open to the product (Art. 32);
	// item 7 of the declaration names it (Annex V 7).
	Procedure string `yaml:"procedure,omitempty" json:"procedure,omitempty"`
	// NotifiedBody is the body involved in Module B + C or Module H.
	NotifiedBody NotifiedBody `yaml:"notified_body,omitempty" json:"notified_body,omitempty"`
	// SignedDeclaration says where the signed EU declaration of conformity
	// is kept and its digest, for the copy in the technical
	// documentation (Annex VII 7).
	SignedDeclaration SignedDeclaration `yaml:"signed_declaration,omitempty" json:"signed_declaration,omitempty"`
}

// NotifiedBody is a notified body and the certificate it issued (Annex V 7).
type NotifiedBody struct {
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// Number is its four-digit identification number (NANDO).
	Number      string `yaml:"number,omitempty" json:"number,omitempty"`
	Certificate string `yaml:"certificate,omitempty" json:"certificate,omitempty"`
}

// SignedDeclaration is where the signed declaration is kept.
type SignedDeclaration struct {
	// Location is a path in the repository or a URL.
	Location string `yaml:"location,omitempty" json:"location,omitempty"`
	// SHA256 is the hex SHA-256 of the signed document.
	SHA256 string `yaml:"sha256,omitempty" json:"sha256,omitempty"`
}

// Requirement is the manufacturer's assessment of one Annex I point.
type Requirement struct {
	Applicable    *bool  `yaml:"applicable,omitempty" json:"applicable,omitempty"`
	Justification string `yaml:"justification,omitempty" json:"justification,omitempty"`
	Measures      string `yaml:"measures,omitempty" json:"measures,omitempty"`
}

// DefaultDocsDir is the technical file's folder, relative to the product
// root, when docs.dir is unset.
const DefaultDocsDir = "docs/cra"

// DocsDir is the technical file's folder as the configuration gives it:
// docs.dir as a slash path without a trailing slash, else
// DefaultDocsDir. A nil configuration gives the default.
func (c *Config) DocsDir() string {
	if c == nil || c.Docs.Dir == "" {
		return DefaultDocsDir
	}
	return strings.TrimSuffix(filepath.ToSlash(c.Docs.Dir), "/")
}

// Docs configures the technical file.
type Docs struct {
	Dir  string `yaml:"dir,omitempty" json:"dir,omitempty"`   // default DefaultDocsDir
	Lang string `yaml:"lang,omitempty" json:"lang,omitempty"` // en | da
	// IncludeSBOM copies the SBOM into the file (Annex VII 8 is "on request").
	IncludeSBOM bool `yaml:"include_sbom,omitempty" json:"include_sbom,omitempty"`
	// Templates overrides embedded templates file by file.
	Templates string `yaml:"templates,omitempty" json:"templates,omitempty"`
	// Architecture is the manufacturer's system-architecture description (Annex VII 2(a)).
	Architecture string `yaml:"architecture,omitempty" json:"architecture,omitempty"`
	// Production describes production and monitoring processes (Annex VII 2(c)).
	Production string `yaml:"production,omitempty" json:"production,omitempty"`
}

// Attestations configures statements and signing.
type Attestations struct {
	// Subjects are globs of the build's artefacts (the CLI's --subject adds).
	Subjects []string `yaml:"subjects,omitempty" json:"subjects,omitempty"`
	// SBOMInlineLimit is the size in bytes above which an SBOM is attested by
	// digest rather than inline; default 16 MB (GitHub's attestation cap).
	SBOMInlineLimit int64 `yaml:"sbom_inline_limit,omitempty" json:"sbom_inline_limit,omitempty"`
	// ReportInlineLimit is the size in bytes of report.json above which the
	// report statement names it by digest rather than carrying the report;
	// default 16 MB (GitHub's attestation cap).
	ReportInlineLimit int64 `yaml:"report_inline_limit,omitempty" json:"report_inline_limit,omitempty"`
	// Signers name who signs the evidence of every build: the technical
	// file states them (the signature of each build is in its evidence),
	// and a run signed by anyone else says so.
	Signers Signers `yaml:"signers,omitempty" json:"signers,omitempty"`
}

// Signers are the manufacturer's statement of who signs the evidence:
// keyless identities (the CI workflow that signs through Sigstore) and
// public keys.
type Signers struct {
	// Keyless are CI identities that sign keylessly, in the shape of
	// updates.keyless_identities: the OIDC issuer and the certificate
	// identity, exactly or as an RE2 regular expression.
	Keyless []KeylessIdentity `yaml:"keyless,omitempty" json:"keyless,omitempty"`
	// Keys are public keys (PEM PKIX, ECDSA P-256 or Ed25519: what
	// `cemark keygen` writes as .pub), relative to the product root; the
	// technical file shows each by its key ID.
	Keys []string `yaml:"keys,omitempty" json:"keys,omitempty"`
}

// Empty reports whether no signer is stated.
func (s Signers) Empty() bool { return len(s.Keyless) == 0 && len(s.Keys) == 0 }

// Matches reports whether a Fulcio certificate with this issuer and
// identity (subject alternative name) is the signer k names. The regular
// expression must match the whole identity, as cemark verify anchors it.
func (k KeylessIdentity) Matches(issuer, identity string) bool {
	if issuer != k.Issuer {
		return false
	}
	if k.IdentityRegexp == "" {
		return identity == k.Identity
	}
	re, err := regexp.Compile(`^(?:` + k.IdentityRegexp + `)$`)
	return err == nil && re.MatchString(identity)
}

// Reporting is the manufacturer's Art. 14 reporting set-up. Notifications go
// through ENISA's single reporting platform, to the end-point of the
// coordinator CSIRT of the Member State of main establishment (Art. 14(7)).
type Reporting struct {
	// MemberState is the ISO 3166-1 alpha-2 code of the Member State of the
	// manufacturer's main establishment in the Union (Art. 14(7)).
	MemberState string `yaml:"member_state,omitempty" json:"member_state,omitempty"`
	// CSIRT names that Member State's CSIRT designated as coordinator.
	CSIRT string `yaml:"csirt,omitempty" json:"csirt,omitempty"`
	// Contact is who reports for the manufacturer (an e-mail address).
	Contact string `yaml:"contact,omitempty" json:"contact,omitempty"`
	// Submitters are the people who may submit notifications.
	Submitters []string `yaml:"submitters,omitempty" json:"submitters,omitempty"`
	// AvailableIn lists the Member States (ISO 3166-1 alpha-2) where the
	// product is made available, for the early warning (Art. 14(2)(a)).
	AvailableIn []string `yaml:"available_in,omitempty" json:"available_in,omitempty"`
}

// Vulnerabilities configures the vulnerability scan and its verdicts.
type Vulnerabilities struct {
	// DB is the grype database folder (grype's cache layout), relative to
	// the product root. --vuln-db wins; CEMARK_VULN_DB and
	// $XDG_CACHE_HOME/cemark/grype-db are used when neither is set.
	DB string `yaml:"db,omitempty" json:"db,omitempty"`
	// MaxDBAge is how old the database may be before the scan warns that
	// it may miss recent advisories: "5d" (default), "36h".
	MaxDBAge string `yaml:"max_db_age,omitempty" json:"max_db_age,omitempty"`
	// VEX lists OpenVEX or CSAF VEX documents (relative to the product
	// root), read with every *.json under .vex/.
	VEX []string `yaml:"vex,omitempty" json:"vex,omitempty"`
	// FailOnKEV: a vulnerability in CISA's Known Exploited Vulnerabilities
	// catalogue fails (default true).
	FailOnKEV *bool `yaml:"fail_on_kev,omitempty" json:"fail_on_kev,omitempty"`
	// FailSeverity is the lowest severity that fails when a fixed version
	// exists (default "high"; "none": severity alone never fails).
	FailSeverity string `yaml:"fail_severity,omitempty" json:"fail_severity,omitempty"`
	// FailUnfixed also fails at FailSeverity when no fix exists yet
	// (default false: those warn).
	FailUnfixed bool `yaml:"fail_unfixed,omitempty" json:"fail_unfixed,omitempty"`
	// FailEPSSPercentile fails a fixable vulnerability whose EPSS
	// percentile is at least this many percent (1-100; 0 or unset: off).
	FailEPSSPercentile int `yaml:"fail_epss_percentile,omitempty" json:"fail_epss_percentile,omitempty"`
}
