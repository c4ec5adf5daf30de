package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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

func TestSBOMCommand(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../evidence/sbom/testdata/npm")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "sbom.spdx.json")
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(k string) string {
		if k == "SOURCE_DATE_EPOCH" {
			return "1700000000"
		}
		return ""
	}}
	code := run(context.Background(), []string{"sbom", dir, "-o", "spdx-json=" + out, "-o", "cyclonedx-json", "--product-version", "2.1.0"}, e)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	spdxDoc, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(spdxDoc, []byte(`"spdxVersion": "SPDX-2.3"`)) {
		t.Errorf("SPDX file: %v\n%.200s", err, spdxDoc)
	}
	if !bytes.Contains(stdout.Bytes(), []byte(`"specVersion": "1.6"`)) || !bytes.Contains(stdout.Bytes(), []byte(`"version": "2.1.0"`)) {
		t.Errorf("stdout is not the CycloneDX document of version 2.1.0:\n%.300s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "SBOM: 4 components") {
		t.Errorf("stderr summary: %s", stderr.String())
	}

	stderr.Reset()
	if code := run(context.Background(), []string{"sbom", dir, "--source", "registry:alpine"}, e); code != 2 {
		t.Errorf("bad source: exit %d, want 2 (%s)", code, stderr.String())
	}
}
