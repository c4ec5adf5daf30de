package checks

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The import rules of checks/ (STYLE.md, "Where the house stands"):
//
//   - a package under checks/ imports nothing of evidence but the config
//     model, evidence/config: the checks judge what the pipeline hands them
//     and never reach back into it;
//   - no check family imports another family, directly or through a
//     shared package under checks/: what two families share lives in
//     checks/ or checks/internal (the keyring in checks/internal/sigverify,
//     the Art. 14 model in checks/art14).
//
// A family is a package directly under checks/ that declares the family
// contract of doc.go, Checks and MetaFS; its sub-packages belong to it.
// The rules hold for what ships: test code (_test.go files and the helper
// packages named *test) may import what it needs to build fixtures —
// evidence's test helpers, another family for a corpus written against
// two. The graph is read from the source of every .go file whatever its
// build constraints, so an import in a Windows-only file is caught on
// Linux too.

// allowedEvidence is the one evidence package the checks may import.
const allowedEvidence = "evidence/config"

func TestImportRules(t *testing.T) {
	module, err := modulePath(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := readImportGraph(".", module+"/checks")
	if err != nil {
		t.Fatal(err)
	}
	// The rule must see the families, or it proves nothing.
	for _, f := range []string{"defaults", "report", "surface", "updates", "vulnhandling", "vulns"} {
		if !g.families[f] {
			t.Errorf("family %s not found among %v", f, g.familyNames())
		}
	}
	for _, v := range g.violations(module) {
		t.Error(v)
	}
}

// TestImportRulesCatchViolations runs the rules on a made-up checks/ tree
// that breaks each of them.
func TestImportRulesCatchViolations(t *testing.T) {
	root := t.TempDir()
	family := "package %s\n\nimport (\n%s)\n\nfunc Checks() {}\nfunc MetaFS() {}\n"
	files := map[string]string{
		"alpha/alpha.go":                  fmt.Sprintf(family, "alpha", "\t\"example.com/m/checks/shared\"\n\t\"example.com/m/evidence/report\"\n"),
		"alpha/alpha_test.go":             "package alpha\n\nimport _ \"example.com/m/evidence/exitcode\"\n",
		"beta/beta.go":                    fmt.Sprintf(family, "beta", "\t\"example.com/m/evidence/config\"\n"),
		"beta/sub/sub.go":                 "package sub\n",
		"gamma/gamma.go":                  fmt.Sprintf(family, "gamma", "\t\"example.com/m/checks/beta/sub\"\n"),
		"shared/shared.go":                "package shared\n\nimport \"example.com/m/checks/beta\"\n",
		"shared/sharedtest/sharedtest.go": "package sharedtest\n\nimport \"example.com/m/evidence/attest/sigstoretest\"\n",
		"testdata/x/x.go":                 "package x\n\nimport \"example.com/m/evidence/pipeline\"\n",
	}
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g, err := readImportGraph(root, "example.com/m/checks")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(g.violations("example.com/m"), "\n")
	for _, want := range []string{
		"alpha/alpha.go:5:2: example.com/m/checks/alpha imports example.com/m/evidence/report",
		"family alpha imports family beta: example.com/m/checks/alpha -> example.com/m/checks/shared -> example.com/m/checks/beta",
		"family gamma imports family beta: example.com/m/checks/gamma -> example.com/m/checks/beta/sub",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	for _, notWanted := range []string{"exitcode", "sigstoretest", "imports example.com/m/evidence/config", "evidence/pipeline"} {
		if strings.Contains(got, notWanted) {
			t.Errorf("%s reported:\n%s", notWanted, got)
		}
	}
	if n := len(strings.Split(got, "\n")); n != 3 {
		t.Errorf("%d violations, want 3:\n%s", n, got)
	}
}

// importGraph is the production import graph of the packages below one
// folder.
type importGraph struct {
	base string // import path of the folder ("…/checks")
	// imports maps a package to what its shipped files import, with the
	// position of each import.
	imports map[string][]importAt
	// families are the family names (the folder under base).
	families map[string]bool
}

type importAt struct {
	path string
	pos  string // file:line:column, relative to the folder
}

// readImportGraph parses the imports of every .go file below root (the
// folder whose import path is base), leaving out testdata and test code.
func readImportGraph(root, base string) (*importGraph, error) {
	g := &importGraph{base: base, imports: map[string][]importAt{}, families: map[string]bool{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if strings.HasSuffix(f.Name.Name, "test") {
			return nil // a test helper package
		}
		dir := path.Dir(filepath.ToSlash(rel))
		pkg := base
		if dir != "." {
			pkg = base + "/" + dir
		}
		g.imports[pkg] = append(g.imports[pkg], importsOf(fset, f, filepath.ToSlash(rel))...)
		if !strings.Contains(dir, "/") && dir != "." && declaresFamily(p) {
			g.families[dir] = true
		}
		return nil
	})
	return g, err
}

func importsOf(fset *token.FileSet, f *ast.File, rel string) []importAt {
	var out []importAt
	for _, s := range f.Imports {
		ip, err := strconv.Unquote(s.Path.Value)
		if err != nil {
			continue
		}
		pos := fset.Position(s.Pos())
		out = append(out, importAt{path: ip, pos: fmt.Sprintf("%s:%d:%d", rel, pos.Line, pos.Column)})
	}
	return out
}

// declaresFamily reports whether the file declares the family contract's
// functions, Checks and MetaFS (a family may spread them over files; one
// of them is enough to name it, and every family has both).
func declaresFamily(file string) bool {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		return false
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && (fn.Name.Name == "Checks" || fn.Name.Name == "MetaFS") {
			return true
		}
	}
	return false
}

// family is the family a package belongs to, or "".
func (g *importGraph) family(pkg string) string {
	rest, ok := strings.CutPrefix(pkg, g.base+"/")
	if !ok {
		return ""
	}
	first, _, _ := strings.Cut(rest, "/")
	if g.families[first] {
		return first
	}
	return ""
}

func (g *importGraph) familyNames() []string {
	var out []string
	for f := range g.families {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// violations lists every broken rule, sorted: an evidence import other
// than the config model (with its position), and each family that reaches
// another family's package (with the import path that does).
func (g *importGraph) violations(module string) []string {
	var out []string
	pkgs := make([]string, 0, len(g.imports))
	for p := range g.imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	evidence := module + "/evidence"
	for _, p := range pkgs {
		for _, imp := range g.imports[p] {
			if (imp.path == evidence || strings.HasPrefix(imp.path, evidence+"/")) && imp.path != module+"/"+allowedEvidence {
				out = append(out, fmt.Sprintf("%s: %s imports %s; the checks import nothing of evidence but %s", imp.pos, p, imp.path, allowedEvidence))
			}
		}
	}
	for _, p := range pkgs {
		from := g.family(p)
		if from == "" {
			continue
		}
		for _, chain := range g.reach(p) {
			to := chain[len(chain)-1]
			if f := g.family(to); f != "" && f != from {
				out = append(out, fmt.Sprintf("family %s imports family %s: %s; move what they share into checks/ or checks/internal", from, f, strings.Join(chain, " -> ")))
			}
		}
	}
	sort.Strings(out)
	return out
}

// reach is every package under base that p reaches through packages under
// base, each with the shortest import chain from p to it, in order of
// discovery (breadth first).
func (g *importGraph) reach(p string) [][]string {
	seen := map[string]bool{p: true}
	queue := [][]string{{p}}
	var out [][]string
	for len(queue) > 0 {
		chain := queue[0]
		queue = queue[1:]
		for _, imp := range g.imports[chain[len(chain)-1]] {
			if seen[imp.path] || (imp.path != g.base && !strings.HasPrefix(imp.path, g.base+"/")) {
				continue
			}
			seen[imp.path] = true
			next := append(append([]string(nil), chain...), imp.path)
			out = append(out, next)
			queue = append(queue, next)
		}
	}
	return out
}

// modulePath reads the module path from go.mod.
func modulePath(goMod string) (string, error) {
	f, err := os.Open(goMod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s names no module", goMod)
}
