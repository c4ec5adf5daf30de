// Package jsonindent writes JSON indented as encoding/json indents it, in
// one pass over the encoded bytes. encoding/json indents by running its
// validating scanner over the whole encoding again (json.Indent, and
// Encoder.SetIndent), about as long as encoding it; cemark's largest
// documents — the SBOMs and a large tree's reports, tens of MB — are
// encoded by encoding/json, so they are valid and compact already, and
// indenting them needs only to follow strings.
package jsonindent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Encode writes v as a json.Encoder with SetIndent("", indent) and
// SetEscapeHTML(escapeHTML) writes it — the same bytes, the trailing
// newline included —, and nothing when encoding fails. The indented bytes
// go to w in pieces of about 64 KiB as they are made, so that a document
// of tens of MB is held once (compact), not twice.
func Encode(w io.Writer, v any, indent string, escapeHTML bool) error {
	compact, err := Compact(v, escapeHTML)
	if err != nil {
		return err
	}
	return Write(w, compact, indent)
}

// Write writes compact (as Compact makes it) indented as Encode writes
// it, in pieces of about 64 KiB.
func Write(w io.Writer, compact []byte, indent string) error {
	const piece = 64 << 10
	var err error
	dst := appendIndent(make([]byte, 0, min(len(compact)*2, 2*piece)), compact, indent, piece, func(b []byte) {
		if err == nil {
			_, err = w.Write(b)
		}
	})
	if err == nil {
		_, err = w.Write(dst)
	}
	return err
}

// Marshal returns the bytes Encode writes, for a document kept in
// memory: made at once, in one buffer.
func Marshal(v any, indent string, escapeHTML bool) ([]byte, error) {
	compact, err := Compact(v, escapeHTML)
	if err != nil {
		return nil, err
	}
	return Append(make([]byte, 0, len(compact)*2), compact, indent), nil
}

// Compact is v as a json.Encoder without indentation writes it, the
// trailing newline included.
func Compact(v any, escapeHTML bool) ([]byte, error) {
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return compact.Bytes(), nil
}

// CompactArray is items as Compact writes the slice, without the trailing
// newline, encoded per elements at a time and joined once, in a buffer of
// its size. encoding/json makes a value's whole encoding in one buffer it
// grows by doubling: for the tens of MB of a large tree's reports that
// cost about as much as the encoding. Each piece is made in the encoder's
// pooled buffer instead, which grows once to a piece's size.
func CompactArray[T any](items []T, per int, escapeHTML bool) ([]byte, error) {
	if items == nil {
		return []byte("null"), nil
	}
	per = max(per, 1)
	var pieces [][]byte
	size := len("[]")
	for i := 0; i < len(items); i += per {
		b, err := Compact(items[i:min(i+per, len(items))], escapeHTML)
		if err != nil {
			return nil, err
		}
		inner := b[1 : len(b)-len("]\n")]
		pieces = append(pieces, inner)
		size += len(inner) + len(",")
	}
	out := append(make([]byte, 0, size), '[')
	for i, p := range pieces {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, p...)
	}
	return append(out, ']'), nil
}

// Splice is compact with value in place of the empty array of its first
// member named key ("key":[]; key a plain name, nothing to escape). The
// caller knows that no member before it can hold those bytes — a string's
// quotes are escaped, so only a member of that name can.
func Splice(compact []byte, key string, value []byte) ([]byte, error) {
	member := []byte(`"` + key + `":[]`)
	at := bytes.Index(compact, member)
	if at < 0 {
		return nil, fmt.Errorf("jsonindent: no %s to fill", member)
	}
	at += len(member) - len("[]")
	out := make([]byte, 0, len(compact)-len("[]")+len(value))
	out = append(append(out, compact[:at]...), value...)
	return append(out, compact[at+len("[]"):]...), nil
}

// Append appends src indented as json.Indent(dst, src, "", indent)
// indents it. src must be what encoding/json writes (Marshal, or an
// Encoder without indentation): valid, and without whitespace outside
// strings but for a newline after the value, which is kept. Other input
// gives unspecified output.
func Append(dst, src []byte, indent string) []byte {
	return appendIndent(dst, src, indent, 0, nil)
}

// structural are the bytes appendIndent acts on; every other byte of
// compact JSON (numbers, true, false, null) is copied as it comes.
var structural = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true, ',': true, ':': true}

// appendIndent is Append; with a flush, dst is handed to it and emptied
// whenever it holds piece bytes or more.
func appendIndent(dst, src []byte, indent string, piece int, flush func([]byte)) []byte {
	depth := 0
	// needIndent delays the newline after '{' or '[', so that an empty
	// object or array stays "{}" or "[]", as json.Indent writes it.
	needIndent := false
	// newline is "\n" and the indent of the deepest level so far: a line
	// break at depth d is its first 1+d*len(indent) bytes.
	newline := []byte{'\n'}
	lineBreak := func(depth int) []byte {
		n := 1 + depth*len(indent)
		for len(newline) < n {
			newline = append(newline, indent...)
		}
		return newline[:n]
	}
	for i := 0; i < len(src); {
		if flush != nil && len(dst) >= piece {
			flush(dst)
			dst = dst[:0]
		}
		c := src[i]
		if needIndent && c != '}' && c != ']' {
			needIndent = false
			depth++
			dst = append(dst, lineBreak(depth)...)
		}
		switch c {
		case '"':
			// Copy the string whole, up to the first quote not escaped: one
			// preceded by an even number of backslashes.
			j := i + 1
			for {
				k := bytes.IndexByte(src[j:], '"')
				if k < 0 {
					j = len(src)
					break
				}
				j += k
				backslashes := 0
				for b := j - 1; b > i && src[b] == '\\'; b-- {
					backslashes++
				}
				j++
				if backslashes%2 == 0 {
					break
				}
			}
			dst = append(dst, src[i:j]...)
			i = j
			continue
		case '{', '[':
			needIndent = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = append(dst, lineBreak(depth)...)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if needIndent {
				needIndent = false
			} else {
				depth--
				dst = append(dst, lineBreak(depth)...)
			}
			dst = append(dst, c)
		default:
			j := i + 1
			for j < len(src) && !structural[src[j]] {
				j++
			}
			dst = append(dst, src[i:j]...)
			i = j
			continue
		}
		i++
	}
	return dst
}
