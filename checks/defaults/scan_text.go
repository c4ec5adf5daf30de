package defaults

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"strings"
)

// The text scanners find lines of interest in source code and scripts.
// They skip comment lines and match narrow patterns: a line must say the
// thing, not merely mention it.

var (
	rePyVerifyFalse   = regexp.MustCompile(`\bverify\s*=\s*False\b`)
	rePyUnverifiedCtx = regexp.MustCompile(`\bssl\._create_unverified_context\b|\bverify_mode\s*=\s*ssl\.CERT_NONE\b|\bcheck_hostname\s*=\s*False\b`)
	rePyFlaskDebug    = regexp.MustCompile(`\.run\(.*\bdebug\s*=\s*True\b`) // .* not [^)]*: port=int(os.environ.get("PORT", 5000)) comes first
	rePyDjangoDebug   = regexp.MustCompile(`^DEBUG\s*=\s*True\b`)
	reJSReject        = regexp.MustCompile(`\brejectUnauthorized["']?\s*:\s*false\b`)
	reNodeTLSEnv      = regexp.MustCompile(`\bNODE_TLS_REJECT_UNAUTHORIZED["']?\s*[=:]\s*["']?0\b`)
	// sslmode=disable inside a connection string: a URL query
	// (?sslmode=disable, &sslmode=disable) or a libpq key/value DSN
	// ("host=db sslmode=disable"). Prose that merely names it does not count.
	reSSLModeDisable = regexp.MustCompile(`(?i)(?:[?&;]sslmode=disable\b|\b(?:host|dbname|user|port|hostaddr)=\S+.*\ssslmode=disable\b|(?:^|["'\x60\s])sslmode=disable\s+\S*(?:host|dbname|user|port)=)`)
)

var sourceExts = map[string]string{
	".go": "go", ".py": "python", ".js": "node", ".mjs": "node", ".cjs": "node", ".ts": "node",
	".jsx": "node", ".tsx": "node", ".java": "other", ".kt": "other", ".rb": "other", ".php": "other",
	".cs": "other", ".rs": "other", ".sh": "shell", ".bash": "shell",
}

// sourceLang returns the scanner for a path, or "" when it is not scanned.
// Test files do not ship (a Go test talking to an httptest TLS server with
// InsecureSkipVerify is normal), so they are not scanned.
func sourceLang(rel string) string {
	if path.Base(rel) == "package.json" {
		return "package-json"
	}
	if isTestFile(rel) {
		return ""
	}
	return sourceExts[strings.ToLower(path.Ext(rel))]
}

// isCommentLine reports whether a trimmed line is a comment in the common
// languages cemark scans.
func isCommentLine(t string) bool {
	for _, p := range []string{"//", "#", "/*", "*", "--", ";", "<!--", "'''", `"""`} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// scanSource returns the sites of one source file.
func scanSource(rel string, data []byte) []Site {
	lang := sourceLang(rel)
	if lang == "" {
		return nil
	}
	var sites []Site
	if lang == "go" {
		if bytes.Contains(data, []byte("InsecureSkipVerify")) {
			sites = append(sites, scanGoTLS(rel, data)...)
		}
	}
	interesting := bytes.Contains(data, []byte("sslmode")) || bytes.Contains(data, []byte("SSLMODE")) ||
		bytes.Contains(data, []byte("NODE_TLS_REJECT_UNAUTHORIZED"))
	switch lang {
	case "python":
		interesting = interesting || bytes.Contains(data, []byte("verify")) || bytes.Contains(data, []byte("debug")) ||
			bytes.Contains(data, []byte("DEBUG")) || bytes.Contains(data, []byte("ssl."))
	case "node":
		interesting = interesting || bytes.Contains(data, []byte("rejectUnauthorized"))
	case "shell":
		// The whole script is parsed: variables exported for later commands
		// and options of every package manager count.
		lines := strings.Split(string(data), "\n")
		for _, h := range verifyOffInShell(string(data)) {
			snip := ""
			if h.line-1 < len(lines) {
				snip = maskLine(strings.TrimSpace(lines[h.line-1]))
			}
			sites = append(sites, Site{Kind: SiteTLSVerifyOff, Path: rel, Line: h.line, Key: h.key, Message: h.msg, Snippet: snip, Shipped: true})
		}
	}
	if !interesting {
		return sites
	}
	djangoSettings := lang == "python" && isDjangoSettings(rel)
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || isCommentLine(t) {
			continue
		}
		n := i + 1
		add := func(kind, key, msg string, col int) {
			sites = append(sites, Site{Kind: kind, Path: rel, Line: n, Column: col, Key: key, Message: msg, Snippet: maskLine(t), Shipped: true})
		}
		col := func(re *regexp.Regexp) int {
			if loc := re.FindStringIndex(line); loc != nil {
				return loc[0] + 1
			}
			return 0
		}
		if lang != "go" && lang != "package-json" && lang != "shell" && reSSLModeDisable.MatchString(line) {
			add(SiteTLSVerifyOff, "sslmode=disable", "a database connection string turns TLS off (sslmode=disable)", col(reSSLModeDisable))
		}
		if lang == "go" && reSSLModeDisable.MatchString(line) && strings.Contains(line, `"`) || lang == "go" && reSSLModeDisable.MatchString(line) && strings.Contains(line, "`") {
			add(SiteTLSVerifyOff, "sslmode=disable", "a database connection string turns TLS off (sslmode=disable)", col(reSSLModeDisable))
		}
		if (lang == "node" || lang == "package-json") && reNodeTLSEnv.MatchString(line) {
			add(SiteTLSVerifyOff, "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate verification off for the whole Node process", col(reNodeTLSEnv))
		}
		switch lang {
		case "python":
			if rePyVerifyFalse.MatchString(line) {
				add(SiteTLSVerifyOff, "python:verify=False", "an HTTPS request is made with verify=False: the server's certificate is not checked", col(rePyVerifyFalse))
			}
			if rePyUnverifiedCtx.MatchString(line) {
				add(SiteTLSVerifyOff, "python:unverified-ssl-context", "an SSL context that does not verify certificates is used", col(rePyUnverifiedCtx))
			}
			if rePyFlaskDebug.MatchString(line) {
				add(SiteDebug, "flask:debug=True", "the web app is started with debug=True: the interactive debugger allows running code remotely", col(rePyFlaskDebug))
			}
			if djangoSettings && rePyDjangoDebug.MatchString(line) {
				add(SiteDebug, "django:DEBUG", "Django settings set DEBUG = True: error pages show settings and source to any visitor", 1)
			}
		case "node":
			if reJSReject.MatchString(line) {
				add(SiteTLSVerifyOff, "node:rejectUnauthorized", "a TLS connection is made with rejectUnauthorized: false: the server's certificate is not checked", col(reJSReject))
			}
		}
	}
	return sites
}

// isDjangoSettings reports whether a Python file is Django settings that
// ship: settings.py, or settings/{base,common,prod,production}.py.
// Development and test settings modules do not ship.
func isDjangoSettings(rel string) bool {
	base := path.Base(rel)
	if base == "settings.py" {
		return true
	}
	if path.Base(path.Dir(rel)) == "settings" {
		switch strings.TrimSuffix(base, ".py") {
		case "base", "common", "prod", "production", "__init__":
			return true
		}
	}
	return false
}

// scanGoTLS finds InsecureSkipVerify: true in composite literals and
// InsecureSkipVerify = true assignments with go/ast, so a comment, a string
// or InsecureSkipVerify: false never counts.
func scanGoTLS(rel string, data []byte) []Site {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, rel, data, parser.SkipObjectResolution)
	if err != nil || f == nil {
		return nil
	}
	lines := strings.Split(string(data), "\n")
	var sites []Site
	ifDepth := 0 // enclosing if statements of the node being visited
	add := func(pos token.Pos) {
		p := fset.Position(pos)
		snip := ""
		if p.Line-1 < len(lines) {
			snip = maskLine(strings.TrimSpace(lines[p.Line-1]))
		}
		site := Site{Kind: SiteTLSVerifyOff, Path: rel, Line: p.Line, Column: p.Column, Key: "go:InsecureSkipVerify",
			Message: "tls.Config sets InsecureSkipVerify: true: the peer's certificate and host name are not checked", Snippet: snip, Shipped: true}
		if ifDepth > 0 {
			site.Conditional = true
			site.Message = "tls.Config sets InsecureSkipVerify: true under a condition (an option?): check that the shipped configuration never meets it"
		}
		sites = append(sites, site)
	}
	isTrue := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && id.Name == "true"
	}
	// ast.Inspect calls the function with nil after a node's children:
	// the stack tells which node ends, to keep ifDepth right.
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			if top := stack[len(stack)-1]; isIf(top) {
				ifDepth--
			}
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		if isIf(n) {
			ifDepth++
		}
		switch x := n.(type) {
		case *ast.KeyValueExpr:
			if k, ok := x.Key.(*ast.Ident); ok && k.Name == "InsecureSkipVerify" && isTrue(x.Value) {
				add(x.Pos())
			}
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				if sel, ok := l.(*ast.SelectorExpr); ok && sel.Sel.Name == "InsecureSkipVerify" && i < len(x.Rhs) && isTrue(x.Rhs[i]) {
					add(x.Pos())
				}
			}
		}
		return true
	})
	return sites
}

func isIf(n ast.Node) bool { _, ok := n.(*ast.IfStmt); return ok }

var (
	rePipeToShell = regexp.MustCompile(`(?:^|[;&|(\n]|\bsudo|\bthen|\bdo|\belse)\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:/usr/bin/|/bin/)?(curl|wget)\s+[^|;&\n]+\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+(?:\S+=\S*\s+)*)?(?:/usr)?(?:/local)?(?:/bin/)?(sh|bash|zsh|dash|ash|ksh|python[0-9.]*|perl|ruby|node)\b`)
	reShellSubst  = regexp.MustCompile(`\b(sh|bash|zsh|dash|ash|ksh)\s+(?:-[a-z]+\s+)*["']?\$\(\s*(curl|wget)\b`)
	reProcSubst   = regexp.MustCompile(`(?:\b(?:sh|bash|zsh|dash|ash|ksh|source)|(?:^|\s)\.)\s+<\(\s*(curl|wget)\b`)
)

// pipesToShell reports whether a shell command runs a download without
// keeping it: curl … | sh, sh -c "$(curl …)", bash <(curl …).
func pipesToShell(cmd string) (string, bool) {
	var kept []string
	for _, l := range strings.Split(cmd, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "#") {
			continue
		}
		kept = append(kept, l)
	}
	text := strings.Join(kept, "\n")
	// Continuation lines of a shell-form RUN are already joined; join what
	// a heredoc or a script continues with a backslash too.
	text = strings.ReplaceAll(text, "\\\n", " ")
	if m := rePipeToShell.FindStringSubmatch(text); m != nil {
		return m[1] + "|" + m[2], true
	}
	if m := reShellSubst.FindStringSubmatch(text); m != nil {
		return m[2] + "|" + m[1], true
	}
	if m := reProcSubst.FindStringSubmatch(text); m != nil {
		return m[1] + "|sh", true
	}
	return "", false
}

// isTestFile reports whether a source file is a test by its language's
// naming convention: x_test.go, test_x.py, x_test.py, conftest.py,
// x.test.js, x.spec.ts.
func isTestFile(rel string) bool {
	base := strings.ToLower(path.Base(rel))
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	switch ext {
	case ".go":
		return strings.HasSuffix(stem, "_test")
	case ".py":
		return strings.HasPrefix(stem, "test_") || strings.HasSuffix(stem, "_test") || stem == "conftest"
	case ".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx":
		return strings.HasSuffix(stem, ".test") || strings.HasSuffix(stem, ".spec")
	}
	return false
}
