package checks

// Writing a check family
//
// A family is a package under checks/ (surface, defaults, updates,
// vulnhandling, report, vulns …) that declares Checks and MetaFS. It keeps each check's metadata in YAML beside its code —
// one <id>.yml per check or one checks.yml holding a list — and embeds it:
//
//	//go:embed *.yml
//	var metaFS embed.FS
//
//	// MetaFS is the family's metadata, for the catalogue test in checks/all.
//	func MetaFS() fs.FS { return metaFS }
//
//	// Checks returns the family's checks.
//	func Checks() []checks.Check {
//		return []checks.Check{
//			rootUser{meta: checks.MustLoadMetaID(metaFS, "checks.yml", "CEM-DEF-001")},
//			…
//		}
//	}
//
// and adds one line to checks/all.Families:
//
//	{Name: "defaults", Checks: defaults.Checks, Meta: defaults.MetaFS()},
//
// The catalogue test in checks/all then holds the family to the contract,
// both ways: every registered check has valid metadata (ID CEM-<FAMILY>-<NNN>,
// title, remediation, a known severity, at least one CRA reference in the final
// numbering, see ValidCRARef), and every *.yml / *.yaml in MetaFS (outside
// testdata/) describes a registered check with the same metadata. Keep test
// fixtures in testdata/ or in a file system other than MetaFS. docs/checks.md is
// generated from the metadata (go test ./checks/all -update).
//
// Metadata fields (strict: an unknown key is an error):
//
//	id:          CEM-DEF-001            # stable, never renamed
//	title:       Container does not run as root
//	rationale:   why it matters
//	severity:    info | low | medium | high | critical
//	cra:         ["Annex I Part I (2)(b)"]
//	standards:   ["EN 303 645 5.5", "IEC 62443-4-2 CR 7.6"]
//	remediation: what to do
//	tags:        [container]
//
// A family's fact sheet
//
// A family that gathers report-level facts (report.json "facts": the
// inventory, update signing, vulnerability handling, the vulnerability
// scan) states them itself: its collected facts implement FactSheet, a
// one-method interface the runner finds by type assertion, as go-witness
// finds an attestor's optional capabilities:
//
//	var _ checks.FactSheet = (*Facts)(nil)
//
//	func (f *Facts) StateFacts(facts *checks.Facts) { facts.Inventory = f.Inventory }
//
// Run calls it after the checks ran, for the facts each check collected, so
// a family whose checks were not selected states nothing, and a family whose
// collection failed has its Error finding in the report instead of a sheet —
// nothing is dropped silently. StateFacts sets its own field and nothing
// else; it may be called once per check of the family.
//
// Where the checks run
//
// The checks stage of the pipeline (evidence, stage_checks.go) builds the
// Target once per run — the tree walked with the run's exclusions, the SBOM's
// facts or the image sources' configuration, the vulnerability scan, the
// artefacts and keys — and runs the selected checks with checks/all.RunSelected,
// for every command: cemark run, check, ports, docs, baseline write and init's
// drafting. A family reads only what the Target and the configuration model
// give it; bad input it finds is a typed usage error of checks/input (the
// kind ErrUsage, which evidence/failure shares), which cmd/cemark maps to
// exit code 2.
//
// What a family may import
//
// A package under checks/ imports nothing of evidence but the config model,
// evidence/config: the pipeline hands a family everything through the
// Target (the tree, the configuration, the facts of earlier stages: image
// configurations, artefacts, key files, the SBOM, the vulnerability scan),
// and a family never reaches back into evidence. No family imports another,
// directly or through a shared package; what families share lives in
// checks/ or beside them:
//   - checks/input: bounded reads of regular files that never block on a
//     FIFO (OpenRegular, ReadRegular, LimitedReader), globs to read
//     (CheckGlob), and the typed usage errors (UsageError, PathError, of the
//     kind ErrUsage) returned for bad input instead of an exit code — cmd/
//     maps the kind to exit code 2. evidence/contain re-exports its read half
//     from here.
//   - checks/internal/sigverify: signature verification, one file per method
//     (cosign blob, Sigstore bundle, OpenPGP, minisign, checksum files), and
//     the run's keyring — updates.keys and --update-key, parsed once per
//     Target (sigverify.Keys) — shared by CEM-UPD and CEM-VH's security.txt.
//   - checks/art14: the Art. 14 event model and loader CEM-RPT judges;
//     evidence/report drafts from it and re-exports it.
//   - checks/vulnscan: the vulnerability scan CEM-VULN judges.
//   - checks/parse/…: the parsers several families share (Dockerfile,
//     Compose, Kubernetes, systemd, source).
// A fact only the pipeline can produce comes in on the Target, filled by the
// caller; a small fact of a family's own it reads itself (CEM-VH reads the
// first release tag with one git for-each-ref). TestImportRules
// (imports_test.go) holds these rules; test code may import what it needs to
// build fixtures.
//
// What a check returns, and what the runner does with it
//
// Collect gathers facts (read files only through t.Files.Read, share parses
// through t.Memo); Evaluate is pure. Run calls several checks at once (one
// per processor), so Collect keeps no state outside t.Memo; the report is the
// same whatever the timing. Evaluate returns findings with Outcome,
// Message, Path (slash-separated, relative to the root), Line/Column when
// known, Snippet, a stable Key (no line numbers: "tcp/22", the variable name)
// and Severity when it differs from the metadata's. The runner (Run) then:
//   - sets Check, CRA and Standards from the metadata, Severity when empty;
//   - masks secrets in Snippet, Message and Values (MaskSecrets) — still, never
//     put a secret value in a message: say "DB_PASSWORD is hard-coded";
//   - reports failing and warning findings in what does not ship as info, with
//     the severity lowered to checks.test_severity (default info): test code
//     (checks.test_paths, else DefaultTestPaths and IsTestPath's conventions)
//     and development compose files (named or marked so, unless
//     checks.product_compose names them). The finding stays in the report;
//     Values["not_shipped"] says why, ["severity_lowered_from"] and
//     ["outcome_lowered_from"] keep the original;
//   - applies waivers: a current cemark.yaml waiver (check ID + path glob) or an
//     inline "# cemark:ignore CEM-XXX-000 <reason>" (also "//", on the finding's
//     line or the line above) turns a Fail or Warn into Waived with a WaiverRef;
//   - turns an error or a panic in Collect or Evaluate into one Error finding;
//     the other checks still run;
//   - sorts findings by path, line, column, key, message and results by ID;
//   - marks the findings a baseline holds (RunOptions.Baseline) as existing:
//     Finding.Baseline, outcome kept, left out of FailsAt (see baseline.go).
//
// Waivers are judged by the framework's own checks, registered like any other
// (FrameworkChecks) and kept by Registry.Select whatever --checks says:
//   - CEM-WVR-001 "Waivers in cemark.yaml are current and used": an expired
//     waiver (expires before the run's day) waives nothing and is a Fail
//     finding "waiver for CEM-… on <glob> expired on <date>" at the config file;
//     the finding it no longer waives stays Fail and carries the expired
//     WaiverRef. A waiver that matches no finding of a check that ran is a Warn
//     ("unused waiver").
//   - CEM-WVR-002 "Inline cemark:ignore comments state a reason": an ignore
//     without a reason waives nothing and is a Warn naming file:line.
// An expired waiver is its own check rather than a finding of the waived check
// so that it is counted and waived (or not) on its own terms, and so that the
// waived check's findings keep their own meaning.
