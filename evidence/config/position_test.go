package config

import "testing"

func TestErrorAt(t *testing.T) {
	data := []byte("product:\n  class: important-class-II\nconformity:\n  procedure: module-a\n")
	if got := ErrorAt("cemark.yaml", data, "conformity.procedure", "not open").Error(); got != "cemark.yaml:4:14: not open" {
		t.Errorf("got %q", got)
	}
	if got := ErrorAt("cemark.yaml", data, "conformity.notified_body", "missing").Error(); got != "cemark.yaml: missing" {
		t.Errorf("absent key: got %q", got)
	}
	if got := ErrorAt("", nil, "conformity.procedure", "x").Error(); got != "cemark.yaml: x" {
		t.Errorf("no file: got %q", got)
	}
}
