// Command printversion prints version.Get().Cemark: the version test
// builds it with the release ldflags of .goreleaser.yaml.
package main

import (
	"fmt"

	"github.com/cemark/cemark/evidence/version"
)

func main() { fmt.Println(version.Get().Cemark) }
