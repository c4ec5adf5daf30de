package source

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks/parse"
)

// codeLine is one line of code with comments removed.
type codeLine struct {
	n    int
	text string
}

// codeLines splits a Python ("#" comments, triple-quoted docstrings) or
// JavaScript/TypeScript ("//" and "/* */" comments) file into lines of
// code. Quotes are tracked within a line so "http://x" is not a comment.
func codeLines(data []byte, python bool) []codeLine {
	var out []codeLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	// The buffer starts no larger than the file (a 64 KiB one per file was
	// most of what a scan allocated) and grows to 1 MiB lines as before.
	sc.Buffer(make([]byte, 0, min(len(data)+1, 64*1024)), 1<<20)
	inBlock := "" // "*/" for JS block comments, `"""` or `'''` for Python docstrings
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		var b strings.Builder
		var quote byte
		for i := 0; i < len(line); i++ {
			c := line[i]
			if inBlock != "" {
				if strings.HasPrefix(line[i:], inBlock) {
					i += len(inBlock) - 1
					inBlock = ""
				}
				continue
			}
			if quote != 0 {
				b.WriteByte(c)
				if c == '\\' && i+1 < len(line) {
					b.WriteByte(line[i+1])
					i++
				} else if c == quote {
					quote = 0
				}
				continue
			}
			if python {
				if strings.HasPrefix(line[i:], `"""`) || strings.HasPrefix(line[i:], `'''`) {
					inBlock = line[i : i+3]
					i += 2
					continue
				}
				if c == '#' {
					break
				}
			} else {
				if strings.HasPrefix(line[i:], "//") {
					break
				}
				if strings.HasPrefix(line[i:], "/*") {
					inBlock = "*/"
					i++
					continue
				}
			}
			if c == '"' || c == '\'' || (!python && c == '`') {
				quote = c
			}
			b.WriteByte(c)
		}
		if s := strings.TrimSpace(b.String()); s != "" {
			out = append(out, codeLine{n: n, text: b.String()})
		}
	}
	return out
}

// statement returns a call's arguments from just after its "(", joining
// the following lines until the parentheses balance (at most 12 lines).
func statement(lines []codeLine, i int, from int) string {
	s := lines[i].text[from:]
	for j := i; 1+strings.Count(s, "(")-strings.Count(s, ")") > 0 && j+1 < len(lines) && j-i < 12; {
		j++
		s += " " + strings.TrimSpace(lines[j].text)
	}
	return s
}

var (
	pyRunRe       = regexp.MustCompile(`\b([A-Za-z_][\w.]*)\.(run|run_app)\(`)
	pyBindRe      = regexp.MustCompile(`\.bind\(\(\s*("[^"]*"|'[^']*'|[A-Za-z_]\w*)\s*,\s*([A-Za-z_][\w.]*|\d+)\s*\)`)
	pyHostKwRe    = regexp.MustCompile(`\bhost\s*=\s*("[^"]*"|'[^']*'|[A-Za-z_][\w.]*)`)
	pyPortKwRe    = regexp.MustCompile(`\bport\s*=\s*`)
	defaultNumRe  = regexp.MustCompile(`(?:get|getenv|\|\||\?\?|\bor)\s*\(?\s*(?:"[A-Za-z_]\w*"\s*,\s*|'[A-Za-z_]\w*'\s*,\s*)?["']?(\d{1,5})["']?`)
	assignRe      = regexp.MustCompile(`(?m)^\s*(?:export\s+)?(?:const\s+|let\s+|var\s+)?([A-Za-z_$][\w$]*)\s*(?::\s*\w+\s*)?=\s*([^=\s].*?);?\s*$`)
	nodeListenRe  = regexp.MustCompile(`(?:\b([A-Za-z_$][\w$]*)|\))\s*\.listen\(`)
	nodeObjPortRe = regexp.MustCompile(`\bport\s*:\s*([^,}]+)`)
	nodeObjHostRe = regexp.MustCompile(`\bhost\s*:\s*("[^"]*"|'[^']*')`)
	identRe       = regexp.MustCompile(`^[A-Za-z_$][\w$.]*$`)
)

// portOf resolves a port expression: a number, an env/flag fallback
// ("process.env.PORT || 3000", `int(os.environ.get("PORT", 8000))`), or an
// identifier assigned one of those in the same file.
func portOf(expr string, src []byte, depth int) (port int, defaulted bool, ok bool) {
	expr = strings.TrimSpace(expr)
	expr = strings.TrimSuffix(expr, ";")
	if n, err := strconv.Atoi(strings.Trim(expr, `"'`)); err == nil {
		return n, false, n > 0 && n < 65536
	}
	if m := defaultNumRe.FindStringSubmatch(expr); m != nil && (strings.Contains(expr, "env") || strings.Contains(expr, "||") || strings.Contains(expr, "??") || strings.Contains(expr, " or ")) {
		n, _ := strconv.Atoi(m[1])
		return n, true, n > 0 && n < 65536
	}
	for _, wrap := range []string{"int(", "Number(", "parseInt(", "str("} {
		if strings.HasPrefix(expr, wrap) && strings.HasSuffix(expr, ")") {
			return portOf(strings.TrimSuffix(strings.TrimPrefix(expr, wrap), ")"), src, depth)
		}
	}
	if depth < 3 && identRe.MatchString(expr) && !strings.Contains(expr, ".") {
		if v, ok := assignment(src, expr); ok {
			return portOf(v, src, depth+1)
		}
	}
	return 0, false, false
}

// hostOf resolves a host literal or an identifier assigned one.
func hostOf(expr string, src []byte) (string, bool) {
	expr = strings.TrimSpace(expr)
	if len(expr) >= 2 && (expr[0] == '"' || expr[0] == '\'') {
		return expr[1 : len(expr)-1], true
	}
	if identRe.MatchString(expr) && !strings.Contains(expr, ".") {
		if v, ok := assignment(src, expr); ok {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
				return v[1 : len(v)-1], true
			}
		}
	}
	return "", false
}

// pyKwArg returns the keyword argument of a call's argument text that kw
// finds (its name and "=", as pyPortKwRe) as a submatch-shaped slice
// ({whole, value}), or nil. The value runs to the next comma or closing
// parenthesis at nesting depth zero, so port=int(os.environ.get("PORT",
// 5000)) keeps its nested call whole (a regular expression stops at the
// inner comma and loses the default).
func pyKwArg(args string, kw *regexp.Regexp) []string {
	loc := kw.FindStringIndex(args)
	if loc == nil {
		return nil
	}
	depth, quote := 0, byte(0)
	end := len(args)
scan:
	for i := loc[1]; i < len(args); i++ {
		c := args[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			if depth == 0 {
				end = i
				break scan
			}
			depth--
		case c == ',' && depth == 0:
			end = i
			break scan
		}
	}
	v := strings.TrimSpace(args[loc[1]:end])
	if v == "" {
		return nil
	}
	return []string{args[loc[0]:end], v}
}

// ScanPython finds app.run / uvicorn.run / web.run_app with a port or
// host, and socket.bind((host, port)).
func ScanPython(p string, data []byte) []Listen {
	lines := codeLines(data, true)
	udp := bytes.Contains(data, []byte("SOCK_DGRAM"))
	var out []Listen
	for i, l := range lines {
		if m := pyRunRe.FindStringSubmatchIndex(l.text); m != nil {
			recv, fn := l.text[m[2]:m[3]], l.text[m[4]:m[5]]
			args := statement(lines, i, m[1])
			pm := pyKwArg(args, pyPortKwRe)
			hm := pyHostKwRe.FindStringSubmatch(args)
			if pm == nil && hm == nil {
				continue // asyncio.run(main()), subprocess.run([...])
			}
			call := recv + "." + fn
			port, host, defaulted, bind := 5000, "127.0.0.1", true, "" // Flask's defaults
			switch {
			case recv == "uvicorn" || recv == "hypercorn":
				port = 8000
			case fn == "run_app": // aiohttp
				port, host = 8080, "0.0.0.0"
			}
			if pm != nil {
				n, d, ok := portOf(pm[1], data, 0)
				if !ok {
					continue
				}
				port, defaulted = n, d
			}
			if hm != nil {
				if h, ok := hostOf(hm[1], data); ok {
					bind = parse.Bind(h)
				}
			} else {
				bind = parse.Bind(host)
			}
			out = append(out, Listen{Path: p, Line: l.n, Column: m[0] + 1, Language: "python", Call: call, Port: port,
				Bind: bind, Protocol: "tcp", Defaulted: defaulted})
			continue
		}
		if m := pyBindRe.FindStringSubmatchIndex(l.text); m != nil {
			hostExpr, portExpr := l.text[m[2]:m[3]], l.text[m[4]:m[5]]
			port, defaulted, ok := portOf(portExpr, data, 0)
			if !ok {
				continue
			}
			bind := ""
			if h, ok := hostOf(hostExpr, data); ok {
				bind = parse.Bind(h)
			}
			proto := "tcp"
			if udp {
				proto = "udp"
			}
			out = append(out, Listen{Path: p, Line: l.n, Column: m[0] + 1, Language: "python", Call: "socket.bind", Port: port,
				Bind: bind, Protocol: proto, Defaulted: defaulted})
		}
	}
	return out
}

// ScanNode finds .listen(port[, host]) calls on servers.
func ScanNode(p string, data []byte) []Listen {
	lines := codeLines(data, false)
	var out []Listen
	for i, l := range lines {
		for _, m := range nodeListenRe.FindAllStringSubmatchIndex(l.text, -1) {
			recv := ""
			if m[2] >= 0 {
				recv = l.text[m[2]:m[3]]
			}
			args := statement(lines, i, m[1])
			first, rest := splitArgs(args)
			var port int
			var defaulted, ok bool
			bind := "all" // Node listens on every interface when no host is given
			if strings.HasPrefix(strings.TrimSpace(first), "{") {
				pm := nodeObjPortRe.FindStringSubmatch(args)
				if pm == nil {
					continue
				}
				port, defaulted, ok = portOf(pm[1], data, 0)
				bind = "" // fastify and others default to localhost; unknown
				if hm := nodeObjHostRe.FindStringSubmatch(args); hm != nil {
					bind = parse.Bind(strings.Trim(hm[1], `"'`))
				}
			} else {
				port, defaulted, ok = portOf(first, data, 0)
				if second, _ := splitArgs(rest); rest != "" {
					if h, hok := hostOf(second, data); hok {
						bind = parse.Bind(h)
					} else if !strings.HasPrefix(strings.TrimSpace(second), "(") && !strings.HasPrefix(strings.TrimSpace(second), "function") && !strings.Contains(second, "=>") {
						bind = "" // a host we cannot resolve
					}
				}
			}
			if !ok {
				continue
			}
			out = append(out, Listen{Path: p, Line: l.n, Column: m[0] + 1, Language: "node", Call: ".listen", Port: port,
				Bind: bind, Protocol: "tcp", TLS: nodeTLS(l.text, recv, data), Defaulted: defaulted})
		}
	}
	return out
}

// splitArgs splits the first top-level argument off an argument list.
func splitArgs(s string) (first, rest string) {
	depth := 0
	var quote rune
	for i, c := range s {
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			quote = c
		case '(', '{', '[':
			depth++
		case ')', '}', ']':
			if depth == 0 {
				return s[:i], ""
			}
			depth--
		case ',':
			if depth == 0 {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

var createServerRe = regexp.MustCompile(`\b(https|http|tls|http2)\.(?:createServer|createSecureServer)\(`)

// nodeTLS is true when the server is made by https/tls.createServer on
// the same line or assigned to the receiver; false for http; else unknown.
func nodeTLS(line, recv string, src []byte) *bool {
	pick := func(mod string) *bool {
		switch mod {
		case "https", "tls":
			return boolPtr(true)
		case "http":
			return boolPtr(false)
		}
		return nil
	}
	if m := createServerRe.FindStringSubmatch(line); m != nil {
		return pick(m[1])
	}
	// The expression is made for the receiver's name: only a source that
	// creates a server at all is worth compiling it for.
	if recv != "" && identRe.MatchString(recv) && (bytes.Contains(src, []byte("createServer")) || bytes.Contains(src, []byte("createSecureServer"))) {
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(recv) + `\s*=\s*(?:await\s+)?(https|http|tls|http2)\.(?:createServer|createSecureServer)\(`)
		if m := re.FindSubmatch(src); m != nil {
			return pick(string(m[1]))
		}
	}
	return nil
}

// assignment returns the expression first assigned to name in src
// ("const PORT = 3000", "PORT = int(os.environ.get('PORT', 8000))").
func assignment(src []byte, name string) (string, bool) {
	for _, m := range assignRe.FindAllSubmatchIndex(src, -1) {
		if string(src[m[2]:m[3]]) == name {
			return string(src[m[4]:m[5]]), true
		}
	}
	return "", false
}
