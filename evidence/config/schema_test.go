package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // "format": "date" rejects 2026-02-30, as the loader does
	if err := c.AddResource(SchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SchemaURL)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return s
}

// yamlToJSON converts a YAML file to the JSON value an editor's YAML
// language server validates: one document, scalars by their resolved tag,
// dates as text. What JSON cannot hold (a second document, a duplicate
// key, a custom tag) is an error, i.e. not accepted.
func yamlToJSON(data []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("more than one document")
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	v, err := nodeToJSON(doc.Content[0])
	if err != nil {
		return nil, err
	}
	// Round-trip through encoding/json so numbers are what a JSON parser gives.
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(raw))
}

func nodeToJSON(n *yaml.Node) (any, error) {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolve(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: non-scalar key", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			v, err := nodeToJSON(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		out := []any{}
		for _, item := range n.Content {
			v, err := nodeToJSON(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str", "!!timestamp":
			return n.Value, nil
		case "!!null":
			return nil, nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				return nil, err
			}
			return v, nil
		}
		return nil, fmt.Errorf("line %d: tag %s has no JSON form", n.Line, n.Tag)
	}
	return nil, fmt.Errorf("line %d: unexpected node", n.Line)
}

type agreementCase struct {
	name string
	yaml string
}

// agreementCases are every configuration the loader tests use, plus the
// files in testdata/schema (named invalid-*.yaml when they must not load).
func agreementCases(t *testing.T) []agreementCase {
	var cases []agreementCase
	for _, c := range errorCases() {
		cases = append(cases, agreementCase{"error/" + c.name, c.yaml})
	}
	for _, c := range acceptCases() {
		cases = append(cases, agreementCase{"accept/" + c.name, c.yaml})
	}
	files, err := filepath.Glob(filepath.Join("testdata", "schema", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, agreementCase{"file/" + filepath.Base(f), string(data)})
	}
	return cases
}

// TestSchemaAcceptsWhatLoaderAccepts runs every fixture through the loader
// and through the JSON Schema and asserts both accept exactly the same set.
func TestSchemaAcceptsWhatLoaderAccepts(t *testing.T) {
	schema := compileSchema(t)
	cases := agreementCases(t)
	if len(cases) < 25 {
		t.Fatalf("only %d fixtures; want at least 25", len(cases))
	}
	accepted := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, loadErr := Parse("cemark.yaml", []byte(tc.yaml))
			var schemaErr error
			v, err := yamlToJSON([]byte(tc.yaml))
			if err != nil {
				schemaErr = err
			} else {
				schemaErr = schema.Validate(v)
			}
			if (loadErr == nil) != (schemaErr == nil) {
				t.Errorf("loader and schema disagree on\n%s\nloader: %v\nschema: %v", tc.yaml, loadErr, schemaErr)
			}
			if loadErr == nil {
				accepted++
			}
			// Files say in their name which side they are on.
			if strings.HasPrefix(tc.name, "file/invalid-") && loadErr == nil {
				t.Errorf("%s loads; its name says it must not", tc.name)
			}
			if strings.HasPrefix(tc.name, "file/") && !strings.HasPrefix(tc.name, "file/invalid-") && loadErr != nil {
				t.Errorf("%s: %v", tc.name, loadErr)
			}
		})
	}
	if accepted == 0 || accepted == len(cases) {
		t.Errorf("%d of %d fixtures accepted; the table needs both kinds", accepted, len(cases))
	}
}

// TestFlowCommaContinuation pins the one place the loader is more lenient
// than YAML, and so than the schema: `{justification: Developer image, never
// shipped}` is one text to a person (the issue's own example) and to the
// loader, but a second key "never shipped" to YAML, which an editor flags.
func TestFlowCommaContinuation(t *testing.T) {
	data, err := os.ReadFile("testdata/issue-examples.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("cemark.yaml", data); err != nil {
		t.Fatalf("loader: %v", err)
	}
	v, err := yamlToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t).Validate(v); err == nil || !strings.Contains(err.Error(), "never shipped") {
		t.Errorf("schema: %v; want it to flag the key \"never shipped\"", err)
	}
	quoted := strings.Replace(string(data), "justification: Developer image, never shipped", `justification: "Developer image, never shipped"`, 1)
	v, err = yamlToJSON([]byte(quoted))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t).Validate(v); err != nil {
		t.Errorf("schema rejects the quoted issue example: %v", err)
	}
}

// TestSchemaCoversConfig keeps the schema's properties and Config's yaml
// fields equal both ways, so a field added to Config without the schema
// (or the reverse) fails here.
func TestSchemaCoversConfig(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema["$defs"].(map[string]any)
	var walk func(prefix string, s map[string]any, typ reflect.Type)
	var fromSchema, fromGo []string
	walk = func(prefix string, s map[string]any, typ reflect.Type) {
		if ref, ok := s["$ref"].(string); ok {
			s = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
			if items, ok := s["items"].(map[string]any); ok {
				s = items
				if ref, ok := s["$ref"].(string); ok {
					s = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
				}
			}
		}
		if typ.Kind() == reflect.Map {
			add, _ := s["additionalProperties"].(map[string]any)
			if add == nil {
				t.Errorf("%s: map without additionalProperties schema", prefix)
				return
			}
			walk(prefix+".*", add, typ.Elem())
			return
		}
		if typ.Kind() != reflect.Struct || typ == dateType {
			return
		}
		props, _ := s["properties"].(map[string]any)
		for k, sub := range props {
			fromSchema = append(fromSchema, prefix+k)
			_ = sub
		}
		if s["additionalProperties"] != false {
			t.Errorf("%s: object without additionalProperties: false", prefix)
		}
		for _, f := range fieldsOf(typ) {
			fromGo = append(fromGo, prefix+f.key)
			if sub, ok := props[f.key].(map[string]any); ok {
				walk(prefix+f.key+".", sub, typ.Field(f.index).Type)
			}
		}
	}
	walk("", schema, reflect.TypeOf(Config{}))
	sort.Strings(fromSchema)
	sort.Strings(fromGo)
	if diff := cmp.Diff(fromGo, fromSchema); diff != "" {
		t.Errorf("schema properties differ from Config's fields (-Go +schema):\n%s", diff)
	}
}
