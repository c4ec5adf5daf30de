package attest

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const conformitySchemaURL = "https://cemark.dev/conformity/v2/schema.json"

// conformitySchema is the committed schema, compiled once: a few ms that
// a run would otherwise spend on every conformity statement, after the
// SBOM.
var conformitySchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ConformitySchema()))
	if err != nil {
		return nil, fmt.Errorf("conformity schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(conformitySchemaURL, doc); err != nil {
		return nil, fmt.Errorf("conformity schema: %w", err)
	}
	sch, err := c.Compile(conformitySchemaURL)
	if err != nil {
		return nil, fmt.Errorf("conformity schema: %w", err)
	}
	return sch, nil
})

// CompileConformitySchema compiles the schema ValidateConformityPredicate
// checks against, if it is not yet: a run calls it in the background
// early on, while the SBOM is made, rather than on the way to signing.
func CompileConformitySchema() { _, _ = conformitySchema() }

// ValidateConformityPredicate checks a conformity predicate (JSON) against
// the committed JSON Schema.
func ValidateConformityPredicate(predicate []byte) error {
	sch, err := conformitySchema()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(predicate))
	if err != nil {
		return fmt.Errorf("conformity predicate is not JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("conformity predicate does not match its schema: %w", err)
	}
	return nil
}
