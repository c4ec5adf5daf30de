package source

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func tr() *bool { return boolPtr(true) }
func fa() *bool { return boolPtr(false) }

func TestScanGo(t *testing.T) {
	src := `package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
)

const adminAddr = "127.0.0.1:9090"

var addr = flag.String("addr", ":8080", "listen address")

func main() {
	var metrics string
	flag.StringVar(&metrics, "metrics", ":9100", "")
	port := 5353
	// http.ListenAndServe(":23", nil) is only a comment
	go http.ListenAndServe(*addr, nil)
	go http.ListenAndServeTLS(":8443", "c", "k", nil)
	go http.ListenAndServe(adminAddr, nil)
	ln, _ := net.Listen("tcp", metrics)
	pc, _ := net.ListenPacket("udp", fmt.Sprintf(":%d", port))
	_, _ = net.Listen("unix", "/run/x.sock")
	_, _ = net.Listen("tcp", ":0")
	_, _ = net.Listen("tcp", os.Getenv("ADDR"))
	srv := &http.Server{Addr: ":6060"}
	srv.ListenAndServeTLS("", "")
	_, _ = ln, pc
}
`
	got, issue := ScanGo("cmd/main.go", []byte(src))
	if issue != nil {
		t.Fatal(issue)
	}
	want := []Listen{
		{Path: "cmd/main.go", Line: 19, Column: 5, Language: "go", Call: "http.ListenAndServe", Address: ":8080", Port: 8080, Bind: "all", Protocol: "tcp", TLS: fa(), Defaulted: true},
		{Path: "cmd/main.go", Line: 20, Column: 5, Language: "go", Call: "http.ListenAndServeTLS", Address: ":8443", Port: 8443, Bind: "all", Protocol: "tcp", TLS: tr()},
		{Path: "cmd/main.go", Line: 21, Column: 5, Language: "go", Call: "http.ListenAndServe", Address: "127.0.0.1:9090", Port: 9090, Bind: "loopback", Protocol: "tcp", TLS: fa()},
		{Path: "cmd/main.go", Line: 22, Column: 11, Language: "go", Call: "net.Listen", Address: ":9100", Port: 9100, Bind: "all", Protocol: "tcp", Defaulted: true},
		{Path: "cmd/main.go", Line: 23, Column: 11, Language: "go", Call: "net.ListenPacket", Address: ":5353", Port: 5353, Bind: "all", Protocol: "udp"},
		{Path: "cmd/main.go", Line: 27, Column: 22, Language: "go", Call: "http.Server.Addr", Address: ":6060", Port: 6060, Bind: "all", Protocol: "tcp"},
	}
	// http.Server TLS: the file uses both ListenAndServe and ListenAndServeTLS, so unknown.
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, issue := ScanGo("bad.go", []byte("package x\nfunc {")); issue == nil || !issue.Skipped {
		t.Errorf("want a skipped issue for a broken Go file, got %v", issue)
	}
}

func TestScanPython(t *testing.T) {
	src := `import os, socket
PORT = int(os.environ.get("PORT", 8000))
"""
app.run(host="0.0.0.0", port=23)   # inside a docstring
"""
# app.run(port=21)
if __name__ == "__main__":
    app.run(host="0.0.0.0",
            port=5000, debug=False)
    uvicorn.run(app, host="127.0.0.1", port=PORT)
    asyncio.run(main())
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("0.0.0.0", 9000))
    subprocess.run(["ls"])
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 5001)), debug=True)
`
	got := ScanPython("app.py", []byte(src))
	want := []Listen{
		{Path: "app.py", Line: 8, Column: 5, Language: "python", Call: "app.run", Port: 5000, Bind: "all", Protocol: "tcp"},
		{Path: "app.py", Line: 10, Column: 5, Language: "python", Call: "uvicorn.run", Port: 8000, Bind: "loopback", Protocol: "tcp", Defaulted: true},
		{Path: "app.py", Line: 13, Column: 6, Language: "python", Call: "socket.bind", Port: 9000, Bind: "all", Protocol: "tcp"},
		{Path: "app.py", Line: 15, Column: 5, Language: "python", Call: "app.run", Port: 5001, Bind: "all", Protocol: "tcp", Defaulted: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestScanNode(t *testing.T) {
	src := `const express = require('express');
const PORT = process.env.PORT || 3000;
/* app.listen(23) in a block comment
*/
// app.listen(21)
app.listen(PORT, () => console.log("http://localhost:" + PORT));
server.listen(8080, "127.0.0.1");
const secure = https.createServer(opts, app);
secure.listen(8443);
fastify.listen({ port: 4000, host: '0.0.0.0' });
emitter.listen(handler);
http.createServer(app).listen(process.env.PORT ?? 8081)
`
	got := ScanNode("server.js", []byte(src))
	want := []Listen{
		{Path: "server.js", Line: 6, Column: 1, Language: "node", Call: ".listen", Port: 3000, Bind: "all", Protocol: "tcp", Defaulted: true},
		{Path: "server.js", Line: 7, Column: 1, Language: "node", Call: ".listen", Port: 8080, Bind: "loopback", Protocol: "tcp"},
		{Path: "server.js", Line: 9, Column: 1, Language: "node", Call: ".listen", Port: 8443, Bind: "all", Protocol: "tcp", TLS: tr()},
		{Path: "server.js", Line: 10, Column: 1, Language: "node", Call: ".listen", Port: 4000, Bind: "all", Protocol: "tcp"},
		{Path: "server.js", Line: 12, Column: 22, Language: "node", Call: ".listen", Port: 8081, Bind: "all", Protocol: "tcp", TLS: fa(), Defaulted: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSkipped(t *testing.T) {
	for p, want := range map[string]bool{
		"main.go": false, "main_test.go": true, "vendor/x/y.go": true, "web/node_modules/a/index.js": true,
		"test_app.py": true, "app.test.js": true, "a.spec.ts": true, "src/server.ts": false, "types.d.ts": true,
	} {
		if got := Skipped(p); got != want {
			t.Errorf("Skipped(%q) = %v", p, got)
		}
	}
}

func TestScanGoMethods(t *testing.T) {
	src := "package main\n\nimport (\n\t\"net/http\"\n\n\t\"github.com/gin-gonic/gin\"\n)\n\nfunc main() {\n\tsrv := &http.Server{Addr: \":8443\"}\n\tgo srv.ListenAndServeTLS(\"c\", \"k\")\n\tr := gin.Default()\n\tr.Run(\"0.0.0.0:8080\")\n\tr.Run()\n}\n"
	got, _ := ScanGo("main.go", []byte(src))
	want := []Listen{
		{Path: "main.go", Line: 10, Column: 22, Language: "go", Call: "http.Server.Addr", Address: ":8443", Port: 8443, Bind: "all", Protocol: "tcp", TLS: tr()},
		{Path: "main.go", Line: 13, Column: 2, Language: "go", Call: "Run", Address: "0.0.0.0:8080", Port: 8080, Bind: "all", Protocol: "tcp", TLS: fa()},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
