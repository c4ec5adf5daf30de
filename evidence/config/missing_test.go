package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fields(ms []MissingInput) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Field
	}
	return out
}

func TestMissing(t *testing.T) {
	complete, err := Load("testdata/issue-examples.yaml")
	if err != nil {
		t.Fatal(err)
	}
	complete.Product.Type = "software"
	complete.Product.TypeDesignation = "GW-200"
	complete.Conformity.Procedure = ProcedureModuleA
	complete.Reporting = Reporting{MemberState: "DK", CSIRT: "CFCS"}
	tests := []struct {
		name string
		cfg  func() *Config
		want []string
	}{
		{"empty configuration", func() *Config { return &Config{} }, []string{
			"conformity.procedure", "manufacturer.address", "manufacturer.email", "manufacturer.name",
			"product.class", "product.description", "product.first_placed_on_market",
			"product.intended_purpose", "product.support.end", "product.support.rationale",
			"product.type", "product.type_designation",
			"reporting.csirt", "reporting.member_state", "security.contact", "security.cvd_policy",
		}},
		{"complete", func() *Config { c := *complete; return &c }, []string{}},
		{"white space is missing", func() *Config {
			c := *complete
			c.Manufacturer.Address = "  "
			return &c
		}, []string{"manufacturer.address"}},
		{"a steward states its cybersecurity policy, not a procedure", func() *Config {
			c := *complete
			c.Manufacturer.Role = RoleSteward
			return &c
		}, []string{"security.cybersecurity_policy"}},
		{"important class asks whether open source", func() *Config {
			c := *complete
			c.Product.Class, c.Product.OpenSource = ClassImportantClassI, nil
			return &c
		}, []string{"product.open_source"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Missing(tc.cfg())
			if diff := cmp.Diff(tc.want, fields(got)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			for _, m := range got {
				if m.Why == "" || m.Clause == "" {
					t.Errorf("%s: empty why or clause", m.Field)
				}
			}
		})
	}
}
