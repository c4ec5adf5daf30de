package systemd

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte("[Socket]\nListenStream=127.0.0.1:80\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := Parse("x.socket", data)
		for _, is := range s.Issues {
			if strings.Contains(is.Message, "parser failed") {
				t.Fatalf("panic: %s", is.Message)
			}
		}
		for _, l := range s.Listens {
			if !l.Unix && (l.Port <= 0 || l.Port > 65535) {
				t.Fatalf("bad port: %+v", l)
			}
		}
	})
}
