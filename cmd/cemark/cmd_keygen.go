package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newKeygenCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "keygen", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("keygen: not implemented yet") }}
}
