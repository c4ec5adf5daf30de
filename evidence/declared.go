package evidence

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/cemark/cemark/checks"
)

// declaredDirect counts the direct dependencies the product's manifests
// declare (go.mod requires not marked indirect, package.json dependencies,
// requirements.txt lines), so that an SBOM listing fewer top-level
// components can be questioned (Annex I Part II (1)). Development-only
// dependencies do not ship and are not counted. Files are read through the
// target's read-once cache.
func declaredDirect(t *checks.Target) int {
	n := 0
	for _, f := range t.Files.List() {
		switch path.Base(f.Path) {
		case "go.mod":
			data, err := t.Files.Read(f.Path)
			if err != nil {
				continue
			}
			mf, err := modfile.ParseLax(f.Path, data, nil)
			if err != nil {
				continue
			}
			for _, r := range mf.Require {
				if !r.Indirect {
					n++
				}
			}
		case "package.json":
			if strings.Contains(f.Path, "node_modules/") {
				continue
			}
			data, err := t.Files.Read(f.Path)
			if err != nil {
				continue
			}
			var pkg struct {
				Dependencies map[string]string `json:"dependencies"`
			}
			if json.Unmarshal(data, &pkg) == nil {
				n += len(pkg.Dependencies)
			}
		case "requirements.txt":
			data, err := t.Files.Read(f.Path)
			if err != nil {
				continue
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "-") {
					n++
				}
			}
		}
	}
	return n
}
