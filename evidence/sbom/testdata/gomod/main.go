// Command gateway is a fixture for the SBOM tests.
package main

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
)

func main() {
	cmd := &cobra.Command{Use: "gateway", Run: func(*cobra.Command, []string) { fmt.Println(uuid.NewString()) }}
	_ = cmd.Execute()
}
