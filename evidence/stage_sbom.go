package evidence

import "github.com/cemark/cemark/evidence/sbom"

// startSBOM begins the part of the SBOM stage that needs nothing from the
// configuration — syft's licence scanner, the slowest thing to build — so
// that it is built while the configuration is read and git is asked.
// Nil when the run makes no SBOM.
func startSBOM(opts Options) *sbom.LicenceScanner {
	if opts.SkipSBOM {
		return nil
	}
	return sbom.StartLicenceScanner()
}
