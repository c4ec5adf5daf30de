package surface

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
)

func TestWriteTable(t *testing.T) {
	inv := &checks.Inventory{Interfaces: []checks.ExposedInterface{
		{Port: 443, Protocol: "tcp", Service: "https", Bind: "all", TLS: tru(), Declared: true, Purpose: "API", Places: []checks.Place{
			{Kind: KindK8sIngress, Path: "k8s/ing.yaml", Line: 7, Detail: "Ingress web TLS for example.com"},
			{Kind: KindImageConfig, Path: "example/app:1"},
		}},
		{Port: 6379, Protocol: "tcp", Service: "redis", Places: []checks.Place{{Kind: KindDockerfileExpose, Path: "Dockerfile", Line: 2, Detail: "EXPOSE 6379"}}},
	}}
	var buf bytes.Buffer
	if err := WriteTable(&buf, inv); err != nil {
		t.Fatal(err)
	}
	want := "PORT  PROTO  SERVICE  BIND  TLS  DECLARED   PLACES\n" +
		"443   tcp    https    all   yes  yes (API)  k8s-ingress k8s/ing.yaml:7 — Ingress web TLS for example.com\n" +
		"                                            image-config example/app:1\n" +
		"6379  tcp    redis    ?     ?    no         dockerfile-expose Dockerfile:2 — EXPOSE 6379\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	buf.Reset()
	if err := WriteTable(&buf, &checks.Inventory{}); err != nil || buf.String() != "No exposed network interface found.\n" {
		t.Errorf("empty: %q %v", buf.String(), err)
	}
	buf.Reset()
	if err := WriteJSON(&buf, inv); err != nil {
		t.Fatal(err)
	}
	var back checks.Inventory
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Interfaces) != 2 {
		t.Errorf("JSON round trip: %v %+v", err, back)
	}
}
