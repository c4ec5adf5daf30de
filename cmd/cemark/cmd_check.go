package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/format"
)

// checkOptions are the flags of `cemark check`.
type checkOptions struct {
	format, out, failOn, config, baseline  string
	pathPrefix, vulnDB                     string
	checks, artifacts, updateKeys, sources []string
	noCache                                bool
}

func (o *checkOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "table", "output format: "+strings.Join(format.IDs(), " | "))
	f.StringVarP(&o.out, "output", "o", "", "write the report to FILE instead of stdout")
	f.StringVar(&o.failOn, "fail-on", "none", "exit 3 when a failing finding is at or above this severity: info | low | medium | high | critical | none")
	f.StringSliceVar(&o.checks, "checks", nil, "run only these check IDs (comma-separated; the CEM-WVR waiver checks always run)")
	f.StringArrayVar(&o.artifacts, "artifacts", nil, "glob of the shipped artefacts whose signatures are verified (repeatable)")
	f.StringArrayVar(&o.updateKeys, "update-key", nil, "public key file that signs the shipped artefacts (repeatable)")
	f.StringArrayVar(&o.sources, "source", nil, "source as in cemark run; images (docker-archive:FILE, oci-archive:FILE, oci-dir:DIR, relative to PATH) give their configuration to the checks (repeatable; default cemark.yaml's sources)")
	f.StringVar(&o.config, "config", "", "configuration file (default PATH/cemark.yaml; optional)")
	f.StringVar(&o.baseline, "baseline", "", "a previous report.json (e.g. from `cemark baseline write`): the findings it holds are existing and do not count for --fail-on (default checks.baseline)")
	f.StringVar(&o.vulnDB, "vuln-db", "", "vulnerability database folder for the CEM-VULN checks, which match the SBOM of the last cemark run (default: vulnerabilities.db, $CEMARK_VULN_DB, $XDG_CACHE_HOME/cemark/grype-db)")
	f.StringVar(&o.pathPrefix, "path-prefix", "", "folder of PATH inside the repository, prefixed to file paths in sarif and gitlab-codequality output so code scanning finds the files (default: git's answer, as in cemark run)")
	addNoCache(f, &o.noCache)
}

func newCheckCmd(e *env) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [PATH]",
		Short: "Run the checks on the product at PATH and print the findings",
		Long: `check runs cemark's checks on the product at PATH (default ".") without
making an SBOM or attestations: attack surface, secure defaults, update
signing, vulnerability handling. Each finding is tied to a clause of the CRA.

Formats: table (default, for a terminal), json (report.json, with a committed
JSON Schema), sarif (GitHub code scanning), gitlab-codequality (GitLab merge
requests), markdown (a readable summary).

The CEM-VULN checks match the SBOM the last cemark run left in the evidence
directory (.cemark/sbom.cdx.json) against the vulnerability database
(--vuln-db); without either they report "not assessed".

--source takes the sources cemark run scans (default: cemark.yaml's
sources). An image source (docker-archive:, oci-archive:, oci-dir:) gives
its configuration to the checks: exposed ports, user, environment. Only the
image configuration is read; no SBOM is made. dir: and file: sources are
accepted for parity with cemark run and add nothing here: the checks read
the tree at PATH. Pass --source dir:. to leave configured images out.

Waivers in cemark.yaml and "# cemark:ignore CEM-XXX-000 <reason>" comments
waive findings; waived findings stay in the report with their reason.

--fail-on defaults to none: check reports and exits 0. In CI, pass a level,
e.g. --fail-on high, to exit 3 when a failing finding is at or above it.

--baseline FILE (or checks.baseline in cemark.yaml) takes a previous
report.json: findings it already held are reported as existing
("baseline": true, outcome kept) and only new ones count for --fail-on.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			fm, err := format.Lookup(o.format)
			if err != nil {
				return usageError{err}
			}
			failOn, err := checks.ParseSeverity(o.failOn)
			if err != nil {
				return usageError{fmt.Errorf("--fail-on: %w", err)}
			}
			outPath := ""
			if o.out != "" {
				if outPath, err = contain.OutputFile(o.out, contain.Flag("--out")); err != nil {
					return err
				}
			}
			ev, runErr := evidence.Run(cmd.Context(), evidence.Options{
				Stages: evidence.CheckStages, NoCache: o.noCache,
				Root: root, ConfigPath: o.config, Checks: o.checks,
				Artifacts: o.artifacts, UpdateKeys: o.updateKeys, Sources: o.sources,
				VulnDB: o.vulnDB, Baseline: o.baseline, PathPrefix: o.pathPrefix, FailOn: failOn,
				Getenv: e.getenv, Progress: noticesOnly{newStageUI(e.stderr, e.getenv)},
			})
			if ev == nil {
				return runErr
			}
			rep, enc := ev.Report, ev.Report
			if fm.RepoRooted {
				// The same paths as the run's report.sarif and codequality.json.
				enc = ev.CIReport()
			}
			var buf bytes.Buffer
			if err := fm.Encode(&buf, enc); err != nil {
				return err
			}
			if o.out == "" {
				if _, err := e.stdout.Write(buf.Bytes()); err != nil {
					return err
				}
			} else {
				if err := evidencedir.WriteFileAtomic(outPath, buf.Bytes(), 0o644); err != nil {
					return fmt.Errorf("write %s: %w", filepath.Clean(o.out), err)
				}
				s := rep.Summary
				fmt.Fprintf(e.stderr, "cemark: %d checks, %d fail, %d warn, %d waived, %d error%s; %s report written to %s\n",
					s.Checks, s.Fail, s.Warn, s.Waived, s.Error, baselineNote(s), fm.ID, o.out)
			}
			return runErr
		},
	}
	o.addFlags(cmd)
	return cmd
}

// baselineNote says how many findings the baseline held, when one was used.
func baselineNote(s checks.Summary) string {
	if s.Baseline == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d existing, in the baseline)", s.Baseline)
}
