package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
	"github.com/cemark/cemark/checks/surface"
	"github.com/cemark/cemark/evidence"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/failure"
)

func newPortsCmd(e *env) *cobra.Command {
	var asJSON bool
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
			cfg, _, err := config.LoadRoot(root)
			if err != nil {
				return failure.Usage(err)
			}
			t, err := checks.NewTarget(cmd.Context(), root, cfg)
			if err != nil {
				return failure.Usage(err)
			}
			if err := all.LoadImages(cmd.Context(), t, evidence.ImageConfigs, sources); err != nil {
				return err
			}
			facts, err := surface.Collect(cmd.Context(), t)
			if err != nil {
				return fmt.Errorf("ports: %w", err)
			}
			for _, is := range facts.Issues {
				fmt.Fprintf(e.stderr, "cemark: not assessed: %s\n", is.Error())
			}
			if asJSON {
				return surface.WriteJSON(e.stdout, facts.Inventory)
			}
			return surface.WriteTable(e.stdout, facts.Inventory)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the inventory as JSON")
	cmd.Flags().StringArrayVar(&sources, "source", nil, "source as in cemark run; an image's (docker-archive:FILE, oci-archive:FILE, oci-dir:DIR, relative to PATH) exposed ports join the inventory (repeatable; default cemark.yaml's sources)")
	return cmd
}
