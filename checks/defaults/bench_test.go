package defaults

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/internal/cputime"
)

// writeTree generates a product tree of n files: mostly source code, with
// Dockerfiles, Kubernetes manifests, compose files and configuration files
// mixed in, some of them with findings.
func writeTree(tb testing.TB, root string, n int) {
	tb.Helper()
	goSrc := "package p\n\nimport \"crypto/tls\"\n\nvar cfg = &tls.Config{MinVersion: tls.VersionTLS12}\n\n" + strings.Repeat("// filler line of a Go source file\nfunc f() int { return 1 }\n", 30)
	pySrc := "import requests\n\n" + strings.Repeat("def handler(request):\n    return requests.get(URL, timeout=5)\n", 30)
	jsSrc := "const https = require('https');\n" + strings.Repeat("function h(req, res) { res.end('ok'); }\n", 40)
	docker := "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nENV GIN_MODE=release\nUSER 10001\n"
	k8s := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example.com/api:1.0\n          env:\n            - name: LOG_LEVEL\n              value: info\n"
	conf := "[server]\nhost = 0.0.0.0\nworkers = 4\npassword = ${APP_PASSWORD}\n"
	for i := 0; i < n; i++ {
		dir := filepath.Join(root, fmt.Sprintf("svc%03d", i/50), fmt.Sprintf("pkg%02d", i%10))
		var name, data string
		switch i % 100 {
		case 0, 1:
			name, data = "Dockerfile", docker
		case 2, 3, 4:
			name, data = fmt.Sprintf("deploy%d.yaml", i), k8s
		case 5, 6, 7:
			name, data = fmt.Sprintf("app%d.ini", i), conf
		case 8:
			name, data = "compose.yaml", "services:\n  app:\n    image: registry.example.com/app:1.0\n    environment:\n      LOG_LEVEL: info\n"
		default:
			switch i % 4 {
			case 0:
				name, data = fmt.Sprintf("f%d.go", i), goSrc
			case 1:
				name, data = fmt.Sprintf("f%d.py", i), pySrc
			case 2:
				name, data = fmt.Sprintf("f%d.js", i), jsSrc
			default:
				name, data = fmt.Sprintf("f%d.md", i), "# notes\n"
			}
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			p = filepath.Join(dir, fmt.Sprintf("x%d-%s", i, name))
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkDefaults10k runs the family (walk, read, parse, evaluate) over
// a generated 10 000-file tree, from a fresh Target each time.
func BenchmarkDefaults10k(b *testing.B) {
	root := b.TempDir()
	writeTree(b, root, 10_000)
	reg, err := checks.NewRegistry(Checks()...)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// CPU time as well as wall time: on a shared machine the wall time
	// says more about the neighbours than about cemark.
	before := cputime.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tgt, err := checks.NewTarget(ctx, root, nil)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := checks.Run(ctx, reg, tgt, checks.RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.FileErrors) > 0 {
			b.Fatalf("file errors: %v", rep.FileErrors[0])
		}
	}
	b.StopTimer()
	cpu := (cputime.Now() - before) / time.Duration(b.N)
	b.ReportMetric(float64(cpu.Milliseconds()), "cpu-ms/op")
}
