// Package systemd reads systemd .socket units with go-systemd's unit
// deserializer: the network listeners (ListenStream, ListenDatagram,
// ListenSequentialPacket) a product's socket activation opens.
package systemd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"

	"github.com/coreos/go-systemd/v22/unit"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse"
)

// MemoKey is the Target.Memo key of the parsed socket units.
const MemoKey = "parse/systemd"

// Socket is one .socket unit.
type Socket struct {
	Path    string        `json:"path"`
	Listens []Listen      `json:"listens,omitempty"`
	Issues  []parse.Issue `json:"issues,omitempty"`
}

// Listen is one Listen*= directive.
type Listen struct {
	Directive string `json:"directive"` // ListenStream | ListenDatagram | ListenSequentialPacket
	Address   string `json:"address"`
	// Unix is true for file-system, abstract and other non-IP sockets;
	// they are not network ports.
	Unix     bool   `json:"unix,omitempty"`
	Port     int    `json:"port,omitempty"`
	Bind     string `json:"bind,omitempty"` // all | loopback | address
	Protocol string `json:"protocol,omitempty"`
	Line     int    `json:"line"`
}

// IsSocketUnit reports whether a path is a systemd socket unit.
func IsSocketUnit(rel string) bool {
	return strings.HasSuffix(strings.ToLower(path.Base(rel)), ".socket")
}

// Sockets returns the target's socket units, parsed once per run.
func Sockets(ctx context.Context, t *checks.Target) ([]*Socket, error) {
	return checks.Memoized(t.Memo, MemoKey, func() ([]*Socket, error) {
		var out []*Socket
		for _, e := range t.Files.Match(func(rel string) bool { return IsSocketUnit(rel) && !parse.Vendored(rel) }) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			data, err := t.Files.Read(e.Path)
			if err != nil {
				out = append(out, &Socket{Path: e.Path, Issues: []parse.Issue{{Path: e.Path, Message: "not read: " + err.Error()}}})
				continue
			}
			out = append(out, Parse(e.Path, data))
		}
		return out, nil
	})
}

var directives = map[string]string{"ListenStream": "tcp", "ListenDatagram": "udp", "ListenSequentialPacket": "sctp"}

// Parse parses one socket unit. It never fails: problems are in Issues.
func Parse(p string, data []byte) (s *Socket) {
	s = &Socket{Path: p}
	defer func() {
		if r := recover(); r != nil {
			s.Issues = append(s.Issues, parse.Issue{Path: p, Message: fmt.Sprintf("unit parser failed: %v", r)})
		}
	}()
	opts, err := unit.DeserializeOptions(bytes.NewReader(data))
	if err != nil {
		s.Issues = append(s.Issues, parse.Issue{Path: p, Message: "not a valid systemd unit: " + err.Error()})
		return s
	}
	lines := directiveLines(data)
	seen := map[string]int{}
	sctp := false
	for _, o := range opts {
		if o.Section == "Socket" && o.Name == "SocketProtocol" && strings.EqualFold(strings.TrimSpace(o.Value), "sctp") {
			sctp = true
		}
	}
	for _, o := range opts {
		proto, ok := directives[o.Name]
		if o.Section != "Socket" || !ok {
			continue
		}
		l := Listen{Directive: o.Name, Address: strings.TrimSpace(o.Value)}
		if ls := lines[o.Name]; seen[o.Name] < len(ls) {
			l.Line = ls[seen[o.Name]]
		}
		seen[o.Name]++
		if l.Address == "" { // an empty assignment resets the list
			continue
		}
		host, port, ok := splitAddress(l.Address)
		if !ok {
			l.Unix = true
		} else {
			l.Port, l.Bind, l.Protocol = port, parse.Bind(host), proto
			if sctp && proto == "tcp" {
				l.Protocol = "sctp"
			}
		}
		s.Listens = append(s.Listens, l)
	}
	return s
}

// directiveLines lists, per key, the lines where it is assigned in [Socket].
func directiveLines(data []byte) map[string][]int {
	out := map[string][]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	// A buffer the size of the file, up to bufio's usual 64 KiB: a unit
	// file is a few hundred bytes, and a product may have thousands.
	sc.Buffer(make([]byte, 0, min(len(data)+1, 64*1024)), 1<<20)
	section := ""
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.Trim(line, "[]")
			continue
		}
		if section != "Socket" {
			continue
		}
		if k, _, ok := strings.Cut(line, "="); ok {
			k = strings.TrimSpace(k)
			out[k] = append(out[k], n)
		}
	}
	return out
}

// splitAddress parses systemd's IP listen forms: "80", "0.0.0.0:80",
// "[::]:80", "[fe80::1%eth0]:80". ok is false for paths, abstract and
// vsock sockets.
func splitAddress(a string) (host string, port int, ok bool) {
	if strings.HasPrefix(a, "/") || strings.HasPrefix(a, "@") || strings.HasPrefix(a, "vsock:") {
		return "", 0, false
	}
	if n, err := strconv.Atoi(a); err == nil {
		// A bare port listens on every interface (IPv6 dual stack).
		return "", n, n > 0 && n < 65536
	}
	h, ps, err := net.SplitHostPort(a)
	if err != nil {
		return "", 0, false
	}
	n, err := strconv.Atoi(ps)
	if err != nil || n <= 0 || n > 65535 {
		return "", 0, false
	}
	if i := strings.Index(h, "%"); i >= 0 {
		h = h[:i]
	}
	return h, n, true
}
