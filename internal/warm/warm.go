// Package warm imports every third-party module cemark is built on, so
// that `go mod tidy` keeps them while the packages that use them are being
// written, and so that one `go build ./internal/warm` fills the build cache.
// It is deleted once every import below is used by real code.
package warm

import (
	_ "aead.dev/minisign"
	_ "github.com/CycloneDX/cyclonedx-go"
	_ "github.com/ProtonMail/go-crypto/openpgp"
	_ "github.com/anchore/syft/syft"
	_ "github.com/anchore/syft/syft/format/cyclonedxjson"
	_ "github.com/anchore/syft/syft/format/spdxjson"
	_ "github.com/compose-spec/compose-go/v2/loader"
	_ "github.com/coreos/go-systemd/v22/unit"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/google/go-github/v62/github"
	_ "github.com/in-toto/attestation/go/v1"
	_ "github.com/in-toto/in-toto-golang/in_toto"
	_ "github.com/mattn/go-isatty"
	_ "github.com/moby/buildkit/frontend/dockerfile/parser"
	_ "github.com/moby/buildkit/frontend/dockerfile/instructions"
	_ "github.com/owenrumney/go-sarif/v2/sarif"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/secure-systems-lab/go-securesystemslib/dsse"
	_ "github.com/sethvargo/go-githubactions"
	_ "github.com/sigstore/sigstore-go/pkg/verify"
	_ "github.com/sigstore/sigstore/pkg/cryptoutils"
	_ "github.com/sigstore/sigstore/pkg/signature"
	_ "github.com/spf13/cobra"
	_ "golang.org/x/term"
	_ "gopkg.in/yaml.v3"
)
