package surface

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/internal/corpustest"
	"github.com/cemark/cemark/evidence/config"
)

func TestChecksMetadata(t *testing.T) {
	cs := Checks()
	if len(cs) != 5 {
		t.Fatalf("%d checks", len(cs))
	}
	for _, c := range cs {
		if err := checks.ValidateMeta(c.Meta()); err != nil {
			t.Errorf("%s: %v", c.Meta().ID, err)
		}
	}
	if _, err := checks.NewRegistry(cs...); err != nil {
		t.Fatal(err)
	}
}

type brief struct {
	Outcome  checks.Outcome
	Severity checks.Severity
	Path     string
	Line     int
	Key      string
}

func briefs(fs []checks.Finding) []brief {
	out := []brief{}
	for _, f := range fs {
		out = append(out, brief{f.Outcome, f.Severity, f.Path, f.Line, f.Key})
	}
	return out
}

func iface(port int, proto, bind string, tls *bool, places ...checks.Place) checks.ExposedInterface {
	return checks.ExposedInterface{Port: port, Protocol: proto, Bind: bind, TLS: tls, Service: ServiceName(port, proto), Places: places}
}

func TestEvalRisky(t *testing.T) {
	df := checks.Place{Kind: KindDockerfileExpose, Path: "Dockerfile", Line: 3}
	sock := checks.Place{Kind: KindSystemdSocket, Path: "a.socket", Line: 2, Bind: "all"}
	lo := checks.Place{Kind: KindSourceListen, Path: "main.go", Line: 9, Bind: "loopback"}
	cases := []struct {
		name string
		inv  []checks.ExposedInterface
		want []brief
	}{
		{"redis unknown bind", []checks.ExposedInterface{iface(6379, "tcp", "", nil, df)}, []brief{{checks.Fail, checks.SeverityHigh, "Dockerfile", 3, "tcp/6379/dockerfile-expose"}}},
		{"redis loopback", []checks.ExposedInterface{iface(6379, "tcp", "loopback", nil, lo)}, []brief{}},
		{"docker api critical", []checks.ExposedInterface{iface(2375, "tcp", "all", nil, sock)}, []brief{{checks.Fail, checks.SeverityCritical, "a.socket", 2, "tcp/2375/systemd-socket"}}},
		{"ssh outside a container", []checks.ExposedInterface{iface(22, "tcp", "all", nil, sock)}, []brief{}},
		{"ssh in a container", []checks.ExposedInterface{iface(22, "tcp", "", nil, df)}, []brief{{checks.Fail, checks.SeverityHigh, "Dockerfile", 3, "tcp/22/dockerfile-expose"}}},
		{"memcached udp", []checks.ExposedInterface{iface(11211, "udp", "", nil, df)}, []brief{{checks.Fail, checks.SeverityHigh, "Dockerfile", 3, "udp/11211/dockerfile-expose"}}},
		{"redis udp is not redis", []checks.ExposedInterface{iface(6379, "udp", "", nil, df)}, []brief{}},
		{"loopback place skipped in a mixed interface", []checks.ExposedInterface{iface(6060, "tcp", "all", nil, lo, sock)}, []brief{{checks.Fail, checks.SeverityHigh, "a.socket", 2, "tcp/6060/systemd-socket"}}},
		{"jdwp critical", []checks.ExposedInterface{iface(5005, "tcp", "", nil, df)}, []brief{{checks.Fail, checks.SeverityCritical, "Dockerfile", 3, "tcp/5005/dockerfile-expose"}}},
		{"plain web", []checks.ExposedInterface{iface(8080, "tcp", "all", nil, sock)}, []brief{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := briefs(evalRisky(&Facts{Inventory: &checks.Inventory{Interfaces: c.inv}}))
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalDeclared(t *testing.T) {
	df := checks.Place{Kind: KindDockerfileExpose, Path: "Dockerfile", Line: 3}
	img := checks.Place{Kind: KindImageConfig, Path: "example/app:1"}
	all := checks.Place{Kind: KindComposePorts, Path: "compose.yaml", Line: 5, Bind: "all", TLS: fls()}
	lo := checks.Place{Kind: KindSourceListen, Path: "main.go", Line: 9, Bind: "loopback"}
	// A test file sorts before the shipped z.yaml; the shipped place decides.
	lo1883 := checks.Place{Kind: KindComposePorts, Path: "compose.yaml", Line: 5, Bind: "loopback"}
	testAll := checks.Place{Kind: KindComposePorts, Path: "test/compose.yaml", Line: 4, Bind: "all"}
	shippedAll := checks.Place{Kind: KindComposePorts, Path: "z.yaml", Line: 6, Bind: "all"}
	notShipped := map[string]string{"test/compose.yaml": checks.NotShippedTest}
	cases := []struct {
		name     string
		declared []config.Interface
		inv      []checks.ExposedInterface
		want     []brief
	}{
		{"no declaration: each exposed port warns", nil,
			[]checks.ExposedInterface{iface(8080, "tcp", "", nil, img, df), iface(9000, "tcp", "loopback", nil, lo)},
			[]brief{{Outcome: checks.Warn, Path: "Dockerfile", Line: 3, Key: "tcp/8080"}}},
		{"declared and found", []config.Interface{{Port: 8080}},
			[]checks.ExposedInterface{iface(8080, "tcp", "", nil, df)}, []brief{}},
		{"undeclared fails, stale declaration warns", []config.Interface{{Port: 443, Protocol: "tcp"}},
			[]checks.ExposedInterface{iface(8080, "tcp", "", nil, df)},
			[]brief{{Outcome: checks.Fail, Path: "Dockerfile", Line: 3, Key: "tcp/8080"}, {Outcome: checks.Warn, Path: "cemark.yaml", Key: "tcp/443"}}},
		{"protocol matters", []config.Interface{{Port: 53, Protocol: "udp"}},
			[]checks.ExposedInterface{iface(53, "tcp", "", nil, df)},
			[]brief{{Outcome: checks.Fail, Path: "Dockerfile", Line: 3, Key: "tcp/53"}, {Outcome: checks.Warn, Path: "cemark.yaml", Key: "udp/53"}}},
		{"undeclared loopback is not exposed", []config.Interface{{Port: 443}},
			[]checks.ExposedInterface{iface(443, "tcp", "", nil, df), iface(9000, "tcp", "loopback", nil, lo)}, []brief{}},
		{"declared loopback, bound to all", []config.Interface{{Port: 1883, Bind: "loopback"}},
			[]checks.ExposedInterface{iface(1883, "tcp", "all", nil, all)},
			[]brief{{Outcome: checks.Fail, Path: "compose.yaml", Line: 5, Key: "tcp/1883/bind"}}},
		{"declared loopback, shipped loopback, a test file binds all", []config.Interface{{Port: 1883, Bind: "loopback"}},
			[]checks.ExposedInterface{iface(1883, "tcp", "all", nil, lo1883, testAll)},
			[]brief{{Outcome: checks.Fail, Path: "test/compose.yaml", Line: 4, Key: "tcp/1883/bind"}}},
		{"declared loopback, shipped and test files bind all", []config.Interface{{Port: 1883, Bind: "loopback"}},
			[]checks.ExposedInterface{iface(1883, "tcp", "all", nil, shippedAll, testAll)},
			[]brief{{Outcome: checks.Fail, Path: "z.yaml", Line: 6, Key: "tcp/1883/bind"}}},
		// CEM-PORT-005 fails it (TestEvalDeclaredTLS): one problem, one finding.
		{"declared TLS, served plain: not this check's", []config.Interface{{Port: 8443, TLS: tru()}},
			[]checks.ExposedInterface{iface(8443, "tcp", "all", fls(), all)}, []brief{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := briefs(evalDeclared(&Facts{Declared: c.declared, Inventory: &checks.Inventory{Interfaces: c.inv}, notShipped: notShipped}))
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalPlaintext(t *testing.T) {
	tlsAll := checks.Place{Kind: KindSourceListen, Path: "main.go", Line: 4, Bind: "all", TLS: tru()}
	plain := checks.Place{Kind: KindSourceListen, Path: "srv.go", Line: 7, Bind: "10.0.0.2", TLS: fls()}
	got := briefs(evalPlaintext(&Facts{Inventory: &checks.Inventory{Interfaces: []checks.ExposedInterface{
		iface(8443, "tcp", "all", tru(), tlsAll),
		iface(8080, "tcp", "10.0.0.2", fls(), plain),
		iface(9000, "tcp", "loopback", fls(), checks.Place{Path: "x.go", Line: 1, Bind: "loopback", TLS: fls()}),
		iface(7000, "tcp", "", nil, checks.Place{Path: "Dockerfile", Line: 2}),
	}}}))
	want := []brief{{Outcome: checks.Info, Path: "main.go", Line: 4, Key: "tcp/8443"}, {Outcome: checks.Info, Path: "srv.go", Line: 7, Key: "tcp/8080"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestShippedPlaceDecides runs the corpus case where a shipped compose file
// and a Cypress one bind the same port through checks.Run: the findings
// point at the shipped file and keep their grade, with no not-shipped
// label and nothing lowered.
func TestShippedPlaceDecides(t *testing.T) {
	reg, err := checks.NewRegistry(Checks()...)
	if err != nil {
		t.Fatal(err)
	}
	rep := corpustest.RunCase(t, reg, filepath.Join("testdata", "corpus", "port-compose-shipped-and-test-bind"))
	want := map[string]brief{
		IDDeclared:  {Outcome: checks.Warn, Severity: checks.SeverityMedium, Path: "docker-compose.yml", Line: 5, Key: "tcp/3000"},
		IDPlaintext: {Outcome: checks.Info, Severity: checks.SeverityInfo, Path: "docker-compose.yml", Line: 5, Key: "tcp/3000"},
	}
	for _, res := range rep.Results {
		w, ok := want[res.ID]
		if !ok {
			continue
		}
		delete(want, res.ID)
		if diff := cmp.Diff([]brief{w}, briefs(res.Findings)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", res.ID, diff)
			continue
		}
		f := res.Findings[0]
		if f.Values["not_shipped"] != "" || f.Values["outcome_lowered_from"] != "" || f.Values["severity_lowered_from"] != "" {
			t.Errorf("%s: lowered as not shipped: %v", res.ID, f.Values)
		}
		if f.Values["bind"] != "all" {
			t.Errorf("%s: bind %q, want all", res.ID, f.Values["bind"])
		}
		if !strings.Contains(f.Message, "cypress/docker-compose.yml:5") && res.ID == IDDeclared {
			t.Errorf("%s: the test file is not listed among the places: %s", res.ID, f.Message)
		}
	}
	if len(want) > 0 {
		t.Errorf("no result for %v", want)
	}
}
