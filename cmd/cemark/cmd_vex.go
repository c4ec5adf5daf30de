package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/vulns"
)

func newVEXCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vex",
		Short: "VEX documents: the manufacturer's statements on vulnerabilities",
	}
	cmd.AddCommand(newVEXDraftCmd(e))
	return cmd
}

func newVEXDraftCmd(e *env) *cobra.Command {
	var o evidence.VEXDraftOptions
	cmd := &cobra.Command{
		Use:   "draft [PATH]",
		Short: "Write an OpenVEX document with an under_investigation statement per open finding",
		Long: `Match the SBOM of the last cemark run (PATH/.cemark/sbom.cdx.json) against the
vulnerability database and write an OpenVEX document (default
` + vulns.DraftFile + `) with one under_investigation statement per open finding
that no VEX document decides yet. Complete it: not_affected with a
justification and an impact statement, affected with an action statement,
or fixed. The next run reads it.

The document is the manufacturer's: once it has been edited it is never
rewritten (cemark records a digest of what it wrote in the tooling field).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Root = "."
			if len(args) == 1 {
				o.Root = args[0]
			}
			o.Getenv = e.getenv
			res, err := evidence.DraftVEX(cmd.Context(), o)
			if err != nil {
				return err
			}
			if res.Kept {
				fmt.Fprintf(e.stderr, "cemark: %s was edited after cemark drafted it (or is not cemark's): left unchanged\n", res.Path)
				return nil
			}
			fmt.Fprintf(e.stderr, "cemark: %s written with %d under_investigation statement(s); complete them and commit the file\n", res.Path, res.Statements)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Out, "output", "o", "", "document to write, inside PATH (default "+vulns.DraftFile+")")
	f.StringVar(&o.ConfigPath, "config", "", "configuration file (default PATH/cemark.yaml)")
	f.StringVar(&o.VulnDB, "vuln-db", "", "vulnerability database folder (grype's layout)")
	return cmd
}
