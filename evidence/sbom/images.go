package sbom

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/anchore/syft/syft/source"
)

// IsImageKind reports whether a source kind is a container image
// (docker-archive, oci-archive, oci-dir), whose configuration the checks read.
func IsImageKind(kind string) bool {
	switch kind {
	case KindDockerArchive, KindOCIArchive, KindOCIDir:
		return true
	}
	return false
}

// Images reads the configuration (exposed ports, user, environment,
// labels) of each image source among sources without cataloguing it:
// the same source parsing, the same stereoscope-backed source and the same
// reading of the image config as Generate, so that `cemark check` and
// `cemark ports` hand the checks the image facts `cemark run` does.
// Relative paths resolve against root, as in Generate. dir: and file:
// sources must exist but carry no image configuration; they are skipped.
// The result follows the order of sources.
func Images(ctx context.Context, root string, sources []string) ([]Image, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("sbom: product root %s: %w", root, err)
	}
	var out []Image
	for _, in := range sources {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		spec, err := parseSource(abs, in, 0)
		if err != nil {
			return nil, err
		}
		if !IsImageKind(spec.Kind) {
			continue
		}
		img, err := readImage(ctx, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, *img)
	}
	return out, nil
}

// readImage opens one image source and returns its configuration. Closing
// the source removes the layers stereoscope unpacked.
func readImage(ctx context.Context, spec sourceSpec) (*Image, error) {
	src, err := openSource(ctx, Config{}, spec)
	if err != nil {
		return nil, fmt.Errorf("sbom: open image source %q: %w", spec.Input, err)
	}
	defer src.Close()
	m, ok := src.Describe().Metadata.(source.ImageMetadata)
	if !ok {
		return nil, fmt.Errorf("sbom: image source %q: no image configuration found", spec.Input)
	}
	return imageInfo(spec, m), nil
}
