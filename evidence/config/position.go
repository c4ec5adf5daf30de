package config

import (
	"bytes"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrorAt returns an *Error about the value of the key at dotted path
// ("conformity.procedure", "attestations.signers.keys[1]") in data, the
// content of file: for checks made after loading, such as the conformity
// procedure against the product's route, which still name
// file:line:column. A path that is not in the file (a default, a Config
// built in code) gives an error naming the file only.
func ErrorAt(file string, data []byte, path, msg string) *Error {
	e := &Error{File: file, Msg: msg}
	if e.File == "" {
		e.File = FileName
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return e
	}
	n := resolve(doc.Content[0])
	for _, seg := range strings.Split(path, ".") {
		key, index, isItem := strings.Cut(strings.TrimSuffix(seg, "]"), "[")
		if n.Kind != yaml.MappingNode {
			return e
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := resolve(n.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
				next = resolve(n.Content[i+1])
				break
			}
		}
		if next == nil {
			return e
		}
		n = next
		if isItem {
			i, err := strconv.Atoi(index)
			if err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
				return e
			}
			n = resolve(n.Content[i])
		}
	}
	e.Line, e.Column = n.Line, n.Column
	return e
}
