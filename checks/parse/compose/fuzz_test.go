package compose

import (
	"context"
	"strings"
	"testing"
)

func FuzzLoad(f *testing.F) {
	f.Add([]byte("services:\n  a:\n    image: x\n    ports: [\"8080:80\"]\n"))
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := Load(context.Background(), root, []File{{Path: "compose.yaml", Data: data}}, nil)
		for _, is := range p.Issues {
			if strings.Contains(is.Message, "loader failed") || strings.Contains(is.Message, "decoder failed") {
				t.Fatalf("panic: %s", is.Message)
			}
		}
	})
}
