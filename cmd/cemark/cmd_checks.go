package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/checks/all"
)

func newChecksCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List the check catalogue: ID, severity, title and CRA references",
		Long: `checks lists every check cemark runs, with its stable ID, default
severity, title and the CRA clauses it gives evidence for. --json prints the
full metadata (rationale, standards, remediation). docs/checks.md is
generated from the same metadata.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg, err := all.Registry()
			if err != nil {
				return err
			}
			metas := reg.Metas()
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(metas)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE\tCRA")
			for _, m := range metas {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, m.Severity, m.Title, strings.Join(m.CRA, "; "))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the catalogue's metadata as JSON")
	return cmd
}
