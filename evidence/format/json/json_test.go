package json

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/format/internal/fixture"
	"github.com/cemark/cemark/evidence/format/internal/golden"
)

func TestEncode(t *testing.T) {
	for name, rep := range map[string]*checks.Report{"full": fixture.Report(), "empty": fixture.Empty()} {
		t.Run(name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := Encode(&a, rep); err != nil {
				t.Fatal(err)
			}
			if err := Encode(&b, rep); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two encodings differ")
			}
			if m, err := Marshal(rep); err != nil || !bytes.Equal(m, a.Bytes()) {
				t.Errorf("Marshal differs from Encode (%v)", err)
			}
			if !bytes.HasSuffix(a.Bytes(), []byte("}\n")) {
				t.Error("no trailing newline")
			}
			if err := checks.ValidateReportJSON(a.Bytes()); err != nil {
				t.Error(err)
			}
			golden.Check(t, a.Bytes())
		})
	}
}

// TestReportFromPiecesIsTheWholeEncoding: report.json made a result at a
// time is byte for byte what encoding the whole report at once gives
// (json.Encoder with SetIndent("", "  ") and no HTML escaping), with
// strings that look like the members it joins at.
func TestReportFromPiecesIsTheWholeEncoding(t *testing.T) {
	tricky := func(r *checks.Report) *checks.Report {
		c := *r
		c.Product.Name = `a"results":[]\ <b> & é ` + "\u2028"
		c.ConfigFile = `"results":[],"facts":{}`
		c.Results = append([]checks.Result(nil), r.Results...)
		if len(c.Results) > 0 {
			c.Results[0].Error = `"results":[]`
			c.Results[0].Findings = append([]checks.Finding{{Message: `x","results":[],"y`, Values: map[string]string{"results": "[]"}}}, c.Results[0].Findings...)
		}
		return &c
	}
	reports := map[string]*checks.Report{"full": fixture.Report(), "empty": fixture.Empty(), "no results": {SchemaVersion: "1"}}
	reports["tricky"] = tricky(fixture.Report())
	for name, rep := range reports {
		t.Run(name, func(t *testing.T) {
			c, err := arrays(rep)
			if err != nil {
				t.Fatal(err)
			}
			var whole bytes.Buffer
			enc := json.NewEncoder(&whole)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(c); err != nil {
				t.Fatal(err)
			}
			got, err := Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, whole.Bytes()) {
				t.Errorf("Marshal differs from encoding the whole report:\n%s\nwant:\n%s", got, whole.Bytes())
			}
			var streamed bytes.Buffer
			if err := Encode(&streamed, rep); err != nil || !bytes.Equal(streamed.Bytes(), whole.Bytes()) {
				t.Errorf("Encode differs from encoding the whole report (%v)", err)
			}
		})
	}
}
