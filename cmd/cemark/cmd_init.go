package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/initdraft"
)

func newInitCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "init [PATH]",
		Short: "Write a commented starter cemark.yaml from what cemark detects",
		Long: `init writes PATH/cemark.yaml (PATH defaults to the current folder): every
section, each field explained with the CRA clause it serves, the product name,
description and licence filled in from go.mod, package.json, pyproject.toml and
LICENSE, the vulnerability contact from SECURITY.md or security.txt, the
interfaces the product exposes (not those of test, example or development
compose files) as a draft, and every fact only the manufacturer can state left
empty.

It also keeps the evidence directory out of git: a new .gitignore with
.cemark/ when there is none, or the lines to add to an existing one (cemark
never edits a file it did not write).

It never overwrites an existing cemark.yaml (exit 2).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			// What the product already says becomes the draft for review; a
			// tree that cannot be scanned still gets a starter file.
			drafts, derr := evidence.Draft(cmd.Context(), root)
			if derr != nil {
				fmt.Fprintf(e.stderr, "warning: no drafts from the product's files: %v\n", derr)
			}
			path, data, err := initdraft.Init(cmd.Context(), root, drafts)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s\n", path)
			ign, err := initdraft.IgnoreEvidenceDir(cmd.Context(), root)
			switch {
			case err != nil:
				fmt.Fprintf(e.stderr, "warning: %s: %v; add .cemark/ to it\n", ign.Path, err)
			case ign.Created:
				fmt.Fprintf(e.stdout, "wrote %s (ignores .cemark/, the evidence directory)\n", ign.Path)
			case len(ign.Propose) > 0:
				fmt.Fprintf(e.stdout, "add to %s, so the evidence directory stays out of git:\n", ign.Path)
				for _, l := range ign.Propose {
					fmt.Fprintf(e.stdout, "  %s\n", l)
				}
			}
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
