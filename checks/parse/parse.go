// Package parse holds what the format parsers (dockerfile, compose, kube,
// systemd, source) share: the per-file problem they report instead of
// aborting a run, and bounded YAML decoding that keeps line numbers.
//
// Each format lives in its own sub-package with a Memo-cached accessor
// taking a *checks.Target, so the port inventory and the secure-default
// checks share one read and one parse of every file.
package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"gopkg.in/yaml.v3"
)

// Issue is a file that could not be (fully) parsed. Parsers return issues
// in their results and go on with the other files; checks turn them into
// findings that name the file.
type Issue struct {
	Path    string `json:"path"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
	// Skipped marks a file recognised but deliberately not parsed (a Helm
	// template with {{ }}): "not assessed", not an error.
	Skipped bool `json:"skipped,omitempty"`
	// Lenient marks a file the strict reader refused and that was read
	// leniently from its YAML tree instead: assessed, with what could not
	// be read left out. The message says why.
	Lenient bool `json:"lenient,omitempty"`
}

func (i Issue) Error() string {
	if i.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", i.Path, i.Line, i.Message)
	}
	return i.Path + ": " + i.Message
}

// Limits on YAML input. A product's manifests are far below them; hostile
// input (alias bombs, deep nesting) hits them and becomes a per-file error.
const (
	// MaxYAMLNodes caps the nodes of a file, counting each alias expansion
	// as the size of what it points at.
	MaxYAMLNodes = 200_000
	// MaxYAMLDepth caps nesting.
	MaxYAMLDepth = 200
	// MaxYAMLDocuments caps the documents of a multi-document file.
	MaxYAMLDocuments = 10_000
)

// ErrYAMLLimit marks YAML over one of the limits.
var ErrYAMLLimit = errors.New("YAML over cemark's limits")

// YAMLDocuments decodes every document of data into yaml.v3 nodes (lines
// and columns kept), checking the limits. Empty documents are dropped.
func YAMLDocuments(data []byte) (docs []*yaml.Node, err error) {
	defer func() {
		// yaml.v3 has panicked on crafted input before; a bad file must not
		// take the run down.
		if r := recover(); r != nil {
			docs, err = nil, fmt.Errorf("YAML decoder failed: %v", r)
		}
	}()
	// yaml.v3 slows down sharply on deep flow nesting ([[[[…); refuse it
	// before decoding.
	if d, line := flowDepth(data); d > MaxYAMLDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d levels (line %d)", ErrYAMLLimit, MaxYAMLDepth, line)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	budget := MaxYAMLNodes
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return docs, err
		}
		if len(docs) >= MaxYAMLDocuments {
			return docs, fmt.Errorf("%w: more than %d documents", ErrYAMLLimit, MaxYAMLDocuments)
		}
		if err := CheckYAML(&n, &budget); err != nil {
			return docs, err
		}
		if n.Kind == yaml.DocumentNode && (len(n.Content) == 0 || n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			continue
		}
		docs = append(docs, &n)
	}
}

// DocumentError is one document of a multi-document file that did not
// parse; Line is where the document starts.
type DocumentError struct {
	Line int
	Err  error
}

// YAMLDocumentsLenient is YAMLDocuments for a file where one document may
// be broken: the file is cut at its "---" separators and each document is
// decoded on its own (lines kept as in the file), so one bad document does
// not lose the others. It returns the documents that parsed and the errors
// of those that did not. The limits hold for the file as a whole.
func YAMLDocumentsLenient(data []byte) ([]*yaml.Node, []DocumentError) {
	var docs []*yaml.Node
	var errs []DocumentError
	lines := bytes.SplitAfter(data, []byte("\n"))
	start := 0
	flush := func(end int) {
		if end <= start {
			return
		}
		chunk := bytes.Join(lines[start:end], nil)
		if len(bytes.TrimSpace(chunk)) == 0 {
			return
		}
		// Blank lines in front keep the decoder's line numbers the file's.
		padded := append(bytes.Repeat([]byte("\n"), start), chunk...)
		d, err := YAMLDocuments(padded)
		docs = append(docs, d...)
		if err != nil {
			errs = append(errs, DocumentError{Line: start + 1, Err: err})
		}
	}
	for i, l := range lines {
		if t := bytes.TrimRight(l, " \t\r\n"); bytes.Equal(t, []byte("---")) || bytes.HasPrefix(l, []byte("--- ")) {
			flush(i)
			start = i + 1
		}
		if len(docs) > MaxYAMLDocuments {
			break
		}
	}
	flush(len(lines))
	return docs, errs
}

// CheckYAML walks n, expanding aliases, and fails once the walk exceeds
// *budget nodes or MaxYAMLDepth levels. The budget is shared across calls
// so a multi-document file is bounded as a whole.
func CheckYAML(n *yaml.Node, budget *int) error {
	return checkYAML(n, budget, 0)
}

func checkYAML(n *yaml.Node, budget *int, depth int) error {
	if n == nil {
		return nil
	}
	*budget--
	if *budget < 0 {
		return fmt.Errorf("%w: more than %d nodes (alias expansion counted); an alias bomb?", ErrYAMLLimit, MaxYAMLNodes)
	}
	if depth > MaxYAMLDepth {
		return fmt.Errorf("%w: nested deeper than %d levels (line %d)", ErrYAMLLimit, MaxYAMLDepth, n.Line)
	}
	if n.Kind == yaml.AliasNode {
		return checkYAML(n.Alias, budget, depth+1)
	}
	for _, c := range n.Content {
		if err := checkYAML(c, budget, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// Resolve follows an alias node to what it points at.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// MapGet returns the value node of key in mapping node m (aliases
// resolved), and the key node for its line; nil when absent.
func MapGet(m *yaml.Node, key string) (val, keyNode *yaml.Node) {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind == yaml.ScalarNode && k.Value == key {
			return Resolve(m.Content[i+1]), k
		}
		if k.Kind == yaml.ScalarNode && k.Value == "<<" {
			// merge key: look in the merged mapping(s)
			v := Resolve(m.Content[i+1])
			if v != nil && v.Kind == yaml.MappingNode {
				if got, gk := MapGet(v, key); got != nil {
					return got, gk
				}
			}
			if v != nil && v.Kind == yaml.SequenceNode {
				for _, e := range v.Content {
					if got, gk := MapGet(e, key); got != nil {
						return got, gk
					}
				}
			}
		}
	}
	return nil, nil
}

// Scalar returns the value of a scalar node ("" otherwise).
func Scalar(n *yaml.Node) string {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// IsNull reports whether n is absent or a YAML null.
func IsNull(n *yaml.Node) bool {
	n = Resolve(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// Bind classifies a listen host: "all" for every interface ("", 0.0.0.0,
// ::, *), "loopback" for 127.0.0.0/8, ::1 and localhost, otherwise the
// address itself.
func Bind(host string) string {
	h := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(host), "["), "]")
	switch strings.ToLower(h) {
	case "", "0.0.0.0", "::", "*", "0:0:0:0:0:0:0:0":
		return "all"
	case "localhost", "::1", "ip6-localhost":
		return "loopback"
	}
	if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
		return "loopback"
	}
	return h
}

// flowDepth is a cheap upper bound of the flow-collection nesting ([ and {
// outside quotes and comments) and the line where it is deepest.
func flowDepth(data []byte) (maxDepth, line int) {
	depth, ln := 0, 1
	var quote byte
	comment := false
	for i, c := range data {
		switch {
		case c == '\n':
			ln++
			comment = false
			if quote == '\'' {
				quote = 0 // single-quoted flow scalars rarely span lines; stay conservative
			}
		case comment:
		case quote != 0:
			if c == quote && (quote != '"' || i == 0 || data[i-1] != '\\') {
				quote = 0
			}
		case c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n'):
			comment = true
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			depth++
			if depth > maxDepth {
				maxDepth, line = depth, ln
			}
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return maxDepth, line
}

// Vendored reports whether a path is inside third-party code shipped with
// the sources (node_modules, vendor, third_party, virtualenvs): their
// Dockerfiles, manifests and units are a dependency's, not the product's.
func Vendored(rel string) bool {
	for _, seg := range strings.Split(rel, "/") {
		switch seg {
		case "node_modules", "vendor", "third_party", ".venv", "venv", "site-packages", "bower_components":
			return true
		}
	}
	return false
}
