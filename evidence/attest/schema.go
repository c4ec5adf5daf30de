package attest

import (
	"bytes"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const conformitySchemaURL = "https://cemark.dev/conformity/v2/schema.json"

// ValidateConformityPredicate checks a conformity predicate (JSON) against
// the committed JSON Schema.
func ValidateConformityPredicate(predicate []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ConformitySchema()))
	if err != nil {
		return fmt.Errorf("conformity schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(conformitySchemaURL, doc); err != nil {
		return fmt.Errorf("conformity schema: %w", err)
	}
	sch, err := c.Compile(conformitySchemaURL)
	if err != nil {
		return fmt.Errorf("conformity schema: %w", err)
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
