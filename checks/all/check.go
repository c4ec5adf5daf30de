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
	"github.com/cemark/cemark/checks/art14"
	"github.com/cemark/cemark/checks/input"
	rptchecks "github.com/cemark/cemark/checks/report"
	"github.com/cemark/cemark/checks/updates"
	"github.com/cemark/cemark/checks/vulnhandling"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/config"
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
	// Baseline is a previous report.json whose findings are existing
	// (relative to the working directory); "" takes checks.baseline.
	Baseline string
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
		return nil, input.Usage(fmt.Errorf("product root %s is not a folder", opts.Root))
	}
	cfg, cfgPath, err := loadConfigPath(root, opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	baseline, err := LoadBaseline(root, cfg, opts.Baseline)
	if err != nil {
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
	if opts.ScanVulns != nil && (selects(cfg, opts.Checks, "CEM-VULN-") || selects(cfg, opts.Checks, "CEM-RPT-")) {
		if t.Vulns, err = opts.ScanVulns(ctx, cfg, root); err != nil {
			return nil, err
		}
		if obs, ok := art14.Observations(t.Vulns); ok {
			rptchecks.ProvideObservations(t, obs) // CEM-RPT-001: KEV findings are candidate Art. 14 events
		}
	}
	globs := append(append([]string{}, cfg.Updates.Artifacts...), opts.Artifacts...)
	// cemark.yaml's globs stay inside the root; the command line's may not.
	for i, g := range cfg.Updates.Artifacts {
		if err := input.CheckGlob(g, input.Origin{Key: fmt.Sprintf("updates.artifacts[%d]", i), Where: cfg.Where(fmt.Sprintf("updates.artifacts[%d]", i))}, false); err != nil {
			return nil, err
		}
	}
	if t.Artifacts, _, err = ExpandArtifacts(root, globs); err != nil {
		return nil, input.Usage(err)
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
			return nil, input.Usage(fmt.Errorf("update key %s: %w", k, errors.Unwrap(err)))
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
		Baseline:    baseline,
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
			return nil, nil, input.Usage(err)
		}
	}
	report, err := checks.Run(ctx, reg, t, opts)
	if err != nil {
		return nil, nil, err
	}
	return report, reg, nil
}

// loadConfigPath reads the configuration file path (relative to the
// working directory), else root/cemark.yaml when it exists, and returns it
// with the file read ("" when there was none).
func loadConfigPath(root, path string) (*config.Config, string, error) {
	if path != "" {
		cfg, err := config.Load(path)
		return cfg, path, err
	}
	return config.LoadRoot(root)
}

func loadConfig(root, path string) (*config.Config, error) {
	cfg, _, err := loadConfigPath(root, path)
	return cfg, err
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

// ExpandArtifacts resolves artefact globs (relative to root, or absolute
// when the command line gave them) to regular files, sorted. Only regular
// files are read: a FIFO, a device or a socket that matches is skipped, and
// so is a match that a symbolic link takes outside the root when its glob
// is relative; each skip is one line in skipped, for a notice. A glob that
// matches no file it may read is an error, since a missing artefact is
// never fine.
func ExpandArtifacts(root string, globs []string) (files, skipped []string, err error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve product root %s: %w", root, err)
	}
	seen := map[string]bool{}
	for _, g := range globs {
		p, relative := g, !filepath.IsAbs(g)
		if relative {
			p = filepath.Join(root, p)
		}
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, nil, fmt.Errorf("artefact glob %q: %w", g, err)
		}
		n := 0
		for _, m := range matches {
			fi, err := os.Stat(m)
			if err != nil {
				skipped = append(skipped, fmt.Sprintf("artefact %s skipped: %v", m, err))
				continue
			}
			if !fi.Mode().IsRegular() {
				if !fi.IsDir() {
					skipped = append(skipped, fmt.Sprintf("artefact %s skipped: it is %s, not a regular file", m, input.Kind(fi.Mode())))
				}
				continue
			}
			if relative {
				real, err := filepath.EvalSymlinks(m)
				if err != nil || !input.Within(realRoot, real) {
					skipped = append(skipped, fmt.Sprintf("artefact %s skipped: a symbolic link takes it outside the product root", m))
					continue
				}
			}
			n++
			if !seen[m] {
				seen[m] = true
				files = append(files, m)
			}
		}
		if n == 0 {
			return nil, skipped, fmt.Errorf("artefact glob %q matches no regular file inside the product root", g)
		}
	}
	sort.Strings(files)
	return files, skipped, nil
}
