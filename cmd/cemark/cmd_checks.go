package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newChecksCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "checks", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("checks: not implemented yet") }}
}
