package checks

import (
	"context"
	"embed"
	"io/fs"
	"strings"
)

// IDs of the framework's own checks.
const (
	// WaiverCheckID reports expired and unused waivers of cemark.yaml.
	WaiverCheckID = "CEM-WVR-001"
	// IgnoreCheckID reports inline cemark:ignore comments without a reason.
	IgnoreCheckID = "CEM-WVR-002"
)

//go:embed framework.yml
var frameworkMeta embed.FS

// FrameworkMetaFS is the metadata of the framework's own checks, for the
// catalogue test in checks/all.
func FrameworkMetaFS() fs.FS { return frameworkMeta }

// FrameworkChecks are the checks the runner itself fills: CEM-WVR-001
// (waivers are current and used) and CEM-WVR-002 (inline ignores give a
// reason). checks/all registers them with the families' checks.
func FrameworkChecks() []Check {
	return []Check{
		frameworkCheck{MustLoadMetaID(frameworkMeta, "framework.yml", WaiverCheckID)},
		frameworkCheck{MustLoadMetaID(frameworkMeta, "framework.yml", IgnoreCheckID)},
	}
}

func isFrameworkCheck(id string) bool { return strings.HasPrefix(id, "CEM-WVR-") }

// frameworkCheck has no facts of its own: Run adds its findings after
// applying waivers to the other checks' findings.
type frameworkCheck struct{ meta Meta }

func (c frameworkCheck) Meta() Meta                                  { return c.meta }
func (frameworkCheck) Collect(context.Context, *Target) (any, error) { return nil, nil }
func (frameworkCheck) Evaluate(any) ([]Finding, error)               { return nil, nil }
