package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newDocsCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "docs", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("docs: not implemented yet") }}
}
