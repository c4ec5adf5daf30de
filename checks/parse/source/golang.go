package source

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks/parse"
)

// ScanGo finds listen sites in one Go file with go/parser.
func ScanGo(p string, data []byte) (out []Listen, issue *parse.Issue) {
	defer func() {
		if r := recover(); r != nil {
			out, issue = nil, &parse.Issue{Path: p, Skipped: true, Message: fmt.Sprintf("Go parser failed: %v", r)}
		}
	}()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, p, data, parser.SkipObjectResolution)
	if err != nil {
		return nil, &parse.Issue{Path: p, Skipped: true, Message: "Go file not parsed, its listeners are not in the inventory: " + err.Error()}
	}
	g := goScan{fset: fset, p: p, consts: map[string]goVal{}}
	g.collect(f)
	ast.Inspect(f, g.visit)
	// http.Server{Addr:} literals take TLS from how the file starts servers.
	for i := range g.out {
		if g.out[i].Call == "http.Server.Addr" {
			switch {
			case g.serveTLS && !g.servePlain:
				g.out[i].TLS = boolPtr(true)
			case g.servePlain && !g.serveTLS:
				g.out[i].TLS = boolPtr(false)
			}
		}
	}
	return g.out, nil
}

type goVal struct {
	s         string
	defaulted bool
}

type goScan struct {
	fset                 *token.FileSet
	p                    string
	consts               map[string]goVal // identifiers with a known string/number value in this file
	out                  []Listen
	serveTLS, servePlain bool
}

// collect records constants, package/local variables with literal values
// and flag defaults: flag.String("addr", ":8080", …), flag.Int("port", 8080, …),
// flag.StringVar(&addr, "addr", ":8080", …).
func (g *goScan) collect(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.ValueSpec:
			for i, name := range x.Names {
				if i < len(x.Values) {
					g.bind(name.Name, x.Values[i])
				}
			}
		case *ast.AssignStmt:
			if len(x.Lhs) == len(x.Rhs) {
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						g.bind(id.Name, x.Rhs[i])
					}
				}
			}
		case *ast.CallExpr:
			name := callName(x.Fun)
			if (name == "flag.StringVar" || name == "flag.IntVar" || name == "pflag.StringVar" || name == "pflag.IntVar") && len(x.Args) >= 3 {
				if u, ok := x.Args[0].(*ast.UnaryExpr); ok {
					if id, ok := u.X.(*ast.Ident); ok {
						if v, ok := g.eval(x.Args[2]); ok {
							g.consts[id.Name] = goVal{s: v.s, defaulted: true}
						}
					}
				}
			}
		}
		return true
	})
}

func (g *goScan) bind(name string, e ast.Expr) {
	if _, done := g.consts[name]; done {
		return // first binding wins: deterministic, and usually the declaration
	}
	if c, ok := e.(*ast.CallExpr); ok {
		switch callName(c.Fun) {
		case "flag.String", "flag.Int", "pflag.String", "pflag.Int":
			if len(c.Args) >= 2 {
				if v, ok := g.eval(c.Args[1]); ok {
					g.consts[name] = goVal{s: v.s, defaulted: true}
				}
			}
			return
		}
	}
	if v, ok := g.eval(e); ok {
		g.consts[name] = v
	}
}

// eval resolves a string or integer expression: literals, known
// identifiers (also *addr for flag pointers), and + concatenation.
func (g *goScan) eval(e ast.Expr) (goVal, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.STRING:
			s, err := strconv.Unquote(x.Value)
			return goVal{s: s}, err == nil
		case token.INT:
			return goVal{s: x.Value}, true
		}
	case *ast.Ident:
		v, ok := g.consts[x.Name]
		return v, ok
	case *ast.StarExpr:
		return g.eval(x.X)
	case *ast.ParenExpr:
		return g.eval(x.X)
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			a, ok1 := g.eval(x.X)
			b, ok2 := g.eval(x.Y)
			if ok1 && ok2 {
				return goVal{s: a.s + b.s, defaulted: a.defaulted || b.defaulted}, true
			}
		}
	case *ast.CallExpr:
		switch callName(x.Fun) {
		case "fmt.Sprintf":
			// fmt.Sprintf(":%d", port)
			if len(x.Args) == 2 {
				f, ok1 := g.eval(x.Args[0])
				a, ok2 := g.eval(x.Args[1])
				if ok1 && ok2 && strings.Count(f.s, "%") == 1 && (strings.Contains(f.s, "%d") || strings.Contains(f.s, "%s") || strings.Contains(f.s, "%v")) {
					r := strings.NewReplacer("%d", a.s, "%s", a.s, "%v", a.s).Replace(f.s)
					return goVal{s: r, defaulted: a.defaulted}, true
				}
			}
		case "net.JoinHostPort":
			if len(x.Args) == 2 {
				h, ok1 := g.eval(x.Args[0])
				p, ok2 := g.eval(x.Args[1])
				if ok1 && ok2 {
					return goVal{s: net.JoinHostPort(h.s, p.s), defaulted: h.defaulted || p.defaulted}, true
				}
			}
		case "strconv.Itoa":
			if len(x.Args) == 1 {
				return g.eval(x.Args[0])
			}
		}
	}
	return goVal{}, false
}

func callName(fun ast.Expr) string {
	switch x := fun.(type) {
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			return id.Name + "." + x.Sel.Name
		}
		return "." + x.Sel.Name
	case *ast.Ident:
		return x.Name
	}
	return ""
}

func (g *goScan) add(n ast.Node, call string, addr ast.Expr, proto string, tls *bool) {
	v, ok := g.eval(addr)
	if !ok {
		return
	}
	host, port, ok := splitHostPort(v.s)
	if !ok {
		return
	}
	pos := g.fset.Position(n.Pos())
	g.out = append(g.out, Listen{Path: g.p, Line: pos.Line, Column: pos.Column, Language: "go", Call: call,
		Address: v.s, Port: port, Bind: parse.Bind(host), Protocol: proto, TLS: tls, Defaulted: v.defaulted})
}

func (g *goScan) visit(n ast.Node) bool {
	switch x := n.(type) {
	case *ast.CallExpr:
		name := callName(x.Fun)
		// A method call on a value (srv.ListenAndServeTLS, r.Run) is matched
		// by its method name; package functions by their qualified name.
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); !ok || !packageNames[id.Name] {
				name = "." + sel.Sel.Name
			}
		}
		switch name {
		case "net.Listen", "net.ListenPacket":
			if len(x.Args) == 2 {
				network, ok := g.eval(x.Args[0])
				if ok {
					if proto := netProto(network.s); proto != "" {
						g.add(x, name, x.Args[1], proto, nil)
					}
				}
			}
		case "tls.Listen":
			if len(x.Args) >= 2 {
				g.add(x, name, x.Args[1], "tcp", boolPtr(true))
			}
		case "http.ListenAndServe":
			g.servePlain = true
			if len(x.Args) >= 1 {
				g.add(x, name, x.Args[0], "tcp", boolPtr(false))
			}
		case "http.ListenAndServeTLS":
			g.serveTLS = true
			if len(x.Args) >= 1 {
				g.add(x, name, x.Args[0], "tcp", boolPtr(true))
			}
		case ".ListenAndServeTLS", ".ServeTLS", ".RunTLS", ".StartTLS":
			g.serveTLS = true
			if name == ".RunTLS" || name == ".StartTLS" {
				if len(x.Args) >= 1 {
					g.add(x, strings.TrimPrefix(name, "."), x.Args[0], "tcp", boolPtr(true))
				}
			}
		case ".ListenAndServe", ".Serve":
			g.servePlain = true
		case ".Run", ".Start":
			// gin's r.Run(":8080"), echo's e.Start(":8080"): only with an
			// address-looking literal, Run/Start are common names.
			if len(x.Args) == 1 {
				if v, ok := g.eval(x.Args[0]); ok && strings.Contains(v.s, ":") {
					g.add(x, strings.TrimPrefix(name, "."), x.Args[0], "tcp", boolPtr(false))
				}
			}
		}
	case *ast.CompositeLit:
		if sel, ok := x.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Server" {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "http" {
				for _, el := range x.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Addr" {
						g.add(kv, "http.Server.Addr", kv.Value, "tcp", nil)
					}
				}
			}
		}
	}
	return true
}

// packageNames are the import names whose functions are matched by name;
// any other selector is a method call.
var packageNames = map[string]bool{"net": true, "http": true, "tls": true, "fmt": true, "flag": true, "pflag": true, "strconv": true}

func netProto(network string) string {
	switch network {
	case "tcp", "tcp4", "tcp6":
		return "tcp"
	case "udp", "udp4", "udp6":
		return "udp"
	}
	return "" // unix sockets are not network ports
}

// splitHostPort parses ":8080", "0.0.0.0:80", "localhost:80", "[::1]:80";
// port 0 (ephemeral) and non-numeric ports give ok false.
func splitHostPort(addr string) (host string, port int, ok bool) {
	h, ps, err := net.SplitHostPort(addr)
	if err != nil {
		// a bare port
		n, err := strconv.Atoi(addr)
		if err != nil || n <= 0 || n > 65535 {
			return "", 0, false
		}
		return "", n, true
	}
	n, err := strconv.Atoi(ps)
	if err != nil || n <= 0 || n > 65535 {
		return "", 0, false
	}
	return h, n, true
}
