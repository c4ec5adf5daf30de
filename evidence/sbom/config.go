package sbom

import "time"

// Config is what one SBOM run needs. The zero value plus Root is usable.
type Config struct {
	// Root is the product's root directory; relative source paths and
	// exclusions resolve against it.
	Root string
	// Sources to scan, each a component of the product: "dir:PATH",
	// "file:PATH", "docker-archive:FILE", "oci-archive:FILE", "oci-dir:DIR".
	// Empty means "dir:" + Root.
	Sources []string
	// Exclude holds extra globs (syft's exclusion syntax, relative to the
	// scanned directory, e.g. "./vendor/**" or "**/testdata/**"). .git,
	// .cemark and docs/cra are always excluded.
	Exclude []string
	// RemoteLookups allows syft's online look-ups (Maven Central, the Go
	// proxy, npm and PyPI licences). Off by default: no network in a scan.
	RemoteLookups bool
	// Product describes the primary component.
	Product Product
	// Created is the SBOM timestamp (from SOURCE_DATE_EPOCH or the commit
	// time); the zero value means the Unix epoch, never the wall clock.
	Created time.Time
	// ToolName and ToolVersion name the generator in the documents
	// (defaults "cemark" and "devel").
	ToolName    string
	ToolVersion string
	// MaxFileSize bounds a file or archive source, in bytes; 0 means no
	// bound. Folders are walked by syft, which skips special files.
	MaxFileSize int64
	// LicenceScanner is syft's licence scanner, started early by the
	// caller (StartLicenceScanner) so that it is built while other work
	// goes on. Nil: Generate starts one itself, as it opens the first
	// source.
	LicenceScanner *LicenceScanner
	// Progress, when set, receives stage changes and package counts, for
	// a terminal UI. It is called from the goroutine running Generate.
	Progress func(Progress)
}

// Product is the primary component of the SBOM: the manufacturer's product.
type Product struct {
	Name        string
	Version     string
	Description string
	// Licence is an SPDX licence expression, e.g. "Apache-2.0".
	Licence       string
	Supplier      string
	SupplierURL   string
	SupplierEmail string
}

// Progress is one progress report.
type Progress struct {
	// Stage is e.g. "source dir:.", "catalogue dir:.", "encode", "enrich".
	Stage string
	// Source is the source input being worked on, if any.
	Source string
	// Packages is the number of packages found so far in this run.
	Packages int
	// Done is true when the stage ended.
	Done bool
}
