package evidence

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/evidence/vulns"
)

// VEXDraftOptions configure `cemark vex draft`.
type VEXDraftOptions struct {
	Root       string
	ConfigPath string
	// Out is the document to write, relative to Root (default .vex/cemark.openvex.json).
	Out string
	// VulnDB is --vuln-db.
	VulnDB string
	Getenv func(string) string
	Now    func() time.Time
}

// VEXDraftResult says what DraftVEX did.
type VEXDraftResult struct {
	Path       string // relative to the root
	Statements int
	// Kept is true when the document was the manufacturer's (edited) and
	// was left as it was.
	Kept bool
}

// DraftVEX writes an OpenVEX document with an under_investigation
// statement for each open finding of the scan of the last run's SBOM,
// for the manufacturer to complete. A document cemark drafted and nobody
// edited is redrafted; an edited one is never rewritten.
func DraftVEX(ctx context.Context, o VEXDraftOptions) (VEXDraftResult, error) {
	root, err := filepath.Abs(nonEmptyString(o.Root, "."))
	if err != nil {
		return VEXDraftResult{}, err
	}
	out := nonEmptyString(o.Out, vulns.DraftFile)
	abs := absPath(root, out)
	rel := relIfInside(root, abs)
	if rel == "" {
		return VEXDraftResult{}, failure.Usage(fmt.Errorf("the VEX draft %s must be inside the product root %s", out, root))
	}
	// The scan of the last run's SBOM, as `cemark check` makes it: the
	// config and vulns stages.
	ev, err := Run(ctx, Options{Root: root, ConfigPath: o.ConfigPath, VulnDB: o.VulnDB, Getenv: o.Getenv, Now: o.Now, Stages: ScanStages})
	if err != nil {
		return VEXDraftResult{}, err
	}
	scan, cfg := ev.Vulns, ev.Config
	if !scan.Assessed {
		return VEXDraftResult{}, failure.Usage(fmt.Errorf("no vulnerability scan: %s; fix: %s", scan.NotAssessed, scan.Fix))
	}
	existing, err := os.ReadFile(abs)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return VEXDraftResult{}, err
	}
	doc, n, err := vulns.DraftVEX(vulns.DraftInput{Scan: scan, Product: cfg.Product.Name, Version: cfg.Product.Version, Author: cfg.Manufacturer.Name, Time: ev.Time}, existing)
	if errors.Is(err, vulns.ErrDraftEdited) {
		return VEXDraftResult{Path: rel, Kept: true}, nil
	}
	if err != nil {
		return VEXDraftResult{}, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return VEXDraftResult{}, err
	}
	if err := evidencedir.WriteFileAtomic(abs, doc, 0o644); err != nil {
		return VEXDraftResult{}, fmt.Errorf("write %s: %w", rel, err)
	}
	return VEXDraftResult{Path: rel, Statements: n}, nil
}

func nonEmptyString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
