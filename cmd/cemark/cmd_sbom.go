package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newSBOMCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "sbom", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("sbom: not implemented yet") }}
}
