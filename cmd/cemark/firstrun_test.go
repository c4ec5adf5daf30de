package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestFirstRunNamesTheFailingFindings: `cemark run` names the failing
// findings, worst first (at most ten, one each with file:line, check ID
// and severity), says how many more there are and the command that lists
// them all, and wraps long lines in CI logs rather than cutting them.
func TestFirstRunNamesTheFailingFindings(t *testing.T) {
	dir := product(t)
	// Twelve debug images, each exposing telnet (critical) as root (high).
	for i := 0; i < 12; i++ {
		df := fmt.Sprintf("FROM debian:12@sha256:%064d\nEXPOSE 23\n", i+1)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("Dockerfile.debug%02d", i)), []byte(df), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// From the product's folder, as a maintainer or a CI job runs it:
	// the paths shown open from there.
	t.Chdir(dir)
	code, _, stderr := cli(t, map[string]string{"CI": "true"}, "run", "--no-docs", "--fail-on", "high")
	if code != exitNotConformant {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if strings.Contains(stderr, "…") {
		t.Errorf("the run's log cuts text:\n%s", stderr)
	}
	lines := strings.Split(stderr, "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "  Failing ") {
			start = i
		}
	}
	if start < 0 {
		t.Fatalf("no list of failing findings:\n%s", stderr)
	}
	var shown []string
	var more string
	for _, l := range lines[start+1:] {
		switch {
		case strings.HasPrefix(l, "      "): // a wrapped line
		case strings.HasPrefix(l, "    ") && strings.Contains(l, "more failing findings"):
			more = l
		case strings.HasPrefix(l, "    "):
			shown = append(shown, l)
		}
		if more != "" {
			break
		}
	}
	if len(shown) != 10 {
		t.Fatalf("%d findings shown, want the 10 worst:\n%s", len(shown), strings.Join(shown, "\n"))
	}
	for i, l := range shown {
		// file:line  CHECK-ID severity  message
		f := strings.Fields(l)
		if len(f) < 4 || !strings.Contains(f[0], ":") || !strings.HasPrefix(f[1], "CEM-") {
			t.Errorf("line %d %q: want file:line, check ID, severity, message", i, l)
		}
		if i < 10 && f[2] != "critical" {
			t.Errorf("line %d %q: the critical findings come first", i, l)
		}
	}
	if !regexp.MustCompile("^    [0-9]+ more failing findings: `cemark check \\.` lists every finding, as does \\.cemark/report\\.md$").MatchString(more) {
		t.Errorf("no command that lists them all: %q", more)
	}
	for _, l := range lines {
		// A line may pass the width only as a single word (a long path).
		if n := utf8.RuneCountInString(l); n > 100 && strings.Count(strings.TrimSpace(l), " ") > 0 && strings.HasPrefix(l, "    ") && !strings.HasPrefix(l, "      ") {
			t.Errorf("line of %d characters not wrapped: %q", n, l)
		}
	}
}

// TestDocsCheckBeforeTheFirstTechnicalFile: `cemark docs --check` on a
// repository with no docs/cra yet passes with a notice saying what to do;
// once committed, a stale file fails (exit 3).
func TestDocsCheckBeforeTheFirstTechnicalFile(t *testing.T) {
	dir := product(t)
	code, _, stderr := cli(t, nil, "docs", dir, "--check")
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "technical file not in the repository yet: run `cemark docs` and commit docs/cra") {
		t.Errorf("no notice:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "docs", "cra")); !os.IsNotExist(err) {
		t.Errorf("docs --check wrote the technical file")
	}
	if code, _, stderr := cli(t, nil, "docs", dir); code != exitOK {
		t.Fatalf("docs: exit %d\n%s", code, stderr)
	}
	readme := filepath.Join(dir, "docs", "cra", "README.md")
	if err := os.WriteFile(readme, append(mustRead(t, readme), "\nhand-made line outside the regions\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	// Another generated file goes missing: stale, not "not yet".
	if err := os.Remove(filepath.Join(dir, "docs", "cra", "05-support-period.md")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, nil, "docs", dir, "--check"); code != exitNotConformant {
		t.Fatalf("stale technical file: exit %d, want 3\n%s", code, stderr)
	}
}

// TestInitDraftsWhatTheProductStates: `cemark init` takes the
// vulnerability contact from security.txt and the policy from SECURITY.md
// (as CEM-VH-001 to 003 read them), drafts only the interfaces of what
// ships (not of a development compose file or an example), and keeps the
// evidence directory out of git: a new .gitignore, or the lines to add to
// an existing one, which it leaves as it is.
func TestInitDraftsWhatTheProductStates(t *testing.T) {
	dir := product(t)
	if err := os.Remove(filepath.Join(dir, "cemark.yaml")); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		".well-known/security.txt": "Contact: mailto:psirt@example.com\nExpires: 2030-01-01T00:00:00Z\n",
		"docker-compose.dev.yml":   "services:\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n",
		"examples/demo/Dockerfile": "FROM scratch\nEXPOSE 9999\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := cli(t, nil, "init", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	cfg := string(mustRead(t, filepath.Join(dir, "cemark.yaml")))
	for _, want := range []string{`contact: "psirt@example.com"`, `cvd_policy: "SECURITY.md"`, "port: 8443", "Detected from\n# .well-known/security.txt and SECURITY.md"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("cemark.yaml lacks %q:\n%s", want, cfg)
		}
	}
	for _, unwanted := range []string{"port: 5432", "port: 9999"} {
		if strings.Contains(cfg, unwanted) {
			t.Errorf("cemark.yaml drafts %q from a development or example file", unwanted)
		}
	}
	if got := string(mustRead(t, filepath.Join(dir, ".gitignore"))); !strings.Contains(got, "\n.cemark/\n") {
		t.Errorf(".gitignore = %q", got)
	}
	if !strings.Contains(out, ".gitignore (ignores .cemark/") {
		t.Errorf("init does not say it wrote .gitignore:\n%s", out)
	}

	// An existing .gitignore that does not ignore .cemark/: lines proposed, file kept.
	dir2 := product(t)
	_ = os.Remove(filepath.Join(dir2, "cemark.yaml"))
	if err := os.WriteFile(filepath.Join(dir2, ".gitignore"), []byte("/bin/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = cli(t, nil, "init", dir2)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if got := string(mustRead(t, filepath.Join(dir2, ".gitignore"))); got != "/bin/\n" {
		t.Errorf("init changed an existing .gitignore: %q", got)
	}
	if !strings.Contains(out, "add to "+filepath.Join(dir2, ".gitignore")) || !strings.Contains(out, "  .cemark/\n") {
		t.Errorf("no lines proposed for .gitignore:\n%s", out)
	}
}
