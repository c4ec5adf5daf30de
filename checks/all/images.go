package all

import (
	"context"
	"fmt"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/input"
)

// ImageReader reads the configuration of the image sources among sources
// (docker-archive:, oci-archive:, oci-dir:; relative paths against root).
// evidence.ImageConfigs is the one cemark uses. It is passed in rather than
// called here so that the checks do not pull in the SBOM tooling.
type ImageReader func(ctx context.Context, root string, sources []string) ([]checks.ImageConfig, error)

// LoadImages sets t.Images for a run without the SBOM stage (`cemark
// check`, `cemark ports`) from the same sources `cemark run` would scan:
// sources when given, else cemark.yaml's sources. A nil read reads none.
// A source that is missing or not an image is a usage error (exit 2)
// naming it.
func LoadImages(ctx context.Context, t *checks.Target, read ImageReader, sources []string) error {
	if read == nil {
		return nil
	}
	if len(sources) == 0 && t.Config != nil {
		sources = t.Config.Sources
	}
	if len(sources) == 0 {
		return nil
	}
	imgs, err := read(ctx, t.Root, sources)
	if err != nil {
		return input.Usage(fmt.Errorf("read image configuration: %w", err))
	}
	t.Images = imgs
	return nil
}
