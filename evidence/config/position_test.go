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

func TestErrorAtListItem(t *testing.T) {
	data := []byte("attestations:\n  signers:\n    keys:\n      - a.pub\n      - keys/b.pub\n")
	if got := ErrorAt("cemark.yaml", data, "attestations.signers.keys[1]", "no such file").Error(); got != "cemark.yaml:5:9: no such file" {
		t.Errorf("got %q", got)
	}
	for _, p := range []string{"attestations.signers.keys[2]", "attestations.signers[0]", "attestations.signers.keys[x]"} {
		if got := ErrorAt("cemark.yaml", data, p, "m").Error(); got != "cemark.yaml: m" {
			t.Errorf("%s: got %q", p, got)
		}
	}
}
