package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "version", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("version: not implemented yet") }}
}
