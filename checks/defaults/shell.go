package defaults

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// shellCall is one simple command of a shell script, a RUN instruction or
// a container command: the variables it sets (VAR=value prefixes, export,
// env) and its words, with the line it starts on (1-based, relative to the
// text parsed).
type shellCall struct {
	Line    int
	Assigns []shellAssign
	Args    []string
}

type shellAssign struct{ Name, Value string }

// maxShellDepth bounds how deep `sh -c "…"` strings are parsed in turn.
const maxShellDepth = 3

// shellCalls parses src as a bash script with mvdan.cc/sh (quotes,
// continuations, pipelines, subshells, command substitutions, if/for
// bodies) and returns every simple command. Words keep their literal text
// ($VAR stays "$VAR"). A script the parser refuses (another shell's
// syntax, a template) falls back to splitting at ; & | and newlines, so a
// syntax error never hides the commands.
func shellCalls(src string) []shellCall {
	return shellCallsDepth(src, 0)
}

func shellCallsDepth(src string, depth int) []shellCall {
	f, err := syntax.NewParser(syntax.KeepComments(false), syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil || f == nil {
		return splitShellCalls(src)
	}
	var out []shellCall
	syntax.Walk(f, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.CallExpr:
			c := shellCall{Line: int(x.Pos().Line())}
			for _, a := range x.Assigns {
				c.Assigns = append(c.Assigns, assignOf(a))
			}
			for _, w := range x.Args {
				c.Args = append(c.Args, wordText(w))
			}
			out = append(out, unwrapCall(c, depth)...)
		case *syntax.DeclClause:
			if x.Variant != nil && (x.Variant.Value == "export" || x.Variant.Value == "declare" || x.Variant.Value == "local" || x.Variant.Value == "readonly") {
				c := shellCall{Line: int(x.Pos().Line())}
				for _, a := range x.Args {
					if a.Name != nil && !a.Naked {
						c.Assigns = append(c.Assigns, assignOf(a))
					}
				}
				out = append(out, c)
			}
		}
		return true
	})
	return out
}

func assignOf(a *syntax.Assign) shellAssign {
	v := ""
	if a.Value != nil {
		v = wordText(a.Value)
	}
	name := ""
	if a.Name != nil {
		name = a.Name.Value
	}
	return shellAssign{Name: name, Value: v}
}

// wordText renders a word with its quotes removed and its expansions kept
// as written.
func wordText(w *syntax.Word) string {
	var b strings.Builder
	var parts func(ps []syntax.WordPart)
	parts = func(ps []syntax.WordPart) {
		for _, p := range ps {
			switch x := p.(type) {
			case *syntax.Lit:
				b.WriteString(x.Value)
			case *syntax.SglQuoted:
				b.WriteString(x.Value)
			case *syntax.DblQuoted:
				parts(x.Parts)
			case *syntax.ParamExp:
				if x.Param != nil {
					b.WriteString("${" + x.Param.Value + "}")
				}
			default:
				b.WriteString("$(…)")
			}
		}
	}
	parts(w.Parts)
	return b.String()
}

// unwrapCall drops the wrappers that run another command (sudo, env,
// exec, nohup, time, command, xargs) and parses the script of sh -c.
func unwrapCall(c shellCall, depth int) []shellCall {
	for len(c.Args) > 0 {
		switch path.Base(c.Args[0]) {
		case "sudo", "exec", "nohup", "time", "command", "xargs", "nice", "doas":
			c.Args = c.Args[1:]
			for len(c.Args) > 0 && strings.HasPrefix(c.Args[0], "-") {
				c.Args = c.Args[1:]
			}
			continue
		case "env":
			c.Args = c.Args[1:]
			for len(c.Args) > 0 {
				if name, val, ok := strings.Cut(c.Args[0], "="); ok && !strings.HasPrefix(name, "-") {
					c.Assigns = append(c.Assigns, shellAssign{Name: name, Value: val})
					c.Args = c.Args[1:]
					continue
				}
				if strings.HasPrefix(c.Args[0], "-") {
					c.Args = c.Args[1:]
					continue
				}
				break
			}
			continue
		case "sh", "bash", "dash", "ash", "zsh", "ksh":
			for i := 1; i+1 < len(c.Args) && depth < maxShellDepth; i++ {
				if strings.HasPrefix(c.Args[i], "-") && strings.Contains(c.Args[i], "c") && !strings.HasPrefix(c.Args[i], "--") {
					inner := shellCallsDepth(c.Args[i+1], depth+1)
					for j := range inner {
						inner[j].Line += c.Line - 1
					}
					return append([]shellCall{c}, inner...)
				}
			}
		}
		break
	}
	return []shellCall{c}
}

// splitShellCalls is the fallback for text the parser refuses: it splits
// at ; & | newlines, parentheses and backquotes, reads leading VAR=value
// words as assignments and drops wrappers.
func splitShellCalls(s string) []shellCall {
	var out []shellCall
	for i, line := range strings.Split(s, "\n") {
		for _, seg := range strings.FieldsFunc(line, func(r rune) bool {
			return r == ';' || r == '&' || r == '|' || r == '(' || r == ')' || r == '`'
		}) {
			c := shellCall{Line: i + 1}
			for _, w := range strings.Fields(seg) {
				w = strings.Trim(w, `"'`)
				if len(c.Args) == 0 {
					if w == "export" || w == "then" || w == "do" || w == "else" || w == "$" {
						continue
					}
					if name, val, ok := strings.Cut(w, "="); ok && name != "" && !strings.HasPrefix(name, "-") {
						c.Assigns = append(c.Assigns, shellAssign{Name: name, Value: val})
						continue
					}
				}
				c.Args = append(c.Args, w)
			}
			if len(c.Args) > 0 || len(c.Assigns) > 0 {
				out = append(out, unwrapCall(c, maxShellDepth)...)
			}
		}
	}
	return out
}
