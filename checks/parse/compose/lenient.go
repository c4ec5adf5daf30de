package compose

import (
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/checks/parse"
)

// lenient reads the project's services from the YAML trees when compose-go
// refuses the project: one bad service, a duplicate key or a value of the
// wrong type must not lose every finding of the file. The reading follows
// the compose specification's shapes (short and long syntax of ports,
// volumes and environment), interpolates with the same closed, empty
// environment, merges files in order (later scalars win, lists add up),
// and says that the file was read leniently.
func lenient(p *Project, files []string, trees []*yaml.Node, profiles []string, why string) *Project {
	hasServices := false
	for _, tree := range trees {
		if s, _ := parse.MapGet(tree, "services"); s != nil && s.Kind == yaml.MappingNode {
			hasServices = true
		}
	}
	if !hasServices {
		p.Issues = append(p.Issues, parse.Issue{Path: p.Files[0], Message: "Compose project not loaded: " + why})
		return p
	}
	p.Lenient = true
	p.Issues = append(p.Issues, parse.Issue{Path: p.Files[0], Lenient: true,
		Message: "compose-go refused the project (" + why + "); its services were read leniently from the YAML, values it could not read left out"})
	byName := map[string]*Service{}
	var names []string
	for i, tree := range trees {
		services, _ := parse.MapGet(tree, "services")
		if services == nil || services.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(services.Content); j += 2 {
			k, v := services.Content[j], parse.Resolve(services.Content[j+1])
			if v == nil || v.Kind != yaml.MappingNode {
				continue
			}
			s, ok := byName[k.Value]
			if !ok {
				s = &Service{Name: k.Value, Loc: Loc{Path: files[i], Line: k.Line, Column: k.Column}}
				byName[k.Value] = s
				names = append(names, k.Value)
			}
			readService(s, files[i], v)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		s := byName[n]
		if !profileActive(s.Profiles, profiles) {
			continue
		}
		p.Services = append(p.Services, *s)
	}
	return p
}

func profileActive(service, active []string) bool {
	if len(service) == 0 {
		return true
	}
	for _, s := range service {
		for _, a := range active {
			if s == a || a == "*" {
				return true
			}
		}
	}
	return false
}

// interp interpolates a value with the closed, empty environment; a value
// that does not interpolate is kept as written.
func interp(s string) string {
	out, err := template.SubstituteWithOptions(s, func(string) (string, bool) { return "", false }, template.WithoutLogging)
	if err != nil {
		return s
	}
	return out
}

func readService(s *Service, file string, m *yaml.Node) {
	val := func(key string) (Value, *yaml.Node) {
		v, k := parse.MapGet(m, key)
		if v == nil || v.Kind != yaml.ScalarNode || parse.IsNull(v) {
			return Value{}, v
		}
		return Value{Value: interp(v.Value), Loc: Loc{Path: file, Line: k.Line, Column: k.Column}}, v
	}
	for key, dst := range map[string]*Value{"image": &s.Image, "user": &s.User, "network_mode": &s.NetworkMode, "pid": &s.Pid, "ipc": &s.Ipc} {
		if v, _ := val(key); v.Path != "" {
			*dst = v
		}
	}
	if v, _ := val("privileged"); v.Path != "" {
		if b, err := strconv.ParseBool(strings.ToLower(v.Value)); err == nil {
			s.Privileged, s.PrivLoc = b, v.Loc
		}
	}
	for _, c := range items(m, "cap_add") {
		if c.Kind == yaml.ScalarNode {
			s.CapAdd = append(s.CapAdd, Value{Value: interp(c.Value), Loc: Loc{Path: file, Line: c.Line, Column: c.Column}})
		}
	}
	for _, n := range items(m, "profiles") {
		s.Profiles = append(s.Profiles, n.Value)
	}
	for _, n := range items(m, "ports") {
		if port, ok := readPort(n); ok {
			port.Loc = Loc{Path: file, Line: n.Line, Column: n.Column}
			s.Ports = append(s.Ports, port)
		}
	}
	for _, n := range items(m, "expose") {
		num, proto, _ := strings.Cut(interp(n.Value), "/")
		lo, _, _ := strings.Cut(num, "-")
		if t, err := strconv.Atoi(lo); err == nil && t > 0 && t < 65536 {
			if proto == "" {
				proto = "tcp"
			}
			s.Expose = append(s.Expose, Port{Target: t, Protocol: strings.ToLower(proto), Loc: Loc{Path: file, Line: n.Line, Column: n.Column}})
		}
	}
	for _, n := range items(m, "volumes") {
		if vol, ok := readVolume(n); ok {
			vol.Loc = Loc{Path: file, Line: n.Line, Column: n.Column}
			s.Volumes = append(s.Volumes, vol)
		}
	}
	s.Environment = mergeEnv(s.Environment, readVars(file, m, "environment"))
	if b, k := parse.MapGet(m, "build"); k != nil {
		bd := &Build{Context: ".", Loc: Loc{Path: file, Line: k.Line, Column: k.Column}}
		switch {
		case b != nil && b.Kind == yaml.ScalarNode:
			bd.Context = interp(b.Value)
		case b != nil && b.Kind == yaml.MappingNode:
			if c := parse.Scalar(first(parse.MapGet(b, "context"))); c != "" {
				bd.Context = interp(c)
			}
			bd.Dockerfile = interp(parse.Scalar(first(parse.MapGet(b, "dockerfile"))))
			bd.Inline = parse.Scalar(first(parse.MapGet(b, "dockerfile_inline"))) != ""
			if tv, tk := parse.MapGet(b, "target"); tk != nil {
				bd.Target, bd.Line, bd.Column = interp(parse.Scalar(tv)), tk.Line, tk.Column
			}
			bd.Args = readVars(file, b, "args")
		}
		s.Build = bd
	}
}

// items returns the elements of the sequence at key (aliases resolved).
func items(m *yaml.Node, key string) []*yaml.Node {
	v, _ := parse.MapGet(m, key)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(v.Content))
	for _, c := range v.Content {
		if c = parse.Resolve(c); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// readPort reads a ports entry: "80", "8080:80", "127.0.0.1:8080:80/udp",
// or the long syntax {target, published, host_ip, protocol, mode}.
func readPort(n *yaml.Node) (Port, bool) {
	p := Port{Protocol: "tcp"}
	switch n.Kind {
	case yaml.ScalarNode:
		spec := interp(n.Value)
		if rest, proto, ok := strings.Cut(spec, "/"); ok {
			spec, p.Protocol = rest, strings.ToLower(proto)
		}
		parts := splitHostPorts(spec)
		target := parts[len(parts)-1]
		switch len(parts) {
		case 2:
			p.Published = parts[0]
		case 3:
			p.HostIP, p.Published = strings.Trim(parts[0], "[]"), parts[1]
		}
		lo, _, _ := strings.Cut(target, "-")
		t, err := strconv.Atoi(lo)
		if err != nil || t <= 0 || t > 65535 {
			return Port{}, false
		}
		p.Target = t
	case yaml.MappingNode:
		t, err := strconv.Atoi(interp(parse.Scalar(first(parse.MapGet(n, "target")))))
		if err != nil || t <= 0 || t > 65535 {
			return Port{}, false
		}
		p.Target = t
		p.Published = interp(parse.Scalar(first(parse.MapGet(n, "published"))))
		p.HostIP = interp(parse.Scalar(first(parse.MapGet(n, "host_ip"))))
		p.Mode = parse.Scalar(first(parse.MapGet(n, "mode")))
		if pr := parse.Scalar(first(parse.MapGet(n, "protocol"))); pr != "" {
			p.Protocol = strings.ToLower(pr)
		}
	default:
		return Port{}, false
	}
	return p, true
}

// splitHostPorts splits "ip:host:container" at colons outside brackets
// (an IPv6 host address is written [::1]).
func splitHostPorts(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case ':':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// readVolume reads a volumes entry: "src:dst[:mode]" or the long syntax.
func readVolume(n *yaml.Node) (Volume, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		parts := strings.Split(interp(n.Value), ":")
		if len(parts) == 1 {
			return Volume{Type: "volume", Target: parts[0]}, true
		}
		v := Volume{Source: parts[0], Target: parts[1], Type: "volume"}
		if strings.HasPrefix(v.Source, "/") || strings.HasPrefix(v.Source, ".") || strings.HasPrefix(v.Source, "~") {
			v.Type = "bind"
		}
		return v, true
	case yaml.MappingNode:
		return Volume{Type: parse.Scalar(first(parse.MapGet(n, "type"))), Source: interp(parse.Scalar(first(parse.MapGet(n, "source")))),
			Target: interp(parse.Scalar(first(parse.MapGet(n, "target"))))}, true
	}
	return Volume{}, false
}

// readVars reads environment (or build args) as a mapping or a list of
// KEY=VALUE.
func readVars(file string, m *yaml.Node, key string) []Var {
	env, _ := parse.MapGet(m, key)
	var out []Var
	switch {
	case env == nil:
	case env.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(env.Content); i += 2 {
			k, v := env.Content[i], parse.Resolve(env.Content[i+1])
			ev := Var{Name: k.Value, Loc: Loc{Path: file, Line: k.Line, Column: k.Column}}
			if v != nil && v.Kind == yaml.ScalarNode && !parse.IsNull(v) {
				ev.Raw, ev.Value, ev.HasValue = v.Value, interp(v.Value), true
			}
			out = append(out, ev)
		}
	case env.Kind == yaml.SequenceNode:
		for _, n := range items(m, key) {
			if n.Kind != yaml.ScalarNode {
				continue
			}
			ev := Var{Name: n.Value, Loc: Loc{Path: file, Line: n.Line, Column: n.Column}}
			if k, v, ok := strings.Cut(n.Value, "="); ok {
				ev.Name, ev.Raw, ev.Value, ev.HasValue = k, v, interp(v), true
			}
			out = append(out, ev)
		}
	}
	return out
}

// mergeEnv merges a later file's environment into an earlier one's.
func mergeEnv(old, add []Var) []Var {
	out := append([]Var(nil), old...)
	for _, a := range add {
		replaced := false
		for i := range out {
			if out[i].Name == a.Name {
				out[i], replaced = a, true
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
