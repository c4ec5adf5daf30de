package sbom

import (
	"context"
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/anchore/stereoscope"
	"github.com/anchore/stereoscope/pkg/image"
	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/artifact"
	"github.com/anchore/syft/syft/cataloging"
	"github.com/anchore/syft/syft/file"
	"github.com/anchore/syft/syft/format/common/cyclonedxhelpers"
	"github.com/anchore/syft/syft/format/common/spdxhelpers"
	"github.com/anchore/syft/syft/pkg"
	syftsbom "github.com/anchore/syft/syft/sbom"
	"github.com/anchore/syft/syft/source"
	"github.com/anchore/syft/syft/source/directorysource"
	"github.com/anchore/syft/syft/source/filesource"
	"github.com/anchore/syft/syft/source/stereoscopesource"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/cemark/cemark/evidence/contain"

	// syft reads newer RPM databases through database/sql and needs a
	// driver named "sqlite". database/sql's driver registry is global and
	// registration happens in the driver's init: that is the one piece of
	// global state this package brings in, as syft's own CLI does. It is
	// the driver grype's database uses too (both pure Go, over modernc's
	// SQLite), so that the two can live in one binary: registering a
	// second "sqlite" driver panics.
	_ "github.com/glebarez/go-sqlite"
)

// DefaultExclusions are always excluded from a directory scan: the VCS
// metadata, cemark's evidence directory and the generated docs bundle.
var defaultExclusions = []string{"./.git", "./.cemark", "./docs/cra"}

// Source kinds accepted in Config.Sources.
const (
	KindDir           = "dir"
	KindFile          = "file"
	KindDockerArchive = "docker-archive"
	KindOCIArchive    = "oci-archive"
	KindOCIDir        = "oci-dir"
)

// sourceSpec is one parsed Config.Sources entry.
type sourceSpec struct {
	Input string // as given
	Kind  string
	Abs   string // absolute path on this machine: never written to a document
	Rel   string // slash path relative to Root, or the base name when outside it
}

// scanned is one source after cataloguing.
type scanned struct {
	spec  sourceSpec
	sbom  *syftsbom.SBOM
	info  SourceInfo
	image *Image
	// files maps package ID to the facts about the component's own file.
	files map[artifact.ID]componentFile
	// direct marks packages a go.mod requires directly.
	direct map[artifact.ID]bool
	// pkgs is the catalogue, sorted as syft sorts it (see packagesOf).
	pkgs []pkg.Package
}

// Generate scans cfg.Sources with the syft library, merges them into one
// catalogue whose primary component is the product, encodes CycloneDX 1.6
// and SPDX 2.3 JSON, enriches both to BSI TR-03183-2 v2.1 / NTIA and
// reports their quality. It never uses the network unless
// cfg.RemoteLookups is set. It returns while the SPDX document is still
// being encoded: Result.SPDX waits for it, and says why it could not be.
//
// Progress is reported per stage from cemark's own loop rather than from
// syft's event bus: the bus is process-global (syft.SetBus), and setting
// it from a library would race with any other caller in the process.
func Generate(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.normalised()
	if err != nil {
		return nil, err
	}
	if cfg.LicenceScanner == nil {
		cfg.LicenceScanner = StartLicenceScanner()
	}
	specs := make([]sourceSpec, 0, len(cfg.Sources))
	for _, in := range cfg.Sources {
		spec, err := parseSource(cfg.Root, in, cfg.MaxFileSize)
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}

	var parts []scanned
	found := 0
	for _, spec := range specs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cfg.progress(Progress{Stage: "catalogue", Source: spec.Input, Packages: found})
		part, err := scanSource(ctx, cfg, spec)
		if err != nil {
			return nil, err
		}
		found += part.sbom.Artifacts.Packages.PackageCount()
		cfg.progress(Progress{Stage: "catalogue", Source: spec.Input, Packages: found, Done: true})
		parts = append(parts, part)
	}

	// Every source is catalogued: the licence scanner (tens of MB of
	// matcher) is not needed any more, and the encoding that follows is
	// when the run holds the most.
	cfg.LicenceScanner = nil

	// syft's own format models, enriched in place and then encoded, each
	// once.
	cfg.progress(Progress{Stage: "encode", Packages: found})
	merged, mergedPkgs, origin := merge(cfg, parts)
	// The two models only read the catalogue: made side by side.
	var cdxModel *cdx.BOM
	cdxDone := make(chan struct{})
	go func() {
		defer close(cdxDone)
		cdxModel = cyclonedxhelpers.ToFormatModel(merged)
	}()
	spdxModel := spdxhelpers.ToFormatModel(merged)
	<-cdxDone
	cfg.progress(Progress{Stage: "encode", Packages: found, Done: true})

	cfg.progress(Progress{Stage: "enrich", Packages: found})
	facts := collectFacts(merged, mergedPkgs, parts, origin)
	spdx, cdxOut, bom, err := enrichAndEncode(cfg, parts, facts, spdxModel, cdxModel)
	if err != nil {
		return nil, err
	}
	cfg.progress(Progress{Stage: "enrich", Packages: found, Done: true})

	res := &Result{
		CycloneDX:  cdxOut,
		spdx:       spdx,
		Quality:    assessQuality(bom, cfg),
		Components: components(mergedPkgs, facts),
		Catalogue:  &merged,
	}
	for _, p := range parts {
		res.Sources = append(res.Sources, p.info)
		if p.image != nil {
			res.Images = append(res.Images, *p.image)
		}
	}
	return res, nil
}

// enrichAndEncode enriches syft's SPDX and CycloneDX models of the merged
// catalogue in place and encodes them, their identifiers sealed. It
// returns the enriched BOM too, for the quality report. The SPDX document
// is still being encoded when it returns (the SBOM's later users wait for
// it): it is the larger, and the stages that follow need only CycloneDX.
func enrichAndEncode(cfg Config, parts []scanned, facts factSet, spdxModel *spdx.Document, cdxModel *cdx.BOM) (spdxOut *document, cdxOut []byte, bom *cdx.BOM, err error) {
	spdxDoc, err := enrichSPDX(spdxModel, cfg, parts, facts)
	if err != nil {
		return nil, nil, nil, err
	}
	// The SPDX model carries syft's per-package supplier logic (npm and
	// Python authors, deb maintainers …); reuse it for CycloneDX so both
	// documents state the same facts.
	for id, sup := range spdxSuppliers(spdxDoc) {
		f := facts.pkgs[id]
		f.supplier = sup
		facts.pkgs[id] = f
	}
	// The SPDX document is complete: encoded while CycloneDX is enriched
	// and encoded, and after.
	spdxOut = encodeDocument(func() ([]byte, error) {
		b, err := marshalSPDX(spdxDoc)
		if err != nil {
			return nil, err
		}
		return sealID(b, `"documentNamespace": "`+spdxDoc.DocumentNamespace+`"`)
	})
	bom = enrichCycloneDX(cdxModel, cfg, parts, facts)
	if cdxOut, err = marshalCycloneDX(bom); err == nil {
		cdxOut, err = sealID(cdxOut, `"serialNumber": "`+bom.SerialNumber+`"`)
	}
	if err != nil {
		_, _ = spdxOut.bytes() // no goroutine outlives a failed Generate
		return nil, nil, nil, err
	}
	return spdxOut, cdxOut, bom, nil
}

// normalised fills defaults and makes Root absolute.
func (c Config) normalised() (Config, error) {
	if c.Root == "" {
		c.Root = "."
	}
	abs, err := filepath.Abs(c.Root)
	if err != nil {
		return c, fmt.Errorf("sbom: product root %s: %w", c.Root, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return c, fmt.Errorf("sbom: product root: %w", err)
	}
	if !st.IsDir() {
		return c, fmt.Errorf("sbom: product root %s is not a directory", c.Root)
	}
	c.Root = abs
	if len(c.Sources) == 0 {
		c.Sources = []string{"dir:."}
	}
	if c.ToolName == "" {
		c.ToolName = "cemark"
	}
	if c.ToolVersion == "" {
		c.ToolVersion = "devel"
	}
	if c.Created.IsZero() {
		c.Created = time.Unix(0, 0)
	}
	c.Created = c.Created.UTC().Truncate(time.Second)
	if c.Product.Name == "" {
		c.Product.Name = filepath.Base(abs)
	}
	return c, nil
}

func (c Config) progress(p Progress) {
	if c.Progress != nil {
		c.Progress(p)
	}
}

// parseSource parses "KIND:PATH"; a bare path is a directory.
func parseSource(root, input string, maxSize int64) (sourceSpec, error) {
	kind, path, ok := strings.Cut(input, ":")
	if !ok {
		kind, path = KindDir, input
	}
	switch kind {
	case KindDir, KindFile, KindDockerArchive, KindOCIArchive, KindOCIDir:
	default:
		return sourceSpec{}, fmt.Errorf("sbom: source %q: unknown kind %q (want dir, file, docker-archive, oci-archive or oci-dir)", input, kind)
	}
	if path == "" {
		path = "."
	}
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(root, path)
	}
	abs = filepath.Clean(abs)
	st, err := os.Stat(abs)
	if err != nil {
		return sourceSpec{}, fmt.Errorf("sbom: source %q: %w", input, err)
	}
	// Only folders and regular files are read: a FIFO, a device (/dev/zero)
	// or a socket would block the scan or feed it forever.
	wantDir := kind == KindDir || kind == KindOCIDir
	if wantDir && !st.IsDir() || !wantDir && !st.Mode().IsRegular() {
		want := "a regular file"
		if wantDir {
			want = "a directory"
		}
		return sourceSpec{}, fmt.Errorf("sbom: source %q: %s is not %s (it is %s)", input, path, want, contain.Kind(st.Mode()))
	}
	if !wantDir && maxSize > 0 && st.Size() > maxSize {
		return sourceSpec{}, fmt.Errorf("sbom: source %q: %w", input, &contain.TooLargeError{Path: path, Size: st.Size(), Limit: maxSize})
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		// Outside the product root: name it by its base name only, so
		// that no machine path reaches the documents.
		rel = filepath.Base(abs)
	}
	return sourceSpec{Input: input, Kind: kind, Abs: abs, Rel: filepath.ToSlash(rel)}, nil
}

// exclusions returns syft exclusion globs for a source: the defaults plus
// the user's, relative to the scanned directory. syft accepts only
// patterns starting with "./", "*/" or "**/"; any other is made "./…".
// A matching directory is skipped with everything under it.
func exclusions(user []string) []string {
	out := append([]string(nil), defaultExclusions...)
	for _, g := range user {
		g = strings.TrimSpace(filepath.ToSlash(g))
		if g == "" {
			continue
		}
		if !strings.HasPrefix(g, "./") && !strings.HasPrefix(g, "*/") && !strings.HasPrefix(g, "**/") {
			g = "./" + strings.TrimPrefix(g, "/")
		}
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// openSource opens one source with syft's source packages directly (not
// syft.GetSource, which probes every provider including registries).
func openSource(ctx context.Context, cfg Config, spec sourceSpec) (source.Source, error) {
	exclude := source.ExcludeConfig{Paths: exclusions(cfg.Exclude)}
	alias := source.Alias{Name: spec.Rel}
	switch spec.Kind {
	case KindDir:
		return directorysource.New(directorysource.Config{Path: spec.Abs, Base: spec.Abs, Exclude: exclude, Alias: alias})
	case KindFile:
		return filesource.New(filesource.Config{Path: spec.Abs, Exclude: exclude, DigestAlgorithms: []crypto.Hash{crypto.SHA256, crypto.SHA512}, Alias: alias})
	}
	var from image.Source
	switch spec.Kind {
	case KindDockerArchive:
		from = image.DockerTarballSource
	case KindOCIArchive:
		from = image.OciTarballSource
	case KindOCIDir:
		from = image.OciDirectorySource
	}
	img, err := stereoscope.GetImageFromSource(ctx, spec.Abs, from)
	if err != nil {
		return nil, err
	}
	return stereoscopesource.New(img, stereoscopesource.ImageConfig{Reference: spec.Abs, Exclude: exclude, Alias: alias}), nil
}

// CreateSBOMConfig is the syft cataloguing configuration cemark uses: syft's
// library defaults with every network look-up off unless remote is set,
// nothing read from outside the scanned tree (Go module cache, ~/.m2), and
// SHA-512 added to the file digests. Exported so that tests and the
// benchmark can run plain syft with the very same configuration.
func CreateSBOMConfig(toolName, toolVersion string, remote bool) *syft.CreateSBOMConfig {
	c := syft.DefaultCreateSBOMConfig().WithTool(toolName, toolVersion)
	pk := c.Packages
	// go/packages runs `go list`, which may download modules: network.
	pk.Golang = pk.Golang.WithUsePackagesLib(remote).
		WithSearchRemoteLicenses(remote).
		WithSearchLocalModCacheLicenses(false)
	pk.JavaArchive = pk.JavaArchive.WithUseNetwork(remote).WithUseMavenLocalRepository(false)
	pk.JavaScript = pk.JavaScript.WithSearchRemoteLicenses(remote)
	pk.Python = pk.Python.WithSearchRemoteLicenses(remote)
	c = c.WithPackagesConfig(pk)
	files := c.Files
	files.Hashers = []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA512}
	c = c.WithFilesConfig(files)
	return c.WithLicenseConfig(licenceConfig())
}

// licenceConfig is how the licences of the catalogue are found: syft's
// defaults. The licence scanner is built from it before the rest of the
// configuration, which takes syft 12 ms to make (it compiles the binary
// classifiers' patterns), on the scanner's critical path.
func licenceConfig() cataloging.LicenseConfig {
	return cataloging.DefaultLicenseConfig()
}

func scanSource(ctx context.Context, cfg Config, spec sourceSpec) (scanned, error) {
	src, err := openSource(ctx, cfg, spec)
	if err != nil {
		return scanned{}, fmt.Errorf("sbom: open source %q: %w", spec.Input, err)
	}
	defer src.Close()

	// Index the source's files while the licence scanner is built; syft
	// keeps the resolver for the scan.
	resolver, err := src.FileResolver(source.SquashedScope)
	if err != nil {
		return scanned{}, fmt.Errorf("sbom: read %q: %w", spec.Input, err)
	}
	scanCtx, err := cfg.LicenceScanner.withScanner(ctx)
	if err != nil {
		return scanned{}, err
	}
	s, err := syft.CreateSBOM(scanCtx, src, CreateSBOMConfig(cfg.ToolName, cfg.ToolVersion, cfg.RemoteLookups))
	if err != nil {
		return scanned{}, fmt.Errorf("sbom: catalogue %q: %w", spec.Input, err)
	}
	part := scanned{spec: spec, sbom: s, pkgs: packagesOf(s), info: SourceInfo{Input: spec.Input, Kind: spec.Kind, Path: spec.Rel}}

	desc := src.Describe()
	switch m := desc.Metadata.(type) {
	case source.ImageMetadata:
		part.info.Digest = m.ManifestDigest
		part.image = imageInfo(spec, m)
	case source.FileMetadata:
		for _, d := range m.Digests {
			if d.Algorithm == "sha256" {
				part.info.Digest = "sha256:" + d.Value
			}
		}
	}

	part.files, err = componentFiles(ctx, resolver, part.pkgs, s.Artifacts.FileDigests)
	if err != nil {
		return scanned{}, fmt.Errorf("sbom: hash component files of %q: %w", spec.Input, err)
	}
	part.direct = goDirectRequires(resolver, part.pkgs)
	return part, nil
}

func imageInfo(spec sourceSpec, m source.ImageMetadata) *Image {
	img := &Image{Source: spec.Input, ManifestDigest: m.ManifestDigest, Name: spec.Rel}
	if len(m.Tags) > 0 {
		tags := append([]string(nil), m.Tags...)
		sort.Strings(tags)
		img.Name = tags[0]
	}
	var conf struct {
		Config struct {
			ExposedPorts map[string]struct{} `json:"ExposedPorts"`
			User         string              `json:"User"`
			Env          []string            `json:"Env"`
			Labels       map[string]string   `json:"Labels"`
		} `json:"config"`
	}
	if err := jsonUnmarshal(m.RawConfig, &conf); err == nil {
		for p := range conf.Config.ExposedPorts {
			img.ExposedPorts = append(img.ExposedPorts, p)
		}
		sort.Strings(img.ExposedPorts)
		img.User = conf.Config.User
		img.Env = conf.Config.Env
		if len(conf.Config.Labels) > 0 {
			img.Labels = conf.Config.Labels
		}
	}
	return img
}

// merge joins the sources' catalogues into one syft SBOM whose source is
// the product, and returns its packages sorted. origin maps each package
// to the sources it was found in.
func merge(cfg Config, parts []scanned) (syftsbom.SBOM, []pkg.Package, map[artifact.ID][]int) {
	out := syftsbom.SBOM{
		Artifacts: syftsbom.Artifacts{
			FileMetadata: map[file.Coordinates]file.Metadata{},
			FileDigests:  map[file.Coordinates][]file.Digest{},
			FileContents: map[file.Coordinates]string{},
			FileLicenses: map[file.Coordinates][]file.License{},
			Executables:  map[file.Coordinates]file.Executable{},
			Unknowns:     map[file.Coordinates][]string{},
		},
		// No Supplier here: syft would copy it onto every component.
		Source: source.Description{
			ID:       "product",
			Name:     cfg.Product.Name,
			Version:  cfg.Product.Version,
			Metadata: source.DirectoryMetadata{Path: "."},
		},
		Descriptor: syftsbom.Descriptor{Name: cfg.ToolName, Version: cfg.ToolVersion},
	}
	origin := map[artifact.ID][]int{}
	for i, p := range parts {
		for _, pk := range p.pkgs {
			origin[pk.ID()] = append(origin[pk.ID()], i)
		}
	}
	var pkgs []pkg.Package
	if len(parts) == 1 {
		// One source (the usual case): its collection is the product's,
		// shared rather than copied.
		out.Artifacts.Packages, pkgs = parts[0].sbom.Artifacts.Packages, parts[0].pkgs
	} else {
		// Several: syft merges a package found in more than one source
		// into one record, which Add does on copies of the packages.
		out.Artifacts.Packages = pkg.NewCollection()
		ids := make([]artifact.ID, 0, len(origin))
		for _, p := range parts {
			out.Artifacts.Packages.Add(p.sbom.Artifacts.Packages.Sorted()...)
		}
		for id := range origin {
			ids = append(ids, id)
		}
		pkgs = sortedPackages(out.Artifacts.Packages, ids)
	}
	for _, p := range parts {
		a := p.sbom.Artifacts
		copyMap(out.Artifacts.FileMetadata, a.FileMetadata)
		copyMap(out.Artifacts.FileDigests, a.FileDigests)
		copyMap(out.Artifacts.FileContents, a.FileContents)
		copyMap(out.Artifacts.FileLicenses, a.FileLicenses)
		copyMap(out.Artifacts.Executables, a.Executables)
		copyMap(out.Artifacts.Unknowns, a.Unknowns)
		if out.Artifacts.LinuxDistribution == nil {
			out.Artifacts.LinuxDistribution = a.LinuxDistribution
		}
		for _, r := range p.sbom.Relationships {
			// The per-source root is replaced by the product and its
			// source components, added during enrichment.
			if _, ok := r.From.(source.Source); ok {
				continue
			}
			out.Relationships = append(out.Relationships, r)
		}
	}
	out.Relationships = out.RelationshipsSorted()
	return out, pkgs, origin
}

// packagesOf returns a source's packages sorted as Collection.Sorted
// sorts them, without the deep copy of every package Sorted makes (syft's
// own encoders make one per format; cemark only reads the packages). The
// package IDs come from syft's "source contains package" relationships,
// which syft adds for every package it keeps; should they not name every
// package, Sorted is used after all.
func packagesOf(s *syftsbom.SBOM) []pkg.Package {
	c := s.Artifacts.Packages
	src := artifact.ID(s.Source.ID)
	seen := map[artifact.ID]bool{}
	ids := make([]artifact.ID, 0, c.PackageCount())
	for _, r := range s.Relationships {
		to, ok := r.To.(pkg.Package)
		if !ok || r.Type != artifact.ContainsRelationship || r.From.ID() != src || seen[to.ID()] {
			continue
		}
		seen[to.ID()] = true
		ids = append(ids, to.ID())
	}
	if len(ids) != c.PackageCount() {
		return c.Sorted()
	}
	pkgs := sortedPackages(c, ids)
	if len(pkgs) != len(ids) {
		return c.Sorted()
	}
	return pkgs
}

// sortedPackages reads ids from c (without copying) in syft's package
// order; ties in that order keep the order of the IDs, sorted first.
func sortedPackages(c *pkg.Collection, ids []artifact.ID) []pkg.Package {
	slices.Sort(ids)
	pkgs := c.Packages(ids)
	pkg.Sort(pkgs)
	return pkgs
}

func copyMap[K comparable, V any](dst, src map[K]V) {
	for k, v := range src {
		if _, ok := dst[k]; !ok {
			dst[k] = v
		}
	}
}

// syftModuleVersion is the syft version in go.mod, for binaries built
// without module information (tests check that it matches go.mod).
const syftModuleVersion = "v1.57.1"

// SyftVersion is the syft library version linked into this binary.
func SyftVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/anchore/syft" {
				if d.Replace != nil {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return syftModuleVersion
}

// Cleanup removes the temporary folders syft's image library
// (stereoscope) made in this process for image sources: closing a source
// empties its image's folder, but the folders themselves stay until
// stereoscope's process-wide Cleanup, which syft's CLI calls on exit too.
// Call it once, when the process is done with images (cmd/cemark does, on
// every exit).
func Cleanup() { stereoscope.Cleanup() }

// RunTests runs a package's tests (a TestMain's m.Run) and then Cleanup,
// so that what the tests' image sources unpacked does not outlive them:
//
//	func TestMain(m *testing.M) { os.Exit(sbom.RunTests(m)) }
func RunTests(m interface{ Run() int }) int {
	defer Cleanup()
	return m.Run()
}
