package vulns

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/anchore/packageurl-go"

	"github.com/anchore/grype/grype"
	"github.com/anchore/grype/grype/distro"
	"github.com/anchore/grype/grype/match"
	"github.com/anchore/grype/grype/matcher"
	"github.com/anchore/grype/grype/matcher/dpkg"
	"github.com/anchore/grype/grype/matcher/golang"
	"github.com/anchore/grype/grype/matcher/java"
	"github.com/anchore/grype/grype/matcher/rpm"
	"github.com/anchore/grype/grype/matcher/stock"
	grypepkg "github.com/anchore/grype/grype/pkg"
	"github.com/anchore/grype/grype/version"
	"github.com/anchore/grype/grype/vulnerability"
	"github.com/anchore/syft/syft/artifact"
	syftpkg "github.com/anchore/syft/syft/pkg"
	syftsbom "github.com/anchore/syft/syft/sbom"

	"github.com/cemark/cemark/checks/vulnscan"
)

// MatchInput describes the SBOM being matched, for the result.
type MatchInput struct {
	// SBOMName and SBOMSHA256 name the document the catalogue was encoded
	// to (sbom.cdx.json), whose bom-refs the matches point at.
	SBOMName   string
	SBOMSHA256 string
	// Time is the run's reference time.
	Time time.Time
}

// MatcherConfig is the grype matcher configuration cemark uses: the grype
// CLI's defaults (CPE matching only for packages with no better
// identifier, no Maven Central look-ups), so that cemark's result equals
// `grype sbom:…` on the same SBOM and database. Exported for the parity
// test and the benchmark.
func MatcherConfig() matcher.Config {
	return matcher.Config{
		Java:   java.MatcherConfig{UseCPEs: false},
		Golang: golang.MatcherConfig{UseCPEs: false},
		Stock:  stock.MatcherConfig{UseCPEs: true},
		Dpkg:   dpkg.MatcherConfig{MissingEpochStrategy: version.MissingEpochStrategyZero},
		Rpm:    rpm.MatcherConfig{MissingEpochStrategy: version.MissingEpochStrategyAuto},
	}
}

// IgnoreRules are the rules the grype CLI applies by default: kernel
// header packages are not matched against the kernel's advisories.
func IgnoreRules() []match.IgnoreRule {
	return []match.IgnoreRule{
		{Package: match.IgnoreRulePackage{Name: "kernel-headers", UpstreamName: "kernel", Type: string(syftpkg.RpmPkg)}, MatchType: match.ExactIndirectMatch},
		{Package: match.IgnoreRulePackage{Name: "linux(-.*)?-headers-.*", UpstreamName: "linux.*", Type: string(syftpkg.DebPkg)}, MatchType: match.ExactIndirectMatch},
		{Package: match.IgnoreRulePackage{Name: "linux-libc-dev", UpstreamName: "linux", Type: string(syftpkg.DebPkg)}, MatchType: match.ExactIndirectMatch},
		{Package: match.IgnoreRulePackage{Name: "linux-kbuild-.*", UpstreamName: "linux.*", Type: string(syftpkg.DebPkg)}, MatchType: match.ExactIndirectMatch},
	}
}

// Packages turns a syft catalogue into grype's packages and context, the
// way grype reads a syft SBOM.
func Packages(s *syftsbom.SBOM) ([]grypepkg.Package, grypepkg.Context) {
	pkgs := grypepkg.FromPtrs(grypepkg.FromCollection(s.Artifacts.Packages, s.Relationships, grypepkg.SynthesisConfig{}))
	src := s.Source
	d := distro.FromRelease(s.Artifacts.LinuxDistribution, nil)
	return pkgs, grypepkg.Context{
		Source:                &src,
		Distro:                d,
		DistroDetectionFailed: s.Artifacts.LinuxDistribution != nil && d == nil,
	}
}

// Match matches the catalogue against the database. VEX is applied
// separately (ApplyVEX), so the raw result stays what grype found.
func (d *DB) Match(ctx context.Context, s *syftsbom.SBOM, in MatchInput) (*vulnscan.Scan, error) {
	if s == nil {
		return nil, fmt.Errorf("match vulnerabilities: no SBOM catalogue")
	}
	pkgs, pctx := Packages(s)
	unique, copies := dedupe(pkgs)
	vm := grype.VulnerabilityMatcher{
		VulnerabilityProvider: d.provider,
		Matchers:              matcher.NewDefaultMatchers(MatcherConfig()),
		IgnoreRules:           IgnoreRules(),
	}
	found, _, err := vm.FindMatchesContext(ctx, unique, pctx)
	if err != nil {
		return nil, fmt.Errorf("match vulnerabilities: %w", err)
	}
	remaining := match.NewMatches()
	for _, m := range found.Sorted() {
		remaining.Add(m)
		for _, c := range copies[m.Package.ID] {
			m.Package = c
			remaining.Add(m)
		}
	}
	info := d.info
	scan := &vulnscan.Scan{
		Assessed: true,
		Scanner:  Scanner(),
		DB:       &info,
		SBOM:     vulnscan.SBOMRef{Name: in.SBOMName, SHA256: in.SBOMSHA256},
		Packages: len(pkgs),
		Matches:  []vulnscan.Match{},
		Time:     in.Time.UTC(),
	}
	if info.Stale {
		scan.Warnings = append(scan.Warnings, StaleWarning(info))
	}
	for _, m := range remaining.Sorted() {
		scan.Matches = append(scan.Matches, d.convert(m, s))
	}
	vulnscan.SortMatches(scan.Matches)
	return scan, nil
}

// dedupe keeps one package of each set that grype cannot tell apart —
// same type, name, version, language, purl, CPEs, upstreams, distro and
// metadata: everything a matcher reads (locations and IDs are not) — and
// maps each kept package's ID to the others. A repository's SBOM lists a
// module once per manifest that requires it (this repository's, half of
// its packages); each is matched once and its matches are given to the
// others, which is what matching each would give.
func dedupe(pkgs []grypepkg.Package) ([]grypepkg.Package, map[grypepkg.ID][]grypepkg.Package) {
	type key struct {
		Type, Name, Version, PURL, Language string
		CPEs                                []string
		Upstreams                           []grypepkg.UpstreamPackage
		Distro                              string
		Metadata                            any
		MetadataType                        string
	}
	first := map[string]grypepkg.ID{}
	copies := map[grypepkg.ID][]grypepkg.Package{}
	unique := make([]grypepkg.Package, 0, len(pkgs))
	for _, p := range pkgs {
		k := key{Type: string(p.Type), Name: p.Name, Version: p.Version, PURL: p.PURL, Language: string(p.Language),
			Upstreams: p.Upstreams, Metadata: p.Metadata, MetadataType: fmt.Sprintf("%T", p.Metadata)}
		for _, c := range p.CPEs {
			k.CPEs = append(k.CPEs, c.Attributes.BindToFmtString())
		}
		if p.Distro != nil {
			k.Distro = p.Distro.String()
		}
		b, err := json.Marshal(k)
		if err != nil {
			unique = append(unique, p) // cannot compare it: match it on its own
			continue
		}
		if id, ok := first[string(b)]; ok {
			copies[id] = append(copies[id], p)
			continue
		}
		first[string(b)] = p.ID
		unique = append(unique, p)
	}
	return unique, copies
}

// StaleWarning says that a database older than its bound may miss advisories.
func StaleWarning(db vulnscan.DB) string {
	return fmt.Sprintf("the vulnerability database was built %s, more than %d days ago: the result may miss advisories published since; run `%s`",
		db.Built.UTC().Format(time.DateOnly), db.MaxAge.Days(), UpdateCommand)
}

func (d *DB) convert(m match.Match, s *syftsbom.SBOM) vulnscan.Match {
	v := m.Vulnerability
	out := vulnscan.Match{
		ID:        v.ID,
		Namespace: v.Namespace,
		Package: vulnscan.Package{
			Name: m.Package.Name, Version: m.Package.Version, Type: string(m.Package.Type), PURL: m.Package.PURL,
		},
		FixedIn:  append([]string(nil), v.Fix.Versions...),
		FixState: string(v.Fix.State),
	}
	if out.FixState == "" {
		out.FixState = string(vulnerability.FixStateUnknown)
	}
	sort.Strings(out.FixedIn)
	if p := s.Artifacts.Packages.Package(artifact.ID(m.Package.ID)); p != nil {
		out.Package.Ref = BOMRef(*p)
	}
	seenLoc := map[string]bool{}
	for _, l := range m.Package.Locations.ToSlice() {
		if p := l.RealPath; p != "" && !seenLoc[p] {
			seenLoc[p] = true
			out.Package.Locations = append(out.Package.Locations, p)
		}
	}
	sort.Strings(out.Package.Locations)
	types := map[string]bool{}
	for _, det := range m.Details {
		types[string(det.Type)] = true
	}
	for _, t := range sortedKeys(types) {
		out.MatchType = joinNonEmpty(out.MatchType, t)
	}

	aliases := map[string]bool{}
	for _, r := range v.RelatedVulnerabilities {
		if r.ID != "" && r.ID != v.ID {
			aliases[r.ID] = true
		}
	}
	out.Aliases = sortedKeys(aliases)

	meta := v.Metadata
	if meta == nil {
		meta, _ = d.provider.VulnerabilityMetadata(v.Reference)
	}
	var related []*vulnerability.Metadata
	for _, r := range v.RelatedVulnerabilities {
		if rm, err := d.provider.VulnerabilityMetadata(r); err == nil && rm != nil {
			related = append(related, rm)
		}
	}
	if meta != nil {
		out.Severity = strings.ToLower(meta.Severity)
		out.DataSource = meta.DataSource
		out.Description = strings.TrimSpace(meta.Description)
		out.CVSS = cvss(meta.Cvss)
	}
	// The advisory's own severity and vectors win; a related record (the
	// CVE's NVD entry) fills what the advisory lacks.
	for _, rm := range related {
		if out.Severity == "" || out.Severity == vulnscan.SeverityUnknown {
			out.Severity = strings.ToLower(rm.Severity)
		}
		if len(out.CVSS) == 0 {
			out.CVSS = cvss(rm.Cvss)
		}
	}
	if vulnscan.SeverityRank(out.Severity) == 0 {
		out.Severity = vulnscan.SeverityUnknown
	}
	kev := map[string]vulnscan.KEV{}
	epss := map[string]vulnscan.EPSS{}
	for _, md := range append([]*vulnerability.Metadata{meta}, related...) {
		if md == nil {
			continue
		}
		for _, k := range md.KnownExploited {
			kev[k.CVE] = vulnscan.KEV{
				CVE: k.CVE, DateAdded: day(k.DateAdded), DueDate: day(k.DueDate),
				RansomwareUse: k.KnownRansomwareCampaignUse, VendorProject: k.VendorProject,
				Product: k.Product, RequiredAction: k.RequiredAction,
			}
		}
		for _, e := range md.EPSS {
			epss[e.CVE] = vulnscan.EPSS{CVE: e.CVE, Score: e.EPSS, Percentile: e.Percentile, Date: day(&e.Date)}
		}
	}
	for _, k := range sortedKeys(kev) {
		out.KEV = append(out.KEV, kev[k])
	}
	for _, k := range sortedKeys(epss) {
		out.EPSS = append(out.EPSS, epss[k])
	}
	return out
}

func cvss(in []vulnerability.Cvss) []vulnscan.CVSS {
	var out []vulnscan.CVSS
	seen := map[string]bool{}
	for _, c := range in {
		if c.Vector == "" || seen[c.Source+c.Vector] {
			continue
		}
		seen[c.Source+c.Vector] = true
		out = append(out, vulnscan.CVSS{Source: c.Source, Version: c.Version, Vector: c.Vector, BaseScore: c.Metrics.BaseScore})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Version != out[j].Version {
			return out[i].Version > out[j].Version
		}
		return out[i].Source+out[i].Vector < out[j].Source+out[j].Vector
	})
	return out
}

// BOMRef is the bom-ref syft's CycloneDX encoder gives a package: its purl
// with a "package-id" qualifier, or the bare package ID when it has no
// valid purl.
func BOMRef(p syftpkg.Package) string {
	if u, err := packageurl.FromString(p.PURL); err == nil {
		u.Qualifiers = append(u.Qualifiers, packageurl.Qualifier{Key: "package-id", Value: string(p.ID())})
		return u.ToString()
	}
	return string(p.ID())
}

func day(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func joinNonEmpty(a, b string) string {
	if a == "" {
		return b
	}
	return a + "," + b
}
