package all

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/updates"
	"github.com/cemark/cemark/checks/vulnhandling"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/exitcode"
)

// Options are the inputs of a standalone check run (`cemark check`).
type Options struct {
	// Root is the product root.
	Root string
	// ConfigPath is the configuration file; "" reads Root/cemark.yaml when
	// it exists. Relative paths are relative to the working directory.
	ConfigPath string
	// Checks limits the run to these IDs (cemark.yaml checks.select otherwise).
	Checks []string
	// Artifacts are globs of shipped artefacts (relative to Root or
	// absolute), added to cemark.yaml updates.artifacts.
	Artifacts []string
	// UpdateKeys are public key files that sign the artefacts.
	UpdateKeys []string
	// Sources are SBOM sources as `cemark run --source` takes them
	// (relative paths against Root); the image ones (docker-archive:,
	// oci-archive:, oci-dir:) give their configuration to the checks.
	// Empty means cemark.yaml's sources, as in cemark run.
	Sources []string
	// ReadImages reads the image sources' configuration
	// (evidence.ImageConfigs); nil reads none.
	ReadImages ImageReader
	// ScanVulns makes the vulnerability scan the CEM-VULN family judges
	// (evidence.CheckVulnScanner); nil: the family reports "not assessed".
	ScanVulns   func(ctx context.Context, cfg *config.Config, root string) (*vulnscan.Scan, error)
	ToolVersion string
	// Now is the reference day for waiver expiry; zero means the clock.
	Now time.Time
}

// Check loads the configuration, walks the product once, runs the selected
// checks and returns the report. A bad configuration, an unknown check ID
// or an artefact glob that matches nothing is a usage error (exit 2).
func Check(ctx context.Context, opts Options) (*checks.Report, error) {
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("resolve product root %s: %w", opts.Root, err)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("product root %s is not a folder", opts.Root))
	}
	var cfg *config.Config
	cfgPath := opts.ConfigPath
	if cfgPath != "" {
		if cfg, err = config.Load(cfgPath); err != nil {
			return nil, err
		}
	} else if cfg, cfgPath, err = config.LoadRoot(root); err != nil {
		return nil, err
	}
	t, err := checks.NewTarget(ctx, root, cfg)
	if err != nil {
		return nil, err
	}
	if !opts.Now.IsZero() {
		t.Now = opts.Now
	}
	if err := LoadImages(ctx, t, opts.ReadImages, opts.Sources); err != nil {
		return nil, err
	}
	if opts.ScanVulns != nil && selects(cfg, opts.Checks, "CEM-VULN-") {
		if t.Vulns, err = opts.ScanVulns(ctx, cfg, root); err != nil {
			return nil, err
		}
	}
	globs := append(append([]string{}, cfg.Updates.Artifacts...), opts.Artifacts...)
	if t.Artifacts, err = ExpandArtifacts(root, globs); err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, err)
	}
	for _, k := range opts.UpdateKeys {
		p := k
		if !filepath.IsAbs(p) {
			// A key named on the command line is relative to where the
			// user stands, like any other command-line path.
			if p, err = filepath.Abs(k); err != nil {
				return nil, err
			}
		}
		if _, err := os.Stat(p); err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("update key %s: %w", k, errors.Unwrap(err)))
		}
		t.UpdateKeys = append(t.UpdateKeys, p)
	}
	rel := ""
	if cfgPath != "" {
		if r, err := filepath.Rel(root, cfgPath); err == nil && filepath.IsLocal(r) {
			rel = filepath.ToSlash(r)
		}
	}
	sel := opts.Checks
	if len(sel) == 0 {
		sel = cfg.Checks.Select
	}
	report, reg, err := RunSelected(ctx, t, sel, checks.RunOptions{
		ToolVersion: opts.ToolVersion,
		Product:     checks.Product{Name: productName(cfg, root), Version: cfg.Product.Version},
		ConfigFile:  rel,
	})
	if err != nil {
		return nil, err
	}
	// Report-level fact sheets of the families that ran, as the pipeline
	// adds them; each family memoises on t, so nothing is verified twice.
	ran := strings.Join(reg.IDs(), " ")
	if strings.Contains(ran, "CEM-UPD-") {
		if us, err := updates.Facts(ctx, t); err == nil {
			report.Facts.UpdateSigning = us
		}
	}
	if strings.Contains(ran, "CEM-VULN-") && t.Vulns != nil {
		report.Facts.Vulnerabilities = vulnscan.FactsOf(t.Vulns, vulnscan.PolicyFrom(cfg.Vulnerabilities))
	}
	if strings.Contains(ran, "CEM-VH-") {
		if vh, err := vulnhandling.Facts(ctx, t); err == nil {
			report.Facts.VulnHandling = vh
		}
	}
	return report, nil
}

// RunSelected runs the checks with these IDs (all of them when sel is
// empty) over t. The full catalogue goes into opts.Catalogue, so a waiver
// naming a check that exists but was not selected is not taken for a typo.
// An unknown ID is a usage error (exit 2). It returns the report and the
// registry that ran.
func RunSelected(ctx context.Context, t *checks.Target, sel []string, opts checks.RunOptions) (*checks.Report, *checks.Registry, error) {
	reg, err := Registry()
	if err != nil {
		return nil, nil, err
	}
	opts.Catalogue = reg.IDs()
	if len(sel) > 0 {
		if reg, err = reg.Select(sel); err != nil {
			return nil, nil, exitcode.Wrap(exitcode.Usage, err)
		}
	}
	report, err := checks.Run(ctx, reg, t, opts)
	if err != nil {
		return nil, nil, err
	}
	return report, reg, nil
}

// selects reports whether the run selects a check with this ID prefix
// (every check when nothing is selected).
func selects(cfg *config.Config, flag []string, prefix string) bool {
	sel := flag
	if len(sel) == 0 {
		sel = cfg.Checks.Select
	}
	if len(sel) == 0 {
		return true
	}
	for _, id := range sel {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(id)), prefix) {
			return true
		}
	}
	return false
}

func productName(cfg *config.Config, root string) string {
	if cfg.Product.Name != "" {
		return cfg.Product.Name
	}
	return filepath.Base(root)
}

// ExpandArtifacts resolves artefact globs (relative to root or absolute)
// to regular files, sorted; a glob that matches nothing is an error, since
// a missing artefact is never fine.
func ExpandArtifacts(root string, globs []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, g := range globs {
		p := g
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("artefact glob %q: %w", g, err)
		}
		n := 0
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
				n++
				if !seen[m] {
					seen[m] = true
					out = append(out, m)
				}
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("artefact glob %q matches no file", g)
		}
	}
	sort.Strings(out)
	return out, nil
}
