package jsonindent

import (
	"bytes"
	"encoding/json"
	"testing"
)

// indentStd is what encoding/json writes for v with SetIndent("", indent).
func indentStd(t *testing.T, v any, indent string, escapeHTML bool) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	values := []any{
		nil, 1, -2.5e10, "", "a\"b\\c\u2028<&>\x01é\ufffd", true,
		[]any{}, map[string]any{}, []any{[]any{}, map[string]any{}, 1, "x"},
		map[string]any{"a": []any{1, 2, map[string]any{"b": nil, "": "\\\""}}, "c": map[string]any{}, "d\"": "[{,:}]"},
		struct {
			A []int           `json:"a"`
			B map[string]bool `json:"b,omitempty"`
			C json.RawMessage `json:"c"`
		}{A: []int{}, C: json.RawMessage(` { "x" : [ 1 , 2 ] } `)},
	}
	for _, v := range values {
		for _, indent := range []string{"  ", " ", "\t"} {
			for _, esc := range []bool{true, false} {
				var got bytes.Buffer
				if err := Encode(&got, v, indent, esc); err != nil {
					t.Fatal(err)
				}
				if want := indentStd(t, v, indent, esc); !bytes.Equal(got.Bytes(), want) {
					t.Errorf("Encode(%#v, %q, %v) =\n%s\nwant\n%s", v, indent, esc, got.Bytes(), want)
				}
			}
		}
	}
}

func TestEncodeWritesNothingOnError(t *testing.T) {
	var got bytes.Buffer
	if err := Encode(&got, map[string]any{"f": func() {}}, "  ", true); err == nil || got.Len() > 0 {
		t.Errorf("err %v, wrote %q; want an error and nothing written", err, got.Bytes())
	}
}

// FuzzAppend: any valid JSON, compacted as encoding/json writes it, is
// indented as json.Indent indents it.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,{"b":"c\"\\"}],"d":{}}`, `"x"`, `[[],[{}],"\u2028"]`, `1`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, in); err != nil {
			t.Fatal(err)
		}
		compact.WriteByte('\n') // as an Encoder ends a value
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := Append(nil, compact.Bytes(), "  "); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("Append(%q) =\n%q\nwant\n%q", compact.Bytes(), got, want.Bytes())
		}
	})
}

// BenchmarkIndent compares Append with json.Indent on a large compact
// generated document.
func BenchmarkIndent(b *testing.B) {
	var doc []any
	for i := range 20000 {
		doc = append(doc, map[string]any{"name": "pkg", "version": i, "licenses": []any{"MIT", "Apache-2.0"}, "purl": "pkg:npm/x@1.0.0?a=b&c=d"})
	}
	compact, err := json.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("jsonindent", func(b *testing.B) {
		b.SetBytes(int64(len(compact)))
		for b.Loop() {
			Append(make([]byte, 0, 2*len(compact)), compact, "  ")
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(compact)))
		for b.Loop() {
			var out bytes.Buffer
			out.Grow(2 * len(compact))
			_ = json.Indent(&out, compact, "", "  ")
		}
	})
}
