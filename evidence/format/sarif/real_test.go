package sarif

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/all"
	formatjson "github.com/cemark/cemark/evidence/format/json"
)

// TestRealReportValidates runs the real catalogue over a small product and
// validates what comes out, so that a family's findings (columns, paths,
// snippets) cannot produce a log GitHub would reject.
func TestRealReportValidates(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"cemark.yaml": "product: {name: demo, version: 1.0.0}\ninterfaces:\n  - {port: 443, protocol: tcp, purpose: HTTPS}\n" +
			"waivers:\n  - {check: CEM-DEF-012, path: \"examples/**\", justification: demo only, approved_by: PS, expires: 2099-01-01}\n" +
			"  - {check: CEM-DEF-001, path: \"old/**\", justification: gone, expires: 2020-01-01}\n",
		"Dockerfile":          "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine\nEXPOSE 23 443\nENV DB_PASSWORD=hunter2\n# cemark:ignore CEM-DEF-011 vendor script pinned elsewhere\nRUN curl -k https://x.example/install.sh | sh\nCMD [\"/app\"]\n",
		"examples/Dockerfile": "FROM node\nENV NODE_ENV=development\nEXPOSE 9229\n",
		"compose.yaml":        "services:\n  web:\n    image: nginx:1.27\n    ports: [\"8080:80\"]\n    privileged: true\n    environment:\n      API_TOKEN: s3cr3t\n",
		"deploy/app.yaml":     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n        - name: app\n          image: app:latest\n          ports: [{containerPort: 6379}]\n",
		"main.go":             "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
	}
	for p, body := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	tgt, err := checks.NewTarget(ctx, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := all.Registry()
	if err != nil {
		t.Fatal(err)
	}
	rep, _, err := all.RunSelected(ctx, reg, tgt, nil, checks.RunOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Fail == 0 {
		t.Fatalf("the product should fail some checks: %+v", rep.Summary)
	}
	var s, j bytes.Buffer
	if err := Encode(&s, rep); err != nil {
		t.Fatal(err)
	}
	validate(t, s.Bytes())
	if err := formatjson.Encode(&j, rep); err != nil {
		t.Fatal(err)
	}
	if err := checks.ValidateReportJSON(j.Bytes()); err != nil {
		t.Error(err)
	}
	for _, secret := range []string{"hunter2", "s3cr3t"} {
		if bytes.Contains(s.Bytes(), []byte(secret)) || bytes.Contains(j.Bytes(), []byte(secret)) {
			t.Errorf("secret %q in the output", secret)
		}
	}
}
