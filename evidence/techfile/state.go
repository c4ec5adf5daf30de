package techfile

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
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

// summary is what a substantial modification would change (Art. 3(30),
// Art. 22; FAQ on substantial modification): the exposed interfaces, the
// network-capable components, how updates are delivered and signed, the
// intended purpose and the class. Versions of components are left out on
// purpose: an update is not by itself a substantial modification.
type summary struct {
	Class             string   `json:"class"`
	IntendedPurpose   string   `json:"intended_purpose"`
	Interfaces        []string `json:"exposed_interfaces"`
	NetworkComponents []string `json:"network_components"`
	UpdateMechanism   string   `json:"update_mechanism"`
	SigningKeys       []string `json:"signing_keys"`
}

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
	if in.Report != nil && in.Report.Facts.Inventory != nil {
		for _, i := range in.Report.Facts.Inventory.Interfaces {
			add(&s.Interfaces, interfaceKey(i.Protocol, i.Port, i.Bind))
		}
	}
	for _, c := range in.SBOM.TopLevel {
		if c.Network {
			add(&s.NetworkComponents, c.Name)
		}
	}
	s.UpdateMechanism = strings.TrimSpace(cfg.Updates.Mechanism)
	if s.UpdateMechanism == "" && in.Report != nil && in.Report.Facts.UpdateSigning != nil {
		s.UpdateMechanism = in.Report.Facts.UpdateSigning.Mechanism
	}
	if in.Report != nil && in.Report.Facts.UpdateSigning != nil {
		for _, k := range in.Report.Facts.UpdateSigning.KeyFingerprints {
			add(&s.SigningKeys, strings.ToLower(k))
		}
	}
	for _, k := range cfg.Updates.Keys {
		add(&s.SigningKeys, strings.ToLower(k.Fingerprint))
	}
	sort.Strings(s.Interfaces)
	sort.Strings(s.NetworkComponents)
	sort.Strings(s.SigningKeys)
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
	list("update signing key", accepted.SigningKeys, current.SigningKeys)
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
	for _, l := range []*[]string{&st.Accepted.Interfaces, &st.Accepted.NetworkComponents, &st.Accepted.SigningKeys} {
		if *l == nil {
			*l = []string{}
		}
	}
	b, _ := json.MarshalIndent(st, "", "  ") // plain strings and slices: cannot fail
	return append(b, '\n')
}
