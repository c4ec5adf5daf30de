// Package all lists every check family in one explicit registry: no init()
// registration, no blank imports. Adding a family is one line in Families.
package all

import (
	"context"
	"io/fs"
	"slices"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/defaults"
	"github.com/cemark/cemark/checks/report"
	"github.com/cemark/cemark/checks/surface"
	"github.com/cemark/cemark/checks/updates"
	"github.com/cemark/cemark/checks/vulnhandling"
	"github.com/cemark/cemark/checks/vulns"
)

// Family is one package of checks and its embedded metadata. Every *.yml or
// *.yaml file in Meta (outside testdata/) must describe a registered check,
// and every registered check must come with metadata: the catalogue test
// checks both ways.
type Family struct {
	Name   string
	Checks func() []checks.Check
	Meta   fs.FS
	// WarmTree, when set, does ahead the family's work that reads only
	// the tree and the configuration (see all.WarmTree).
	WarmTree func(context.Context, *checks.Target) error
}

// Families returns the check families, in a fixed order.
func Families() []Family {
	return []Family{
		{Name: "framework", Checks: checks.FrameworkChecks, Meta: checks.FrameworkMetaFS()},
		{Name: "surface", Checks: surface.Checks, Meta: surface.MetaFS(), WarmTree: surface.ParseTree},
		{Name: "defaults", Checks: defaults.Checks, Meta: defaults.MetaFS(), WarmTree: defaults.WarmTree},
		{Name: "updates", Checks: updates.Checks, Meta: updates.MetaFS(), WarmTree: updates.WarmTree},
		{Name: "vulnhandling", Checks: vulnhandling.Checks, Meta: vulnhandling.MetaFS(), WarmTree: vulnhandling.WarmTree},
		{Name: "report", Checks: report.Checks, Meta: report.MetaFS()},
		{Name: "vulns", Checks: vulns.Checks, Meta: vulns.MetaFS()},
		// One line per family.
	}
}

// Registry builds the registry of every check of every family.
func Registry() (*checks.Registry, error) {
	var cs []checks.Check
	for _, f := range Families() {
		cs = append(cs, f.Checks()...)
	}
	return checks.NewRegistry(cs...)
}

// FamilyIDs lists the check IDs of the named families, in family order:
// what `cemark ports` (surface) and `cemark init`'s drafting (surface,
// vulnhandling) select.
func FamilyIDs(names ...string) []string {
	var ids []string
	for _, f := range Families() {
		if slices.Contains(names, f.Name) {
			for _, c := range f.Checks() {
				ids = append(ids, c.Meta().ID)
			}
		}
	}
	return ids
}
