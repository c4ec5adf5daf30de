package evidence

import (
	"context"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/sbom"
)

// ImageConfigs reads the configuration of the image sources among sources
// (docker-archive:, oci-archive:, oci-dir:; relative paths against root)
// for the checks, without making an SBOM. It has the signature of
// all.ImageReader: `cemark check --source` and `cemark ports --source`
// pass it in, while `cemark run` takes the same facts from its SBOM stage.
func ImageConfigs(ctx context.Context, root string, sources []string) ([]checks.ImageConfig, error) {
	imgs, err := sbom.Images(ctx, root, sources)
	if err != nil {
		return nil, err
	}
	return imageConfigs(imgs), nil
}

// imageConfigs converts the SBOM stage's image facts to what the checks read.
func imageConfigs(imgs []sbom.Image) []checks.ImageConfig {
	out := make([]checks.ImageConfig, 0, len(imgs))
	for _, im := range imgs {
		out = append(out, checks.ImageConfig{Source: im.Source, Name: im.Name, ManifestDigest: im.ManifestDigest,
			ExposedPorts: im.ExposedPorts, User: im.User, Env: im.Env, Labels: im.Labels})
	}
	return out
}
