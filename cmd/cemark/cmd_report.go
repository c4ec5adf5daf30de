package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/evidence/report"
)

// reportFlags are the flags every report subcommand shares.
type reportFlags struct {
	root, config, sbom, key string
}

func (f *reportFlags) add(cmd *cobra.Command, signs bool) {
	fs := cmd.Flags()
	fs.StringVar(&f.root, "root", ".", "the product root (the repository)")
	fs.StringVar(&f.config, "config", "", "configuration file (default ROOT/cemark.yaml)")
	if signs {
		fs.StringVar(&f.sbom, "sbom", "", "CycloneDX SBOM to fill it from, relative to ROOT (default: the evidence directory's sbom.cdx.json)")
		fs.StringVar(&f.key, "key", "", "private key that signs the statement (default: CEMARK_SIGNING_KEY; unsigned without one)")
	}
}

func (f *reportFlags) prepare(cmd *cobra.Command, e *env, sign bool) (report.Options, error) {
	o, unsigned, err := report.Prepare(cmd.Context(), report.Workspace{Root: f.root, ConfigPath: f.config, SBOMPath: f.sbom,
		Sign: sign, KeyPath: f.key, Getenv: e.getenv})
	if unsigned != "" {
		fmt.Fprintln(e.stderr, "notice: "+unsigned)
	}
	return o, err
}

// timeFlag parses an RFC 3339 time given to flag (exit 2 when it does not).
func timeFlag(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("--%s %q: expected a time in RFC 3339 with its offset, e.g. 2026-11-05T09:30:00Z", flag, s)}
	}
	return t.UTC(), nil
}

// nowFlag is --now, or the wall clock: deadlines are about real time.
func nowFlag(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	return timeFlag("now", s)
}

func newReportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Art. 14 reporting: events, deadlines, drafts, CSAF advisories, user notices",
		Long: `Art. 14 of the Cyber Resilience Act (from 11 September 2026) makes the
manufacturer report an actively exploited vulnerability or a severe incident:
an early warning within 24 hours of becoming aware, a notification within 72
hours, a final report 14 days after a fix is available (vulnerabilities) or one
month after the notification (incidents), and inform the users (Art. 14(8)).

Events live in the repository, docs/cra/reports/<id>/event.yaml, reviewed like
code. cemark drafts each report with the content the article asks and marks
what only you can write; it never decides that you became aware and never
submits anything: ENISA's single reporting platform has no public format or
API. See docs/reporting.md.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newReportOpenCmd(e), newReportStatusCmd(e), newReportSubmittedCmd(e), newReportFixedCmd(e),
		newReportCloseCmd(e), newReportDraftCmd(e), newReportAdvisoryCmd(e), newReportNoticeCmd(e))
	return cmd
}

func newReportOpenCmd(e *env) *cobra.Command {
	var f reportFlags
	var o report.OpenOptions
	var awareAt, now string
	cmd := &cobra.Command{
		Use:   "open --kind vulnerability|incident --title TEXT --aware-at TIME",
		Short: "Open an Art. 14 event: you confirm you became aware",
		Example: `  cemark report open --kind vulnerability --vuln CVE-2026-1234 --title "Remote code execution in libfoo" --aware-at 2026-11-05T09:30:00Z
  cemark report open --kind incident --title "Build server compromised" --aware-at 2026-11-05T09:30:00+01:00`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.AwareAt, err = timeFlag("aware-at", awareAt); err != nil {
				return err
			}
			if o.Now, err = nowFlag(now); err != nil {
				return err
			}
			opts, err := f.prepare(cmd, e, false)
			if err != nil {
				return err
			}
			ev, err := report.OpenEvent(opts.Root, opts.Config, o)
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, ev.ID)
			fmt.Fprintf(e.stderr, "Opened %s. Review and commit it; then cemark report draft %s --stage early-warning.\n", ev.Path, ev.ID)
			if ev.AwareAt.Before(report.ApplicationDate) {
				fmt.Fprintln(e.stderr, "notice: Art. 14 applies from 11 September 2026 (Art. 71(2)); this event predates it, so cemark counts no deadline.")
			}
			return nil
		},
	}
	f.add(cmd, false)
	fs := cmd.Flags()
	fs.StringVar(&o.Kind, "kind", "", "vulnerability (actively exploited, Art. 14(1)) or incident (severe, Art. 14(3))")
	fs.StringVar(&o.Title, "title", "", "what happened, in a few words")
	fs.StringVar(&awareAt, "aware-at", "", "when you became aware (RFC 3339, e.g. 2026-11-05T09:30:00Z)")
	fs.StringArrayVar(&o.Vulns, "vuln", nil, "vulnerability ID, e.g. from a CEM-RPT-001 candidate (repeatable)")
	fs.StringArrayVar(&o.ProductVersions, "product-version", nil, "affected product version (repeatable; default: product.version)")
	fs.StringArrayVar(&o.Components, "component", nil, "package URL of an affected component (repeatable)")
	fs.StringVar(&now, "now", "", "reference time instead of the clock (RFC 3339)")
	return cmd
}

func newReportStatusCmd(e *env) *cobra.Command {
	var f reportFlags
	var now string
	var asJSON, all bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "List open events with each deadline in UTC and the time left; exit 3 when one has passed",
		Long: `List the open events and each report's deadline, in UTC, with the time left.
Exit 3 when a deadline has passed without the report marked submitted
(cemark report submitted). The time is the wall clock, or --now.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			at, err := nowFlag(now)
			if err != nil {
				return err
			}
			opts, err := f.prepare(cmd, e, false)
			if err != nil {
				return err
			}
			events, err := report.LoadEvents(opts.Root, opts.Config)
			if err != nil {
				return err
			}
			st := report.BuildStatus(events, at, all)
			if asJSON {
				e.stdout.Write(st.JSON())
			} else {
				e.stdout.Write(st.Text())
			}
			if st.Overdue > 0 {
				return failure.NotConformant(silentError{fmt.Errorf("%d Art. 14 deadline(s) passed without the report marked submitted", st.Overdue)})
			}
			return nil
		},
	}
	f.add(cmd, false)
	cmd.Flags().StringVar(&now, "now", "", "judge the deadlines at this time instead of the clock (RFC 3339)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON for machines")
	cmd.Flags().BoolVar(&all, "all", false, "closed events too")
	return cmd
}

// event prepares the workspace and loads the event named by the
// command's one argument: what every subcommand on one event starts with.
func (f *reportFlags) event(cmd *cobra.Command, e *env, sign bool, args []string) (report.Options, report.Event, error) {
	opts, err := f.prepare(cmd, e, sign)
	if err != nil {
		return opts, report.Event{}, err
	}
	ev, err := report.FindEvent(opts.Root, opts.Config, args[0])
	return opts, ev, err
}

// stageFlag parses --stage (exit 2 when it is not a stage).
func stageFlag(s string) (report.Stage, error) {
	st, ok := report.ParseStage(s)
	if !ok {
		return st, usageError{fmt.Errorf("--stage %q: expected early-warning, notification or final", s)}
	}
	return st, nil
}

func newReportSubmittedCmd(e *env) *cobra.Command {
	var f reportFlags
	var stage, at string
	var o report.MarkOptions
	cmd := &cobra.Command{
		Use:     "submitted ID --stage early-warning|notification|final --at TIME --by NAME [--reference REF]",
		Short:   "Record that you submitted a report (cemark never submits)",
		Example: `  cemark report submitted 2026-11-05-cve-2026-1234 --stage early-warning --at 2026-11-05T20:00:00Z --by "Jane Doe" --reference SRP-4711`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := stageFlag(stage)
			if err != nil {
				return err
			}
			o.Stage = st
			if o.At, err = timeFlag("at", at); err != nil {
				return err
			}
			opts, ev, err := f.event(cmd, e, false, args)
			if err != nil {
				return err
			}
			if ev, err = report.MarkSubmitted(opts.Root, opts.Config, ev, o); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "Recorded in %s: %s submitted %s by %s.\n", ev.Path, st.Title(), report.FormatTime(o.At), o.By)
			return nil
		},
	}
	f.add(cmd, false)
	fs := cmd.Flags()
	fs.StringVar(&stage, "stage", "", "early-warning, notification or final")
	fs.StringVar(&at, "at", "", "when it was submitted (RFC 3339)")
	fs.StringVar(&o.By, "by", "", "who submitted it (one of reporting.submitters when set)")
	fs.StringVar(&o.Reference, "reference", "", "the reference the platform or the CSIRT gave back")
	return cmd
}

func newReportFixedCmd(e *env) *cobra.Command {
	var f reportFlags
	var at string
	var versions []string
	cmd := &cobra.Command{
		Use:   "fixed ID --at TIME [--fixed-version V]",
		Short: "Record that a corrective or mitigating measure is available (starts the 14-day final report clock)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := timeFlag("at", at)
			if err != nil {
				return err
			}
			opts, ev, err := f.event(cmd, e, false, args)
			if err != nil {
				return err
			}
			if ev, err = report.MarkFixed(opts.Root, ev, t, versions); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "Recorded in %s: corrective measure available %s.\n", ev.Path, report.FormatTime(t))
			return nil
		},
	}
	f.add(cmd, false)
	cmd.Flags().StringVar(&at, "at", "", "when the corrective or mitigating measure became available (RFC 3339)")
	cmd.Flags().StringArrayVar(&versions, "fixed-version", nil, "product version that carries the fix (repeatable)")
	return cmd
}

func newReportCloseCmd(e *env) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "close ID",
		Short: "Close an event: its deadlines no longer count",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, ev, err := f.event(cmd, e, false, args)
			if err != nil {
				return err
			}
			if ev, err = report.CloseEvent(opts.Root, ev); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "Closed %s.\n", ev.Path)
			return nil
		},
	}
	f.add(cmd, false)
	return cmd
}

func printWritten(e *env, w *report.Written) {
	for _, p := range w.Files {
		fmt.Fprintln(e.stdout, p)
	}
	for _, p := range w.Unchanged {
		fmt.Fprintf(e.stderr, "unchanged %s\n", p)
	}
	state := "signed"
	if !w.Signed {
		state = "UNSIGNED"
	}
	fmt.Fprintf(e.stderr, "attested (%s): %s\n", state, w.Attestation)
}

func newReportDraftCmd(e *env) *cobra.Command {
	var f reportFlags
	var stage string
	cmd := &cobra.Command{
		Use:   "draft ID --stage early-warning|notification|final",
		Short: "Draft a report with the content Art. 14(2)/(4) asks (Markdown and JSON); never submitted",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := stageFlag(stage)
			if err != nil {
				return err
			}
			opts, ev, err := f.event(cmd, e, true, args)
			if err != nil {
				return err
			}
			d, w, err := report.WriteDraft(cmd.Context(), opts, ev, st)
			if err != nil {
				return err
			}
			printWritten(e, w)
			if gaps := d.Gaps(); len(gaps) > 0 {
				fmt.Fprintf(e.stderr, "to write before submitting: %s\n", strings.Join(gaps, ", "))
			}
			fmt.Fprintln(e.stderr, "Draft only: cemark never submits. Submit it through ENISA's single reporting platform, then cemark report submitted.")
			return nil
		},
	}
	f.add(cmd, true)
	cmd.Flags().StringVar(&stage, "stage", "", "early-warning, notification or final")
	return cmd
}

func newReportAdvisoryCmd(e *env) *cobra.Command {
	var f reportFlags
	var validator string
	cmd := &cobra.Command{
		Use:   "advisory ID",
		Short: "Write the CSAF 2.0 advisory of a fixed vulnerability where advisories.folder or advisories.csaf points",
		Long: `Write the CSAF 2.0 security advisory (csaf_security_advisory) that discloses a
fixed vulnerability (Annex I Part II (4)): product tree from the SBOM, product
status, the vendor fix, references. It is validated against the CSAF 2.0 JSON
schema and the gocsaf model; --csaf-validator URL also runs the CSAF 2.0
mandatory tests through a CSAF validator service (as gocsaf's csaf_validator
does). Without it, the mandatory tests are reported as not run.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, ev, err := f.event(cmd, e, true, args)
			if err != nil {
				return err
			}
			_, v, w, err := report.WriteAdvisory(cmd.Context(), opts, ev, validator)
			if err != nil {
				return err
			}
			printWritten(e, w)
			if v.MandatoryTests == nil {
				fmt.Fprintln(e.stderr, "validated: CSAF 2.0 JSON schema and gocsaf model; mandatory tests not run (give --csaf-validator URL)")
			} else {
				fmt.Fprintf(e.stderr, "validated: CSAF 2.0 JSON schema, gocsaf model, mandatory tests (%s)\n", v.MandatoryTests.Validator)
			}
			return nil
		},
	}
	f.add(cmd, true)
	cmd.Flags().StringVar(&validator, "csaf-validator", "", "URL of a CSAF validator service for the mandatory tests (csaf-validator-service API)")
	return cmd
}

func newReportNoticeCmd(e *env) *cobra.Command {
	var f reportFlags
	var advisory string
	cmd := &cobra.Command{
		Use:   "notice ID",
		Short: "Draft the Art. 14(8) information to users, in English and Danish",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, ev, err := f.event(cmd, e, true, args)
			if err != nil {
				return err
			}
			w, err := report.WriteNotice(cmd.Context(), opts, ev, advisory)
			if err != nil {
				return err
			}
			printWritten(e, w)
			return nil
		},
	}
	f.add(cmd, true)
	cmd.Flags().StringVar(&advisory, "advisory", "", "path or URL of the CSAF advisory the notice points users to (default: the one cemark report advisory wrote)")
	return cmd
}
