package source

import (
	"strings"
	"testing"
)

func checkPorts(t *testing.T, ls []Listen) {
	for _, l := range ls {
		if l.Port <= 0 || l.Port > 65535 {
			t.Fatalf("bad port: %+v", l)
		}
	}
}

func FuzzScanGo(f *testing.F) {
	f.Add([]byte("package main\nimport \"net/http\"\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ls, issue := ScanGo("main.go", data)
		if issue != nil && strings.Contains(issue.Message, "parser failed") {
			t.Fatalf("panic: %s", issue.Message)
		}
		checkPorts(t, ls)
	})
}

func FuzzScanPython(f *testing.F) {
	f.Add([]byte("app.run(host=\"0.0.0.0\", port=5000)\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkPorts(t, ScanPython("app.py", data)) })
}

func FuzzScanNode(f *testing.F) {
	f.Add([]byte("app.listen(process.env.PORT || 3000, '127.0.0.1')\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkPorts(t, ScanNode("server.js", data)) })
}
