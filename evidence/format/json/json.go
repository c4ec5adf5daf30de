// Package json encodes a check report as report.json: indented, with a
// trailing newline, deterministic, valid against the schema in
// checks/schema/report.schema.json.
package json

import (
	"fmt"
	"io"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/internal/jsonindent"
)

// ID names the format on the command line.
const ID = "json"

// Encode writes r as report.json. Slices are emitted as [] rather than
// null where the schema wants arrays.
func Encode(w io.Writer, r *checks.Report) error {
	c, err := arrays(r)
	if err != nil {
		return err
	}
	// Written only once the whole report is encoded: a failure writes
	// nothing.
	b, err := compact(c)
	if err != nil {
		return fmt.Errorf("encode report.json: %w", err)
	}
	return jsonindent.Write(w, b, "  ")
}

// Marshal is Encode's bytes, in one buffer sized for them.
func Marshal(r *checks.Report) ([]byte, error) {
	c, err := arrays(r)
	if err != nil {
		return nil, err
	}
	b, err := compact(c)
	if err != nil {
		return nil, fmt.Errorf("encode report.json: %w", err)
	}
	return jsonindent.Append(make([]byte, 0, len(b)*2), b, "  "), nil
}

// compact is c as a json.Encoder without indentation writes it, the
// results encoded one at a time (jsonindent.CompactArray): they are most
// of a report, each up to MBs. Snippets hold source like "a && b" or
// "<tag>": HTML is not escaped, to keep them readable.
func compact(c *checks.Report) ([]byte, error) {
	results, err := jsonindent.CompactArray(c.Results, 1, false)
	if err != nil {
		return nil, err
	}
	head := *c
	head.Results = []checks.Result{}
	headJSON, err := jsonindent.Compact(&head, false)
	if err != nil {
		return nil, err
	}
	// No member before results can hold "results":[] (tool, product and
	// config file are names and versions).
	return jsonindent.Splice(headJSON, "results", results)
}

// arrays is a shallow copy of r whose results and findings are [] when
// nil.
func arrays(r *checks.Report) (*checks.Report, error) {
	if r == nil {
		return nil, fmt.Errorf("encode report.json: no report")
	}
	c := *r
	c.Results = append([]checks.Result(nil), r.Results...)
	if c.Results == nil {
		c.Results = []checks.Result{}
	}
	for i := range c.Results {
		if c.Results[i].Findings == nil {
			c.Results[i].Findings = []checks.Finding{}
		}
	}
	return &c, nil
}
