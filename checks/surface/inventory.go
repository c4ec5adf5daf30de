// Package surface builds the product's attack-surface inventory — every
// network interface it exposes, merged across Dockerfiles, image
// configurations, Compose files, Kubernetes manifests, systemd sockets and
// listen sites in source code — and the CEM-PORT checks over it.
package surface

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse"
	"github.com/cemark/cemark/checks/parse/compose"
	"github.com/cemark/cemark/checks/parse/dockerfile"
	"github.com/cemark/cemark/checks/parse/kube"
	"github.com/cemark/cemark/checks/parse/source"
	"github.com/cemark/cemark/checks/parse/systemd"
	"github.com/cemark/cemark/evidence/config"
)

// MemoKey is the Target.Memo key of the collected facts.
const MemoKey = "surface/facts"

// Place kinds, as in checks.Place.Kind.
const (
	KindDockerfileExpose = "dockerfile-expose"
	KindImageConfig      = "image-config"
	KindComposePorts     = "compose-ports"
	KindComposeExpose    = "compose-expose"
	KindK8sContainerPort = "k8s-containerport"
	KindK8sHostPort      = "k8s-hostport"
	KindK8sService       = "k8s-service"
	KindK8sIngress       = "k8s-ingress"
	KindSystemdSocket    = "systemd-socket"
	KindSourceListen     = "source-listen"
)

// maxRange caps how many ports of a range (EXPOSE 8000-8100) are listed
// one by one; a larger range is listed by its first port.
const maxRange = 64

// Facts is what the CEM-PORT checks evaluate.
type Facts struct {
	Inventory *checks.Inventory `json:"inventory"`
	// Declared is cemark.yaml's interfaces section.
	Declared []config.Interface `json:"declared,omitempty"`
	// Issues are files whose part of the surface could not be assessed.
	Issues []parse.Issue `json:"issues,omitempty"`
	// notShipped says, for each place's path that does not ship (test code,
	// examples, development compose files), why; see shippedFirst.
	notShipped map[string]string
}

// Inventory returns the target's attack-surface inventory (memoized).
func Inventory(ctx context.Context, t *checks.Target) (*checks.Inventory, error) {
	f, err := Collect(ctx, t)
	if err != nil {
		return nil, err
	}
	return f.Inventory, nil
}

// Collect gathers the inventory and the parse issues, once per run.
func Collect(ctx context.Context, t *checks.Target) (*Facts, error) {
	return checks.Memoized(t.Memo, MemoKey, func() (*Facts, error) { return collect(ctx, t) })
}

type key struct {
	port  int
	proto string
}

type builder struct {
	places  map[key][]checks.Place
	sources map[string]bool
	issues  []parse.Issue
}

func (b *builder) add(port int, proto string, p checks.Place) {
	if port <= 0 || port > 65535 {
		return
	}
	proto = normProto(proto)
	k := key{port, proto}
	b.places[k] = append(b.places[k], p)
	if p.Kind != KindImageConfig {
		b.sources[p.Path] = true
	}
}

func (b *builder) addRange(lo, hi int, proto string, p checks.Place) {
	if hi <= lo || hi-lo >= maxRange {
		if hi > lo {
			p.Detail = strings.TrimSpace(p.Detail + fmt.Sprintf(" (range %d-%d)", lo, hi))
		}
		b.add(lo, proto, p)
		return
	}
	for n := lo; n <= hi; n++ {
		b.add(n, proto, p)
	}
}

func normProto(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	if p == "" {
		return "tcp"
	}
	return p
}

func boolp(v bool) *bool { return &v }

// parsed holds every parser's result; the parsers run concurrently (each
// is memoized in the Target, and the FileIndex reads each file once).
type parsed struct {
	dfs      []*dockerfile.File
	projects []*compose.Project
	kube     *kube.Manifests
	sockets  []*systemd.Socket
	source   *source.Result
}

func parseAll(ctx context.Context, t *checks.Target) (*parsed, error) {
	var p parsed
	var wg sync.WaitGroup
	errs := make([]error, 5)
	run := func(i int, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A panic here would end the process: no check's protection
			// covers this goroutine.
			defer func() {
				if r := recover(); r != nil {
					errs[i] = fmt.Errorf("%w: %v", ErrParserPanicked, r)
				}
			}()
			errs[i] = fn()
		}()
	}
	run(0, func() (err error) { p.dfs, err = dockerfile.Files(ctx, t); return })
	run(1, func() (err error) { p.projects, err = compose.Projects(ctx, t); return })
	run(2, func() (err error) { p.kube, err = kube.Load(ctx, t); return })
	run(3, func() (err error) { p.sockets, err = systemd.Sockets(ctx, t); return })
	run(4, func() (err error) { p.source, err = source.Scan(ctx, t); return })
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// ErrParserPanicked marks a parser that panicked while parseAll ran it.
var ErrParserPanicked = errors.New("parser panicked")

// ParseTree runs, ahead of the checks, the parsers every surface check
// reads (parseAll), so that their memoized results are there when the
// checks run. They read only the tree and the configuration — never the
// images, the SBOM, the scan, the artefacts or the clock — so they may run
// before those are known (the pipeline runs this beside the SBOM). After
// an error (ErrParserPanicked among them) a memo may be spent: the
// caller must then drop t and let the checks build their own.
func ParseTree(ctx context.Context, t *checks.Target) error {
	_, err := parseAll(ctx, t)
	return err
}

func collect(ctx context.Context, t *checks.Target) (*Facts, error) {
	b := &builder{places: map[key][]checks.Place{}, sources: map[string]bool{}}
	all, err := parseAll(ctx, t)
	if err != nil {
		return nil, err
	}
	dfs := all.dfs
	for _, f := range dfs {
		b.issues = append(b.issues, f.Issues...)
		b.sources[f.Path] = true
		for _, s := range f.Stages {
			if !s.Product {
				continue // build stages do not ship
			}
			for _, se := range inheritedExpose(f, s) {
				p := se.port
				if p.Unresolved {
					continue // a port set at build time is not known here
				}
				detail := "EXPOSE " + p.Raw
				if se.stage != "" {
					detail += " in stage " + se.stage
				}
				b.addRange(p.Port, p.EndPort, p.Protocol, checks.Place{Kind: KindDockerfileExpose, Path: f.Path, Line: p.Line, Column: p.Column, Detail: detail})
			}
		}
	}

	for _, img := range t.Images {
		ref := img.Name
		if ref == "" {
			ref = img.Source
		}
		for _, ep := range img.ExposedPorts {
			num, proto, _ := strings.Cut(ep, "/")
			lo, hi, _ := strings.Cut(num, "-")
			l, err1 := strconv.Atoi(lo)
			if err1 != nil {
				continue
			}
			h, err2 := strconv.Atoi(hi)
			if err2 != nil {
				h = l
			}
			b.addRange(l, h, proto, checks.Place{Kind: KindImageConfig, Path: ref, Detail: "image config ExposedPorts " + ep})
		}
		if ref != "" {
			b.sources["image:"+ref] = true
		}
	}

	projects := all.projects
	for _, p := range projects {
		b.issues = append(b.issues, p.Issues...)
		for _, f := range p.Files {
			b.sources[f] = true
		}
		for _, s := range p.Services {
			for _, port := range s.Ports {
				host := port.PublishedPort()
				detail := fmt.Sprintf("service %s publishes %s → container %d", s.Name, port.Published, port.Target)
				if host == 0 {
					// "80" alone: Docker picks a host port; the container port is what is known.
					host = port.Target
					detail = fmt.Sprintf("service %s publishes container port %d on a host port Docker picks", s.Name, port.Target)
				}
				b.add(host, port.Protocol, checks.Place{Kind: KindComposePorts, Path: port.Path, Line: port.Line, Column: port.Column,
					Detail: detail, Bind: parse.Bind(port.HostIP)})
			}
			for _, port := range s.Expose {
				b.add(port.Target, port.Protocol, checks.Place{Kind: KindComposeExpose, Path: port.Path, Line: port.Line, Column: port.Column,
					Detail: fmt.Sprintf("service %s exposes %d to other services", s.Name, port.Target)})
			}
			if s.NetworkMode.Value == "host" {
				// With host networking the container's ports are the host's; the
				// Dockerfile EXPOSE lines already list them.
				b.sources[s.NetworkMode.Path] = true
			}
		}
	}

	m := all.kube
	b.issues = append(b.issues, m.Issues...)
	for _, w := range m.Workloads {
		for _, c := range w.Pod.Containers {
			for _, p := range c.Ports {
				if p.ContainerPort == 0 {
					continue
				}
				detail := fmt.Sprintf("%s container %s", w.Object, c.Name)
				bind := ""
				if w.Pod.HostNetwork.True() {
					detail += " with hostNetwork"
					bind = "all"
				}
				b.add(p.ContainerPort, p.Protocol, checks.Place{Kind: KindK8sContainerPort, Path: w.Path, Line: p.Line, Column: p.Column, Detail: detail, Bind: bind})
				if p.HostPort > 0 {
					line := p.HostPortLine
					if line == 0 {
						line = p.Line
					}
					b.add(p.HostPort, p.Protocol, checks.Place{Kind: KindK8sHostPort, Path: w.Path, Line: line,
						Detail: fmt.Sprintf("%s container %s hostPort → %d", w.Object, c.Name, p.ContainerPort), Bind: parse.Bind(p.HostIP)})
				}
			}
		}
	}
	for _, s := range m.Services {
		if s.Type == "ExternalName" {
			continue
		}
		for _, p := range s.Ports {
			bind := "" // ClusterIP: inside the cluster
			if s.Type == "LoadBalancer" || len(s.ExternalIPs) > 0 {
				bind = "all"
			}
			detail := fmt.Sprintf("Service %s (%s)", s.Name, s.Type)
			if p.TargetPort != "" {
				detail += " → " + p.TargetPort
			}
			b.add(p.Port, p.Protocol, checks.Place{Kind: KindK8sService, Path: s.Path, Line: p.Line, Column: p.Column, Detail: detail, Bind: bind})
			if p.NodePort > 0 && (s.Type == "NodePort" || s.Type == "LoadBalancer") {
				b.add(p.NodePort, p.Protocol, checks.Place{Kind: KindK8sService, Path: s.Path, Line: p.Line,
					Detail: fmt.Sprintf("Service %s nodePort on every node → %d", s.Name, p.Port), Bind: "all"})
			}
		}
	}
	for _, in := range m.Ingresses {
		hasHTTP := len(in.Rules) > 0 || in.DefaultBackend != nil
		line := in.Line
		if len(in.Rules) > 0 {
			line = in.Rules[0].Line
		}
		if hasHTTP {
			var tls *bool
			if len(in.TLS) == 0 {
				tls = boolp(false)
			}
			b.add(80, "tcp", checks.Place{Kind: KindK8sIngress, Path: in.Path, Line: line, Detail: fmt.Sprintf("Ingress %s (HTTP)", in.Name), Bind: "all", TLS: tls})
		}
		if len(in.TLS) > 0 {
			b.add(443, "tcp", checks.Place{Kind: KindK8sIngress, Path: in.Path, Line: in.TLS[0].Line,
				Detail: fmt.Sprintf("Ingress %s TLS for %s", in.Name, strings.Join(in.TLS[0].Hosts, ", ")), Bind: "all", TLS: boolp(true)})
		}
	}

	socks := all.sockets
	for _, s := range socks {
		b.issues = append(b.issues, s.Issues...)
		for _, l := range s.Listens {
			if l.Unix {
				continue
			}
			b.add(l.Port, l.Protocol, checks.Place{Kind: KindSystemdSocket, Path: s.Path, Line: l.Line, Detail: l.Directive + "=" + l.Address, Bind: l.Bind})
		}
	}

	src := all.source
	b.issues = append(b.issues, src.Issues...)
	for _, l := range src.Listens {
		detail := l.Call
		if l.Address != "" {
			detail += " " + l.Address
		}
		if l.Defaulted {
			detail += " (default, configurable)"
		}
		b.add(l.Port, l.Protocol, checks.Place{Kind: KindSourceListen, Path: l.Path, Line: l.Line, Column: l.Column, Detail: detail, Bind: l.Bind, TLS: l.TLS})
	}

	var declared []config.Interface
	if t.Config != nil {
		declared = t.Config.Interfaces
	}
	inv := build(b.places, declared)
	for s := range b.sources {
		if s != "" {
			inv.Sources = append(inv.Sources, s)
		}
	}
	sort.Strings(inv.Sources)
	issues := b.issues
	sort.SliceStable(issues, func(i, j int) bool {
		if issues[i].Path != issues[j].Path {
			return issues[i].Path < issues[j].Path
		}
		return issues[i].Line < issues[j].Line
	})
	return &Facts{Inventory: inv, Declared: declared, Issues: issues, notShipped: notShippedPlaces(t, inv)}, nil
}

// notShippedPlaces classifies the inventory's place paths as checks.Run
// classifies finding paths.
func notShippedPlaces(t *checks.Target, inv *checks.Inventory) map[string]string {
	var read func(string) ([]byte, error)
	if t.Files != nil {
		read = t.Files.Read
	}
	why := checks.NotShippedBy(t.Config, read)
	out := map[string]string{}
	for _, ei := range inv.Interfaces {
		for _, p := range ei.Places {
			if _, seen := out[p.Path]; !seen {
				out[p.Path] = why(p.Path)
			}
		}
	}
	return out
}

// shippedFirst splits an interface's places into those that ship and the
// others (test code, examples, development compose files), each merged
// into an interface of its own, the shipped one first; an interface with
// only one kind of place is returned whole. A finding about the whole
// interface is judged on the shipped places when they call for one, and
// only otherwise on the rest: where a shipped compose file and a test one
// bind the same port, the shipped file decides where the finding points
// and so how it is graded (checks.Run lowers a finding at a place that
// does not ship to info).
func (f *Facts) shippedFirst(ei checks.ExposedInterface) []checks.ExposedInterface {
	var shipped, other []checks.Place
	for _, p := range ei.Places {
		if f.notShipped[p.Path] == "" {
			shipped = append(shipped, p)
		} else {
			other = append(other, p)
		}
	}
	if len(shipped) == 0 || len(other) == 0 {
		return []checks.ExposedInterface{ei}
	}
	out := make([]checks.ExposedInterface, 0, 2)
	for _, ps := range [][]checks.Place{shipped, other} {
		g := ei
		g.Places, g.Bind, g.TLS = ps, MergeBind(ps), mergeTLS(ps)
		out = append(out, g)
	}
	return out
}

// inheritedExpose is a stage's EXPOSE ports plus those of the earlier
// stages it is built FROM: the image config carries them over.
type stageExpose struct {
	stage string
	port  dockerfile.Port
}

func inheritedExpose(f *dockerfile.File, s dockerfile.Stage) []stageExpose {
	var out []stageExpose
	seen := map[int]bool{}
	for cur := &s; cur != nil && !seen[cur.Index]; {
		seen[cur.Index] = true
		for _, p := range cur.Expose {
			out = append(out, stageExpose{cur.Name, p})
		}
		var next *dockerfile.Stage
		if cur.From.Stage != "" {
			for i := 0; i < cur.Index; i++ {
				if strings.EqualFold(f.Stages[i].Name, cur.From.Stage) {
					next = &f.Stages[i]
				}
			}
		}
		cur = next
	}
	return out
}

// build merges places into interfaces, sorted by (port, protocol).
func build(places map[key][]checks.Place, declared []config.Interface) *checks.Inventory {
	keys := make([]key, 0, len(places))
	for k := range places {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].port != keys[j].port {
			return keys[i].port < keys[j].port
		}
		return keys[i].proto < keys[j].proto
	})
	inv := &checks.Inventory{Interfaces: []checks.ExposedInterface{}}
	for _, k := range keys {
		ps := places[k]
		sort.SliceStable(ps, func(i, j int) bool {
			if ps[i].Path != ps[j].Path {
				return ps[i].Path < ps[j].Path
			}
			if ps[i].Line != ps[j].Line {
				return ps[i].Line < ps[j].Line
			}
			return ps[i].Kind < ps[j].Kind
		})
		ei := checks.ExposedInterface{Port: k.port, Protocol: k.proto, Places: ps, Bind: MergeBind(ps), TLS: mergeTLS(ps), Service: ServiceName(k.port, k.proto)}
		if d, ok := FindDeclared(declared, k.port, k.proto); ok {
			ei.Declared, ei.Purpose = true, d.Purpose
		}
		inv.Interfaces = append(inv.Interfaces, ei)
	}
	return inv
}

// MergeBind is the widest bind any place states: all, then a specific
// address, then loopback; empty when no place says.
func MergeBind(ps []checks.Place) string {
	var specific, loop bool
	addr := ""
	for _, p := range ps {
		switch p.Bind {
		case "all":
			return "all"
		case "loopback":
			loop = true
		case "":
		default:
			if !specific || p.Bind < addr {
				addr = p.Bind
			}
			specific = true
		}
	}
	switch {
	case specific:
		return addr
	case loop:
		return "loopback"
	}
	return ""
}

// mergeTLS is true or false when the places that say agree, nil otherwise.
func mergeTLS(ps []checks.Place) *bool {
	var yes, no bool
	for _, p := range ps {
		if p.TLS == nil {
			continue
		}
		if *p.TLS {
			yes = true
		} else {
			no = true
		}
	}
	switch {
	case yes && !no:
		return boolp(true)
	case no && !yes:
		return boolp(false)
	}
	return nil
}

// FindDeclared finds the declaration of port/protocol (protocol tcp when
// the declaration leaves it out).
func FindDeclared(declared []config.Interface, port int, proto string) (config.Interface, bool) {
	for _, d := range declared {
		if d.Port == port && normProto(d.Protocol) == normProto(proto) {
			return d, true
		}
	}
	return config.Interface{}, false
}

// wellKnown names services by port (protocol-independent unless noted).
var wellKnown = map[int]string{
	20: "ftp-data", 21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp", 53: "dns", 67: "dhcp", 69: "tftp", 80: "http",
	110: "pop3", 111: "rpcbind", 123: "ntp", 135: "msrpc", 137: "netbios-ns", 139: "netbios-ssn", 143: "imap",
	161: "snmp", 389: "ldap", 443: "https", 445: "smb", 465: "smtps", 502: "modbus", 514: "syslog", 587: "submission",
	631: "ipp", 636: "ldaps", 993: "imaps", 995: "pop3s", 1080: "socks", 1433: "mssql", 1521: "oracle",
	1883: "mqtt", 2049: "nfs", 2375: "docker-api", 2376: "docker-api-tls", 2379: "etcd", 3000: "http-dev",
	3306: "mysql", 3389: "rdp", 4369: "epmd", 5000: "http-dev", 5005: "jdwp", 5353: "mdns", 5432: "postgresql",
	5672: "amqp", 5683: "coap", 5900: "vnc", 5901: "vnc", 5984: "couchdb", 6060: "pprof", 6379: "redis",
	6443: "kubernetes-api", 8000: "http-alt", 8080: "http-alt", 8443: "https-alt", 8883: "mqtt-tls",
	9000: "http-alt", 9090: "prometheus", 9092: "kafka", 9100: "node-exporter", 9200: "elasticsearch",
	9229: "node-inspector", 9300: "elasticsearch-transport", 10250: "kubelet", 11211: "memcached",
	15672: "rabbitmq-management", 27017: "mongodb",
}

// ServiceName returns the well-known service on a port, "" if none.
func ServiceName(port int, proto string) string {
	if port == 53 || port == 123 || port == 161 || port == 67 || port == 69 || port == 5353 || port == 514 {
		return wellKnown[port]
	}
	if proto == "udp" && port != 5683 && port != 2049 && port != 11211 {
		return ""
	}
	return wellKnown[port]
}
