package main

import (
	"encoding/json"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/failure"
)

// runOptions are the flags of `cemark run`.
type runOptions struct {
	config, productVersion, out, key, failOn, release string
	sign, fulcioURL, rekorURL, trustedRoot            string
	baseline                                          string
	vulnDB, vulnDBURL                                 string
	vulnDBUpdate                                      bool
	docsDir, lang, templates                          string
	sources, checks, artifacts, updateKeys, subjects  []string
	noDocs, asJSON, acceptChanges, noCache            bool
	lockTimeout                                       time.Duration
}

func (o *runOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.config, "config", "", "configuration file (default PATH/cemark.yaml; optional)")
	f.StringVar(&o.productVersion, "product-version", "", "product version (default: git describe --tags, else the commit)")
	f.StringVar(&o.out, "out", "", "evidence directory (default PATH/.cemark)")
	f.StringArrayVar(&o.sources, "source", nil, "SBOM source: dir:PATH, file:PATH, docker-archive:FILE, oci-archive:FILE, oci-dir:DIR (repeatable)")
	f.StringSliceVar(&o.checks, "checks", nil, "run only these check IDs (comma-separated)")
	f.StringArrayVar(&o.artifacts, "artifacts", nil, "glob of the shipped artefacts whose signatures are verified (repeatable)")
	f.StringArrayVar(&o.updateKeys, "update-key", nil, "public key that signs the shipped artefacts (repeatable)")
	f.StringArrayVar(&o.subjects, "subject", nil, "glob of build artefacts to attest (repeatable)")
	f.StringVar(&o.key, "key", "", "signing key for the attestations (PKCS#8 PEM or cosign key; default $CEMARK_SIGNING_KEY)")
	f.StringVar(&o.sign, "sign", "", "how to sign the attestations: keyless | key | none (default: key when one is given, else keyless when the CI offers an OIDC token, else none)")
	f.StringVar(&o.fulcioURL, "fulcio-url", "", "Fulcio of a private Sigstore instance, for --sign keyless (default https://fulcio.sigstore.dev)")
	f.StringVar(&o.rekorURL, "rekor-url", "", "Rekor of a private Sigstore instance, for --sign keyless (default https://rekor.sigstore.dev)")
	f.StringVar(&o.trustedRoot, "trusted-root", "", "trusted_root.json of the Sigstore instance, for --sign keyless (default: public-good Sigstore's, through TUF)")
	f.StringVar(&o.failOn, "fail-on", "", "exit 3 when a failing finding is at or above this severity (info|low|medium|high|critical)")
	f.StringVar(&o.baseline, "baseline", "", "a previous report.json: the findings it holds are existing and do not count for --fail-on (default checks.baseline)")
	f.BoolVar(&o.noDocs, "no-docs", false, "do not update the technical file")
	f.BoolVar(&o.acceptChanges, "accept-changes", false, "record the current evidence as the baseline of the substantial-modification watch")
	f.StringVar(&o.docsDir, "docs-dir", "", "technical file folder (default docs/cra)")
	f.StringVar(&o.lang, "lang", "", "language of the declaration and user information: en | da")
	f.StringVar(&o.templates, "templates", "", "folder of templates overriding the embedded ones, file by file")
	f.StringVar(&o.release, "release", "", "end with a readiness checklist for this release (e.g. v1.4.0); exit 3 when not ready")
	f.BoolVar(&o.asJSON, "json", false, "print a machine summary on stdout")
	addLockTimeout(f, &o.lockTimeout)
	addNoCache(f, &o.noCache)
	o.addVulnFlags(cmd)
}

// addNoCache adds --no-cache: every stage runs, nothing is reused or kept.
func addNoCache(f *pflag.FlagSet, noCache *bool) {
	f.BoolVar(noCache, "no-cache", false, "run every stage: reuse no output of an earlier run whose inputs were the same, and keep none (the stage cache in .git/cemark-cache)")
}

// addLockTimeout adds --lock-timeout: how long a run waits for another
// run on the same product (the run lock in .git or beside the evidence).
func addLockTimeout(f *pflag.FlagSet, d *time.Duration) {
	f.DurationVar(d, "lock-timeout", 0, "wait this long (e.g. 2m) for another cemark run on the same product to finish; 0 fails at once")
}

// addVulnFlags adds the vulnerability database flags (run and docs).
func (o *runOptions) addVulnFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.vulnDB, "vuln-db", "", "vulnerability database folder, grype's layout (default: vulnerabilities.db, $CEMARK_VULN_DB, $XDG_CACHE_HOME/cemark/grype-db)")
	f.BoolVar(&o.vulnDBUpdate, "vuln-db-update", false, "download a newer vulnerability database before the scan (the only time a run uses the network for it)")
	f.StringVar(&o.vulnDBURL, "vuln-db-url", "", "database listing for --vuln-db-update (default grype's)")
}

// toOptions maps the flags to the pipeline's options, running stages.
func (o *runOptions) toOptions(e *env, root string, stages evidence.Selection) (evidence.Options, error) {
	if o.noDocs {
		stages = stages.Without(evidence.StageDocs)
	}
	opts := evidence.Options{
		Stages: stages, NoCache: o.noCache,
		Root: root, ConfigPath: o.config, ProductVersion: o.productVersion, OutDir: o.out,
		Sources: o.sources, Checks: o.checks, Artifacts: o.artifacts, UpdateKeys: o.updateKeys,
		Subjects: o.subjects, SigningKey: o.key, Sign: o.sign, FulcioURL: o.fulcioURL, RekorURL: o.rekorURL,
		TrustedRoot: o.trustedRoot, DocsDir: o.docsDir,
		DocsLang: o.lang, TemplatesDir: o.templates, Release: o.release, AcceptChanges: o.acceptChanges,
		Baseline: o.baseline, Getenv: e.getenv, LockTimeout: o.lockTimeout,
		OutDirFrom: "--out", DocsDirFrom: "--docs-dir",
		VulnDB: o.vulnDB, VulnDBUpdate: o.vulnDBUpdate, VulnDBURL: o.vulnDBURL,
		Progress: newStageUI(e.stderr, e.getenv),
	}
	if o.failOn != "" {
		sev, err := checks.ParseSeverity(o.failOn)
		if err != nil {
			return opts, usageError{err}
		}
		opts.FailOn = sev
	}
	return opts, nil
}

func newRunCmd(e *env) *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run [PATH]",
		Short: "Run the whole pipeline: SBOM, checks, attestations, technical file",
		Long: `Run the main job on the product at PATH (default "."): make the SBOM with
syft, run the checks, map them onto Annex I, write signed in-toto
attestations into PATH/.cemark/ and update the technical file in docs/cra/.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			opts, err := o.toOptions(e, root, evidence.RunStages)
			if err != nil {
				return err
			}
			if ui, ok := opts.Progress.(*stageUI); ok {
				stop := watchSyft(cmd.Context(), ui)
				defer stop()
			}
			ev, runErr := evidence.Run(cmd.Context(), opts)
			if ev == nil {
				return runErr
			}
			ev.WriteText(e.stderr)
			if o.asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(ev.Summarize()); err != nil {
					return err
				}
			}
			if o.release != "" {
				if err := evidence.WriteReadiness(e.stderr, ev, o.release, opts.FailOn, newStageUI(e.stderr, e.getenv).color); err != nil {
					return failure.NotConformant(silentError{err})
				}
			}
			return runErr
		},
	}
	o.addFlags(cmd)
	return cmd
}
