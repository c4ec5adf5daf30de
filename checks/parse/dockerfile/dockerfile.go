// Package dockerfile parses Dockerfiles with BuildKit's own parser
// (multi-stage, heredocs, the escape directive) and expands ARG and ENV
// with BuildKit's shell lexer, exposing per stage what the checks need,
// each with its line: FROM, USER, EXPOSE, ENV, ARG, RUN, ADD/COPY,
// HEALTHCHECK, CMD and ENTRYPOINT.
package dockerfile

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse"
	"github.com/cemark/cemark/checks/parse/compose"
)

// MemoKey is the Target.Memo key of the parsed Dockerfiles.
const MemoKey = "parse/dockerfile"

// File is one parsed Dockerfile.
type File struct {
	Path     string  `json:"path"`
	Escape   string  `json:"escape"`
	MetaArgs []Var   `json:"meta_args,omitempty"` // ARGs before the first FROM
	Stages   []Stage `json:"stages"`
	// Issues are parse problems; a file with issues may still have stages
	// (instructions that parsed are kept).
	Issues []parse.Issue `json:"issues,omitempty"`
}

// Stage is one build stage (FROM … up to the next FROM).
type Stage struct {
	Index int    `json:"index"`
	Name  string `json:"name,omitempty"` // the AS name
	// Product is true for the stages that ship: the final stage, those
	// named in the configuration's checks.product_stages, and those a
	// compose service builds with build.target (compose.ProductTargets).
	Product bool `json:"product"`
	// Final is true for the last stage of the file.
	Final       bool         `json:"final"`
	From        From         `json:"from"`
	Users       []User       `json:"users,omitempty"`
	Expose      []Port       `json:"expose,omitempty"`
	Env         []Var        `json:"env,omitempty"`
	Args        []Var        `json:"args,omitempty"`
	Run         []Run        `json:"run,omitempty"`
	Copies      []Copy       `json:"copies,omitempty"` // ADD and COPY
	Healthcheck *Healthcheck `json:"healthcheck,omitempty"`
	Cmd         *Command     `json:"cmd,omitempty"`
	Entrypoint  *Command     `json:"entrypoint,omitempty"`
	// Instructions lists every instruction of the stage (FROM included), in order.
	Instructions []Instruction `json:"instructions"`
}

// User returns the stage's effective USER (the last one) or nil when the
// stage sets none (it then runs as the base image's user, usually root).
func (s *Stage) User() *User {
	if len(s.Users) == 0 {
		return nil
	}
	return &s.Users[len(s.Users)-1]
}

// Instruction is one raw instruction.
type Instruction struct {
	Keyword  string `json:"keyword"` // upper case: FROM, RUN …
	Line     int    `json:"line"`
	EndLine  int    `json:"end_line"`
	Original string `json:"original"` // the source line(s) as written
}

// From is the stage's base.
type From struct {
	Raw      string `json:"raw"`
	Image    string `json:"image,omitempty"` // repository, without tag/digest
	Tag      string `json:"tag,omitempty"`
	Digest   string `json:"digest,omitempty"`
	Stage    string `json:"stage,omitempty"` // set when the base is an earlier stage
	Scratch  bool   `json:"scratch,omitempty"`
	Platform string `json:"platform,omitempty"`
	Line     int    `json:"line"`
	// Unresolved is true when the reference uses an ARG with no value.
	Unresolved bool `json:"unresolved,omitempty"`
}

// User is one USER instruction.
type User struct {
	Raw   string `json:"raw"`
	Value string `json:"value"` // expanded
	Name  string `json:"name"`  // user part of user[:group]
	Group string `json:"group,omitempty"`
	Line  int    `json:"line"`
	// Unresolved is true when the value uses a variable with no value; it
	// is then set at build time and not known here.
	Unresolved bool `json:"unresolved,omitempty"`
}

// IsRoot reports whether the user is root (name root or uid 0).
func (u User) IsRoot() bool {
	return !u.Unresolved && (u.Name == "root" || u.Name == "0")
}

// Port is one port of an EXPOSE instruction.
type Port struct {
	Raw      string `json:"raw"`
	Port     int    `json:"port"`
	EndPort  int    `json:"end_port,omitempty"` // for ranges 8000-8010
	Protocol string `json:"protocol"`
	Line     int    `json:"line"`
	Column   int    `json:"column,omitempty"`
	// Unresolved: the port comes from a variable with no value.
	Unresolved bool `json:"unresolved,omitempty"`
}

// Var is one ENV or ARG entry.
type Var struct {
	Name     string `json:"name"`
	Value    string `json:"value"` // expanded; may hold secrets, never print it
	Raw      string `json:"raw"`   // as written
	HasValue bool   `json:"has_value"`
	Line     int    `json:"line"`
}

// Run is one RUN instruction.
type Run struct {
	// Command is the command text: the shell form as written, or the exec
	// form joined with spaces, followed by the heredoc bodies.
	Command  string    `json:"command"`
	Exec     bool      `json:"exec,omitempty"` // JSON (exec) form
	Heredocs []Heredoc `json:"heredocs,omitempty"`
	Line     int       `json:"line"`
	EndLine  int       `json:"end_line"`
}

// Heredoc is an inline file of RUN, COPY or ADD.
type Heredoc struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// Copy is an ADD or COPY instruction.
type Copy struct {
	Keyword  string    `json:"keyword"` // ADD | COPY
	Sources  []string  `json:"sources"` // expanded
	Dest     string    `json:"dest"`
	From     string    `json:"from,omitempty"` // COPY --from
	Checksum string    `json:"checksum,omitempty"`
	URLs     []string  `json:"urls,omitempty"` // http(s) and git sources
	Heredocs []Heredoc `json:"heredocs,omitempty"`
	Line     int       `json:"line"`
}

// Healthcheck is a HEALTHCHECK instruction.
type Healthcheck struct {
	Test []string `json:"test"`
	None bool     `json:"none,omitempty"` // HEALTHCHECK NONE
	Line int      `json:"line"`
}

// Command is a CMD or ENTRYPOINT.
type Command struct {
	Args  []string `json:"args"`
	Shell bool     `json:"shell"` // shell form
	Line  int      `json:"line"`
}

// IsDockerfile reports whether a path names a Dockerfile by convention:
// Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*, *.dockerfile.
func IsDockerfile(rel string) bool {
	base := path.Base(rel)
	lower := strings.ToLower(base)
	switch {
	case lower == "dockerfile" || lower == "containerfile":
		return true
	case strings.HasPrefix(lower, "dockerfile.") || strings.HasPrefix(lower, "containerfile."):
		// Dockerfile.dockerignore, dockerfile.go, Dockerfile.md are not Dockerfiles.
		switch path.Ext(lower) {
		case ".dockerignore", ".go", ".md", ".txt", ".py", ".js", ".ts", ".json", ".yaml", ".yml", ".sh", ".rs", ".java", ".tmpl", ".j2", ".orig", ".bak", ".swp":
			return false
		}
		return true
	case strings.HasSuffix(lower, ".dockerfile") || strings.HasSuffix(lower, ".containerfile"):
		return true
	}
	return false
}

// Discover lists the Dockerfiles of the target: the configured ones when
// checks.dockerfiles is set, otherwise every file named by convention.
func Discover(t *checks.Target) []string {
	if t.Config != nil && len(t.Config.Checks.Dockerfiles) > 0 {
		return configured(t, t.Config.Checks.Dockerfiles)
	}
	var out []string
	for _, e := range t.Files.Match(func(rel string) bool { return IsDockerfile(rel) && !parse.Vendored(rel) }) {
		out = append(out, e.Path)
	}
	return out
}

// configured resolves configured paths or globs against the index.
func configured(t *checks.Target, globs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range globs {
		g = strings.TrimPrefix(path.Clean(strings.ReplaceAll(g, "\\", "/")), "./")
		for _, e := range t.Files.Match(func(rel string) bool { return rel == g || checks.MatchGlob(g, rel) }) {
			if !seen[e.Path] {
				seen[e.Path] = true
				out = append(out, e.Path)
			}
		}
	}
	return out
}

// Files returns the target's parsed Dockerfiles, parsed once per run.
// Files that could not be read are returned with an issue and no stages.
// A file's product stages are checks.product_stages plus the stages
// compose services build from it (build.target): the union, so either
// source can only add a stage that ships.
func Files(ctx context.Context, t *checks.Target) ([]*File, error) {
	return checks.Memoized(t.Memo, MemoKey, func() ([]*File, error) {
		var configured []string
		if t.Config != nil {
			configured = t.Config.Checks.ProductStages
		}
		targets, err := compose.ProductTargets(ctx, t)
		if err != nil {
			return nil, err
		}
		byFile := map[string][]string{}
		for _, bt := range targets {
			byFile[bt.Dockerfile] = append(byFile[bt.Dockerfile], bt.Stage)
		}
		var out []*File
		for _, p := range Discover(t) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			data, err := t.Files.Read(p)
			if err != nil {
				out = append(out, &File{Path: p, Issues: []parse.Issue{{Path: p, Message: "not read: " + err.Error()}}})
				continue
			}
			product := configured
			if extra := byFile[p]; len(extra) > 0 {
				product = append(append([]string(nil), configured...), extra...)
			}
			out = append(out, Parse(p, data, product))
		}
		return out, nil
	})
}

// Parse parses one Dockerfile. It never fails: problems are in File.Issues.
// productStages names stages that ship besides the final one.
func Parse(p string, data []byte, productStages []string) (f *File) {
	f = &File{Path: p, Escape: `\`}
	defer func() {
		if r := recover(); r != nil {
			f.Issues = append(f.Issues, parse.Issue{Path: p, Message: fmt.Sprintf("Dockerfile parser failed: %v", r)})
		}
	}()
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		f.Issues = append(f.Issues, parse.Issue{Path: p, Line: errLine(err), Message: "not a valid Dockerfile: " + err.Error()})
		return f
	}
	if res.EscapeToken != 0 {
		f.Escape = string(res.EscapeToken)
	}
	b := builder{f: f, lex: shell.NewLex(res.EscapeToken), global: newEnv(nil)}
	for _, n := range res.AST.Children {
		b.node(n)
	}
	for i := range f.Stages {
		s := &f.Stages[i]
		s.Final = i == len(f.Stages)-1
		s.Product = s.Final || (s.Name != "" && contains(productStages, s.Name))
	}
	return f
}

func errLine(err error) int {
	if loc, ok := err.(interface{ Location() []parser.Range }); ok {
		if r := loc.Location(); len(r) > 0 {
			return r[0].Start.Line
		}
	}
	return 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// env is the variables in scope, in definition order (BuildKit's lexer
// wants an EnvGetter).
type env struct {
	keys []string
	vals map[string]string
}

func newEnv(from *env) *env {
	e := &env{vals: map[string]string{}}
	if from != nil {
		e.keys = append(e.keys, from.keys...)
		for k, v := range from.vals {
			e.vals[k] = v
		}
	}
	return e
}

func (e *env) Get(k string) (string, bool) { v, ok := e.vals[k]; return v, ok }
func (e *env) Keys() []string              { return e.keys }
func (e *env) set(k, v string) {
	if _, ok := e.vals[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.vals[k] = v
}

type builder struct {
	f      *File
	lex    *shell.Lex
	global *env // meta ARGs with values
	// metaDeclared holds every meta ARG name, with or without a value.
	metaDeclared map[string]bool
	scope        *env
	stage        *Stage
}

// expand expands a word; unresolved is true when a variable had no value.
func (b *builder) expand(word string, e *env) (string, bool) {
	res, err := b.lex.ProcessWordWithMatches(word, e)
	if err != nil {
		return word, true
	}
	return res.Result, len(res.Unmatched) > 0
}

func (b *builder) issue(n *parser.Node, msg string) {
	b.f.Issues = append(b.f.Issues, parse.Issue{Path: b.f.Path, Line: n.StartLine, Message: msg})
}

func (b *builder) node(n *parser.Node) {
	kw := strings.ToUpper(n.Value)
	cmd, err := instructions.ParseInstruction(n)
	if err != nil {
		b.issue(n, fmt.Sprintf("%s instruction not understood: %v", kw, err))
		return
	}
	ins := Instruction{Keyword: kw, Line: n.StartLine, EndLine: n.EndLine, Original: n.Original}
	if st, ok := cmd.(*instructions.Stage); ok {
		b.from(n, st, ins)
		return
	}
	if b.stage == nil {
		if a, ok := cmd.(*instructions.ArgCommand); ok {
			if b.metaDeclared == nil {
				b.metaDeclared = map[string]bool{}
			}
			for _, kv := range a.Args {
				v := Var{Name: kv.Key, Raw: kv.ValueString(), HasValue: kv.Value != nil, Line: n.StartLine}
				b.metaDeclared[kv.Key] = true
				if kv.Value != nil {
					v.Value, _ = b.expand(*kv.Value, b.global)
					b.global.set(kv.Key, v.Value)
				}
				b.f.MetaArgs = append(b.f.MetaArgs, v)
			}
			return
		}
		b.issue(n, kw+" before the first FROM")
		return
	}
	s := b.stage
	s.Instructions = append(s.Instructions, ins)
	switch c := cmd.(type) {
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			v := Var{Name: kv.Key, Raw: kv.ValueString(), HasValue: kv.Value != nil, Line: n.StartLine}
			if kv.Value != nil {
				v.Value, _ = b.expand(*kv.Value, b.scope)
				b.scope.set(kv.Key, v.Value)
			} else if g, ok := b.global.Get(kv.Key); ok {
				// ARG NAME in a stage takes the meta ARG's default.
				v.Value, v.HasValue = g, true
				b.scope.set(kv.Key, g)
			}
			s.Args = append(s.Args, v)
		}
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			val, _ := b.expand(kv.Value, b.scope)
			s.Env = append(s.Env, Var{Name: kv.Key, Value: val, Raw: kv.Value, HasValue: true, Line: n.StartLine})
			b.scope.set(kv.Key, val)
		}
	case *instructions.UserCommand:
		val, unresolved := b.expand(c.User, b.scope)
		u := User{Raw: c.User, Value: val, Line: n.StartLine, Unresolved: unresolved || val == ""}
		u.Name, u.Group, _ = strings.Cut(val, ":")
		s.Users = append(s.Users, u)
	case *instructions.ExposeCommand:
		col := 0
		for _, raw := range c.Ports {
			val, unresolved := b.expand(raw, b.scope)
			if idx := strings.Index(n.Original, raw); idx >= 0 {
				col = idx + 1
			}
			for _, word := range strings.Fields(val) {
				p := parsePort(word)
				p.Raw, p.Line, p.Column = raw, n.StartLine, col
				p.Unresolved = unresolved || p.Port == 0
				s.Expose = append(s.Expose, p)
			}
			if strings.TrimSpace(val) == "" {
				s.Expose = append(s.Expose, Port{Raw: raw, Line: n.StartLine, Column: col, Protocol: "tcp", Unresolved: true})
			}
		}
	case *instructions.RunCommand:
		r := Run{Exec: !c.PrependShell, Line: n.StartLine, EndLine: n.EndLine}
		parts := []string{strings.Join(c.CmdLine, " ")}
		for _, h := range c.Files {
			r.Heredocs = append(r.Heredocs, Heredoc{Name: h.Name, Content: h.Data})
			parts = append(parts, h.Data)
		}
		r.Command = strings.Join(parts, "\n")
		s.Run = append(s.Run, r)
	case *instructions.AddCommand:
		cp := b.copyOf("ADD", c.SourcesAndDest, n)
		cp.Checksum, _ = b.expand(c.Checksum, b.scope)
		s.Copies = append(s.Copies, cp)
	case *instructions.CopyCommand:
		cp := b.copyOf("COPY", c.SourcesAndDest, n)
		cp.From = c.From
		s.Copies = append(s.Copies, cp)
	case *instructions.HealthCheckCommand:
		h := &Healthcheck{Line: n.StartLine}
		if c.Health != nil {
			h.Test = append([]string(nil), c.Health.Test...)
			h.None = len(h.Test) > 0 && h.Test[0] == "NONE"
		}
		s.Healthcheck = h
	case *instructions.CmdCommand:
		s.Cmd = &Command{Args: append([]string(nil), c.CmdLine...), Shell: c.PrependShell, Line: n.StartLine}
	case *instructions.EntrypointCommand:
		s.Entrypoint = &Command{Args: append([]string(nil), c.CmdLine...), Shell: c.PrependShell, Line: n.StartLine}
	}
}

func (b *builder) copyOf(kw string, sd instructions.SourcesAndDest, n *parser.Node) Copy {
	cp := Copy{Keyword: kw, Line: n.StartLine}
	cp.Dest, _ = b.expand(sd.DestPath, b.scope)
	for _, src := range sd.SourcePaths {
		v, _ := b.expand(src, b.scope)
		cp.Sources = append(cp.Sources, v)
		l := strings.ToLower(v)
		if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "git@") ||
			strings.HasPrefix(l, "git://") || strings.HasSuffix(strings.SplitN(l, "#", 2)[0], ".git") && strings.Contains(l, "://") {
			cp.URLs = append(cp.URLs, v)
		}
	}
	for _, c := range sd.SourceContents {
		cp.Heredocs = append(cp.Heredocs, Heredoc{Name: c.Path, Content: c.Data})
	}
	return cp
}

func (b *builder) from(n *parser.Node, st *instructions.Stage, ins Instruction) {
	idx := len(b.f.Stages)
	b.f.Stages = append(b.f.Stages, Stage{Index: idx, Name: st.Name, Instructions: []Instruction{ins}})
	s := &b.f.Stages[idx]
	b.stage = s
	b.scope = newEnv(nil)
	raw := st.BaseName
	val, unresolved := b.expand(raw, b.global)
	platform, _ := b.expand(st.Platform, b.global)
	fr := From{Raw: raw, Line: n.StartLine, Platform: platform, Unresolved: unresolved || val == ""}
	switch {
	case strings.EqualFold(val, "scratch"):
		fr.Scratch = true
	case b.isStage(val, idx):
		fr.Stage = val
	default:
		fr.Image, fr.Tag, fr.Digest = SplitImage(val)
	}
	s.From = fr
}

func (b *builder) isStage(name string, before int) bool {
	for i := 0; i < before; i++ {
		if b.f.Stages[i].Name != "" && strings.EqualFold(b.f.Stages[i].Name, name) {
			return true
		}
	}
	return false
}

// SplitImage splits an image reference into repository, tag and digest:
// "reg:5000/a/b:1.2@sha256:…" → "reg:5000/a/b", "1.2", "sha256:…".
func SplitImage(ref string) (image, tag, digest string) {
	image = ref
	if i := strings.Index(image, "@"); i >= 0 {
		image, digest = image[:i], image[i+1:]
	}
	// A colon after the last slash separates the tag (a colon before it is a registry port).
	if i := strings.LastIndex(image, ":"); i >= 0 && i > strings.LastIndex(image, "/") {
		image, tag = image[:i], image[i+1:]
	}
	return image, tag, digest
}

// parsePort parses "80", "80/tcp", "53/udp", "8000-8010/tcp".
func parsePort(word string) Port {
	p := Port{Protocol: "tcp"}
	num, proto, ok := strings.Cut(word, "/")
	if ok && proto != "" {
		p.Protocol = strings.ToLower(proto)
	}
	lo, hi, isRange := strings.Cut(num, "-")
	if n, err := strconv.Atoi(lo); err == nil && n > 0 && n < 65536 {
		p.Port = n
	}
	if isRange {
		if n, err := strconv.Atoi(hi); err == nil && n >= p.Port && n < 65536 {
			p.EndPort = n
		}
	}
	return p
}
