package defaults

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
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
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if t == "" || isCommentLine(t) {
			continue
		}
		n := i + 1
		add := func(kind, key, msg string, col int) {
			site := Site{Kind: kind, Path: rel, Line: n, Column: col, Key: key, Message: msg, Snippet: maskLine(t), Shipped: true}
			if kind == SiteTLSVerifyOff {
				if option := optInAbove(lang, lines, i, col); option != "" {
					site.Conditional = true
					site.Message += ", only where the option " + option + " selects it: " + optInAdvice
				}
			}
			sites = append(sites, site)
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

// optInAbove returns the option that selects the Python or JavaScript
// line i (column col, 1-based; 0 for the whole line), or "": the nearest
// enclosing if/elif or case whose condition names an option saying
// verification is off (if args.insecure:, if (opts.skipVerify) {, case
// 'insecure':). Blocks are found by indentation in Python and by braces
// in JavaScript — a reading of the text, not a parse, so only a condition
// that names such an option counts.
func optInAbove(lang string, lines []string, i, col int) string {
	switch lang {
	case "python":
		return pyOptInAbove(lines, i)
	case "node":
		return jsOptInAbove(lines, i, col)
	}
	return ""
}

var (
	rePyBranch = regexp.MustCompile(`^(?:if|elif|case)\s+(.+?):\s*(?:#.*)?$`)
	reJSIf     = regexp.MustCompile(`\bif\s*\((.*)\)\s*$`)
	reJSCase   = regexp.MustCompile(`^case\s+(.+?)\s*:`)
	reCondTerm = regexp.MustCompile(`"[^"]*"|'[^']*'|[A-Za-z_$][\w$.]*`)
	// reCondNot says a condition holds without the option: a negation, an
	// alternative, a comparison with false.
	reCondNot = regexp.MustCompile(`!|\|\||\bnot\b|\bor\b|\b(?:false|False|None|null|undefined)\b`)
)

// condOptIn returns the term of a condition's text that names an option
// saying verification is off, or "" (also when the condition can hold
// without it).
func condOptIn(cond string) string {
	if reCondNot.MatchString(cond) {
		return ""
	}
	for _, term := range reCondTerm.FindAllString(cond, -1) {
		if namesOptIn(strings.Trim(term, `"'`)) {
			return term
		}
	}
	return ""
}

func pyOptInAbove(lines []string, i int) string {
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }
	cur := indent(lines[i])
	for j := i - 1; j >= 0 && cur > 0; j-- {
		t := strings.TrimSpace(lines[j])
		if t == "" || strings.HasPrefix(t, "#") || indent(lines[j]) >= cur {
			continue
		}
		cur = indent(lines[j])
		if m := rePyBranch.FindStringSubmatch(t); m != nil {
			if term := condOptIn(m[1]); term != "" {
				return term
			}
		}
	}
	return ""
}

// jsMaxLinesUp bounds the walk to the enclosing blocks.
const jsMaxLinesUp = 400

func jsOptInAbove(lines []string, i, col int) string {
	depth := 0     // blocks closed between the line and the walk
	inArm := false // passed the case label of the line's own arm
	for j := i; j >= 0 && j > i-jsMaxLinesUp; j-- {
		text := lines[j]
		if j == i && col > 0 && col-1 <= len(text) {
			text = text[:col-1]
		}
		t := strings.TrimSpace(text)
		if t == "" || isCommentLine(t) {
			continue
		}
		if j == i-1 && depth == 0 {
			if m := reJSIf.FindStringSubmatch(t); m != nil { // if (insecure)\n  stmt;
				if term := condOptIn(m[1]); term != "" {
					return term
				}
			}
		}
		for k := len(text) - 1; k >= 0; k-- {
			switch text[k] {
			case '}':
				depth++
			case '{':
				if depth > 0 {
					depth--
					continue
				}
				inArm = false // an enclosing block: its own case labels are outside
				if m := reJSIf.FindStringSubmatch(strings.TrimSpace(text[:k])); m != nil {
					if term := condOptIn(m[1]); term != "" {
						return term
					}
				}
			}
		}
		if depth == 0 && !inArm {
			if m := reJSCase.FindStringSubmatch(t); m != nil {
				inArm = true
				if term := condOptIn(m[1]); term != "" {
					return term
				}
			} else if strings.HasPrefix(t, "default:") {
				inArm = true
			}
		}
	}
	return ""
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
// or InsecureSkipVerify: false never counts. The branches around a site
// grade it: none, a fail; a branch an option selects (case
// "insecure_skip_verify":, if insecure {…}), an operator opt-in; any other
// if or case, a condition a person must check.
func scanGoTLS(rel string, data []byte) []Site {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, rel, data, parser.SkipObjectResolution)
	if err != nil || f == nil {
		return nil
	}
	lines := strings.Split(string(data), "\n")
	var sites []Site
	var stack []ast.Node // the node being visited and its ancestors
	add := func(pos token.Pos) {
		p := fset.Position(pos)
		snip := ""
		if p.Line-1 < len(lines) {
			snip = maskLine(strings.TrimSpace(lines[p.Line-1]))
		}
		site := Site{Kind: SiteTLSVerifyOff, Path: rel, Line: p.Line, Column: p.Column, Key: "go:InsecureSkipVerify",
			Message: "tls.Config sets InsecureSkipVerify: true: the peer's certificate and host name are not checked", Snippet: snip, Shipped: true}
		switch option, conditional := goBranch(stack); {
		case option != "":
			site.Conditional = true
			site.Message = "tls.Config sets InsecureSkipVerify: true only where the option " + option + " selects it: " + optInAdvice
		case conditional:
			site.Conditional = true
			site.Message = "tls.Config sets InsecureSkipVerify: true under a condition (an option?): check that the shipped configuration never meets it"
		}
		sites = append(sites, site)
	}
	// ast.Inspect calls the function with nil after a node's children.
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		switch x := n.(type) {
		case *ast.KeyValueExpr:
			if k, ok := x.Key.(*ast.Ident); ok && k.Name == "InsecureSkipVerify" && isIdent(x.Value, "true") {
				add(x.Pos())
			}
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				if sel, ok := l.(*ast.SelectorExpr); ok && sel.Sel.Name == "InsecureSkipVerify" && i < len(x.Rhs) && isIdent(x.Rhs[i], "true") {
					add(x.Pos())
				}
			}
		}
		return true
	})
	return sites
}

// optInAdvice is what an operator opt-in asks of the manufacturer: the
// option is not a default, but its risk is a foreseeable circumstance the
// user information states (Annex II point 5).
const optInAdvice = "an operator opt-in, not a default; the user information must warn that it turns verification off (Annex II 5)"

// goBranch looks at the branches enclosing the innermost node of stack:
// option names the configuration option, flag or directive that selects
// the innermost branch saying so (a case "tls_insecure_skip_verify": arm,
// the body of if insecure {…}); conditional is true when any if or case
// encloses the node.
func goBranch(stack []ast.Node) (option string, conditional bool) {
	for i := len(stack) - 2; i >= 0; i-- {
		child := stack[i+1]
		switch b := stack[i].(type) {
		case *ast.IfStmt:
			conditional = true
			if child == b.Body {
				if name, ok := optInExpr(b.Cond); ok {
					return name, true
				}
			}
		case *ast.CaseClause:
			if isCaseBody(b, child) {
				conditional = true
				for _, e := range b.List {
					if name, ok := optInExpr(e); ok {
						return name, true
					}
				}
			}
		}
	}
	return "", conditional
}

// isCaseBody reports whether child is a statement of the case's body
// rather than one of its expressions.
func isCaseBody(c *ast.CaseClause, child ast.Node) bool {
	for _, st := range c.Body {
		if st == child {
			return true
		}
	}
	return false
}

// reOptInName matches an option's name that says verification is off,
// once lowered with separators removed: insecure, tls_insecure_skip_verify,
// skipVerify, no-verify, disableSSLVerification, tlsSkipVerify.
var reOptInName = regexp.MustCompile(`insecure|(?:skip|no|disable|dont|without)(?:tls|ssl|cert|certificate|host|hostname|peer)*verif`)

// namesOptIn reports whether a name or string says verification is off.
func namesOptIn(name string) bool {
	n := strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ' ':
			return -1
		}
		return unicode.ToLower(r)
	}, name)
	return reOptInName.MatchString(n)
}

// optInExpr reports whether a condition is true only when an option that
// says verification is off is set: a variable or field (insecure,
// cfg.SkipVerify), a directive's string ("insecure_skip_verify", mode ==
// "insecure"), a flag look-up (c.Bool("insecure")), or such a term joined
// with &&. A negation (!insecure) or || selects the branch without the
// option, so it is no opt-in. It returns the option as written.
func optInExpr(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return optInExpr(x.X)
	case *ast.Ident:
		return x.Name, namesOptIn(x.Name)
	case *ast.SelectorExpr:
		return exprName(x), namesOptIn(x.Sel.Name)
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			v, err := strconv.Unquote(x.Value)
			return x.Value, err == nil && namesOptIn(v)
		}
	case *ast.BinaryExpr:
		if x.Op == token.EQL && (isIdent(x.X, "false") || isIdent(x.Y, "false")) {
			return "", false // insecure == false
		}
		if x.Op == token.LAND || x.Op == token.EQL {
			if name, ok := optInExpr(x.X); ok {
				return name, true
			}
			return optInExpr(x.Y)
		}
	case *ast.CallExpr:
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok && namesOptIn(sel.Sel.Name) && len(x.Args) == 0 {
			return exprName(sel) + "()", true // cfg.Insecure()
		}
		for _, a := range x.Args {
			if lit, ok := a.(*ast.BasicLit); ok {
				if name, ok := optInExpr(lit); ok {
					return name, true // c.Bool("insecure"), viper.GetBool("tls.skip_verify")
				}
			}
		}
	}
	return "", false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// exprName writes a selector chain (cfg.TLS.SkipVerify) for a message.
func exprName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprName(x.X) + "." + x.Sel.Name
	}
	return "…"
}

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
