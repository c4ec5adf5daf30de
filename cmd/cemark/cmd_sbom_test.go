package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSBOMOutputs(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    []sbomOutput
		wantErr string
	}{
		{"default is CycloneDX on stdout", nil, []sbomOutput{{Format: "cyclonedx-json"}}, ""},
		{"file and stdout", []string{"spdx-json=out/s.json", "cyclonedx-json"}, []sbomOutput{{"spdx-json", "out/s.json"}, {"cyclonedx-json", ""}}, ""},
		{"two on stdout", []string{"spdx-json", "cyclonedx-json"}, nil, "only one format can go to stdout"},
		{"unknown format", []string{"cyclonedx-xml=x"}, nil, `unknown format "cyclonedx-xml"`},
		{"empty file", []string{"spdx-json="}, nil, "no file name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSBOMOutputs(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !isUsageError(err) {
					t.Fatalf("error %v, want a usage error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}
