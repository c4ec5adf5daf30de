package sbom

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/anchore/syft/syft/artifact"
	"github.com/anchore/syft/syft/file"
	"github.com/anchore/syft/syft/pkg"
	syftsbom "github.com/anchore/syft/syft/sbom"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// componentFile is what is known about a component's own deployable file.
type componentFile struct {
	Name   string // base name, never a path
	SHA512 string // hex
	// Executable, Archive and Structured are BSI TR-03183-2's component
	// properties; Sniffed says they were read from the file's content.
	Executable, Archive, Structured bool
	Sniffed                         bool
	// Origin says where the hash came from: "file" (hashed here) or
	// "lockfile-integrity" (npm's SHA-512 of the registry tarball).
	Origin string
}

// pkgFacts are the enrichment facts for one package.
type pkgFacts struct {
	sources  []int
	file     *componentFile
	supplier supplier
	direct   bool
}

// supplier is a person or organisation as syft's SPDX encoder states it.
type supplier struct {
	Kind string // "Person" | "Organization"
	Name string
}

type factSet struct {
	pkgs map[artifact.ID]pkgFacts
}

// componentFiles finds, for every package, the file that IS the component
// (an executable or an archive syft found it in — a Go binary, a jar, a
// wheel) and hashes it with SHA-512. A package known only from a manifest
// or lockfile has no such file in the scanned tree; then npm's lockfile
// integrity (SHA-512 of the registry tarball) is used when present. Nothing
// else is guessed.
//
// digests are syft's own file digests: when syft already hashed the file
// with SHA-512 (a file a package owns), only the file's first bytes are
// read here, to classify it.
func componentFiles(ctx context.Context, resolver file.Resolver, pkgs []pkg.Package, digests map[file.Coordinates][]file.Digest) (map[artifact.ID]componentFile, error) {
	out := map[artifact.ID]componentFile{}
	cache := map[string]*componentFile{} // by access path: many packages share a lockfile
	for _, p := range pkgs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if f, ok := lockIntegrity(p); ok {
			out[p.ID()] = f
			continue
		}
		for _, loc := range evidenceLocations(p) {
			key := loc.RealPath + "\x00" + loc.FileSystemID
			f, seen := cache[key]
			if !seen {
				f = sniffAndHash(resolver, loc, knownSHA512(digests[loc.Coordinates]))
				cache[key] = f
			}
			if f != nil {
				out[p.ID()] = *f
				break
			}
		}
	}
	return out, nil
}

// evidenceLocations are the package's primary-evidence locations, sorted;
// all its locations when none is marked primary.
func evidenceLocations(p pkg.Package) []file.Location {
	all := p.Locations.ToSlice()
	var primary []file.Location
	for _, l := range all {
		if l.Annotations[pkg.EvidenceAnnotationKey] == pkg.PrimaryEvidenceAnnotation {
			primary = append(primary, l)
		}
	}
	if len(primary) == 0 {
		primary = all
	}
	sort.Slice(primary, func(i, j int) bool { return primary[i].RealPath < primary[j].RealPath })
	return primary
}

func knownSHA512(ds []file.Digest) string {
	for _, d := range ds {
		if d.Algorithm == "sha512" {
			return d.Value
		}
	}
	return ""
}

// sniffAndHash reads a file; when its content is an executable or an
// archive it returns its name, SHA-512 (known, or computed here) and BSI
// properties, else nil.
func sniffAndHash(resolver file.Resolver, loc file.Location, known string) *componentFile {
	rc, err := resolver.FileContentsByLocation(loc)
	if err != nil {
		return nil
	}
	defer rc.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(rc, head)
	head = head[:n]
	exe, arch, structured := classify(head, loc.RealPath)
	if !exe && !arch {
		return nil
	}
	sum := known
	if sum == "" {
		h := sha512.New()
		h.Write(head)
		if _, err := io.Copy(h, rc); err != nil {
			return nil
		}
		sum = hex.EncodeToString(h.Sum(nil))
	}
	return &componentFile{
		Name:       path.Base(loc.RealPath),
		SHA512:     sum,
		Executable: exe, Archive: arch, Structured: structured,
		Sniffed: true, Origin: "file",
	}
}

// classify tells from a file's first bytes whether it is an executable or
// an archive, and whether it is "structured" in BSI's sense: a package
// format that carries its own metadata (jar, wheel, deb, rpm, npm tarball …)
// as opposed to a bare binary or a plain compressed stream.
func classify(head []byte, name string) (executable, archive, structured bool) {
	lower := strings.ToLower(name)
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")),
		bytes.HasPrefix(head, []byte("MZ")),
		bytes.HasPrefix(head, []byte{0xfe, 0xed, 0xfa, 0xce}), bytes.HasPrefix(head, []byte{0xfe, 0xed, 0xfa, 0xcf}),
		bytes.HasPrefix(head, []byte{0xce, 0xfa, 0xed, 0xfe}), bytes.HasPrefix(head, []byte{0xcf, 0xfa, 0xed, 0xfe}),
		bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbe}) && !strings.HasSuffix(lower, ".class"):
		return true, false, false
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		// zip: jar/war/ear/whl/egg/nupkg carry a manifest.
		for _, ext := range []string{".jar", ".war", ".ear", ".whl", ".egg", ".nupkg", ".apk", ".aar", ".hpi", ".jpi"} {
			if strings.HasSuffix(lower, ext) {
				return false, true, true
			}
		}
		return false, true, false
	case bytes.HasPrefix(head, []byte("!<arch>\n")): // deb
		return false, true, strings.HasSuffix(lower, ".deb")
	case bytes.HasPrefix(head, []byte{0xed, 0xab, 0xee, 0xdb}): // rpm
		return false, true, true
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}): // gzip: .tgz, .gem, .crate …
		for _, ext := range []string{".tgz", ".gem", ".crate", ".apk"} {
			if strings.HasSuffix(lower, ext) {
				return false, true, true
			}
		}
		return false, true, false
	case len(head) > 262 && string(head[257:262]) == "ustar",
		bytes.HasPrefix(head, []byte("BZh")),
		bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0}),
		bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return false, true, false
	}
	return false, false, false
}

// lockIntegrity reads npm's lockfile integrity: the SHA-512 of the exact
// registry tarball npm installs, with the tarball's file name.
func lockIntegrity(p pkg.Package) (componentFile, bool) {
	m, ok := p.Metadata.(pkg.NpmPackageLockEntry)
	if !ok {
		return componentFile{}, false
	}
	for _, part := range strings.Fields(m.Integrity) {
		b64, ok := strings.CutPrefix(part, "sha512-")
		if !ok {
			continue
		}
		sum, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(sum) != sha512.Size {
			continue
		}
		f := componentFile{SHA512: hex.EncodeToString(sum), Origin: "lockfile-integrity"}
		if u, err := url.Parse(m.Resolved); err == nil && strings.HasSuffix(u.Path, ".tgz") {
			// An npm registry tarball: a gzip'd tar with package.json.
			f.Name = path.Base(u.Path)
			f.Archive, f.Structured, f.Sniffed = true, true, true
		}
		return f, true
	}
	return componentFile{}, false
}

// collectFacts gathers per-package facts from all sources; pkgs are the
// merged catalogue's packages.
func collectFacts(merged syftsbom.SBOM, pkgs []pkg.Package, parts []scanned, origin map[artifact.ID][]int) factSet {
	fs := factSet{pkgs: map[artifact.ID]pkgFacts{}}
	for _, p := range pkgs {
		f := pkgFacts{sources: origin[p.ID()]}
		for _, i := range f.sources {
			if cf, ok := parts[i].files[p.ID()]; ok {
				cf := cf
				f.file = &cf
				break
			}
		}
		fs.pkgs[p.ID()] = f
	}
	for _, p := range parts {
		for id := range p.direct {
			f := fs.pkgs[id]
			f.direct = true
			fs.pkgs[id] = f
		}
	}
	for id := range directDependencies(pkgs, merged.Relationships) {
		f := fs.pkgs[id]
		f.direct = true
		fs.pkgs[id] = f
	}
	return fs
}

// directDependencies finds the product's direct dependencies where syft
// can tell: packages that a project's own root package (the main module of
// a go.mod, the root of a package-lock.json) depends on, and, for go.mod,
// requirements not marked "// indirect".
func directDependencies(pkgs []pkg.Package, rels []artifact.Relationship) map[artifact.ID]bool {
	out := map[artifact.ID]bool{}
	roots := map[artifact.ID]bool{}
	for _, p := range pkgs {
		if isProjectRoot(p) {
			roots[p.ID()] = true
		}
	}
	for _, r := range rels {
		if r.Type != artifact.DependencyOfRelationship {
			continue
		}
		// syft: From is the dependency, To depends on it.
		to, ok := r.To.(pkg.Package)
		if !ok || !roots[to.ID()] {
			continue
		}
		if from, ok := r.From.(pkg.Package); ok && !roots[from.ID()] {
			out[from.ID()] = true
		}
	}
	return out
}

// isProjectRoot says whether syft's package is the scanned project itself
// rather than one of its dependencies: package-lock.json's root entry (the
// only one with neither a resolved URL nor an integrity hash).
func isProjectRoot(p pkg.Package) bool {
	if m, ok := p.Metadata.(pkg.NpmPackageLockEntry); ok {
		return m.Resolved == "" && m.Integrity == ""
	}
	return false
}

// goDirectRequires reads each go.mod that syft catalogued go modules from
// and returns the packages required there without "// indirect".
func goDirectRequires(resolver file.Resolver, pkgs []pkg.Package) map[artifact.ID]bool {
	out := map[artifact.ID]bool{}
	parsed := map[string]map[string]bool{} // go.mod path → direct module paths
	for _, p := range pkgs {
		if p.Type != pkg.GoModulePkg {
			continue
		}
		for _, loc := range p.Locations.ToSlice() {
			if path.Base(loc.RealPath) != "go.mod" {
				continue
			}
			direct, ok := parsed[loc.RealPath]
			if !ok {
				direct = readGoModDirect(resolver, loc)
				parsed[loc.RealPath] = direct
			}
			if direct[p.Name] {
				out[p.ID()] = true
			}
		}
	}
	return out
}

func readGoModDirect(resolver file.Resolver, loc file.Location) map[string]bool {
	rc, err := resolver.FileContentsByLocation(loc)
	if err != nil {
		return nil
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 8<<20))
	if err != nil {
		return nil
	}
	mf, err := modfile.ParseLax(loc.RealPath, data, nil)
	if err != nil {
		return nil
	}
	direct := map[string]bool{}
	for _, r := range mf.Require {
		if !r.Indirect {
			direct[r.Mod.Path] = true
		}
	}
	return direct
}
