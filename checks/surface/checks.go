package surface

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

//go:embed meta/*.yml
var metaFS embed.FS

// MetaFS is the family's embedded metadata.
func MetaFS() fs.FS { return metaFS }

// Check IDs of the family; stable, never renamed or reused.
const (
	IDRiskyService = "CEM-PORT-001"
	IDDeclared     = "CEM-PORT-002"
	IDPlaintext    = "CEM-PORT-003"
	IDNotAssessed  = "CEM-PORT-004"
)

var evaluators = []checks.Evaluator[*Facts]{
	{ID: IDRiskyService, Eval: evalRisky},
	{ID: IDDeclared, Eval: evalDeclared},
	{ID: IDPlaintext, Eval: evalPlaintext},
	{ID: IDNotAssessed, Eval: evalNotAssessed},
	{ID: IDDeclaredTLS, Eval: evalDeclaredTLS},
}

// Checks returns the CEM-PORT checks, in catalogue order.
func Checks() []checks.Check { return checks.FamilyChecks(metaFS, Collect, evaluators) }

// risk describes a risky service.
type risk struct {
	name     string
	severity checks.Severity
	why      string
	// containerOnly: only a finding when a container ships it (SSH).
	containerOnly bool
	udpToo        bool
}

var risky = map[int]risk{
	21:    {name: "FTP", severity: checks.SeverityHigh, why: "sends credentials and data in clear text"},
	22:    {name: "SSH", severity: checks.SeverityHigh, why: "an SSH server in an application container is an unneeded remote-administration path", containerOnly: true},
	23:    {name: "telnet", severity: checks.SeverityCritical, why: "sends credentials in clear text"},
	2375:  {name: "Docker API", severity: checks.SeverityCritical, why: "gives root on the host, unauthenticated on 2375"},
	2376:  {name: "Docker API (TLS)", severity: checks.SeverityHigh, why: "gives root on the host to any client holding a certificate"},
	5900:  {name: "VNC", severity: checks.SeverityHigh, why: "remote desktop, often with weak or no authentication"},
	6379:  {name: "Redis", severity: checks.SeverityHigh, why: "no authentication by default"},
	11211: {name: "Memcached", severity: checks.SeverityHigh, why: "no authentication; UDP amplification", udpToo: true},
	9200:  {name: "Elasticsearch", severity: checks.SeverityHigh, why: "data store often reachable without authentication"},
	27017: {name: "MongoDB", severity: checks.SeverityHigh, why: "data store often reachable without authentication"},
	6060:  {name: "Go pprof", severity: checks.SeverityHigh, why: "a profiling endpoint that discloses memory and internals"},
	9229:  {name: "Node.js inspector", severity: checks.SeverityCritical, why: "a debugger that runs arbitrary code"},
	5005:  {name: "Java JDWP", severity: checks.SeverityCritical, why: "a debugger that runs arbitrary code"},
}

func containerKind(kind string) bool {
	return strings.HasPrefix(kind, "dockerfile") || strings.HasPrefix(kind, "compose") || strings.HasPrefix(kind, "k8s") || kind == KindImageConfig
}

func bindWords(b string) string {
	switch b {
	case "all":
		return "on all interfaces"
	case "":
		return "with no bind address stated (reachable from the container or cluster network at least)"
	case "loopback":
		return "on loopback only"
	}
	return "on " + b
}

func portKey(ei checks.ExposedInterface) string { return ei.Protocol + "/" + strconv.Itoa(ei.Port) }

func values(ei checks.ExposedInterface, p checks.Place) map[string]string {
	v := map[string]string{"port": strconv.Itoa(ei.Port), "protocol": ei.Protocol, "place": p.Kind}
	if ei.Bind != "" {
		v["bind"] = ei.Bind
	}
	if ei.Service != "" {
		v["service"] = ei.Service
	}
	return v
}

func evalRisky(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, ei := range f.Inventory.Interfaces {
		r, ok := risky[ei.Port]
		if !ok || (ei.Protocol != "tcp" && !(r.udpToo && ei.Protocol == "udp")) {
			continue
		}
		if ei.Bind == "loopback" {
			continue // reachable only from the same host or pod
		}
		for _, p := range ei.Places {
			if p.Bind == "loopback" || (r.containerOnly && !containerKind(p.Kind)) {
				continue
			}
			msg := fmt.Sprintf("%s (%s) exposed %s: %s", r.name, portKey(ei), bindWords(ei.Bind), r.why)
			if ei.Declared {
				msg += "; declared in cemark.yaml, so waive it with a justification if it is intended"
			}
			out = append(out, checks.Finding{Outcome: checks.Fail, Severity: r.severity, Message: msg,
				Path: p.Path, Line: p.Line, Column: p.Column, Snippet: p.Detail, Key: portKey(ei) + "/" + p.Kind, Values: values(ei, p)})
		}
	}
	return out
}

// firstPlace is where a finding about a whole interface points: the first
// place in a file (image-config places have no line), else the first.
func firstPlace(ei checks.ExposedInterface) checks.Place {
	for _, p := range ei.Places {
		if p.Line > 0 {
			return p
		}
	}
	return ei.Places[0]
}

func placesSummary(ei checks.ExposedInterface) string {
	var parts []string
	for _, p := range ei.Places {
		s := p.Kind + " " + p.Path
		if p.Line > 0 {
			s += ":" + strconv.Itoa(p.Line)
		}
		parts = append(parts, s)
	}
	if len(parts) > 4 {
		parts = append(parts[:4], fmt.Sprintf("and %d more", len(parts)-4))
	}
	return strings.Join(parts, ", ")
}

// evalDeclared compares what ships with what cemark.yaml declares: ports
// and binds. TLS on a declared interface is CEM-PORT-005's alone (a
// plaintext place fails there), so one problem is one finding. An
// interface is judged on its shipped places first (Facts.shippedFirst);
// the message lists every place.
func evalDeclared(f *Facts) []checks.Finding {
	out := f.perInterface(func(whole, ei checks.ExposedInterface) (checks.Finding, bool) {
		return declaredFinding(f.Declared, whole, ei)
	})
	declared := append([]config.Interface(nil), f.Declared...)
	sort.SliceStable(declared, func(i, j int) bool {
		if declared[i].Port != declared[j].Port {
			return declared[i].Port < declared[j].Port
		}
		return normProto(declared[i].Protocol) < normProto(declared[j].Protocol)
	})
	for _, d := range declared {
		found := false
		for _, ei := range f.Inventory.Interfaces {
			if ei.Port == d.Port && ei.Protocol == normProto(d.Protocol) {
				found = true
				break
			}
		}
		if !found {
			k := normProto(d.Protocol) + "/" + strconv.Itoa(d.Port)
			msg := fmt.Sprintf("%s is declared in cemark.yaml interfaces", k)
			if d.Purpose != "" {
				msg += " (" + d.Purpose + ")"
			}
			msg += " but cemark found it in no Dockerfile, image, compose file, manifest, socket unit or listen site: remove the declaration or check that the inventory reads the file that opens it"
			out = append(out, checks.Finding{Outcome: checks.Warn, Message: msg, Path: config.FileName, Key: k,
				Values: map[string]string{"port": strconv.Itoa(d.Port), "protocol": normProto(d.Protocol)}})
		}
	}
	return out
}

// declaredFinding judges ei, a group of whole's places, against the
// declarations: exposed but not declared (a warning while cemark.yaml
// declares no interface at all), or wider than a loopback declaration.
func declaredFinding(declared []config.Interface, whole, ei checks.ExposedInterface) (checks.Finding, bool) {
	p := firstPlace(ei)
	d, ok := FindDeclared(declared, ei.Port, ei.Protocol)
	switch {
	case len(declared) == 0 && ei.Bind != "loopback":
		return checks.Finding{Outcome: checks.Warn,
			Message: fmt.Sprintf("%s is exposed (%s) but cemark.yaml declares no interfaces yet: add the product's intended interfaces (cemark init drafts them from this inventory)", portKey(ei), placesSummary(whole)),
			Path:    p.Path, Line: p.Line, Column: p.Column, Snippet: p.Detail, Key: portKey(ei), Values: values(ei, p)}, true
	case len(declared) == 0:
		return checks.Finding{}, false
	case !ok && ei.Bind != "loopback":
		return checks.Finding{Outcome: checks.Fail,
			Message: fmt.Sprintf("%s is exposed (%s) but not declared in cemark.yaml interfaces: what ships must match the technical file", portKey(ei), placesSummary(whole)),
			Path:    p.Path, Line: p.Line, Column: p.Column, Snippet: p.Detail, Key: portKey(ei), Values: values(ei, p)}, true
	case ok && d.Bind == "loopback" && ei.Bind != "loopback" && ei.Bind != "":
		return checks.Finding{Outcome: checks.Fail,
			Message: fmt.Sprintf("%s is declared loopback-only but is exposed %s (%s)", portKey(ei), bindWords(ei.Bind), placesSummary(whole)),
			Path:    p.Path, Line: p.Line, Column: p.Column, Snippet: p.Detail, Key: portKey(ei) + "/bind", Values: values(ei, p)}, true
	}
	return checks.Finding{}, false
}

// evalPlaintext records plaintext and all-interface listeners for the
// risk assessment, one finding per interface, at a shipped place when one
// calls for it (Facts.shippedFirst).
func evalPlaintext(f *Facts) []checks.Finding {
	return f.perInterface(func(_, ei checks.ExposedInterface) (checks.Finding, bool) { return plaintextFinding(ei) })
}

// perInterface gives at most one finding per interface: judge's on the
// shipped places when it finds one there, else on the others
// (Facts.shippedFirst). whole is the interface with every place.
func (f *Facts) perInterface(judge func(whole, ei checks.ExposedInterface) (checks.Finding, bool)) []checks.Finding {
	var out []checks.Finding
	for _, whole := range f.Inventory.Interfaces {
		for _, ei := range f.shippedFirst(whole) {
			if fd, ok := judge(whole, ei); ok {
				out = append(out, fd)
				break
			}
		}
	}
	return out
}

// plaintextFinding points at ei's first plaintext place, else its first
// all-interface bind.
func plaintextFinding(ei checks.ExposedInterface) (checks.Finding, bool) {
	if ei.Bind == "loopback" {
		return checks.Finding{}, false // not reachable from the network: nothing to assess
	}
	var notes []string
	var at *checks.Place
	if ei.TLS != nil && !*ei.TLS {
		notes = append(notes, "served without TLS")
		for i := range ei.Places {
			if p := ei.Places[i]; p.TLS != nil && !*p.TLS {
				at = &ei.Places[i]
				break
			}
		}
	}
	if ei.Bind == "all" {
		notes = append(notes, "bound to all interfaces")
		if at == nil {
			for i := range ei.Places {
				if ei.Places[i].Bind == "all" {
					at = &ei.Places[i]
					break
				}
			}
		}
	}
	if len(notes) == 0 || at == nil {
		return checks.Finding{}, false
	}
	name := portKey(ei)
	if ei.Service != "" {
		name += " (" + ei.Service + ")"
	}
	return checks.Finding{Outcome: checks.Info, Message: fmt.Sprintf("%s is %s: record the reason in the risk assessment", name, strings.Join(notes, " and ")),
		Path: at.Path, Line: at.Line, Column: at.Column, Snippet: at.Detail, Key: portKey(ei), Values: values(ei, *at)}, true
}

func evalNotAssessed(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, is := range f.Issues {
		o := checks.Error
		msg := is.Message + ": the product's network interfaces declared in this file were not assessed"
		key := "not-assessed"
		switch {
		case is.Lenient:
			o, msg, key = checks.Info, is.Message, "read-leniently"
		case is.Skipped:
			o = checks.Info
		}
		out = append(out, checks.Finding{Outcome: o, Severity: severityFor(o), Message: msg, Path: is.Path, Line: is.Line, Key: key})
	}
	return out
}

func severityFor(o checks.Outcome) checks.Severity {
	if o == checks.Info {
		return checks.SeverityInfo
	}
	return ""
}
