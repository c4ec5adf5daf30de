// Package version reports cemark's own version and the versions of the
// libraries whose output it records (syft makes the SBOM, so its version
// belongs in every SBOM and run record).
//
// cemark's version comes from, in order: Release, stamped by the release
// build (.goreleaser.yaml's ldflags); the main module's version in the
// build information, which `go install github.com/cemark/cemark/cmd/cemark@v1.2.3`
// (or @<commit>, a pseudo-version) records; and "devel", with the VCS
// revision when the binary was built in a checkout.
package version

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Info is what `cemark version` prints and what run.json records.
type Info struct {
	Cemark    string `json:"cemark"`
	Syft      string `json:"syft"`
	Grype     string `json:"grype"`
	InToto    string `json:"in_toto_golang"`
	GoVersion string `json:"go"`
	Platform  string `json:"platform"`
}

// Release is the version stamped by the release build
// (-ldflags "-X github.com/cemark/cemark/evidence/version.Release=v1.2.3").
// It is a link-time constant, never written at run time.
var Release = ""

// Get reads the build information compiled into the binary.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return fromBuildInfo(bi, Release)
}

// fromBuildInfo is Get over given build information (nil when the binary
// carries none) and release stamp.
func fromBuildInfo(bi *debug.BuildInfo, release string) Info {
	info := Info{Cemark: "devel", Syft: "unknown", Grype: "unknown", InToto: "unknown", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.Cemark = v
		}
		for _, d := range bi.Deps {
			v := d.Version
			if d.Replace != nil {
				v = d.Replace.Version
			}
			switch d.Path {
			case "github.com/anchore/syft":
				info.Syft = v
			case "github.com/anchore/grype":
				info.Grype = v
			case "github.com/in-toto/in-toto-golang":
				info.InToto = v
			}
		}
		if info.Cemark == "devel" {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					info.Cemark = "devel+" + s.Value[:12]
				}
			}
		}
	}
	if release != "" {
		info.Cemark = release
	}
	// Tests link without the syft dependency recorded; fall back to the
	// version pinned in go.mod so records never say "unknown" for it.
	if info.Syft == "unknown" {
		info.Syft = pinnedSyft
	}
	if info.Grype == "unknown" {
		info.Grype = pinnedGrype
	}
	info.Cemark = strings.TrimSpace(info.Cemark)
	return info
}

// pinnedSyft mirrors the syft version in go.mod; a test keeps them equal.
const pinnedSyft = "v1.57.1"

// pinnedGrype is the grype library version in go.mod (the vulnerability
// matcher), for binaries built without module information.
const pinnedGrype = "v0.121.3"
