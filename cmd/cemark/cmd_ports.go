package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newPortsCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "ports", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("ports: not implemented yet") }}
}
