package surface

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

// TestEvalDeclaredTLS: Annex I Part I (2)(e) asks products to "protect the
// confidentiality of stored, transmitted or otherwise processed data …
// such as by encrypting relevant data at rest or in transit by state of
// the art mechanisms". A plaintext listener on an interface the
// manufacturer declared with TLS is a failing finding.
func TestEvalDeclaredTLS(t *testing.T) {
	plain := checks.Place{Kind: KindComposePorts, Path: "compose.yaml", Line: 5, Bind: "all", TLS: fls()}
	tls := checks.Place{Kind: KindSourceListen, Path: "main.go", Line: 9, Bind: "all", TLS: tru()}
	unknown := checks.Place{Kind: KindDockerfileExpose, Path: "Dockerfile", Line: 3}
	lo := checks.Place{Kind: KindSourceListen, Path: "debug.go", Line: 4, Bind: "loopback", TLS: fls()}
	https := config.Interface{Port: 443, Protocol: "tcp", Purpose: "HTTPS API for the mobile app"}
	cases := []struct {
		name     string
		declared []config.Interface
		inv      []checks.ExposedInterface
		want     []brief
	}{
		{"purpose HTTPS, served in plaintext", []config.Interface{https},
			[]checks.ExposedInterface{iface(443, "tcp", "all", fls(), plain)},
			[]brief{{checks.Fail, "", "compose.yaml", 5, "tcp/443/tls/compose-ports"}}},
		{"tls: true, one place plaintext, one TLS", []config.Interface{{Port: 8883, Protocol: "tcp", TLS: tru()}},
			[]checks.ExposedInterface{iface(8883, "tcp", "all", fls(), plain, tls)},
			[]brief{{checks.Fail, "", "compose.yaml", 5, "tcp/8883/tls/compose-ports"}, {checks.Pass, checks.SeverityInfo, "main.go", 9, "tcp/8883/tls/source-listen"}}},
		{"explicit tls: false wins over the purpose", []config.Interface{{Port: 443, Protocol: "tcp", Purpose: "HTTPS behind a proxy", TLS: fls()}},
			[]checks.ExposedInterface{iface(443, "tcp", "all", fls(), plain)}, []brief{}},
		{"not declared with TLS", []config.Interface{{Port: 1883, Protocol: "tcp", Purpose: "MQTT for local sensors"}},
			[]checks.ExposedInterface{iface(1883, "tcp", "all", fls(), plain)}, []brief{}},
		{"TLS unknown is not a finding", []config.Interface{https},
			[]checks.ExposedInterface{iface(443, "tcp", "", nil, unknown)}, []brief{}},
		{"a loopback-only place is not reachable", []config.Interface{https},
			[]checks.ExposedInterface{iface(443, "tcp", "all", fls(), lo, tls)},
			[]brief{{checks.Pass, checks.SeverityInfo, "main.go", 9, "tcp/443/tls/source-listen"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := briefs(evalDeclaredTLS(&Facts{Inventory: &checks.Inventory{Interfaces: c.inv}, Declared: c.declared}))
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
