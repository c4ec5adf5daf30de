package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/config"
)

func newInitCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "init [PATH]",
		Short: "Write a commented starter cemark.yaml from what cemark detects",
		Long: `init writes PATH/cemark.yaml (PATH defaults to the current folder): every
section, each field explained with the CRA clause it serves, the product name,
description and licence filled in from go.mod, package.json, pyproject.toml and
LICENSE, and every fact only the manufacturer can state left empty.

It never overwrites an existing cemark.yaml (exit 2).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			// The detected inventory becomes the draft interfaces declaration;
			// a tree that cannot be scanned still gets a starter file.
			drafts, derr := evidence.DraftInterfaces(cmd.Context(), root)
			if derr != nil {
				fmt.Fprintf(e.stderr, "warning: no draft interfaces: %v\n", derr)
			}
			path, data, err := config.Init(cmd.Context(), root, config.StarterOptions{Interfaces: drafts})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s\n", path)
			cfg, err := config.Parse(path, data)
			if err != nil {
				return err
			}
			if missing := config.Missing(cfg); len(missing) > 0 {
				fmt.Fprintf(e.stdout, "needs manufacturer input (%d):\n", len(missing))
				tw := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
				for _, m := range missing {
					fmt.Fprintf(tw, "  %s\t%s\n", m.Field, m.Clause)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
