package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes: it must return a config or an
// *Error-bearing error, never panic. Seeds are the test fixtures.
func FuzzParse(f *testing.F) {
	for _, c := range errorCases() {
		f.Add([]byte(c.yaml))
	}
	for _, c := range acceptCases() {
		f.Add([]byte(c.yaml))
	}
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(FileName, data)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v: want exactly one of config and error", cfg, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), FileName) {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

// TestAliasFlood: a file that reuses one big anchor many times is refused
// quickly, not walked for every reuse.
func TestAliasFlood(t *testing.T) {
	var b strings.Builder
	b.WriteString("x: &big {")
	for i := range 20000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("k")
		b.WriteString(strings.Repeat("a", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(": 1")
	}
	b.WriteString("}\ninterfaces: [")
	for i := range 20000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("*big")
	}
	b.WriteString("]\n")
	// Without the error limit this walks 20000 × 20000 keys; with it, the
	// walk stops after maxErrors problems (go test's -timeout is the guard).
	_, err := Parse(FileName, []byte(b.String()))
	if err == nil {
		t.Fatal("alias flood loaded")
	}
	if n := strings.Count(err.Error(), "\n") + 1; n > maxErrors {
		t.Errorf("%d errors reported; want at most %d", n, maxErrors)
	}
}

// BenchmarkParse loads the fixture that uses every field.
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("testdata/schema/full.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(FileName, data); err != nil {
			b.Fatal(err)
		}
	}
}
