// Package gitlabsbom turns cemark's CycloneDX SBOM into the reports
// GitLab's dependency list reads (artifacts:reports:cyclonedx): one
// CycloneDX document per input file (lock file or manifest), as GitLab's
// own analyzers write them (gl-sbom-*.cdx.json), each carrying the
// properties of GitLab's CycloneDX property taxonomy:
//
//   - metadata: gitlab:meta:schema_version (1) and
//     gitlab:dependency_scanning:input_file:path, source_file:path,
//     package_manager:name and language:name;
//   - every component: input_file:path and package_manager:name too
//     (GitLab prefers a component's own value; older GitLab reads the
//     metadata's).
//
// Paths are relative to the repository root: the product's folder in the
// repository (the run's prefix) joined with the source folder and syft's
// location of the package. Packages found in images (which have no file
// in the repository) and in files no package manager owns are left out;
// the full SBOM stays sbom.cdx.json.
package gitlabsbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// SchemaVersion is gitlab:meta:schema_version: "Must be 1".
const SchemaVersion = "1"

// Report is one GitLab dependency report.
type Report struct {
	// Name is the file name: gl-sbom-<package manager>-<hash of the input file>.cdx.json.
	Name string
	// InputFile is the lock file or manifest, relative to the repository root.
	InputFile      string
	PackageManager string
	Components     int
	Data           []byte
}

// manager says which package manager and language own a file.
type manager struct {
	name, language, sourceFile string // sourceFile: the file a person edits, beside the input ("" when it is the input)
}

// managerFor maps syft's package type and the input file's name onto
// GitLab's package manager names; ok is false for files no package
// manager owns (binaries, archives, OS package databases).
func managerFor(pkgType, file string) (manager, bool) {
	base := path.Base(file)
	switch pkgType {
	case "go-module":
		if base == "go.mod" || base == "go.sum" {
			return manager{"go", "Go", "go.mod"}, true
		}
	case "npm":
		switch base {
		case "package-lock.json", "npm-shrinkwrap.json", "package.json":
			return manager{"npm", "JavaScript", "package.json"}, true
		case "yarn.lock":
			return manager{"yarn", "JavaScript", "package.json"}, true
		case "pnpm-lock.yaml":
			return manager{"pnpm", "JavaScript", "package.json"}, true
		}
	case "python":
		switch {
		case base == "Pipfile.lock":
			return manager{"pipenv", "Python", "Pipfile"}, true
		case base == "poetry.lock":
			return manager{"poetry", "Python", "pyproject.toml"}, true
		case base == "uv.lock":
			return manager{"uv", "Python", "pyproject.toml"}, true
		case base == "setup.py" || base == "pyproject.toml":
			return manager{"setuptools", "Python", ""}, true
		case strings.HasSuffix(base, ".txt") && strings.Contains(base, "requirements"):
			return manager{"pip", "Python", ""}, true
		}
	case "gem":
		if base == "Gemfile.lock" {
			return manager{"bundler", "Ruby", "Gemfile"}, true
		}
	case "java-archive":
		switch {
		case base == "pom.xml":
			return manager{"maven", "Java", ""}, true
		case base == "gradle.lockfile" || strings.HasSuffix(base, ".gradle") || strings.HasSuffix(base, ".gradle.kts"):
			return manager{"gradle", "Java", ""}, true
		}
	case "php-composer":
		if base == "composer.lock" || base == "composer.json" {
			return manager{"composer", "PHP", "composer.json"}, true
		}
	case "rust-crate":
		if base == "Cargo.lock" {
			return manager{"cargo", "Rust", "Cargo.toml"}, true
		}
	case "dotnet":
		if base == "packages.lock.json" || strings.HasSuffix(base, ".csproj") || strings.HasSuffix(base, ".deps.json") {
			return manager{"nuget", "C#", ""}, true
		}
	case "conan":
		if strings.HasPrefix(base, "conan") {
			return manager{"conan", "C/C++", ""}, true
		}
	case "pod":
		if base == "Podfile.lock" {
			return manager{"cocoapods", "Swift", "Podfile"}, true
		}
	}
	return manager{}, false
}

type property = map[string]any

func propsOf(c map[string]any) map[string]string {
	out := map[string]string{}
	list, _ := c["properties"].([]any)
	for _, p := range list {
		m, _ := p.(map[string]any)
		n, _ := m["name"].(string)
		v, _ := m["value"].(string)
		if _, seen := out[n]; !seen {
			out[n] = v
		}
	}
	return out
}

func addProps(c map[string]any, kv ...string) {
	old, _ := c["properties"].([]any)
	list := append([]any(nil), old...)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			list = append(list, property{"name": kv[i], "value": kv[i+1]})
		}
	}
	c["properties"] = list
}

// Reports splits the CycloneDX document cdx (sbom.cdx.json) into GitLab
// dependency reports; prefix is the product root's folder in the
// repository. The result is sorted by input file and deterministic.
func Reports(cdx []byte, prefix string) ([]Report, error) {
	doc, err := decode(cdx)
	if err != nil {
		return nil, err
	}
	comps, _ := doc["components"].([]any)
	deps, _ := doc["dependencies"].([]any)

	// Which source each package came from: the sources are components
	// (cemark:source:input "dir:sub") whose dependencies reach the packages.
	sourceDir := map[string]string{} // source bom-ref → folder ("" for images and files)
	for _, c := range comps {
		m, _ := c.(map[string]any)
		p := propsOf(m)
		if in, ok := p["cemark:source:input"]; ok {
			ref, _ := m["bom-ref"].(string)
			dir := ""
			if d, ok := strings.CutPrefix(in, "dir:"); ok {
				dir = strings.Trim(path.Clean("/"+strings.ReplaceAll(d, `\`, "/")), "/")
				if dir == "" {
					dir = "."
				}
			}
			sourceDir[ref] = dir
		}
	}
	edges := map[string][]string{}
	for _, d := range deps {
		m, _ := d.(map[string]any)
		ref, _ := m["ref"].(string)
		on, _ := m["dependsOn"].([]any)
		for _, o := range on {
			if s, ok := o.(string); ok {
				edges[ref] = append(edges[ref], s)
			}
		}
	}
	pkgSource := map[string]string{}
	srcRefs := make([]string, 0, len(sourceDir))
	for ref := range sourceDir {
		srcRefs = append(srcRefs, ref)
	}
	sort.Strings(srcRefs)
	for _, src := range srcRefs {
		queue := append([]string(nil), edges[src]...)
		for len(queue) > 0 {
			ref := queue[0]
			queue = queue[1:]
			if _, seen := pkgSource[ref]; seen {
				continue
			}
			pkgSource[ref] = src
			queue = append(queue, edges[ref]...)
		}
	}

	type group struct {
		input string
		mgr   manager
		comps []any
		refs  map[string]bool
	}
	groups := map[string]*group{}
	for _, c := range comps {
		m, _ := c.(map[string]any)
		ref, _ := m["bom-ref"].(string)
		if _, isSource := sourceDir[ref]; isSource {
			continue
		}
		p := propsOf(m)
		loc := p["syft:location:0:path"]
		if loc == "" || p["syft:location:0:layerID"] != "" {
			continue // no file, or a file inside an image
		}
		dir := "."
		if src, ok := pkgSource[ref]; ok {
			dir = sourceDir[src]
		} else if len(sourceDir) > 1 {
			continue // cannot tell which source it came from
		}
		if dir == "" {
			continue // found in an image or a file source
		}
		mgr, ok := managerFor(p["syft:package:type"], loc)
		if !ok {
			continue
		}
		input := path.Clean(path.Join(prefix, dir, strings.TrimPrefix(loc, "/")))
		g := groups[input]
		if g == nil {
			g = &group{input: input, mgr: mgr, refs: map[string]bool{}}
			groups[input] = g
		}
		cp := copyMap(m)
		addProps(cp, "gitlab:dependency_scanning:input_file:path", input, "gitlab:dependency_scanning:package_manager:name", mgr.name)
		g.comps = append(g.comps, cp)
		g.refs[ref] = true
	}

	inputs := make([]string, 0, len(groups))
	for in := range groups {
		inputs = append(inputs, in)
	}
	sort.Strings(inputs)
	out := make([]Report, 0, len(inputs))
	for _, in := range inputs {
		g := groups[in]
		rep := copyMap(doc)
		rep["components"] = g.comps
		var keep []any
		for _, d := range deps {
			m, _ := d.(map[string]any)
			ref, _ := m["ref"].(string)
			if !g.refs[ref] {
				continue
			}
			cp := copyMap(m)
			var on []any
			if list, ok := m["dependsOn"].([]any); ok {
				for _, o := range list {
					if s, _ := o.(string); g.refs[s] {
						on = append(on, s)
					}
				}
			}
			if len(on) > 0 {
				cp["dependsOn"] = on
			} else {
				delete(cp, "dependsOn")
			}
			keep = append(keep, cp)
		}
		if len(keep) > 0 {
			rep["dependencies"] = keep
		} else {
			delete(rep, "dependencies")
		}
		meta, _ := rep["metadata"].(map[string]any)
		meta = copyMap(meta)
		source := ""
		if g.mgr.sourceFile != "" {
			source = path.Join(path.Dir(in), g.mgr.sourceFile)
		}
		addProps(meta, "gitlab:meta:schema_version", SchemaVersion,
			"gitlab:dependency_scanning:input_file:path", in,
			"gitlab:dependency_scanning:source_file:path", source,
			"gitlab:dependency_scanning:package_manager:name", g.mgr.name,
			"gitlab:dependency_scanning:language:name", g.mgr.language)
		rep["metadata"] = meta
		// A document of its own: its own serial number, derived from the
		// SBOM's and the input file, so the same inputs give the same bytes.
		serial, _ := doc["serialNumber"].(string)
		rep["serialNumber"] = "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte(serial+"\x00"+in)).String()
		data, err := encode(rep)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(in))
		out = append(out, Report{
			Name:      fmt.Sprintf("gl-sbom-%s-%s.cdx.json", g.mgr.name, hex.EncodeToString(sum[:4])),
			InputFile: in, PackageManager: g.mgr.name, Components: len(g.comps), Data: data,
		})
	}
	return out, nil
}

func decode(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("read the CycloneDX SBOM: %w", err)
	}
	if doc["bomFormat"] != "CycloneDX" {
		return nil, fmt.Errorf("read the CycloneDX SBOM: bomFormat is %v, not CycloneDX", doc["bomFormat"])
	}
	return doc, nil
}

func encode(doc map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode a GitLab dependency report: %w", err)
	}
	return buf.Bytes(), nil
}

// copyMap copies the top level of m (nested values are shared, never
// changed: properties lists are rebuilt by addProps).
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
