package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/failure"
)

func newDocsCmd(e *env) *cobra.Command {
	var (
		o     runOptions
		check bool
	)
	cmd := &cobra.Command{
		Use:   "docs [PATH]",
		Short: "Render the Module A technical file (Annex VII) into docs/cra/",
		Long: `Render the technical file from the configuration and this run's evidence
(SBOM and checks) into docs/cra/ (--docs-dir). Manual regions are never
overwritten. With --check nothing is written: the command prints a diff
and exits 3 when the committed file is stale — a CI gate.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			stages := evidence.DocsStages
			if check {
				stages = stages.Without(evidence.StageWrite)
			}
			opts, err := o.toOptions(e, root, stages)
			if err != nil {
				return err
			}
			opts.DocsCheck = check
			opts.DocsDirFrom = "--dir"
			ev, err := evidence.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			tf := ev.TechFile
			for _, f := range tf.Files {
				fmt.Fprintf(e.stderr, "%-9s %s\n", f.Status, f.Path)
			}
			for _, c := range tf.Substantial {
				fmt.Fprintf(e.stderr, "possible substantial modification: %s\n", evidence.DescribeChange(c))
			}
			if notice := ev.TechFileNotice(); check && notice != "" {
				// The first pipeline passes: nobody could have committed it yet.
				fmt.Fprintf(e.stderr, "notice: %s\n", notice)
				return nil
			}
			if check && tf.Stale() {
				fmt.Fprint(e.stdout, tf.Diff)
				return failure.NotConformant(silentError{fmt.Errorf("the technical file in %s is stale: run `cemark docs` and commit the result", tf.Dir)})
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.config, "config", "", "configuration file (default PATH/cemark.yaml)")
	f.StringVar(&o.productVersion, "product-version", "", "product version (default: git describe --tags)")
	f.StringVar(&o.docsDir, "dir", "", "output folder inside the repository (default docs/cra)")
	f.StringVar(&o.lang, "lang", "", "language of the declaration and user information: en | da")
	f.StringVar(&o.templates, "templates", "", "folder of templates overriding the embedded ones, file by file")
	f.StringArrayVar(&o.sources, "source", nil, "SBOM source (repeatable)")
	o.addVulnFlags(cmd)
	f.StringArrayVar(&o.artifacts, "artifacts", nil, "glob of the shipped artefacts (repeatable)")
	f.StringArrayVar(&o.updateKeys, "update-key", nil, "public key that signs the shipped artefacts (repeatable)")
	f.BoolVar(&o.acceptChanges, "accept-changes", false, "record the current evidence as the baseline of the substantial-modification watch")
	f.BoolVar(&check, "check", false, "write nothing; print a diff and exit 3 when the committed file is stale")
	addLockTimeout(f, &o.lockTimeout)
	addNoCache(f, &o.noCache)
	return cmd
}
