package config

import (
	"os"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPointIDsMatchConformity keeps the risk_assessment keys the loader
// accepts equal to the Annex I points evidence/conformity defines. That
// package imports this one, so the IDs are read from its source rather than
// imported (which would also tie these tests to every package it imports).
func TestPointIDsMatchConformity(t *testing.T) {
	src, err := os.ReadFile("../conformity/points.go")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range regexp.MustCompile(`\{ID: "([^"]+)"`).FindAllSubmatch(src, -1) {
		want = append(want, string(m[1]))
	}
	if len(want) == 0 {
		t.Fatal("no point IDs found in ../conformity/points.go")
	}
	if diff := cmp.Diff(want, AnnexIPointIDs()); diff != "" {
		t.Errorf("config's Annex I point IDs differ from conformity.Points() (-conformity +config):\n%s", diff)
	}
}
