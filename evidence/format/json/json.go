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
	// jsonindent.Encode writes only once the whole value is encoded: a
	// failure writes nothing, and no copy of the document is made here.
	// Snippets hold source like "a && b" or "<tag>"; keep them readable.
	if err := jsonindent.Encode(w, c, "  ", false); err != nil {
		return fmt.Errorf("encode report.json: %w", err)
	}
	return nil
}

// Marshal is Encode's bytes, in one buffer sized for them.
func Marshal(r *checks.Report) ([]byte, error) {
	c, err := arrays(r)
	if err != nil {
		return nil, err
	}
	b, err := jsonindent.Marshal(c, "  ", false)
	if err != nil {
		return nil, fmt.Errorf("encode report.json: %w", err)
	}
	return b, nil
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
