// Package compose loads Compose projects with compose-spec's compose-go
// (several files merged in order, profiles, ${VAR:-default}
// interpolation) in a closed world: the environment is empty (never the
// process's), nothing is fetched, include/extends/env_file are not
// followed, and files come from the Target's index. compose-go drops
// line numbers, so each element is mapped back to its line with a yaml.v3
// walk of the files. A project compose-go refuses is read leniently from
// those trees (lenient.go) rather than lost.
package compose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/interpolation"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse"
)

// MemoKey is the Target.Memo key of the loaded Compose projects.
const MemoKey = "parse/compose"

// Project is one Compose project (one or more files merged in order).
type Project struct {
	Name  string   `json:"name"`
	Dir   string   `json:"dir"`   // folder of the first file, relative to the root
	Files []string `json:"files"` // in merge order
	// Services are the active services (profiles applied), sorted by name.
	Services []Service `json:"services,omitempty"`
	// Interpolated is false when interpolation failed (a required
	// variable) and the files were loaded without it.
	Interpolated bool `json:"interpolated"`
	// Lenient is true when compose-go refused the project (one bad
	// service, a duplicate key, a wrong type) and the services were read
	// from the YAML tree instead: every service is still judged.
	Lenient bool          `json:"lenient,omitempty"`
	Issues  []parse.Issue `json:"issues,omitempty"`
}

// Loc is where an element was written: the last file of the project that
// sets it.
type Loc struct {
	Path   string `json:"path"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Value is a string setting with its location.
type Value struct {
	Value string `json:"value"`
	Loc
}

// Service is one service of a project.
type Service struct {
	Name string `json:"name"`
	Loc
	Image       Value    `json:"image"`
	User        Value    `json:"user"`
	Privileged  bool     `json:"privileged"`
	PrivLoc     Loc      `json:"privileged_loc"`
	CapAdd      []Value  `json:"cap_add,omitempty"`
	NetworkMode Value    `json:"network_mode"`
	Pid         Value    `json:"pid"`
	Ipc         Value    `json:"ipc"`
	Ports       []Port   `json:"ports,omitempty"`
	Expose      []Port   `json:"expose,omitempty"`
	Volumes     []Volume `json:"volumes,omitempty"`
	Environment []Var    `json:"environment,omitempty"`
	// Build is set when the service is built from a Dockerfile.
	Build    *Build   `json:"build,omitempty"`
	Profiles []string `json:"profiles,omitempty"`
}

// Build is a service's build section. Paths are as written: Context
// relative to the project folder, Dockerfile relative to Context.
type Build struct {
	Context    string `json:"context"`
	Dockerfile string `json:"dockerfile,omitempty"`
	// Inline is true for dockerfile_inline: there is no Dockerfile to read.
	Inline bool   `json:"inline,omitempty"`
	Target string `json:"target,omitempty"`
	// Args are the build arguments (build.args); values may be secrets:
	// never print them.
	Args []Var `json:"args,omitempty"`
	// Loc is where build.target is written, else the build key.
	Loc
}

// Port is one published (ports) or exposed (expose) port.
type Port struct {
	Target int `json:"target"`
	// Published is the host port ("" when only exposed or left to Docker).
	Published string `json:"published,omitempty"`
	HostIP    string `json:"host_ip,omitempty"`
	Protocol  string `json:"protocol"`
	Mode      string `json:"mode,omitempty"`
	Loc
}

// PublishedPort returns the published port as a number (first of a
// range), 0 when none or not a number.
func (p Port) PublishedPort() int {
	lo, _, _ := strings.Cut(p.Published, "-")
	n, err := strconv.Atoi(lo)
	if err != nil || n <= 0 || n > 65535 {
		return 0
	}
	return n
}

// Volume is one service volume.
type Volume struct {
	Type   string `json:"type"` // bind | volume | tmpfs | npipe
	Source string `json:"source,omitempty"`
	Target string `json:"target"`
	Loc
}

// Var is one environment entry. Value may be a secret: never print it.
type Var struct {
	Name     string `json:"name"`
	Value    string `json:"value,omitempty"`
	HasValue bool   `json:"has_value"`
	// Raw is the value as written, before interpolation ("${DB_PASSWORD}").
	Raw string `json:"raw,omitempty"`
	Loc
}

// IsComposeFile reports whether a path is named like a Compose file
// (checks.IsComposeFile: compose.yaml, docker-compose.yml,
// podman-compose.yml, their overrides and variants).
func IsComposeFile(rel string) bool { return checks.IsComposeFile(rel) }

// Discover groups the target's Compose files into projects: the
// configured list as one project when checks.compose_files is set;
// otherwise per folder, each main file with its override file, and each
// other variant (compose.prod.yaml) on its own.
func Discover(t *checks.Target) [][]string {
	if t.Config != nil && len(t.Config.Checks.ComposeFiles) > 0 {
		var files []string
		for _, f := range t.Config.Checks.ComposeFiles {
			f = strings.TrimPrefix(path.Clean(filepath.ToSlash(f)), "./")
			if t.Files.Has(f) {
				files = append(files, f)
			}
		}
		if len(files) == 0 {
			return nil
		}
		return [][]string{files}
	}
	byDir := map[string][]string{}
	var dirs []string
	for _, e := range t.Files.Match(func(rel string) bool { return IsComposeFile(rel) && !parse.Vendored(rel) }) {
		d := path.Dir(e.Path)
		if _, ok := byDir[d]; !ok {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], e.Path)
	}
	sort.Strings(dirs)
	var out [][]string
	for _, d := range dirs {
		files := byDir[d]
		var override []string
		var rest []string
		for _, f := range files {
			if checks.IsComposeOverride(f) {
				override = append(override, f)
			} else {
				rest = append(rest, f)
			}
		}
		primaryUsed := false
		for _, f := range rest {
			if checks.IsComposePrimary(f) && !primaryUsed {
				primaryUsed = true
				out = append(out, append([]string{f}, override...))
				continue
			}
			out = append(out, []string{f})
		}
		if !primaryUsed {
			for _, f := range override {
				out = append(out, []string{f})
			}
		}
	}
	return out
}

// Projects returns the target's Compose projects, loaded once per run.
func Projects(ctx context.Context, t *checks.Target) ([]*Project, error) {
	return checks.Memoized(t.Memo, MemoKey, func() ([]*Project, error) {
		var profiles []string
		if t.Config != nil {
			profiles = t.Config.Checks.ComposeProfiles
		}
		var out []*Project
		for _, files := range Discover(t) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			var inputs []File
			var issues []parse.Issue
			for _, f := range files {
				data, err := t.Files.Read(f)
				if err != nil {
					issues = append(issues, parse.Issue{Path: f, Message: "not read: " + err.Error()})
					continue
				}
				inputs = append(inputs, File{Path: f, Data: data})
			}
			p := Load(ctx, t.Root, inputs, profiles)
			p.Issues = append(issues, p.Issues...)
			if len(p.Files) == 0 {
				p.Files = files
			}
			out = append(out, p)
		}
		return out, nil
	})
}

// File is one input file: its path relative to the root and its bytes.
type File struct {
	Path string
	Data []byte
}

// Load loads files as one project. root is the absolute product root
// (compose-go wants a working directory; nothing is read from it). It
// never fails: problems are in Project.Issues.
func Load(ctx context.Context, root string, files []File, profiles []string) (p *Project) {
	p = &Project{}
	if len(files) == 0 {
		return p
	}
	p.Dir = path.Dir(files[0].Path)
	p.Name = projectName(p.Dir)
	defer func() {
		if r := recover(); r != nil {
			p.Issues = append(p.Issues, parse.Issue{Path: files[0].Path, Message: fmt.Sprintf("Compose loader failed: %v", r)})
		}
	}()
	trees := make([]*yaml.Node, 0, len(files))
	var treeFiles []string
	type parsed struct {
		name string
		data []byte
		docs []*yaml.Node
	}
	var inputs []parsed
	for _, f := range files {
		p.Files = append(p.Files, f.Path)
		docs, err := parse.YAMLDocuments(f.Data)
		if err != nil {
			p.Issues = append(p.Issues, parse.Issue{Path: f.Path, Message: "Compose file not parsed: " + err.Error()})
			return p
		}
		if len(docs) == 0 {
			continue
		}
		trees = append(trees, docs[0].Content[0])
		treeFiles = append(treeFiles, f.Path)
		inputs = append(inputs, parsed{filepath.Join(root, filepath.FromSlash(f.Path)), f.Data, docs})
	}
	if len(inputs) == 0 {
		p.Issues = append(p.Issues, parse.Issue{Path: files[0].Path, Message: "empty Compose file"})
		return p
	}
	// Each load has its own files: compose-go changes a mapping it is
	// given (configFile).
	details := func() types.ConfigDetails {
		cfgFiles := make([]types.ConfigFile, len(inputs))
		for i, in := range inputs {
			cfgFiles[i] = configFile(in.name, in.data, in.docs)
		}
		return types.ConfigDetails{
			WorkingDir:  filepath.Join(root, filepath.FromSlash(p.Dir)),
			ConfigFiles: cfgFiles,
			Environment: types.Mapping{}, // never the process environment
		}
	}
	services, err := safeLoad(ctx, details(), loadOptions(p.Name, true))
	p.Interpolated = err == nil
	if err != nil {
		var missing *template.MissingRequiredError
		if !errors.As(err, &missing) && !strings.Contains(err.Error(), "required variable") {
			return lenient(p, treeFiles, trees, profiles, relErr(err, root))
		}
		// A required variable (${X:?}) has no value in the closed
		// environment: load the files as written.
		services, err = safeLoad(ctx, details(), loadOptions(p.Name, false))
		if err != nil {
			return lenient(p, treeFiles, trees, profiles, relErr(err, root))
		}
	}
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	lm := locator{files: treeFiles, trees: trees}
	for _, n := range names {
		if sm := services[n]; (types.ServiceConfig{Profiles: sm.Profiles}).HasProfile(profiles) {
			p.Services = append(p.Services, lm.service(n, sm))
		}
	}
	return p
}

// serviceModel is the part of a service the checks read, in compose-go's
// own types. It is decoded from compose-go's canonical model (merged,
// interpolated, short syntax made long) with compose-go's own decoder,
// loader.Transform, one service at a time: binding the whole project
// (loader.ModelToProject: types.ServiceConfig's hundred fields by
// reflection, for every service) was a third of the loading time, for
// fields no check reads.
type serviceModel struct {
	Image       string                      `yaml:"image"`
	User        string                      `yaml:"user"`
	Privileged  bool                        `yaml:"privileged"`
	CapAdd      []string                    `yaml:"cap_add"`
	NetworkMode string                      `yaml:"network_mode"`
	Pid         string                      `yaml:"pid"`
	Ipc         string                      `yaml:"ipc"`
	Ports       []types.ServicePortConfig   `yaml:"ports"`
	Expose      types.StringOrNumberList    `yaml:"expose"`
	Volumes     []types.ServiceVolumeConfig `yaml:"volumes"`
	Environment types.MappingWithEquals     `yaml:"environment"`
	Build       *types.BuildConfig          `yaml:"build"`
	Profiles    []string                    `yaml:"profiles"`
}

// loadOptions are compose-go's options for a project of that name, with
// or without interpolation.
func loadOptions(name string, interpolate bool) func(*loader.Options) {
	return func(o *loader.Options) {
		o.SetProjectName(name, true)
		o.SkipInclude = true
		o.SkipExtends = true // extends.file would read outside the index
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		o.SkipConsistencyCheck = true
		// Schema validation is a third of the loading time and cemark only
		// reads; malformed values still fail when the model is decoded.
		o.SkipValidation = true
		o.ResolvePaths = false
		o.ResourceLoaders = nil
		o.SkipInterpolation = !interpolate
		if o.Interpolate != nil {
			o.Interpolate.TypeCastMapping = boundCasts()
			o.Interpolate.LookupValue = func(string) (string, bool) { return "", false }
			o.Interpolate.Substitute = func(s string, m template.Mapping) (string, error) {
				return template.SubstituteWithOptions(s, m, template.WithoutLogging)
			}
		}
	}
}

// configFile is one file for compose-go. A file of one document with no
// local tag is given as the mapping its tree (docs, already parsed for
// the lines) decodes to: compose-go would parse the text again, and walk
// it for its own tags (!reset, !override) with a path string per node.
// Any other file is given as text, as compose-go reads it.
func configFile(name string, data []byte, docs []*yaml.Node) types.ConfigFile {
	text := types.ConfigFile{Filename: name, Content: data}
	// YAMLDocuments leaves empty documents out; compose-go reads each.
	if len(docs) != 1 || bytes.HasPrefix(data, []byte("---")) || bytes.Contains(data, []byte("\n---")) || bytes.Contains(data, []byte("\n...")) || hasLocalTag(docs[0]) {
		return text
	}
	var v any
	if err := docs[0].Decode(&v); err != nil {
		return text // compose-go says why, in its words
	}
	m, ok := v.(map[string]any)
	if !ok {
		return text
	}
	return types.ConfigFile{Filename: name, Config: m}
}

// hasLocalTag reports whether a node under n has a local tag (!reset,
// !override, or any other "!…"; the standard ones are "!!…").
func hasLocalTag(n *yaml.Node) bool {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return true
	}
	for _, c := range n.Content {
		if hasLocalTag(c) {
			return true
		}
	}
	return false
}

// boundCasts is compose-go's table of interpolation casts (a string
// where the specification wants a number or a boolean, "${PORT}" or
// "yes", made one) narrowed to the fields serviceModel binds. compose-go
// tests every string of the model against each of its seventy patterns,
// splitting both paths every time: on small files that was a third of the
// loading, for fields no check reads. A wrong value in those fields now
// costs nothing, as in any other field serviceModel leaves out.
var boundCasts = sync.OnceValue(func() map[tree.Path]interpolation.Cast {
	bound := map[string]bool{}
	st := reflect.TypeFor[serviceModel]()
	for i := range st.NumField() {
		bound[st.Field(i).Tag.Get("yaml")] = true
	}
	out := map[tree.Path]interpolation.Cast{}
	for pattern, cast := range loader.ToOptions(&types.ConfigDetails{}, nil).Interpolate.TypeCastMapping {
		if parts := pattern.Parts(); len(parts) > 2 && parts[0] == "services" && parts[1] == tree.PathMatchAll && bound[parts[2]] {
			out[pattern] = cast
		}
	}
	return out
})

// decodeServices binds the canonical model's services (all of them;
// profiles are applied by the caller).
func decodeServices(model map[string]any) (map[string]serviceModel, error) {
	raw, _ := model["services"].(map[string]any)
	out := make(map[string]serviceModel, len(raw))
	for name, v := range raw {
		var sm serviceModel
		if err := loader.Transform(v, &sm); err != nil {
			return nil, fmt.Errorf("services.%s: %w", name, err)
		}
		out[name] = sm
	}
	return out, nil
}

// logrusMu serialises quietLogrus. compose-go writes warnings ("yes" for
// a boolean, external.name deprecated, version obsolete) through logrus's
// process-wide standard logger, straight to stderr, with no option to pass
// a logger; cemark's stderr is for its own messages. The only lever is that
// global logger, so it is silenced for the duration of one load and
// restored after: the narrowest scope available. The mutex keeps concurrent
// loads from restoring each other's swapped output.
var logrusMu sync.Mutex

// quietLogrus discards logrus's standard output until the returned
// function restores it.
func quietLogrus() (restore func()) {
	logrusMu.Lock()
	std := logrus.StandardLogger()
	prev := std.Out
	std.SetOutput(io.Discard)
	return func() {
		std.SetOutput(prev)
		logrusMu.Unlock()
	}
}

// safeLoad calls compose-go for the project's canonical model and binds
// its services, turning a panic on malformed input (it has panicked on a
// top-level "volumes:" with no value) into an error.
func safeLoad(ctx context.Context, details types.ConfigDetails, opt func(*loader.Options)) (services map[string]serviceModel, err error) {
	defer quietLogrus()()
	defer func() {
		if r := recover(); r != nil {
			services, err = nil, fmt.Errorf("compose-go could not load the file: %v", r)
		}
	}()
	model, err := loader.LoadModelWithContext(ctx, details, opt)
	if err != nil {
		return nil, err
	}
	return decodeServices(model)
}

func relErr(err error, root string) string {
	return strings.ReplaceAll(err.Error(), root+string(filepath.Separator), "")
}

var nameRe = regexp.MustCompile(`[^a-z0-9_-]+`)

func projectName(dir string) string {
	base := path.Base(dir)
	if base == "." || base == "/" {
		base = "product"
	}
	n := strings.TrimLeft(nameRe.ReplaceAllString(strings.ToLower(base), ""), "_-")
	if n == "" {
		n = "product"
	}
	return n
}

// locator maps compose-go's model back to lines in the files.
type locator struct {
	files []string
	trees []*yaml.Node // the root mapping of each file, same order
}

// key finds services.<svc>.<key> in the last file that sets it.
func (l locator) key(svc, key string) (val *yaml.Node, loc Loc) {
	for i := len(l.trees) - 1; i >= 0; i-- {
		services, _ := parse.MapGet(l.trees[i], "services")
		s, sk := parse.MapGet(services, svc)
		if s == nil && sk == nil {
			continue
		}
		if key == "" {
			return s, Loc{Path: l.files[i], Line: sk.Line, Column: sk.Column}
		}
		if v, k := parse.MapGet(s, key); k != nil {
			return v, Loc{Path: l.files[i], Line: k.Line, Column: k.Column}
		}
	}
	return nil, Loc{}
}

func (l locator) value(svc, key, v string) Value {
	if v == "" {
		return Value{}
	}
	_, loc := l.key(svc, key)
	return Value{Value: v, Loc: loc}
}

// item finds the element of the sequence services.<svc>.<key> for which
// match is true, falling back to the key's own line.
func (l locator) item(svc, key string, match func(n *yaml.Node) bool) Loc {
	seqNode, loc := l.key(svc, key)
	if seqNode == nil {
		return loc
	}
	for _, it := range seqNode.Content {
		it = parse.Resolve(it)
		if it != nil && match(it) {
			return Loc{Path: loc.Path, Line: it.Line, Column: it.Column}
		}
	}
	if seqNode.Kind == yaml.MappingNode { // environment: KEY: value
		for i := 0; i+1 < len(seqNode.Content); i += 2 {
			if match(seqNode.Content[i]) {
				return Loc{Path: loc.Path, Line: seqNode.Content[i].Line, Column: seqNode.Content[i].Column}
			}
		}
	}
	return loc
}

func (l locator) service(name string, sc serviceModel) Service {
	_, loc := l.key(name, "")
	s := Service{Name: name, Loc: loc,
		Image: l.value(name, "image", sc.Image), User: l.value(name, "user", sc.User),
		Privileged:  sc.Privileged,
		NetworkMode: l.value(name, "network_mode", sc.NetworkMode), Pid: l.value(name, "pid", sc.Pid), Ipc: l.value(name, "ipc", sc.Ipc),
		Profiles: sc.Profiles}
	if sc.Privileged {
		_, s.PrivLoc = l.key(name, "privileged")
	}
	for _, c := range sc.CapAdd {
		c := c
		s.CapAdd = append(s.CapAdd, Value{Value: c, Loc: l.item(name, "cap_add", func(n *yaml.Node) bool {
			return n.Kind == yaml.ScalarNode && strings.EqualFold(strings.TrimPrefix(n.Value, "CAP_"), strings.TrimPrefix(c, "CAP_"))
		})})
	}
	for _, pc := range sc.Ports {
		pc := pc
		port := Port{Target: int(pc.Target), Published: pc.Published, HostIP: pc.HostIP, Protocol: strings.ToLower(pc.Protocol), Mode: pc.Mode}
		if port.Protocol == "" {
			port.Protocol = "tcp"
		}
		tgt := strconv.Itoa(int(pc.Target))
		port.Loc = l.item(name, "ports", func(n *yaml.Node) bool {
			switch n.Kind {
			case yaml.ScalarNode:
				last := n.Value
				if i := strings.LastIndex(last, ":"); i >= 0 {
					last = last[i+1:]
				}
				last, _, _ = strings.Cut(last, "/")
				if last != tgt && !strings.HasPrefix(last, tgt+"-") {
					return false
				}
				return pc.Published == "" || strings.Contains(n.Value, pc.Published) || strings.Contains(n.Value, "$")
			case yaml.MappingNode:
				return parse.Scalar(first(parse.MapGet(n, "target"))) == tgt
			}
			return false
		})
		s.Ports = append(s.Ports, port)
	}
	for _, e := range sc.Expose {
		e := e
		num, proto, _ := strings.Cut(e, "/")
		lo, _, _ := strings.Cut(num, "-")
		n, err := strconv.Atoi(lo)
		if err != nil || n <= 0 || n > 65535 {
			continue
		}
		if proto == "" {
			proto = "tcp"
		}
		s.Expose = append(s.Expose, Port{Target: n, Protocol: strings.ToLower(proto), Loc: l.item(name, "expose", func(y *yaml.Node) bool {
			return y.Kind == yaml.ScalarNode && (y.Value == e || y.Value == num)
		})})
	}
	for _, v := range sc.Volumes {
		v := v
		s.Volumes = append(s.Volumes, Volume{Type: v.Type, Source: v.Source, Target: v.Target, Loc: l.item(name, "volumes", func(n *yaml.Node) bool {
			switch n.Kind {
			case yaml.ScalarNode:
				return strings.Contains(n.Value, v.Target) && (v.Source == "" || strings.Contains(n.Value, v.Source) || strings.Contains(n.Value, "$"))
			case yaml.MappingNode:
				return parse.Scalar(first(parse.MapGet(n, "target"))) == v.Target
			}
			return false
		})})
	}
	envNames := make([]string, 0, len(sc.Environment))
	for k := range sc.Environment {
		envNames = append(envNames, k)
	}
	sort.Strings(envNames)
	for _, k := range envNames {
		k := k
		val := sc.Environment[k]
		ev := Var{Name: k}
		if val != nil {
			ev.Value, ev.HasValue = *val, true
		}
		var raw string
		ev.Loc = l.item(name, "environment", func(n *yaml.Node) bool {
			if n.Kind != yaml.ScalarNode {
				return false
			}
			if n.Value == k {
				return true // mapping key
			}
			if name, v, ok := strings.Cut(n.Value, "="); ok && name == k {
				raw = v
				return true
			}
			return false
		})
		if raw == "" {
			if envMap, _ := l.key(name, "environment"); envMap != nil && envMap.Kind == yaml.MappingNode {
				raw = parse.Scalar(first(parse.MapGet(envMap, k)))
			}
		}
		ev.Raw = raw
		s.Environment = append(s.Environment, ev)
	}
	if sc.Build != nil {
		s.Build = &Build{Context: sc.Build.Context, Dockerfile: sc.Build.Dockerfile, Inline: sc.Build.DockerfileInline != "", Target: sc.Build.Target}
		b, loc := l.key(name, "build")
		if _, k := parse.MapGet(b, "target"); k != nil {
			loc.Line, loc.Column = k.Line, k.Column
		}
		s.Build.Loc = loc
		if b != nil && b.Kind == yaml.MappingNode {
			s.Build.Args = readVars(loc.Path, b, "args")
		}
	}
	return s
}

func first(a, _ *yaml.Node) *yaml.Node { return a }
