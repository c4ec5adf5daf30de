package report

import (
	"context"
	"errors"
	"path"
	"path/filepath"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/evidence/version"
)

// Workspace is how a command finds what it works on.
type Workspace struct {
	// Root is the product root ("." by default).
	Root string
	// ConfigPath is cemark.yaml's path; empty: Root/cemark.yaml if present.
	ConfigPath string
	// SBOMPath is the CycloneDX SBOM to fill drafts from, relative to Root;
	// empty: the evidence directory's sbom.cdx.json.
	SBOMPath string
	// Sign loads the signer: KeyPath, else CEMARK_SIGNING_KEY from Getenv.
	Sign    bool
	KeyPath string
	Getenv  func(string) string
}

// Prepare loads the configuration, the evidence and, when asked, the
// signer. Without a key the statements are written unsigned: Unsigned is
// then the notice to show. A bad configuration is exit 2.
func Prepare(ctx context.Context, s Workspace) (o Options, unsigned string, err error) {
	root := s.Root
	if root == "" {
		root = "."
	}
	o = Options{Root: root, ToolVersion: version.Get().Cemark}
	if s.ConfigPath != "" {
		o.Config, err = config.Load(s.ConfigPath)
	} else {
		o.Config, _, err = config.LoadRoot(root)
	}
	if err != nil {
		return o, "", err
	}
	sbom := s.SBOMPath
	if sbom == "" {
		sbom = path.Join(o.Config.EvidenceDir(), evidencedir.SBOMCycloneDX)
	}
	if o.Evidence, err = ReadCycloneDX(filepath.Join(root, filepath.FromSlash(sbom)), filepath.ToSlash(sbom)); err != nil {
		return o, "", failure.Usage(err)
	}
	if s.Sign {
		o.Signer, err = attest.LoadSigner(ctx, s.KeyPath, s.Getenv)
		if errors.Is(err, attest.ErrNoSigningKey) {
			return o, err.Error(), nil
		}
		if err != nil {
			return o, "", failure.Usage(err)
		}
	}
	return o, "", nil
}
