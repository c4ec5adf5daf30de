package jsonindent

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
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
				want := indentStd(t, v, indent, esc)
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("Encode(%#v, %q, %v) =\n%s\nwant\n%s", v, indent, esc, got.Bytes(), want)
				}
				if b, err := Marshal(v, indent, esc); err != nil || !bytes.Equal(b, want) {
					t.Errorf("Marshal(%#v, %q, %v) =\n%s, %v\nwant\n%s", v, indent, esc, b, err, want)
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
	if b, err := Marshal(func() {}, "  ", true); err == nil || b != nil {
		t.Errorf("Marshal = %q, %v; want an error", b, err)
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
		// Handed on in pieces as small as can be, the bytes are the same.
		var pieces []byte
		last := appendIndent(nil, compact.Bytes(), "  ", 1, func(b []byte) { pieces = append(pieces, b...) })
		if got := append(pieces, last...); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("appendIndent in pieces (%q) =\n%q\nwant\n%q", compact.Bytes(), got, want.Bytes())
		}
	})
}

// countingWriter records the size of each write.
type countingWriter struct {
	bytes.Buffer
	writes []int
}

func (w *countingWriter) Write(b []byte) (int, error) {
	w.writes = append(w.writes, len(b))
	return w.Buffer.Write(b)
}

// TestEncodeLargeInPieces: a document of MBs is written in pieces of
// about 64 KiB, which make the bytes encoding/json makes.
func TestEncodeLargeInPieces(t *testing.T) {
	var doc []any
	for i := range 20000 {
		doc = append(doc, map[string]any{"name": "pkg", "version": i, "tags": []any{"a<b", "c\"d"}, "empty": map[string]any{}})
	}
	var got countingWriter
	if err := Encode(&got, doc, "  ", false); err != nil {
		t.Fatal(err)
	}
	if want := indentStd(t, doc, "  ", false); !bytes.Equal(got.Bytes(), want) {
		t.Fatal("a large document differs from encoding/json's")
	}
	if len(got.writes) < 10 || slices.Max(got.writes) > 65<<10 {
		t.Fatalf("%d writes of up to %d bytes for %d bytes; want pieces of about 64 KiB", len(got.writes), slices.Max(got.writes), got.Len())
	}
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

// BenchmarkIndentFile indents a JSON file named by JSONINDENT_FILE (a
// large report.json, say), compacted first.
func BenchmarkIndentFile(b *testing.B) {
	name := os.Getenv("JSONINDENT_FILE")
	if name == "" {
		b.Skip("JSONINDENT_FILE names no file")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(compact.Len()))
	for b.Loop() {
		Append(make([]byte, 0, 2*compact.Len()), compact.Bytes(), "  ")
	}
}

// htmlText marshals itself, to show that CompactArray encodes elements as
// encoding/json does, methods included.
type htmlText string

func (h htmlText) MarshalJSON() ([]byte, error) { return json.Marshal("<" + string(h) + ">") }

// TestCompactArrayIsCompact: a slice encoded a few elements at a time and
// joined is what encoding the whole slice gives, for every length and
// piece size, nil and empty slices included.
func TestCompactArrayIsCompact(t *testing.T) {
	type item struct {
		N    int               `json:"n"`
		S    string            `json:"s,omitempty"`
		M    map[string]string `json:"m,omitempty"`
		H    htmlText          `json:"h"`
		Tags []string          `json:"tags"`
	}
	for n := range 12 {
		var items []item
		if n > 0 {
			items = []item{}
		}
		for i := range n - 1 {
			items = append(items, item{N: i, S: `a"b\<&>` + "\u2028", M: map[string]string{"z": "1", "a": "2"}, H: "x&y", Tags: []string{}})
		}
		for _, esc := range []bool{true, false} {
			want, err := Compact(items, esc)
			if err != nil {
				t.Fatal(err)
			}
			want = bytes.TrimSuffix(want, []byte("\n"))
			for _, per := range []int{0, 1, 2, 3, 5, 100} {
				got, err := CompactArray(items, per, esc)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("CompactArray(%d items, per %d, escapeHTML %v) = %s, %v; want %s", len(items), per, esc, got, err, want)
				}
			}
		}
	}
}

func TestSplice(t *testing.T) {
	head := []byte(`{"a":"\"results\":[]","results":[],"b":{"results":[]}}` + "\n")
	got, err := Splice(head, "results", []byte(`[1,2]`))
	if want := `{"a":"\"results\":[]","results":[1,2],"b":{"results":[]}}` + "\n"; err != nil || string(got) != want {
		t.Errorf("Splice = %s, %v; want %s", got, err, want)
	}
	if _, err := Splice([]byte(`{"results":[1]}`), "results", []byte(`[]`)); err == nil {
		t.Error("Splice without an empty member: want an error")
	}
}
