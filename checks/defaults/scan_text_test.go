package defaults

import (
	"strings"

	"github.com/cemark/cemark/checks"
	"testing"
)

// TestTLSOptInGrading pins how CEM-DEF-009 grades a site by the branch
// around it: an option that says verification is off (an operator opt-in)
// and any other condition are conditional, with their own messages; a
// negation, an alternative or a comparison with false is no opt-in.
func TestTLSOptInGrading(t *testing.T) {
	t.Parallel()
	goFile := func(body string) string {
		return "package p\n\nimport \"crypto/tls\"\n\nfunc f(c *tls.Config, insecure, ok bool, mode string) {\n" + body + "\n}\n"
	}
	tests := []struct {
		name, path, src string
		conditional     bool
		option          string // quoted in the message when the branch is an opt-in
	}{
		{"go unconditional", "a.go", goFile("c.InsecureSkipVerify = true"), false, ""},
		{"go case directive", "a.go", goFile(`switch mode { case "tls_insecure_skip_verify": c.InsecureSkipVerify = true }`), true, `"tls_insecure_skip_verify"`},
		{"go if flag", "a.go", goFile("if insecure { c.InsecureSkipVerify = true }"), true, "insecure"},
		{"go if field and", "a.go", goFile("var o struct{ SkipTLSVerify bool }\nif ok && o.SkipTLSVerify { c.InsecureSkipVerify = true }"), true, "o.SkipTLSVerify"},
		{"go flag lookup", "a.go", goFile("var fl interface{ Bool(string) bool }\nif fl.Bool(\"no-verify\") { c.InsecureSkipVerify = true }"), true, `"no-verify"`},
		{"go if mode equals", "a.go", goFile(`if mode == "insecure" { c.InsecureSkipVerify = true }`), true, `"insecure"`},
		{"go negated", "a.go", goFile("if !insecure { c.InsecureSkipVerify = true }"), true, ""},
		{"go compared with false", "a.go", goFile("if insecure == false { c.InsecureSkipVerify = true }"), true, ""},
		{"go or", "a.go", goFile("if insecure || ok { c.InsecureSkipVerify = true }"), true, ""},
		{"go else branch", "a.go", goFile("if insecure { return } else { c.InsecureSkipVerify = true }"), true, ""},
		{"go other case", "a.go", goFile(`switch mode { case "dev": c.InsecureSkipVerify = true }`), true, ""},
		{"python if option", "a.py", "if args.no_verify:\n    r = requests.get(u, verify=False)\n", true, "args.no_verify"},
		{"python if not option", "a.py", "if not args.insecure:\n    r = requests.get(u, verify=False)\n", false, ""},
		{"python unrelated if", "a.py", "if r.ok:\n    r = requests.get(u, verify=False)\n", false, ""},
		{"node one-line if", "a.js", "if (cfg.insecure)\n  a = new https.Agent({ rejectUnauthorized: false });\n", true, "cfg.insecure"},
		{"node negated", "a.js", "if (!cfg.insecure) {\n  a = new https.Agent({ rejectUnauthorized: false });\n}\n", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []Site
			for _, s := range scanSource(tt.path, []byte(tt.src)) {
				if s.Kind == SiteTLSVerifyOff {
					got = append(got, s)
				}
			}
			if len(got) != 1 {
				t.Fatalf("want 1 TLS site, got %+v", got)
			}
			s := got[0]
			if s.Conditional != tt.conditional {
				t.Errorf("Conditional = %v, want %v (%s)", s.Conditional, tt.conditional, s.Message)
			}
			optIn := strings.Contains(s.Message, "only where the option")
			if optIn != (tt.option != "") || optIn && !strings.Contains(s.Message, "the option "+tt.option+" selects it") {
				t.Errorf("message %q, want the option %q", s.Message, tt.option)
			}
		})
	}
}

// TestTLSOptInCitesAnnexII5 pins the legal statement of an opt-in:
// Annex II point 5 asks the user information for "any known or
// foreseeable circumstance, related to the use of the product with
// digital elements in accordance with its intended purpose or under
// conditions of reasonably foreseeable misuse, which may lead to
// significant cybersecurity risks" — an option that turns certificate
// verification off is one.
func TestTLSOptInCitesAnnexII5(t *testing.T) {
	t.Parallel()
	if !strings.HasSuffix(optInAdvice, "(Annex II 5)") || !strings.Contains(optInAdvice, "not a default") {
		t.Errorf("optInAdvice = %q", optInAdvice)
	}
	fs := evalTLSVerifyOff(&Facts{Sites: []Site{{Kind: SiteTLSVerifyOff, Path: "a.go", Line: 1, Conditional: true, Message: "m: " + optInAdvice}}})
	if len(fs) != 1 || fs[0].Outcome != checks.Warn || fs[0].Severity != checks.SeverityMedium {
		t.Errorf("an opt-in is a warning, not a failure: %+v", fs)
	}
}
