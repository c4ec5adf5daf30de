package surface

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: on a shared, loaded
// machine it says more about the cost than wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// genTree writes a mixed product tree of n files: Dockerfiles, compose
// files, Kubernetes manifests, other YAML, Go, Python and JavaScript
// sources, tests, vendored code and documents. It returns how many files
// the surface collection should read (the candidates).
func genTree(tb testing.TB, dir string, n int) (candidates int) {
	tb.Helper()
	write := func(p, content string) {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
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
	return candidates
}

// TestEachFileReadOnce: the collection reads every candidate file exactly
// once and nothing else; collecting again (as every check does) reads
// nothing more.
func TestEachFileReadOnce(t *testing.T) {
	dir := t.TempDir()
	want := genTree(t, dir, 2000)
	tgt := target(t, dir, nil)
	facts, err := Collect(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if got := tgt.Files.DiskReads(); got != int64(want) {
		t.Errorf("read %d files, want %d (each candidate once, nothing else)", got, want)
	}
	for _, c := range Checks() {
		if _, err := c.Collect(context.Background(), tgt); err != nil {
			t.Fatal(err)
		}
	}
	if got := tgt.Files.DiskReads(); got != int64(want) {
		t.Errorf("after every check collected: %d reads, want still %d", got, want)
	}
	if len(facts.Inventory.Interfaces) == 0 || len(facts.Issues) != 0 {
		t.Errorf("inventory: %d interfaces, issues %v", len(facts.Inventory.Interfaces), facts.Issues)
	}
}

// BenchmarkCollect10k walks a 10 000-file tree and collects the surface
// (every parser) over it, as one run does.
func BenchmarkCollect10k(b *testing.B) {
	dir := b.TempDir()
	genTree(b, dir, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		tgt := target(b, dir, nil)
		if _, err := Collect(context.Background(), tgt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e9, "cpu-s/op")
}

// BenchmarkCollectOnly10k times the collection alone (walk excluded).
func BenchmarkCollectOnly10k(b *testing.B) {
	dir := b.TempDir()
	genTree(b, dir, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tgt := target(b, dir, nil)
		c0 := cpuTime()
		b.StartTimer()
		if _, err := Collect(context.Background(), tgt); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu)/float64(b.N)/1e9, "cpu-s/op")
}
