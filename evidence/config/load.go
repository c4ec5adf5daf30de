package config

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	goyaml "github.com/goccy/go-yaml"
	goyamlparser "github.com/goccy/go-yaml/parser"
	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/evidence/failure"
)

// MaxFileSize bounds cemark.yaml: a configuration file is a few kilobytes,
// and a bigger one is a mistake (or an attack) better refused than parsed.
const MaxFileSize = 1 << 20

// maxErrors bounds how many problems one file reports.
const maxErrors = 50

// LoadRoot loads cemark.yaml from the product root. The file is optional:
// when there is none, it returns an empty configuration and path "".
// Errors are as for Load.
func LoadRoot(root string) (cfg *Config, path string, err error) {
	path = filepath.Join(root, FileName)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return &Config{}, "", nil
	}
	cfg, err = Load(path)
	if err != nil {
		return nil, path, err
	}
	return cfg, path, nil
}

// Load reads and strictly checks a cemark.yaml. A problem in the file is
// returned as Errors (every problem, in file order, each an *Error naming
// file:line:column), of kind failure.ErrUsage;
// errors.As(err, **Error) gives the first.
func Load(path string) (*Config, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// ReadFile reads a configuration file within MaxFileSize, for Parse: a
// missing file, a folder or a file too large is a usage error. A run reads
// its cemark.yaml once and keeps the bytes (their digest is evidence).
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, failure.Usage(fmt.Errorf("read configuration: %w", err))
		}
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	if info.IsDir() {
		return nil, &Error{File: path, Msg: "is a folder; expected a YAML file"}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read configuration %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, &Error{File: path,
			Msg: fmt.Sprintf("file is larger than %d bytes; expected a configuration file of a few kilobytes", MaxFileSize)}
	}
	return data, nil
}

// Parse strictly checks data, the content of the file named file (used in
// messages only). An empty file, or one holding only comments, is an empty
// configuration. Errors as for Load.
func Parse(file string, data []byte) (*Config, error) {
	cfg := &Config{}
	pos, err := decodeStrict(file, data, reflect.ValueOf(cfg).Elem(), ruleFor)
	if err != nil {
		return nil, err
	}
	cfg.File, cfg.Positions = file, pos
	return cfg, nil
}

// decodeStrict fills v from data, the content of file, with the rules
// rules gives for each rule path, and returns where each value stands.
// Errors as for Load.
func decodeStrict(file string, data []byte, v reflect.Value, rules func(string) rule) (Positions, error) {
	if !utf8.Valid(data) {
		e := &Error{File: file, Msg: "is not UTF-8 text; expected a YAML file"}
		e.Line, e.Column = invalidUTF8At(data)
		return nil, Errors{e}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Positions{}, nil
		}
		return nil, Errors{syntaxError(file, data, err)}
	}
	var second yaml.Node
	if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, Errors{syntaxError(file, data, err)}
		}
		return nil, Errors{{File: file, Line: second.Line, Column: second.Column,
			Msg: "a second YAML document starts here; expected a single document"}}
	}

	d := &decoder{file: file, lines: strings.Split(string(data), "\n"), rules: rules, pos: Positions{}}
	if len(doc.Content) == 1 {
		root := resolve(doc.Content[0])
		if !isNull(root) {
			d.value(root, v, "", "")
		}
	}
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	return d.pos, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a YAML parser error into an *Error with its line and
// column. yaml.v3 reports at most a line — often the line where the
// construct began rather than where it broke — so the position comes from
// a second parser (goccy/go-yaml) when that one fails on the file too and
// agrees or points later; else it is yaml.v3's line at its first non-blank
// column, or for an unknown anchor the place of the alias.
func syntaxError(file string, data []byte, err error) *Error {
	msg := err.Error()
	e := &Error{File: file}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	e.Msg = msg + "; expected valid YAML"
	// Of two lines, the later is where the text broke; except at the end
	// of the stream, where the second parser names the opening quote or
	// bracket that was never closed.
	switch line, col := secondOpinion(data); {
	case line > 0 && (e.Line == 0 || line >= e.Line || strings.Contains(msg, "end of stream")):
		e.Line, e.Column = line, col
	case e.Line > 0:
		e.Column = firstColumn(data, e.Line)
	default:
		if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
			e.Line, e.Column = find(data, "*"+m[1])
		}
	}
	return e
}

var unknownAnchor = regexp.MustCompile(`^unknown anchor '([^']*)' referenced`)

// secondOpinion is where goccy/go-yaml's parser stops on data, 0 when it
// accepts it (or fails without a position).
func secondOpinion(data []byte) (line, col int) {
	defer func() {
		if recover() != nil {
			line, col = 0, 0
		}
	}()
	_, err := goyamlparser.ParseBytes(data, 0)
	var ye goyaml.Error
	if err == nil || !errors.As(err, &ye) || ye.GetToken() == nil {
		return 0, 0
	}
	p := ye.GetToken().Position
	if p == nil || p.Line < 1 || p.Column < 1 {
		return 0, 0
	}
	return p.Line, p.Column
}

// firstColumn is the column of the first non-blank character of line (1-based).
func firstColumn(data []byte, line int) int {
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return 1
	}
	text := lines[line-1]
	trimmed := strings.TrimLeft(text, " \t")
	return utf8.RuneCountInString(text[:len(text)-len(trimmed)]) + 1
}

// invalidUTF8At is the line and column of the first byte that is not UTF-8.
func invalidUTF8At(data []byte) (line, col int) {
	line, col = 1, 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		data = data[size:]
	}
	return line, col
}

// find is the line and column of the first occurrence of s in data.
func find(data []byte, s string) (line, col int) {
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 0, 0
	}
	before := data[:i]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

// decoder walks the YAML node tree and the Config type together, filling
// the one from the other and recording every mismatch with its position.
type decoder struct {
	file  string
	lines []string // the file's lines, to tell `{a: b, c}` from `{a: b, c: }`
	errs  Errors
	// rules gives the rule for a rule path: ruleFor for cemark.yaml,
	// another file's own rules for ParseStrict.
	rules func(string) rule
	pos   Positions
}

func (d *decoder) fail(n *yaml.Node, format string, args ...any) {
	if d.full() {
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// full reports whether enough problems were found to stop. Walking on
// would add nothing the user can act on, and stopping bounds the work an
// alias-heavy file can cause: every mapping in Config has a handful of
// known keys, so past the error limit the walk is linear in the file.
func (d *decoder) full() bool { return len(d.errs) >= maxErrors }

// resolve follows aliases to the anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

var dateType = reflect.TypeOf(Date{})

// value fills v from n. path names the field for people ("interfaces[0].port"),
// rpath for ruleFor ("interfaces[].port").
func (d *decoder) value(n *yaml.Node, v reflect.Value, path, rpath string) {
	n = resolve(n)
	if _, seen := d.pos[path]; !seen && path != "" {
		d.pos[path] = Position{Line: n.Line, Column: n.Column}
	}
	if v.Type() == dateType {
		d.date(n, v, path)
		return
	}
	if v.CanAddr() {
		if tu, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
			d.text(n, tu, path, rpath)
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.value(n, p.Elem(), path, rpath)
		v.Set(p)
	case reflect.Struct:
		d.mapping(n, v, path, rpath)
	case reflect.Map:
		d.dict(n, v, path, rpath)
	case reflect.Slice:
		d.list(n, v, path, rpath)
	case reflect.String:
		d.str(n, v, path, rpath)
	case reflect.Bool:
		d.boolean(n, v, path)
	case reflect.Int, reflect.Int64:
		d.integer(n, v, path, rpath)
	default:
		panic(fmt.Sprintf("config: no decoding for %s at %s", v.Type(), path))
	}
}

// field is one key of a mapping and the struct field it fills.
type field struct {
	key   string
	index int
}

func fieldsOf(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if key != "" && key != "-" {
			fs = append(fs, field{key: key, index: i})
		}
	}
	return fs
}

func keyList(fs []field) string {
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = f.key
	}
	return strings.Join(keys, ", ")
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// where names a mapping in a message: "in product", "at the top level".
func where(path string) string {
	if path == "" {
		return "at the top level"
	}
	return "in " + path
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path, rpath string) {
	fs := fieldsOf(v.Type())
	if n.Kind != yaml.MappingNode {
		if path == "" {
			d.fail(n, "the file holds %s; expected a mapping of sections: %s", describe(n), keyList(fs))
		} else {
			d.fail(n, "wrong type for %s: got %s; expected a mapping with keys: %s", path, describe(n), keyList(fs))
		}
		return
	}
	seen := map[string]*yaml.Node{}
	var lastPlain reflect.Value // the string field last set from a plain scalar in a flow mapping
	for i := 0; i+1 < len(n.Content) && !d.full(); i += 2 {
		k, val := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			d.fail(k, "a key %s is %s; expected one of: %s", where(path), describe(k), keyList(fs))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.fail(k, "duplicate key %q %s (first at line %d); expected each key once", k.Value, where(path), first.Line)
			continue
		}
		seen[k.Value] = k
		f, ok := lookup(fs, k.Value)
		if !ok {
			if lastPlain.IsValid() && d.bareFlowKey(n, k, val) {
				// `{justification: Developer image, never shipped}` means, to a
				// person, one text with a comma; YAML reads a second key
				// "never shipped" with no value. An unknown key written without
				// a colon after a plain text is taken as the rest of that text.
				lastPlain.SetString(lastPlain.String() + ", " + k.Value)
				continue
			}
			d.fail(k, "unknown key %q %s; expected one of: %s", k.Value, where(path), keyList(fs))
			continue
		}
		lastPlain = reflect.Value{}
		fv := v.Field(f.index)
		fpath, frpath := join(path, k.Value), join(rpath, k.Value)
		if isNull(val) {
			continue // an empty value states nothing; required fields are checked below
		}
		d.value(val, fv, fpath, frpath)
		// Only free text continues: joining "tcp, udp" would slip past the
		// protocol enumeration.
		if r := d.rules(frpath); n.Style&yaml.FlowStyle != 0 && fv.Kind() == reflect.String &&
			val.Kind == yaml.ScalarNode && val.Style == 0 && r.enum == nil && r.pattern == nil && !r.regexp {
			lastPlain = fv
		}
	}
	for _, f := range fs {
		r := d.rules(join(rpath, f.key))
		if !r.required {
			continue
		}
		if k, ok := seen[f.key]; ok {
			if val := resolve(n.Content[indexOf(n, k)+1]); !isNull(val) {
				continue
			}
		}
		want := r.want
		if r.hasRange {
			want = r.rangeWant()
		}
		d.fail(n, "%s has no %s; expected %s: %s", itemName(path), f.key, f.key, want)
	}
	if r := d.rules(rpath); len(r.exactlyOne) > 0 {
		d.exactlyOne(n, r, path)
	}
}

// exactlyOne checks that the mapping n gives exactly one of r.exactlyOne
// (a null value gives nothing), so that `{identity: a, identity_regexp: b}`
// is an error rather than one of the two silently winning.
func (d *decoder) exactlyOne(n *yaml.Node, r rule, path string) {
	var given []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind == yaml.ScalarNode && contains(r.exactlyOne, k.Value) && !isNull(val) {
			given = append(given, k)
		}
	}
	switch {
	case len(given) == 0:
		d.fail(n, "%s has no %s; expected exactly one: %s", itemName(path), strings.Join(r.exactlyOne, " or "), r.oneWant)
	case len(given) > 1:
		d.fail(given[1], "%s has both %s and %s; expected exactly one: %s", itemName(path), given[0].Value, given[1].Value, r.oneWant)
	}
}

// itemName is how a message names a mapping: "waivers[0]", or "the file".
func itemName(path string) string {
	if path == "" {
		return "the file"
	}
	return path
}

func indexOf(n *yaml.Node, k *yaml.Node) int {
	for i := 0; i < len(n.Content); i += 2 {
		if resolve(n.Content[i]) == k {
			return i
		}
	}
	return -1
}

func lookup(fs []field, key string) (field, bool) {
	for _, f := range fs {
		if f.key == key {
			return f, true
		}
	}
	return field{}, false
}

// bareFlowKey reports whether k is a plain key in the flow mapping n written
// with no colon and no value (`{a: b, c}`), judged from the source text.
func (d *decoder) bareFlowKey(n, k, val *yaml.Node) bool {
	if n.Style&yaml.FlowStyle == 0 || k.Style != 0 || !isNull(val) || val.Value != "" || k.Line < 1 || k.Line > len(d.lines) {
		return false
	}
	line := []rune(d.lines[k.Line-1])
	end := k.Column - 1 + utf8.RuneCountInString(k.Value)
	if k.Column < 1 || end > len(line) || string(line[k.Column-1:end]) != k.Value {
		return false // the key spans lines or is written differently: not a simple case
	}
	rest := strings.TrimLeft(string(line[end:]), " \t\r")
	return rest == "" || rest[0] == ',' || rest[0] == '}'
}

func (d *decoder) dict(n *yaml.Node, v reflect.Value, path, rpath string) {
	r := d.rules(rpath)
	if n.Kind != yaml.MappingNode {
		d.fail(n, "wrong type for %s: got %s; expected a mapping", path, describe(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content) && !d.full(); i += 2 {
		k, val := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			d.fail(k, "a key in %s is %s; expected one of: %s", path, describe(k), strings.Join(r.keys, ", "))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.fail(k, "duplicate key %q in %s (first at line %d); expected each key once", k.Value, path, first.Line)
			continue
		}
		seen[k.Value] = k
		if r.keys != nil && !contains(r.keys, k.Value) {
			d.fail(k, "unknown Annex I point %q in %s; expected one of: %s", k.Value, path, strings.Join(r.keys, ", "))
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		d.value(val, elem, path+"."+k.Value, rpath+".*")
		m.SetMapIndex(reflect.ValueOf(k.Value), elem)
	}
	v.Set(m)
}

func (d *decoder) list(n *yaml.Node, v reflect.Value, path, rpath string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, "wrong type for %s: got %s; expected a list", path, describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		if d.full() {
			break
		}
		d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), rpath+"[]")
	}
	v.Set(s)
}

// scalarTag is the tag of a scalar node, "" for a mapping or a list.
func scalarTag(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.ShortTag()
}

func (d *decoder) str(n *yaml.Node, v reflect.Value, path, rpath string) {
	r := d.rules(rpath)
	switch scalarTag(n) {
	case "!!str", "!!timestamp":
	case "!!int", "!!float", "!!bool":
		d.fail(n, "wrong type for %s: got %s; expected a string (write it in quotes: %q)", path, describe(n), n.Value)
		return
	default:
		d.fail(n, "wrong type for %s: got %s; expected a string", path, describe(n))
		return
	}
	s := n.Value
	switch {
	case r.enum != nil && !contains(r.enum, s):
		d.fail(n, "invalid value %q for %s; expected one of: %s", s, path, strings.Join(r.enum, ", "))
	case r.pattern != nil && !r.pattern.MatchString(s):
		d.fail(n, "invalid value %q for %s; expected %s", s, path, r.want)
	case r.nonBlank && !nonBlankPattern.MatchString(s):
		d.fail(n, "%s is empty; expected %s", path, r.want)
	case r.regexp:
		if _, err := regexp.Compile(s); err != nil {
			d.fail(n, "invalid regular expression %q for %s (%v); expected %s", s, path, err, r.want)
		}
	}
	v.SetString(s)
}

func (d *decoder) boolean(n *yaml.Node, v reflect.Value, path string) {
	if scalarTag(n) != "!!bool" {
		d.fail(n, "wrong type for %s: got %s; expected true or false", path, describe(n))
		return
	}
	v.SetBool(strings.EqualFold(n.Value, "true"))
}

func (d *decoder) integer(n *yaml.Node, v reflect.Value, path, rpath string) {
	r := d.rules(rpath)
	want := "an integer"
	if r.hasRange {
		want = r.rangeWant()
	}
	var i int64
	switch scalarTag(n) {
	case "!!int":
		if err := n.Decode(&i); err != nil {
			d.fail(n, "invalid value %s for %s; expected %s", n.Value, path, want)
			return
		}
	case "!!float":
		// JSON has numbers, not integers: 443.0 and 1e6 are whole numbers
		// to JSON Schema, so they are to cemark too.
		var f float64
		if err := n.Decode(&f); err != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<63 {
			d.fail(n, "invalid value %s for %s; expected %s", n.Value, path, want)
			return
		}
		i = int64(f)
	default:
		d.fail(n, "wrong type for %s: got %s; expected %s", path, describe(n), want)
		return
	}
	if r.hasRange && (i < r.min || i > r.max) {
		d.fail(n, "%s out of range for %s; expected %s", n.Value, path, want)
		return
	}
	v.SetInt(i)
}

func (d *decoder) date(n *yaml.Node, v reflect.Value, path string) {
	switch scalarTag(n) {
	case "!!str", "!!timestamp":
		dt, err := ParseDate(n.Value)
		if err != nil {
			d.fail(n, "invalid date %q for %s; expected YYYY-MM-DD", n.Value, path)
			return
		}
		v.Set(reflect.ValueOf(dt))
	default:
		d.fail(n, "wrong type for %s: got %s; expected a date YYYY-MM-DD", path, describe(n))
	}
}

// describe says what a node is, for "got …" in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("a string (%q)", n.Value)
	case "!!int", "!!float":
		return fmt.Sprintf("a number (%s)", n.Value)
	case "!!bool":
		return fmt.Sprintf("a boolean (%s)", n.Value)
	case "!!null":
		return "nothing"
	case "!!timestamp":
		return fmt.Sprintf("a date (%s)", n.Value)
	case "!!binary":
		return "binary data"
	}
	return fmt.Sprintf("a value tagged %s", n.Tag)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
