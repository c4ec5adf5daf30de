package checks

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schema/report.schema.json
var reportSchema []byte

// ReportSchemaID is the $id of report.json's schema.
const ReportSchemaID = "https://cemark.dev/schema/report/1.3.0/report.schema.json"

// ReportSchema returns the JSON Schema of report.json (version
// ReportSchemaVersion), committed at checks/schema/report.schema.json.
func ReportSchema() []byte { return append([]byte(nil), reportSchema...) }

var compiledReportSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(reportSchema))
	if err != nil {
		return nil, fmt.Errorf("parse report schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(ReportSchemaID, doc); err != nil {
		return nil, fmt.Errorf("load report schema: %w", err)
	}
	return c.Compile(ReportSchemaID)
})

// ValidateReportJSON validates an encoded report.json against the schema,
// offline.
func ValidateReportJSON(data []byte) error {
	sch, err := compiledReportSchema()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("parse report: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("report does not match schema %s: %w", ReportSchemaVersion, err)
	}
	return nil
}
