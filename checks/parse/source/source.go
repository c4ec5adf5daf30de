// Package source finds listen sites in source code with a literal or
// defaulted port: Go with go/parser (net.Listen, http.ListenAndServe[TLS],
// http.Server{Addr:}, addresses from constants and flag defaults in the
// same file, gin/echo Run/Start), Python and Node with careful line
// patterns that skip comments and docstrings.
//
// Vendored code, node_modules, test files and testdata are not the
// product's listeners and are skipped.
package source

import (
	"bytes"
	"context"
	"path"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse"
)

// MemoKey is the Target.Memo key of the listen sites.
const MemoKey = "parse/source"

// Listen is one listen site.
type Listen struct {
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Column   int    `json:"column,omitempty"`
	Language string `json:"language"` // go | python | node
	// Call names what listens: "net.Listen", "http.ListenAndServeTLS",
	// "http.Server.Addr", "app.run", "uvicorn.run", "socket.bind", ".listen" …
	Call    string `json:"call"`
	Address string `json:"address,omitempty"` // resolved address as written, e.g. ":8080"
	Port    int    `json:"port"`
	// Bind is all | loopback | an address; empty when unknown.
	Bind     string `json:"bind,omitempty"`
	Protocol string `json:"protocol"`
	TLS      *bool  `json:"tls,omitempty"` // nil: unknown
	// Defaulted is true when the port is a default (flag default, env
	// fallback) the operator may change.
	Defaulted bool `json:"defaulted,omitempty"`
}

// Result is every listen site found.
type Result struct {
	Listens []Listen `json:"listens,omitempty"`
	// Issues are source files that could not be parsed (Skipped: the
	// inventory may miss their listeners, nothing more).
	Issues []parse.Issue `json:"issues,omitempty"`
}

// Language returns the language a path is scanned as ("" for none).
func Language(rel string) string {
	if Skipped(rel) {
		return ""
	}
	switch strings.ToLower(path.Ext(rel)) {
	case ".go":
		return "go"
	case ".py":
		return "python"
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts":
		return "node"
	}
	return ""
}

// Skipped reports whether a path is vendored, a dependency, a test or a fixture.
func Skipped(rel string) bool {
	for _, seg := range strings.Split(path.Dir(rel), "/") {
		switch seg {
		case "vendor", "node_modules", "testdata", "__tests__", "third_party", ".venv", "venv", "site-packages", "dist", "build":
			return true
		}
	}
	base := strings.ToLower(path.Base(rel))
	switch {
	case strings.HasSuffix(base, "_test.go"),
		strings.HasPrefix(base, "test_") && strings.HasSuffix(base, ".py"),
		strings.HasSuffix(base, "_test.py"),
		base == "conftest.py",
		strings.HasSuffix(base, ".d.ts"),
		strings.HasSuffix(base, ".min.js"):
		return true
	}
	for _, s := range []string{".test.", ".spec."} {
		if strings.Contains(base, s) {
			return true
		}
	}
	return false
}

// Scan returns the target's listen sites, found once per run.
func Scan(ctx context.Context, t *checks.Target) (*Result, error) {
	return checks.Memoized(t.Memo, MemoKey, func() (*Result, error) {
		r := &Result{}
		for _, e := range t.Files.Match(func(rel string) bool { return Language(rel) != "" }) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			data, err := t.Files.Read(e.Path)
			if err != nil {
				continue // recorded in t.Files.Errors()
			}
			r.Add(e.Path, data)
		}
		r.Sort()
		return r, nil
	})
}

// Add scans one file by its language.
func (r *Result) Add(p string, data []byte) {
	var got []Listen
	var issue *parse.Issue
	switch Language(p) {
	case "go":
		if !bytes.Contains(data, []byte("Listen")) && !bytes.Contains(data, []byte("Addr")) &&
			!bytes.Contains(data, []byte(".Run(")) && !bytes.Contains(data, []byte(".Start")) {
			return
		}
		got, issue = ScanGo(p, data)
	case "python":
		if !bytes.Contains(data, []byte(".run(")) && !bytes.Contains(data, []byte(".bind(")) {
			return
		}
		got = ScanPython(p, data)
	case "node":
		if !bytes.Contains(data, []byte(".listen(")) {
			return
		}
		got = ScanNode(p, data)
	}
	r.Listens = append(r.Listens, got...)
	if issue != nil {
		r.Issues = append(r.Issues, *issue)
	}
}

// Sort orders the listen sites by path and line (Scan does it once at
// the end; callers of Add do it when they are done).
func (r *Result) Sort() {
	sort.SliceStable(r.Listens, func(i, j int) bool {
		a, b := r.Listens[i], r.Listens[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

func boolPtr(b bool) *bool { return &b }
