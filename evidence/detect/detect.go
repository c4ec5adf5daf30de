// Package detect reads what a product's own files say about it — its name,
// description, licence and version — for what cemark.yaml leaves out: the
// config stage fills those defaults, and cemark init writes them into the
// starter file for review.
package detect

import (
	"context"
	"encoding/json"
	"path"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/gitinfo"
)

// Facts is what the product's own files say about it, used when
// cemark.yaml does not: the embedded defaults.
type Facts struct {
	Name string `json:"name"`
	// NameFrom is where Name came from: "go.mod", "package.json",
	// "pyproject.toml" or "folder".
	NameFrom    string `json:"name_from"`
	Description string `json:"description,omitempty"` // from package.json or pyproject.toml
	// Licence is an SPDX licence ID recognised in LicenceFile; "" when
	// there is no licence file or its text is not one well-known licence.
	Licence     string `json:"licence,omitempty"`
	LicenceFile string `json:"licence_file,omitempty"`
}

// licenceFileNames are the names looked at, in order, at the product root.
var licenceFileNames = []string{
	"LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "LICENCE.txt", "LICENCE.md",
	"COPYING", "COPYING.txt", "COPYING.md", "LICENSE-MIT", "LICENSE-APACHE",
}

// maxManifestSize bounds what Product reads from one file.
const maxManifestSize = 1 << 20

// Detector reads what a product's files say. The zero value is ready.
type Detector struct {
	// Licence names the licence a LICENSE text holds (nil: LicenceID).
	// Matching a text costs tens of milliseconds; the pipeline remembers
	// the answer for each text (its stage cache).
	Licence func(text []byte) string
}

// Product reads the product's name, description and licence from its root
// with the zero Detector.
func Product(ctx context.Context, root string) (Facts, error) { return Detector{}.Product(ctx, root) }

// ApplyDefaults fills the defaults with the zero Detector.
func ApplyDefaults(ctx context.Context, root string, cfg *config.Config, productVersion string) error {
	return Detector{}.ApplyDefaults(ctx, root, cfg, productVersion)
}

// Product reads the product's name, description and licence from its root:
// the name from go.mod (the module path's last element, without a /vN
// suffix), else package.json, else pyproject.toml ([project] or
// [tool.poetry]), else the folder's name. A manifest that does not parse
// is passed over (it is the build's business, not cemark's); the error is
// only for a cancelled context.
func (det Detector) Product(ctx context.Context, root string) (Facts, error) {
	var d Facts
	if err := ctx.Err(); err != nil {
		return d, err
	}
	if data, ok := readSmall(filepath.Join(root, "go.mod")); ok {
		if p := modfile.ModulePath(data); p != "" {
			if prefix, _, ok := module.SplitPathVersion(p); ok {
				p = prefix
			}
			d.Name, d.NameFrom = path.Base(p), "go.mod"
		}
	}
	if data, ok := readSmall(filepath.Join(root, "package.json")); ok {
		var pkg struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		}
		if json.Unmarshal(data, &pkg) == nil {
			if d.Name == "" && strings.TrimSpace(pkg.Name) != "" {
				d.Name, d.NameFrom = strings.TrimSpace(pkg.Name), "package.json"
			}
			if d.Description == "" {
				d.Description = strings.TrimSpace(pkg.Description)
			}
		}
	}
	if data, ok := readSmall(filepath.Join(root, "pyproject.toml")); ok {
		var py struct {
			Project struct {
				Name        string `toml:"name"`
				Description string `toml:"description"`
			} `toml:"project"`
			Tool struct {
				Poetry struct {
					Name        string `toml:"name"`
					Description string `toml:"description"`
				} `toml:"poetry"`
			} `toml:"tool"`
		}
		if toml.Unmarshal(data, &py) == nil {
			name, desc := py.Project.Name, py.Project.Description
			if name == "" {
				name = py.Tool.Poetry.Name
			}
			if desc == "" {
				desc = py.Tool.Poetry.Description
			}
			if d.Name == "" && strings.TrimSpace(name) != "" {
				d.Name, d.NameFrom = strings.TrimSpace(name), "pyproject.toml"
			}
			if d.Description == "" {
				d.Description = strings.TrimSpace(desc)
			}
		}
	}
	if d.Name == "" {
		abs, err := filepath.Abs(root)
		if err != nil {
			abs = root
		}
		d.Name, d.NameFrom = filepath.Base(abs), "folder"
	}
	if err := ctx.Err(); err != nil {
		return d, err
	}
	for _, name := range licenceFileNames {
		data, ok := readSmall(filepath.Join(root, name))
		if !ok {
			continue
		}
		d.LicenceFile = name
		if det.Licence != nil {
			d.Licence = det.Licence(data)
		} else {
			d.Licence = LicenceID(data)
		}
		break
	}
	return d, ctx.Err()
}

// readSmall reads a regular file of at most maxManifestSize bytes.
func readSmall(p string) ([]byte, bool) {
	data, err := contain.ReadRegular(p, maxManifestSize)
	return data, err == nil
}

// ApplyDefaults fills what cemark.yaml left out and the product's files
// say: product name (Product), licence (a recognised LICENSE file) and
// version — productVersion (the --product-version flag), else
// `git describe --tags`, else the 12-digit HEAD commit, else "unversioned".
// Nothing the manufacturer must state (address, class, support period …)
// is ever filled; see Missing.
func (det Detector) ApplyDefaults(ctx context.Context, root string, cfg *config.Config, productVersion string) error {
	if cfg.Product.Name == "" || cfg.Product.Licence == "" {
		d, err := det.Product(ctx, root)
		if err != nil {
			return err
		}
		if cfg.Product.Name == "" {
			cfg.Product.Name = d.Name
		}
		if cfg.Product.Licence == "" {
			cfg.Product.Licence = d.Licence
		}
	}
	switch {
	case strings.TrimSpace(productVersion) != "":
		cfg.Product.Version = strings.TrimSpace(productVersion)
	case cfg.Product.Version != "":
	default:
		cfg.Product.Version = Version(ctx, root)
	}
	return ctx.Err()
}

// Version is `git describe --tags`, else the 12-digit HEAD commit,
// else "unversioned".
func Version(ctx context.Context, root string) string {
	if v, err := gitinfo.Describe(ctx, root); err == nil && v != "" {
		return v
	}
	if c, err := gitinfo.ShortHead(ctx, root); err == nil && c != "" {
		return c
	}
	return Unversioned
}

// Unversioned is the version of a product with no --product-version, no
// version in cemark.yaml, no tag and no commit.
const Unversioned = "unversioned"
