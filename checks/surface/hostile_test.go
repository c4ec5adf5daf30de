package surface

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
)

// TestHostileInput: huge, binary, unreadable, deeply nested and
// alias-bomb files, and symlinks out of the root, each give a clear
// per-file message; the other files are still assessed.
func TestHostileInput(t *testing.T) {
	bomb := "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += n + ": &" + n + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n"
		prev = n
	}
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "Dockerfile"), []byte("FROM a\nEXPOSE 23\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tgt := tree(t, nil, map[string]string{
		"good/Dockerfile":        "FROM alpine:3.20\nEXPOSE 8080\n",
		"huge/Dockerfile":        "FROM alpine\n" + strings.Repeat("EXPOSE 23\n", (checks.MaxFileSize/10)+10),
		"bin/Dockerfile":         "\x00\x01ELF",
		"bomb/compose.yaml":      bomb + "services:\n  a:\n    image: x\n",
		"bomb/k8s.yaml":          bomb + "apiVersion: v1\nkind: Pod\n",
		"deep/k8s.yaml":          "apiVersion: v1\nkind: Pod\nspec: " + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + "\n",
		"deep/compose.yaml":      "services:\n  a:\n    image: x\n    labels: " + strings.Repeat("{a: ", 500) + "b" + strings.Repeat("}", 500) + "\n",
		"locked/Dockerfile":      "FROM a\nEXPOSE 2375\n",
		"src/main.go":            "package main\nfunc main( { http.ListenAndServe(\":23\", nil)\n",
		"longline/server.js":     "app.listen(" + strings.Repeat("(", 200000) + "\n",
		"deploy/weird.socket":    "[Socket]\nListenStream=" + strings.Repeat("x", 5000) + "\n",
		"helm/templates/svc.yml": "apiVersion: v1\nkind: Service\nmetadata: {name: {{ .Release.Name }}}\n",
	})
	root := tgt.Root
	if err := os.Symlink(filepath.Join(outside, "Dockerfile"), filepath.Join(root, "linked.Dockerfile")); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(root, "locked", "Dockerfile")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o644) })
	tgt = target(t, root, nil) // re-walk with the symlink

	facts, err := Collect(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	ports := map[int]bool{}
	for _, ei := range facts.Inventory.Interfaces {
		ports[ei.Port] = true
	}
	if !ports[8080] || ports[23] {
		t.Errorf("want 8080 from the good Dockerfile and nothing from the others, got %v", ports)
	}
	issues := map[string]string{}
	for _, is := range facts.Issues {
		issues[is.Path] += is.Message + "; "
	}
	want := map[string]string{
		"huge/Dockerfile":        "too large",
		"bin/Dockerfile":         "binary",
		"bomb/compose.yaml":      "alias bomb",
		"bomb/k8s.yaml":          "alias bomb",
		"deep/k8s.yaml":          "not parsed",
		"deep/compose.yaml":      "deeper than",
		"src/main.go":            "not parsed",
		"helm/templates/svc.yml": "template",
	}
	if os.Geteuid() != 0 { // root reads a file with mode 0 anyway
		want["locked/Dockerfile"] = "permission denied"
	}
	for p, frag := range want {
		if !strings.Contains(issues[p], frag) {
			t.Errorf("%s: want an issue containing %q, got %q", p, frag, issues[p])
		}
	}
	var linkErr bool
	for _, fe := range tgt.Files.Errors() {
		if fe.Path == "linked.Dockerfile" && strings.Contains(fe.Err, "outside the product root") {
			linkErr = true
		}
	}
	if !linkErr {
		t.Errorf("symlink out of the root not reported: %v", tgt.Files.Errors())
	}
	// Every issue becomes a CEM-PORT-004 finding naming its file.
	fs := evalNotAssessed(facts)
	if len(fs) != len(facts.Issues) {
		t.Fatalf("%d findings for %d issues", len(fs), len(facts.Issues))
	}
	for _, f := range fs {
		if f.Path == "" || (f.Outcome != checks.Error && f.Outcome != checks.Info) {
			t.Errorf("finding: %+v", f)
		}
	}
}
