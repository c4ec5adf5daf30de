package config

import (
	"encoding"
	"fmt"
	"reflect"
	"regexp"

	"gopkg.in/yaml.v3"
)

// Rule is what a field of a file read with ParseStrict accepts beyond its
// Go type: the same checks, with the same messages, as cemark.yaml's own.
type Rule struct {
	Enum     []string
	Pattern  *regexp.Regexp
	Required bool // must be present and not empty
	NonBlank bool // a string with something other than white space
	// Want says what is expected, for the error message.
	Want string
}

// ParseStrict reads data, the content of file (named in messages only),
// into out, a pointer to a struct whose fields carry yaml tags, as strictly
// as cemark.yaml: unknown and duplicate keys, wrong types and values that
// break a rule are errors naming file:line:column, all of them in file
// order, wrapped with exit code 2. rules gives the rule of each field by
// its rule path ("submissions.early_warning.by", "ids[]"); nil means none.
// Fields whose type implements encoding.TextUnmarshaler (time.Time: RFC
// 3339) are read from a scalar by it. Other files reviewed like code — the
// Art. 14 event files — are read with it, so every file cemark reads
// reports its problems the same way.
func ParseStrict(file string, data []byte, out any, rules func(rulePath string) Rule) error {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("parse %s: out is %T, want a pointer to a struct", file, out)
	}
	_, err := decodeStrict(file, data, v.Elem(), func(p string) rule {
		if rules == nil {
			return rule{}
		}
		r := rules(p)
		return rule{enum: r.Enum, pattern: r.Pattern, required: r.Required, nonBlank: r.NonBlank, want: r.Want}
	})
	return err
}

// LoadStrict reads the file at path (at most MaxFileSize bytes) with
// ParseStrict.
func LoadStrict(path string, out any, rules func(rulePath string) Rule) error {
	data, err := ReadFile(path)
	if err != nil {
		return err
	}
	return ParseStrict(path, data, out, rules)
}

// text fills a field that reads itself from text (time.Time) from a scalar.
func (d *decoder) text(n *yaml.Node, tu encoding.TextUnmarshaler, path, rpath string) {
	want := d.rules(rpath).want
	if want == "" {
		want = "a valid value"
	}
	switch scalarTag(n) {
	case "!!str", "!!timestamp":
		if err := tu.UnmarshalText([]byte(n.Value)); err != nil {
			d.fail(n, "invalid value %q for %s; expected %s", n.Value, path, want)
		}
	default:
		d.fail(n, "wrong type for %s: got %s; expected %s", path, describe(n), want)
	}
}
