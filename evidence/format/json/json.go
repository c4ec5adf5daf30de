// Package json encodes a check report as report.json: indented, with a
// trailing newline, deterministic, valid against the schema in
// checks/schema/report.schema.json.
package json

import (
	"bytes"
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

// resultsMark is the results member of a report encoded without results.
// No member before it can hold these bytes (a string's quotes are
// escaped), so its first occurrence is the report's own.
const resultsMark = `"results":[]`

// compact is c as a json.Encoder without indentation writes it, made a
// result at a time and joined once, in a buffer of their size.
// encoding/json makes a value's whole encoding in a buffer it grows by
// doubling: for a large tree's report, tens of MB, that cost about as much
// as the encoding. The results are most of a report; each is encoded on
// its own (in the encoder's pooled buffer) and put where the report
// encoded without them has "results":[]. Snippets hold source like
// "a && b" or "<tag>": HTML is not escaped, to keep them readable.
func compact(c *checks.Report) ([]byte, error) {
	head := *c
	head.Results = []checks.Result{}
	headJSON, err := jsonindent.Compact(&head, false)
	if err != nil {
		return nil, err
	}
	at := bytes.Index(headJSON, []byte(resultsMark))
	if at < 0 {
		return nil, fmt.Errorf("no %s in the report's encoding", resultsMark)
	}
	at += len(resultsMark) - 1 // before the ]
	results := make([][]byte, len(c.Results))
	size := len(headJSON) + len(results)
	for i := range c.Results {
		b, err := jsonindent.Compact(&c.Results[i], false)
		if err != nil {
			return nil, err
		}
		results[i] = bytes.TrimSuffix(b, []byte{'\n'})
		size += len(results[i])
	}
	out := make([]byte, 0, size)
	out = append(out, headJSON[:at]...)
	for i, b := range results {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, headJSON[at:]...), nil
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
