package dockerfile

import (
	"strings"
	"testing"
)

// FuzzParse: any input gives a File, never a panic (a recovered panic
// would show as a "parser failed" issue).
func FuzzParse(f *testing.F) {
	f.Add([]byte("FROM alpine\nEXPOSE 80\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		df := Parse("Dockerfile", data, []string{"build"})
		if df == nil {
			t.Fatal("nil file")
		}
		for _, is := range df.Issues {
			if strings.Contains(is.Message, "parser failed") {
				t.Fatalf("panic: %s", is.Message)
			}
		}
		for _, s := range df.Stages {
			for _, p := range s.Expose {
				if p.Port < 0 || p.Port > 65535 {
					t.Fatalf("port out of range: %+v", p)
				}
			}
		}
	})
}
