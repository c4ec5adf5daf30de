// Package treegen writes generated product trees for benchmarks and
// read-once tests: a mix of Dockerfiles, compose files, Kubernetes
// manifests, other YAML, Go, Python and JavaScript sources, tests,
// vendored code, systemd sockets and documents.
package treegen

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Write writes a mixed product tree of n files (see Tree) and fails the
// test or benchmark when it cannot.
func Write(tb testing.TB, dir string, n int) int {
	tb.Helper()
	candidates, err := Tree(dir, n)
	if err != nil {
		tb.Fatal(err)
	}
	return candidates
}

// Tree writes a mixed product tree of n files: Dockerfiles, compose
// files, Kubernetes manifests, other YAML, Go, Python and JavaScript
// sources, tests, vendored code and documents. It returns how many files
// the surface collection should read (the candidates).
func Tree(dir string, n int) (candidates int, err error) {
	write := func(p, content string) {
		if err != nil {
			return
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err = os.MkdirAll(filepath.Dir(full), 0o755); err == nil {
			err = os.WriteFile(full, []byte(content), 0o644)
		}
	}
	for i := 0; i < n; i++ {
		d := fmt.Sprintf("svc%03d", i/50)
		switch i % 20 {
		case 0:
			write(fmt.Sprintf("%s/app%d/Dockerfile", d, i), fmt.Sprintf("ARG P=%d\nFROM golang:1.22 AS build\nRUN go build ./...\nFROM alpine:3.20\nUSER app\nEXPOSE ${P} 9%03d/udp\n", 8000+i%1000, i%1000))
			candidates++
		case 1:
			write(fmt.Sprintf("%s/app%d/compose.yaml", d, i), fmt.Sprintf("services:\n  web:\n    image: web:%d\n    ports:\n      - \"127.0.0.1:%d:80\"\n    environment:\n      MODE: prod\n", i, 10000+i))
			candidates++
		case 2, 3, 4:
			write(fmt.Sprintf("%s/k8s/m%d.yaml", d, i), fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d%d\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: x:1\n          ports:\n            - containerPort: %d\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s%d\nspec:\n  ports:\n    - port: 80\n      targetPort: %d\n", i, 20000+i, i, 20000+i))
			candidates++
		case 5, 6:
			write(fmt.Sprintf("%s/conf/c%d.yml", d, i), "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n")
			candidates++ // YAML is read to tell manifests apart
		case 7, 8, 9:
			write(fmt.Sprintf("%s/go/f%d.go", d, i), fmt.Sprintf("package p\n\nimport \"net/http\"\n\nfunc Serve%d() error { return http.ListenAndServe(\"127.0.0.1:%d\", nil) }\n", i, 30000+i))
			candidates++
		case 10:
			write(fmt.Sprintf("%s/go/f%d_test.go", d, i), "package p\n")
		case 11, 12:
			write(fmt.Sprintf("%s/py/m%d.py", d, i), fmt.Sprintf("import uvicorn\n\n# app.run(port=23)\nif __name__ == '__main__':\n    uvicorn.run(app, host='127.0.0.1', port=%d)\n", 40000+i))
			candidates++
		case 13, 14:
			write(fmt.Sprintf("%s/js/s%d.js", d, i), fmt.Sprintf("const app = require('express')();\n// app.listen(23)\napp.listen(process.env.PORT || %d, '127.0.0.1');\n", 50000+i))
			candidates++
		case 15:
			write(fmt.Sprintf("%s/node_modules/x/i%d.js", d, i), "server.listen(6379)\n")
		case 16:
			write(fmt.Sprintf("%s/deploy/u%d.socket", d, i), fmt.Sprintf("[Socket]\nListenStream=127.0.0.1:%d\n", 60000+i%5000))
			candidates++
		default:
			write(fmt.Sprintf("%s/docs/n%d.md", d, i), "# Notes\n\nEXPOSE 22 is not a port here.\n")
		}
	}
	return candidates, err
}
