package techfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cemark/cemark/evidence/failure"
)

// stateSchema versions .cemark-state.json.
const stateSchema = 1

// state is .cemark-state.json: the evidence summary the manufacturer last
// accepted. It changes only when the file is first rendered or when
// Options.AcceptChanges is set, so a difference stays visible in the index
// on every render until a person has looked at it and accepted it (and that
// acceptance is a reviewed commit).
type state struct {
	Schema   int     `json:"schema"`
	Accepted summary `json:"accepted"`
	// AcceptedOn is the reference date of the render that accepted it.
	AcceptedOn string `json:"accepted_on"`
	// AcceptedCommit is the commit that render was made from.
	AcceptedCommit string `json:"accepted_commit,omitempty"`
}

// summary is what a substantial modification would change (Art. 3(30):
// a change after placing on the market that affects compliance with Part I
// of Annex I or modifies the intended purpose; recitals 38 and 39: one the
// manufacturer did not foresee in the risk assessment): the exposed
// interfaces and whether they speak TLS, the network-capable components,
// how updates are delivered and whether releases are signed, the intended
// purpose and the class. Versions of components are left out on purpose:
// an update is not by itself a substantial modification; nor is a new
// signing key (a key rotation keeps releases signed).
type summary struct {
	Class             string   `json:"class"`
	IntendedPurpose   string   `json:"intended_purpose"`
	Interfaces        []string `json:"exposed_interfaces"`
	NetworkComponents []string `json:"network_components"`
	UpdateMechanism   string   `json:"update_mechanism"`
	// PlaintextInterfaces are the exposed interfaces known to serve
	// without TLS; UpdateSigning says whether releases are signed. Both
	// are nil in a summary accepted before cemark recorded them, and are
	// then not compared.
	PlaintextInterfaces *[]string `json:"plaintext_interfaces,omitempty"`
	UpdateSigning       *string   `json:"update_signing,omitempty"`
}

// Update signing states of the summary.
const (
	signedReleases   = "releases signed"
	unsignedReleases = "no release signing found"
)

func summarise(in Input) summary {
	cfg := in.Config
	s := summary{Class: className(cfg.Product.Class), IntendedPurpose: strings.TrimSpace(cfg.Product.IntendedPurpose)}
	seen := map[string]bool{}
	add := func(list *[]string, v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			*list = append(*list, v)
		}
	}
	plaintext := []string{}
	if in.Report != nil && in.Report.Facts.Inventory != nil {
		for _, i := range in.Report.Facts.Inventory.Interfaces {
			key := interfaceKey(i.Protocol, i.Port, i.Bind)
			add(&s.Interfaces, key)
			if i.TLS != nil && !*i.TLS && i.Bind != "loopback" {
				add(&plaintext, key+" without TLS")
			}
		}
	}
	sort.Strings(plaintext)
	s.PlaintextInterfaces = &plaintext
	for _, c := range in.SBOM.TopLevel {
		if c.Network {
			add(&s.NetworkComponents, c.Name)
		}
	}
	s.UpdateMechanism = strings.TrimSpace(cfg.Updates.Mechanism)
	signed := len(cfg.Updates.Keys) > 0 || len(cfg.Updates.KeylessIdentities) > 0
	if us := in.Report; us != nil && us.Facts.UpdateSigning != nil {
		if s.UpdateMechanism == "" {
			s.UpdateMechanism = us.Facts.UpdateSigning.Mechanism
		}
		signed = signed || len(us.Facts.UpdateSigning.KeyFingerprints) > 0 || len(us.Facts.UpdateSigning.Pipeline) > 0
	}
	signing := unsignedReleases
	if signed {
		signing = signedReleases
	}
	s.UpdateSigning = &signing
	sort.Strings(s.Interfaces)
	sort.Strings(s.NetworkComponents)
	return s
}

func interfaceKey(proto string, port int, bind string) string {
	if proto == "" {
		proto = "tcp"
	}
	if bind == "" {
		bind = "unknown"
	}
	return fmt.Sprintf("%s/%d (bind: %s)", strings.ToLower(proto), port, bind)
}

// compare lists the differences from the accepted summary to the current one.
func compare(accepted, current summary) []Change {
	var out []Change
	scalar := func(aspect, a, b string) {
		if a != b {
			out = append(out, Change{Aspect: aspect, Before: orNone(a), After: orNone(b)})
		}
	}
	list := func(aspect string, a, b []string) {
		set := func(s []string) map[string]bool {
			m := make(map[string]bool, len(s))
			for _, v := range s {
				m[v] = true
			}
			return m
		}
		inA, inB := set(a), set(b)
		for _, v := range a {
			if !inB[v] {
				out = append(out, Change{Aspect: aspect, Before: v})
			}
		}
		for _, v := range b {
			if !inA[v] {
				out = append(out, Change{Aspect: aspect, After: v})
			}
		}
	}
	scalar("product class", accepted.Class, current.Class)
	scalar("intended purpose", accepted.IntendedPurpose, current.IntendedPurpose)
	list("exposed interface", accepted.Interfaces, current.Interfaces)
	list("network-capable component", accepted.NetworkComponents, current.NetworkComponents)
	scalar("update mechanism", accepted.UpdateMechanism, current.UpdateMechanism)
	if accepted.PlaintextInterfaces != nil && current.PlaintextInterfaces != nil {
		list("interface served without TLS", *accepted.PlaintextInterfaces, *current.PlaintextInterfaces)
	}
	if accepted.UpdateSigning != nil && current.UpdateSigning != nil {
		scalar("update signing", *accepted.UpdateSigning, *current.UpdateSigning)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func parseState(data []byte) (state, error) {
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return state{}, fmt.Errorf("parse %s: %w", StateFile, err)
	}
	if st.Schema != stateSchema {
		return state{}, fmt.Errorf("parse %s: schema %d, expected %d", StateFile, st.Schema, stateSchema)
	}
	return st, nil
}

func encodeState(st state) []byte {
	// Empty lists are written as [] so that the file's shape never changes.
	for _, l := range []*[]string{&st.Accepted.Interfaces, &st.Accepted.NetworkComponents} {
		if *l == nil {
			*l = []string{}
		}
	}
	b, _ := json.MarshalIndent(st, "", "  ") // plain strings and slices: cannot fail
	return append(b, '\n')
}

// Precheck finds, before any work, what would make a render of the
// technical file in dir (absolute; relDir names it in messages) fail on
// the files already there: a .cemark-state.json that cannot be read, or a
// document that is not a regular file (a symlink could lead a write
// elsewhere). Each is a usage error (exit 2): the repository needs a
// person's fix, and the tool did not break.
func Precheck(dir, relDir string, acceptChanges bool) error {
	names := append([]string{StateFile, docSBOM}, documents...)
	for _, name := range names {
		data, exists, err := readExisting(filepath.Join(dir, name))
		if err != nil || !exists || name != StateFile || acceptChanges {
			if err != nil {
				return err
			}
			continue
		}
		if _, err := parseState(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))); err != nil {
			return failure.Usage(fmt.Errorf("%s: %w (delete it to start again from this run's evidence)", path.Join(relDir, StateFile), err))
		}
	}
	return nil
}
