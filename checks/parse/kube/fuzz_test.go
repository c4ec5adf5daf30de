package kube

import (
	"strings"
	"testing"
)

func FuzzAdd(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: b, ports: [{containerPort: 80}]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := &Manifests{}
		m.Add("x.yaml", data)
		for _, is := range m.Issues {
			if strings.Contains(is.Message, "decoder failed") {
				t.Fatalf("panic: %s", is.Message)
			}
		}
	})
}
