package surface

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

func TestInventoryMergesSources(t *testing.T) {
	cfg := &config.Config{Interfaces: []config.Interface{{Port: 443, Protocol: "tcp", Purpose: "HTTPS API"}}}
	tgt := tree(t, cfg, map[string]string{
		"Dockerfile": "FROM golang AS build\nEXPOSE 6060\nFROM alpine\nEXPOSE 8080 53/udp\n",
		"compose.yaml": `services:
  app:
    build: .
    ports:
      - "127.0.0.1:6379:6379"
      - "8080:8080"
`,
		"k8s/svc.yaml": `apiVersion: v1
kind: Service
metadata: {name: app}
spec:
  type: NodePort
  ports:
    - port: 443
      targetPort: 8080
      nodePort: 30443
`,
		"deploy/app.socket": "[Socket]\nListenStream=127.0.0.1:9000\n",
		"main.go":           "package main\nimport \"net/http\"\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
		"main_test.go":      "package main\nimport \"net/http\"\nfunc x() { http.ListenAndServe(\":23\", nil) }\n",
		"README.md":         "EXPOSE 22\n",
	})
	tgt.Images = []checks.ImageConfig{{Source: "docker-archive:app.tar", Name: "example/app:1", ExposedPorts: []string{"8080/tcp"}}}
	inv, err := Inventory(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	want := []checks.ExposedInterface{
		{Port: 53, Protocol: "udp", Service: "dns", Places: []checks.Place{{Kind: KindDockerfileExpose, Path: "Dockerfile", Line: 4, Column: 13, Detail: "EXPOSE 53/udp"}}},
		{Port: 443, Protocol: "tcp", Service: "https", Declared: true, Purpose: "HTTPS API", Places: []checks.Place{{Kind: KindK8sService, Path: "k8s/svc.yaml", Line: 7, Column: 7, Detail: "Service app (NodePort) → 8080"}}},
		{Port: 6379, Protocol: "tcp", Service: "redis", Bind: "loopback", Places: []checks.Place{{Kind: KindComposePorts, Path: "compose.yaml", Line: 5, Column: 9, Detail: "service app publishes 6379 → container 6379", Bind: "loopback"}}},
		{Port: 8080, Protocol: "tcp", Service: "http-alt", Bind: "all", TLS: fls(), Places: []checks.Place{
			{Kind: KindDockerfileExpose, Path: "Dockerfile", Line: 4, Column: 8, Detail: "EXPOSE 8080"},
			{Kind: KindComposePorts, Path: "compose.yaml", Line: 6, Column: 9, Detail: "service app publishes 8080 → container 8080", Bind: "all"},
			{Kind: KindImageConfig, Path: "example/app:1", Detail: "image config ExposedPorts 8080/tcp"},
			{Kind: KindSourceListen, Path: "main.go", Line: 3, Column: 15, Detail: "http.ListenAndServe :8080", Bind: "all", TLS: fls()},
		}},
		{Port: 9000, Protocol: "tcp", Service: "http-alt", Bind: "loopback", Places: []checks.Place{{Kind: KindSystemdSocket, Path: "deploy/app.socket", Line: 2, Detail: "ListenStream=127.0.0.1:9000", Bind: "loopback"}}},
		{Port: 30443, Protocol: "tcp", Bind: "all", Places: []checks.Place{{Kind: KindK8sService, Path: "k8s/svc.yaml", Line: 7, Detail: "Service app nodePort on every node → 443", Bind: "all"}}},
	}
	if diff := cmp.Diff(want, inv.Interfaces); diff != "" {
		t.Errorf("interfaces (-want +got):\n%s", diff)
	}
	wantSources := []string{"Dockerfile", "compose.yaml", "deploy/app.socket", "image:example/app:1", "k8s/svc.yaml", "main.go"}
	if diff := cmp.Diff(wantSources, inv.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	// Deterministic: a second target over the same tree encodes the same bytes.
	a, _ := json.Marshal(inv)
	tgt2 := target(t, tgt.Root, cfg)
	tgt2.Images = tgt.Images
	inv2, _ := Inventory(context.Background(), tgt2)
	b, _ := json.Marshal(inv2)
	if string(a) != string(b) {
		t.Error("inventory not deterministic")
	}
}

func TestMergeBind(t *testing.T) {
	for _, c := range []struct {
		binds []string
		want  string
	}{
		{[]string{"", ""}, ""},
		{[]string{"", "loopback"}, "loopback"},
		{[]string{"loopback", "10.0.0.2"}, "10.0.0.2"},
		{[]string{"loopback", "all", "10.0.0.2"}, "all"},
	} {
		var ps []checks.Place
		for _, b := range c.binds {
			ps = append(ps, checks.Place{Bind: b})
		}
		if got := MergeBind(ps); got != c.want {
			t.Errorf("MergeBind(%v) = %q, want %q", c.binds, got, c.want)
		}
	}
}

func TestDraft(t *testing.T) {
	inv := &checks.Inventory{Interfaces: []checks.ExposedInterface{
		{Port: 443, Protocol: "tcp", Bind: "all", TLS: tru()},
		{Port: 9000, Protocol: "tcp", Bind: "loopback"},
		{Port: 53, Protocol: "udp"},
	}}
	want := []config.Interface{{Port: 443, Protocol: "tcp", Bind: "all", TLS: tru()}, {Port: 53, Protocol: "udp"}}
	if diff := cmp.Diff(want, Draft(inv)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
