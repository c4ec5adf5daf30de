package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newActionCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "action", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("action: not implemented yet") }}
}
