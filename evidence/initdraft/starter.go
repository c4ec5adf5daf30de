// Package initdraft is `cemark init`: the commented starter cemark.yaml,
// filled in from what the product already says (its manifests and
// licence, and the drafts the pipeline's checks make of its interfaces and
// security contact), and the .gitignore lines that keep the evidence
// directory out of git.
package initdraft

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/detect"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
)

// StarterOptions feeds `cemark init` what other stages found.
type StarterOptions struct {
	// Interfaces, when given, are the detected attack-surface inventory,
	// offered as the draft `interfaces:` declaration for review.
	Interfaces []config.Interface
	// Security is the vulnerability contact and policy the product's
	// SECURITY.md or security.txt already state (what CEM-VH-001 to 003
	// read), filled in for review; SecurityFrom names those files.
	Security     config.Security
	SecurityFrom string
}

// Starter renders a commented cemark.yaml for the product at root: every
// section present, each field explained with the CRA clause it serves,
// detected facts (name, licence, description) filled in, and manufacturer
// facts left empty with "needs manufacturer input" — never invented. The
// result loads with config.Load and validates against config.Schema.
func Starter(ctx context.Context, root string, opts StarterOptions) ([]byte, error) {
	det, err := detect.Product(ctx, root)
	if err != nil {
		return nil, err
	}
	version := detect.Version(ctx, root)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	var b bytes.Buffer
	w := func(lines ...string) {
		for _, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	const needs = "needs manufacturer input"

	w("# yaml-language-server: $schema="+config.SchemaURL,
		"#",
		"# cemark.yaml: what only the manufacturer can state about this product for the",
		"# EU Cyber Resilience Act (Regulation (EU) 2024/2847). cemark finds the rest",
		"# (SBOM, checks, attestations) in the build. Written by `cemark init` from what",
		"# it detected; review every line. A field left empty states nothing: cemark",
		"# reports it as \"needs manufacturer input\" and never fills it in.",
		"# Dates are YYYY-MM-DD. Quote text that looks like a number: \"1.10\".",
		"",
		"product:",
		"  # Product name (Annex II 3). Detected from "+det.NameFrom+".",
		"  name: "+quote(det.Name),
		"  # Version (Art. 13(15)). Left out on purpose: cemark takes --product-version,",
		"  # else `git describe --tags`, else the commit (now: "+oneLine(version)+").",
		"  # version: \"1.0.0\"",
		"  # The kind of product, e.g. software, or hardware with software: "+needs+".",
		"  type:",
		"  # Model or type designation that, with the name, identifies the product, e.g.",
		"  # GW-200 (the \"type\" of Annex II 3, Annex V 1 and Annex VI): "+needs+".",
		"  type_designation:",
		"  # true for a product with hardware (photos, Annex VII 1(c); CE marking on the",
		"  # product, Art. 30(1)), false for software only: "+needs+".",
		"  hardware:",
	)
	if det.Description != "" {
		w("  # General description (Annex VII 1). Detected from the package manifest.",
			"  description: "+quote(det.Description))
	} else {
		w("  # General description (Annex VII 1): "+needs+".",
			"  description:")
	}
	w("  # Intended purpose, including the security environment (Annex II 4,",
		"  # Annex VII 1(a)); it frames the risk assessment: "+needs+".",
		"  intended_purpose:",
		"  # Class: default | important-class-I | important-class-II | critical (Art. 7,",
		"  # Annex III and IV). It decides the conformity-assessment procedure (Art. 32): "+needs+".",
		"  class:",
		"  # Free and open-source software: true or false (Art. 32(5)): "+needs+".",
		"  open_source:",
	)
	if det.Licence != "" {
		w("  # SPDX licence expression. Detected from "+det.LicenceFile+".",
			"  licence: "+quote(det.Licence))
	} else {
		reason := "no LICENSE or COPYING file found"
		if det.LicenceFile != "" {
			reason = det.LicenceFile + " is not a licence cemark recognises"
		}
		w("  # SPDX licence expression, e.g. MIT or Apache-2.0 ("+reason+").",
			"  licence:")
	}
	w("  # Date the product was first placed on the market (Art. 13(13)): "+needs+".",
		"  first_placed_on_market:",
		"  # Support period (Art. 13(8)): at least five years unless the product is",
		"  # expected to be in use for less; the end date is shown to buyers (Art. 13(19)).",
		"  support:",
		"    # End date of the support period: "+needs+".",
		"    end:",
		"    # Information used to determine the period (Annex VII 4): "+needs+".",
		"    rationale:",
		"    # Type of technical security support offered (Annex II 7), e.g. security",
		"    # updates for the latest minor release, free of charge: "+needs+".",
		"    type:",
		"  # Where the EU declaration of conformity is published (Annex II 6, Annex VI).",
		"  # declaration_url: https://example.com/declaration",
		"",
		"# The manufacturer (Annex II 1, Annex V 2): "+needs+".",
		"manufacturer:",
		"  # manufacturer (empty means so) or steward: an open-source software steward",
		"  # (Art. 3(14)) follows Art. 24 and draws up no EU declaration of conformity.",
		"  role:",
		"  # Name, registered trade name or trademark.",
		"  name:",
		"  # Postal address.",
		"  address:",
		"  # Email address or other digital contact.",
		"  email:",
		"  # Website, if there is one.",
		"  website:",
		"",
	)
	if sec := opts.Security; sec.Contact != "" || sec.CVDPolicy != "" {
		w("# Vulnerability reporting (Annex I Part II (5), (6); Annex II 2). Detected from",
			"# "+oneLine(opts.SecurityFrom)+": review it; cemark checks that every place names the same contact.",
			"security:",
			"  # Single point of contact for vulnerability reports (Art. 13(17)).")
		if sec.Contact != "" {
			w("  contact: " + quote(sec.Contact))
		} else {
			w("  contact:")
		}
		w("  # The coordinated vulnerability disclosure policy: a file of the product or a URL.")
		if sec.CVDPolicy != "" {
			w("  cvd_policy: " + quote(sec.CVDPolicy))
		} else {
			w("  cvd_policy:")
		}
	} else {
		w("# Vulnerability reporting (Annex I Part II (5), (6); Annex II 2): "+needs+".",
			"security:",
			"  # Single point of contact for vulnerability reports (Art. 13(17)).",
			"  contact:",
			"  # URL of the coordinated vulnerability disclosure policy.",
			"  cvd_policy:")
	}
	w("",
		"# What the SBOM covers (Annex I Part II (1), Annex VII 2(b)); default: the",
		"# product root. Also file:PATH, docker-archive:FILE, oci-archive:FILE, oci-dir:DIR.",
		"# sources: [\"dir:.\"]",
		"# Path globs left out of the SBOM and the checks, on top of .git and .cemark.",
		"# exclude: [\"docs/**\"]",
		"",
		"# Network interfaces the product is meant to expose (Annex I Part I (2)(j)).",
		"# Once declared, an exposed port that is not listed fails the check.",
	)
	ifaces := draftInterfaces(opts.Interfaces)
	if len(ifaces) > 0 && !strings.HasPrefix(ifaces[0], "#") {
		w("# Draft from the detected inventory: review, and give each its purpose.",
			"interfaces:")
	} else {
		w("# interfaces:",
			"#   - {port: 443, protocol: tcp, purpose: HTTPS API, bind: all, tls: true}")
	}
	for _, l := range ifaces {
		w("  " + l)
	}
	w("",
		"# Accepted findings; each justification feeds the risk assessment. An expired",
		"# waiver is itself a failure.",
		"# waivers:",
		"#   - check: CEM-DEF-001",
		"#     path: \"docker/dev/**\"",
		"#     justification: \"Developer image, never shipped\"",
		"#     approved_by: Head of Product Security",
		"#     expires: 2027-06-30",
		"",
		"# How security updates reach users (Annex I Part I (2)(c), Part II (7);",
		"# Annex II 8(c), (e)) and the keys that sign releases.",
		"# updates:",
		"#   mechanism: container image",
		"#   automatic: true",
		"#   keys:",
		"#     - {name: release, type: cosign, path: cosign.pub}   # cosign | pgp | minisign | ssh",
		"#   # Keyless (Sigstore) signatures: the trusted root, and who may sign.",
		"#   trusted_root: sigstore/trusted_root.json",
		"#   keyless_identities:",
		"#     - issuer: https://token.actions.githubusercontent.com",
		"#       identity_regexp: 'https://github\\.com/ORG/REPO/\\.github/workflows/release\\.yml@refs/tags/v.+'",
		"",
		"# Where fixed vulnerabilities are published (Annex I Part II (4)).",
		"# advisories: {github: true}",
		"",
		"# Harmonised standards, common specifications or certification schemes",
		"# applied, in full or in part (Annex VII 5, Annex V 6; Art. 32(2)).",
		"# standards:",
		"#   - {reference: \"EN 18031-1:2024\", applied: partial, parts: \"ACM, AUM\"}",
		"",
		"# The conformity-assessment procedure followed (Art. 32), named in item 7 of",
		"# the EU declaration of conformity (Annex V 7): "+needs+".",
		"conformity:",
		"  # module-a | module-b-c | module-h | certification; it must be open to the",
		"  # product's class (Module A for class I only with a standard that counts).",
		"  procedure:",
		"  # Where the signed declaration is kept, and its SHA-256 (Annex VII 7).",
		"  # signed_declaration: {location: docs/cra/signed/declaration.pdf, sha256: …}",
		"",
		"# Risk assessment per Annex I point (Art. 13(3)-(4), Annex VII 3): whether it",
		"# applies, why not, and how it is met. Keys: I-1, I-2a … I-2m, II-1 … II-8.",
		"# risk_assessment:",
		"#   I-2g: {applicable: false, justification: \"The product processes no personal data\"}",
		"",
		"# Who signs the evidence of every build; the technical file names them.",
		"# attestations:",
		"#   signers:",
		"#     keyless:                  # CI that signs keylessly (Sigstore)",
		"#       - issuer: https://token.actions.githubusercontent.com",
		"#         identity: https://github.com/ORG/REPO/.github/workflows/cemark.yml@refs/heads/main",
		"#     keys: [cemark.pub]        # public keys from `cemark keygen`",
		"",
		"# Reporting actively exploited vulnerabilities and severe incidents (Art. 14,",
		"# applies from 11 September 2026): through the single reporting platform to the",
		"# CSIRT designated as coordinator of the Member State of main establishment",
		"# (Art. 14(7)): "+needs+".",
		"reporting:",
		"  # That Member State, as an ISO 3166-1 alpha-2 code, e.g. DK.",
		"  member_state:",
		"  # Its coordinator CSIRT, e.g. CFCS.",
		"  csirt:",
		"  # Who reports for the manufacturer (an e-mail address).",
		"  contact:",
		"  # The people who may submit notifications, e.g. [Jane Jensen].",
		"  submitters: []",
		"  # Member States where the product is made available (Art. 14(2)(a)), e.g. [DK, SE].",
		"  available_in: []",
		"",
		"# The technical file (Annex VII).",
		"# docs: {dir: docs/cra, lang: en}   # lang: en | da",
	)

	// The starter must itself be a valid configuration.
	if _, err := config.Parse(config.FileName, b.Bytes()); err != nil {
		return nil, fmt.Errorf("cemark init produced an invalid %s (a bug): %w", config.FileName, err)
	}
	return b.Bytes(), nil
}

// draftInterfaces renders the inventory as flow mappings, sorted by port
// and protocol, duplicates merged. An entry the loader would reject is
// left as a comment saying why, so the draft always loads and nothing is
// silently changed (a QUIC port is not quietly declared as TCP).
func draftInterfaces(in []config.Interface) []string {
	type key struct {
		port     int
		protocol string
	}
	seen := map[key]bool{}
	var list []config.Interface
	var rejected []string
	for _, i := range in {
		i.Protocol = strings.ToLower(strings.TrimSpace(i.Protocol))
		switch {
		case i.Port < 1 || i.Port > 65535:
			rejected = append(rejected, fmt.Sprintf("# - port %d is not a port number (1-65535): left out", i.Port))
			continue
		case i.Protocol != "" && !slices.Contains(config.Enum("interfaces[].protocol"), i.Protocol):
			rejected = append(rejected, fmt.Sprintf("# - port %d/%s: protocol is not tcp, udp or sctp: declare it by hand", i.Port, oneLine(i.Protocol)))
			continue
		}
		i.Bind = bindName(i.Bind)
		k := key{i.Port, i.Protocol}
		if k.protocol == "" {
			k.protocol = "tcp"
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		list = append(list, i)
	}
	sort.SliceStable(list, func(a, b int) bool {
		if list[a].Port != list[b].Port {
			return list[a].Port < list[b].Port
		}
		return list[a].Protocol < list[b].Protocol
	})
	sort.Strings(rejected)
	out := make([]string, 0, len(list)+len(rejected))
	for _, i := range list {
		parts := []string{"port: " + strconv.Itoa(i.Port)}
		if i.Protocol != "" {
			parts = append(parts, "protocol: "+i.Protocol)
		}
		if i.Bind != "" {
			parts = append(parts, "bind: "+i.Bind)
		}
		if i.TLS != nil {
			parts = append(parts, "tls: "+strconv.FormatBool(*i.TLS))
		}
		parts = append(parts, "purpose: "+quote(i.Purpose))
		out = append(out, "- {"+strings.Join(parts, ", ")+"}")
	}
	return append(out, rejected...)
}

// bindName maps an inventory's bind address to the config's words: "all"
// or "loopback"; "" when it is neither (a specific address, or unknown).
func bindName(addr string) string {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(addr), "[]")) {
	case "all", "0.0.0.0", "::", "*":
		return "all"
	case "loopback", "localhost", "127.0.0.1", "::1":
		return "loopback"
	}
	return ""
}

// quote writes s as a YAML double-quoted scalar on one line. Go's escapes
// (\n, \t, \xNN, \uNNNN, \", \\) are all valid in YAML double quotes.
func quote(s string) string { return strconv.Quote(oneLine(s)) }

// oneLine folds white space runs, newlines included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// WriteStarter writes data as root/cemark.yaml, atomically and never over
// an existing file (writeNew). An existing file is an error with exit code 2.
func WriteStarter(ctx context.Context, root string, data []byte) (path string, err error) {
	path = filepath.Join(root, config.FileName)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	info, err := os.Stat(root)
	if err != nil {
		return "", failure.Usage(fmt.Errorf("product root: %w", err))
	}
	if !info.IsDir() {
		return "", failure.Usage(fmt.Errorf("product root %s is not a folder", root))
	}
	if err := writeNew(ctx, root, config.FileName, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", alreadyExists(path)
		}
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// writeNew writes root/name atomically and never over an existing file
// (evidencedir.WriteNew): fs.ErrExist when the name is taken.
func writeNew(ctx context.Context, root, name string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return evidencedir.WriteNew(filepath.Join(root, name), data, 0o644)
}

// Init is `cemark init`: it refuses an existing cemark.yaml before doing
// any work (exit code 2), renders the starter and writes it with
// WriteStarter. It returns the path written and the starter's content.
func Init(ctx context.Context, root string, opts StarterOptions) (path string, data []byte, err error) {
	path = filepath.Join(root, config.FileName)
	if _, err := os.Lstat(path); err == nil {
		return path, nil, alreadyExists(path)
	}
	if info, err := os.Stat(root); err != nil {
		return path, nil, failure.Usage(fmt.Errorf("product root: %w", err))
	} else if !info.IsDir() {
		return path, nil, failure.Usage(fmt.Errorf("product root %s is not a folder", root))
	}
	data, err = Starter(ctx, root, opts)
	if err != nil {
		return path, nil, err
	}
	path, err = WriteStarter(ctx, root, data)
	return path, data, err
}

func alreadyExists(path string) error {
	return failure.Usage(fmt.Errorf("%s already exists; cemark init never overwrites it: edit it, or move it away and run cemark init again", path))
}
