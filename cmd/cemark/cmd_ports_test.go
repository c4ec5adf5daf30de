package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
)

func TestPortsCommand(t *testing.T) {
	root := t.TempDir()
	for p, body := range map[string]string{
		"cemark.yaml":  "interfaces:\n  - {port: 8080, protocol: tcp, purpose: API}\n",
		"Dockerfile":   "FROM alpine:3.20\nEXPOSE 8080 6379\n",
		"compose.yaml": "services:\n  app: [\n",
	} {
		if err := os.WriteFile(filepath.Join(root, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := cli(t, nil, "ports", root)
	if code != 0 || !strings.Contains(out, "8080  tcp") || !strings.Contains(out, "yes (API)") || !strings.Contains(out, "6379") {
		t.Fatalf("table: code %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "compose.yaml") {
		t.Errorf("the unparseable compose file is not named on stderr: %q", errOut)
	}
	code, out, _ = cli(t, nil, "ports", "--json", root)
	var inv checks.Inventory
	if err := json.Unmarshal([]byte(out), &inv); code != 0 || err != nil || len(inv.Interfaces) != 2 || !inv.Interfaces[1].Declared || inv.Interfaces[0].Port != 6379 {
		t.Fatalf("json: code %d err %v\n%s", code, err, out)
	}
	if code, _, _ := cli(t, nil, "ports", filepath.Join(root, "missing")); code != 2 {
		t.Errorf("missing root: exit %d, want 2", code)
	}
	if err := os.WriteFile(filepath.Join(root, "cemark.yaml"), []byte("interfaces: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := cli(t, nil, "ports", root); code != 2 {
		t.Errorf("bad cemark.yaml: exit %d, want 2", code)
	}
}
