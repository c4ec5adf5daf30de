package surface

import (
	"fmt"
	"regexp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

// IDDeclaredTLS is the check that a plaintext listener on an interface the
// manufacturer declared with TLS fails.
const IDDeclaredTLS = "CEM-PORT-005"

// tlsPurpose finds a declared purpose that names a protocol spoken over
// TLS ("HTTPS API", "MQTT over TLS", "mTLS gRPC").
var tlsPurpose = regexp.MustCompile(`(?i)\b(https|tls|mtls|ssl|wss|mqtts|ldaps|imaps|pop3s|smtps|ftps|amqps)\b`)

// declaredTLS reports whether d declares TLS: tls: true, or no tls key and
// a purpose naming a TLS protocol. An explicit tls: false wins.
func declaredTLS(d config.Interface) bool {
	if d.TLS != nil {
		return *d.TLS
	}
	return tlsPurpose.MatchString(d.Purpose)
}

// evalDeclaredTLS fails every reachable place that serves a TLS-declared
// interface in plaintext, and records the places that do serve TLS.
func evalDeclaredTLS(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, ei := range f.Inventory.Interfaces {
		d, ok := FindDeclared(f.Declared, ei.Port, ei.Protocol)
		if !ok || !declaredTLS(d) || ei.Bind == "loopback" {
			continue
		}
		for _, p := range ei.Places {
			if p.Bind == "loopback" || p.TLS == nil {
				continue
			}
			if !*p.TLS {
				out = append(out, checks.Finding{Outcome: checks.Fail,
					Message: fmt.Sprintf("%s is declared with TLS (%s) but %s serves it in plaintext", portKey(ei), declaredAs(d), placeName(p)),
					Path:    p.Path, Line: p.Line, Column: p.Column, Snippet: p.Detail, Key: portKey(ei) + "/tls/" + p.Kind, Values: values(ei, p)})
				continue
			}
			out = append(out, checks.Finding{Outcome: checks.Pass, Severity: checks.SeverityInfo,
				Message: fmt.Sprintf("%s is declared with TLS and %s serves it with TLS", portKey(ei), placeName(p)),
				Path:    p.Path, Line: p.Line, Key: portKey(ei) + "/tls/" + p.Kind})
		}
	}
	return out
}

func declaredAs(d config.Interface) string {
	if d.TLS != nil {
		return "tls: true"
	}
	return fmt.Sprintf("purpose %q", d.Purpose)
}

func placeName(p checks.Place) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s %s:%d", p.Kind, p.Path, p.Line)
	}
	return fmt.Sprintf("%s %s", p.Kind, p.Path)
}
