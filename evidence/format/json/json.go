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
	if r == nil {
		return fmt.Errorf("encode report.json: no report")
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
	// jsonindent.Encode writes only once the whole value is encoded: a
	// failure writes nothing, and no copy of the document is made here.
	// Snippets hold source like "a && b" or "<tag>"; keep them readable.
	if err := jsonindent.Encode(w, &c, "  ", false); err != nil {
		return fmt.Errorf("encode report.json: %w", err)
	}
	return nil
}
