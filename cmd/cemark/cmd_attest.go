package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newAttestCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "attest", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("attest: not implemented yet") }}
}
