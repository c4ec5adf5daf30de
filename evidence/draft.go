package evidence

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
	"github.com/cemark/cemark/checks/surface"
	"github.com/cemark/cemark/checks/vulnhandling"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/initdraft"
)

// Draft gathers what `cemark init` offers for review beside the detected
// name and licence: the interfaces of the product's attack-surface
// inventory (DraftInterfaces) and the vulnerability contact its security
// policy and security.txt already state (DraftSecurity). It runs the
// pipeline's config and checks stages with the families that describe the
// product — the tree is read as `cemark run` reads it — and nothing is
// written.
func Draft(ctx context.Context, root string) (initdraft.StarterOptions, error) {
	var opts initdraft.StarterOptions
	ids := all.FamilyIDs("surface", "vulnhandling")
	// The drafts come from the tree itself (ev.target), which a reused
	// checks stage does not walk: no cache.
	ev, err := Run(ctx, Options{Root: root, Stages: InventoryStages, Checks: ids, NoCache: true})
	if err != nil {
		return opts, err
	}
	if ev.Report.Facts.Inventory == nil {
		return opts, fmt.Errorf("attack-surface inventory of %s: not assessed", root)
	}
	opts.Interfaces = DraftInterfaces(ev.Report.Facts.Inventory)
	opts.Security, opts.SecurityFrom = DraftSecurity(ev.target)
	return opts, nil
}

// devFile matches the compose files people keep for development and
// tests, not for what ships: docker-compose.dev.yml, compose.override.yaml,
// docker-compose.test.yml, compose-local.yaml …
var devFile = regexp.MustCompile(`(?i)(^|[._-])(dev|development|local|override|test|tests|testing|ci|e2e|debug)([._-]|$)`)

// shipped reports whether a place of the inventory describes what ships:
// not under a test or example folder (checks.DefaultTestPaths) and not a
// development compose file.
func shipped(p checks.Place) bool {
	if p.Path == "" || strings.Contains(p.Path, ":") {
		return true // an image's configuration ships as it is
	}
	if checks.Excluded(p.Path, checks.DefaultTestPaths) {
		return false
	}
	if strings.HasPrefix(p.Kind, "compose-") {
		name := strings.TrimSuffix(strings.TrimSuffix(path.Base(p.Path), ".yml"), ".yaml")
		name = strings.TrimPrefix(strings.TrimPrefix(name, "docker-"), "compose")
		if devFile.MatchString(name) {
			return false
		}
	}
	return true
}

// DraftInterfaces turns the attack-surface inventory into a draft
// `interfaces:` declaration. An interface found only in test or example
// folders or in development compose files is left out: the declaration
// states what ships. The manufacturer reviews the draft: a declared
// interface is a statement of intent, and what ships must then match it.
func DraftInterfaces(inv *checks.Inventory) []config.Interface {
	if inv == nil {
		return nil
	}
	kept := *inv
	kept.Interfaces = nil
	for _, ei := range inv.Interfaces {
		for _, p := range ei.Places {
			if shipped(p) {
				kept.Interfaces = append(kept.Interfaces, ei)
				break
			}
		}
	}
	return surface.Draft(&kept)
}

// DraftSecurity reads the vulnerability contact the product already
// states, with the checks' own readers (CEM-VH-001 to 003): the first
// Contact of security.txt, else the first e-mail address or reporting URL
// of the security policy; and the policy file as security.cvd_policy.
// from names where each came from, for the starter's comments.
func DraftSecurity(t *checks.Target) (sec config.Security, from string) {
	var sources []string
	if p := vulnhandling.FindPolicy(t, ""); p != "" {
		sec.CVDPolicy = p
		sources = append(sources, p)
		if data, err := t.Files.Read(p); err == nil {
			for _, ch := range vulnhandling.ParsePolicy(p, data).Channels {
				if ch != vulnhandling.ChannelGitHubPVR {
					sec.Contact = strings.TrimPrefix(ch, "mailto:")
					break
				}
			}
		}
	}
	// RFC 9116's places, .well-known/ first, as CEM-VH-002 reads them.
	found := t.Files.Match(func(p string) bool {
		return p == "security.txt" || (path.Base(p) == "security.txt" && path.Base(path.Dir(p)) == ".well-known")
	})
	sort.SliceStable(found, func(i, j int) bool {
		return strings.HasPrefix(found[i].Path, ".well-known/") && !strings.HasPrefix(found[j].Path, ".well-known/")
	})
	for _, e := range found {
		data, err := t.Files.Read(e.Path)
		if err != nil {
			continue
		}
		if st := vulnhandling.ParseSecurityTxt(e.Path, data, nil, time.Time{}); len(st.Contacts) > 0 {
			sec.Contact = strings.TrimPrefix(vulnhandling.NormalizeContact(st.Contacts[0]), "mailto:")
			sources = append([]string{e.Path}, sources...)
			break
		}
	}
	return sec, strings.Join(sources, " and ")
}
