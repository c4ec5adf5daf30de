package surface

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

// WriteTable prints the inventory as a table: one row per interface,
// then one row per further place.
func WriteTable(w io.Writer, inv *checks.Inventory) error {
	if len(inv.Interfaces) == 0 {
		_, err := fmt.Fprintln(w, "No exposed network interface found.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PORT\tPROTO\tSERVICE\tBIND\tTLS\tDECLARED\tPLACES")
	for _, ei := range inv.Interfaces {
		declared := "no"
		if ei.Declared {
			declared = "yes"
			if ei.Purpose != "" {
				declared += " (" + ei.Purpose + ")"
			}
		}
		for i, p := range ei.Places {
			place := placeString(p)
			if i == 0 {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", ei.Port, ei.Protocol, dash(ei.Service), dash(ei.Bind), tlsString(ei.TLS), declared, place)
				continue
			}
			fmt.Fprintf(tw, "\t\t\t\t\t\t%s\n", place)
		}
	}
	return tw.Flush()
}

// WriteJSON prints the inventory as indented JSON (ports.json).
func WriteJSON(w io.Writer, inv *checks.Inventory) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(inv)
}

func placeString(p checks.Place) string {
	s := p.Path
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
	}
	s = p.Kind + " " + s
	if p.Detail != "" {
		s += " — " + strings.ReplaceAll(p.Detail, "\t", " ")
	}
	return s
}

func dash(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

func tlsString(b *bool) string {
	switch {
	case b == nil:
		return "?"
	case *b:
		return "yes"
	}
	return "no"
}

// Draft turns the inventory into a draft interfaces declaration for
// cemark.yaml (cemark init): every interface reachable from the network,
// with the bind and TLS the inventory knows. Purposes are left for the
// manufacturer to write; cemark cannot know them.
func Draft(inv *checks.Inventory) []config.Interface {
	var out []config.Interface
	if inv == nil {
		return out
	}
	for _, ei := range inv.Interfaces {
		if ei.Bind == "loopback" {
			continue
		}
		d := config.Interface{Port: ei.Port, Protocol: ei.Protocol, TLS: ei.TLS}
		if ei.Bind == "all" {
			d.Bind = "all"
		}
		out = append(out, d)
	}
	return out
}
