package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
	"github.com/cemark/cemark/checks/surface"
	"github.com/cemark/cemark/evidence"
)

func newPortsCmd(e *env) *cobra.Command {
	var asJSON, noCache bool
	var sources []string
	cmd := &cobra.Command{
		Use:   "ports [PATH]",
		Short: "Print the product's attack-surface inventory (exposed network interfaces)",
		Long: `ports lists every network interface the product exposes, merged across
Dockerfile EXPOSE lines (shipping stages only), Compose ports and expose,
Kubernetes containerPort, hostPort, Services and Ingresses, systemd socket
units and listen sites in Go, Python and Node source: port, protocol, bind
address and TLS where known, whether cemark.yaml declares it, and each place
that declares it. --json prints the inventory as in ports.json.

--source takes the sources cemark run scans (default: cemark.yaml's
sources); the ExposedPorts of an image source (docker-archive:, oci-archive:,
oci-dir:) join the inventory. Only the image configuration is read.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			// The config and checks stages, with the attack-surface family.
			ev, err := evidence.Run(cmd.Context(), evidence.Options{
				Stages: evidence.InventoryStages, NoCache: noCache, Root: root, Sources: sources,
				Checks: all.FamilyIDs("surface"), Getenv: e.getenv, Progress: noticesOnly{newStageUI(e.stderr, e.getenv)},
			})
			if err != nil {
				return err
			}
			inv := ev.Report.Facts.Inventory
			if inv == nil {
				return fmt.Errorf("ports: the attack-surface inventory was not assessed")
			}
			// Files whose part of the surface could not be assessed (the
			// family's not-assessed findings).
			for _, f := range ev.Report.Findings() {
				if f.Check == surface.IDNotAssessed && f.Outcome != checks.Pass {
					at := f.Path
					if f.Line > 0 {
						at = fmt.Sprintf("%s:%d", f.Path, f.Line)
					}
					fmt.Fprintf(e.stderr, "cemark: not assessed: %s: %s\n", at, f.Message)
				}
			}
			if asJSON {
				return surface.WriteJSON(e.stdout, inv)
			}
			return surface.WriteTable(e.stdout, inv)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the inventory as JSON")
	addNoCache(cmd.Flags(), &noCache)
	cmd.Flags().StringArrayVar(&sources, "source", nil, "source as in cemark run; an image's (docker-archive:FILE, oci-archive:FILE, oci-dir:DIR, relative to PATH) exposed ports join the inventory (repeatable; default cemark.yaml's sources)")
	return cmd
}
