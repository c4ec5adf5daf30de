package evidence

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/vulnscan"
	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
	"github.com/cemark/cemark/evidence/initdraft"
	"github.com/cemark/cemark/evidence/techfile"
)

var refTime = time.Date(2028, 2, 1, 10, 0, 0, 0, time.UTC)

// evidenceFor builds the evidence of a run over report, rendering the
// technical file into root; fill, when set, writes every manual region of
// the technical file first, as a manufacturer who completed it would.
func evidenceFor(t *testing.T, root string, cfg *config.Config, report *checks.Report, in conformity.Inputs, fill bool) *Evidence {
	t.Helper()
	ev := &Evidence{Root: root, Config: cfg, Report: report, Missing: config.Missing(cfg), Time: refTime, Now: refTime,
		Assessment: conformity.AssessWith(cfg, report, in), Route: conformity.RouteFor(cfg), Signed: true}
	render := func() *techfile.Result {
		res, err := techfile.Render(context.Background(), techfile.Input{Config: cfg, Route: ev.Route, Assessment: ev.Assessment,
			Product: techfile.Product{Name: cfg.Product.Name, Version: cfg.Product.Version}, Report: report, Date: refTime,
			SBOM: techfile.SBOMFacts{CycloneDXSHA256: strings.Repeat("c", 64), ComponentCount: 3}}, techfile.Options{Root: root})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ev.TechFile = render()
	if fill {
		manual := regexp.MustCompile(`(?s)(<!-- cemark:manual id=[^ ]+ -->\n).*?(<!-- cemark:end -->)`)
		files, _ := filepath.Glob(filepath.Join(root, techfile.DefaultDir, "*.md"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, manual.ReplaceAll(b, []byte("${1}Written by the manufacturer.\n${2}")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		render()
		ev.TechFile = render() // the committed file is current
	}
	return ev
}

func openTitles(items []ReadinessItem) map[string][]string {
	out := map[string][]string{}
	for _, it := range items {
		if !it.Ready {
			out[it.Title] = it.Detail
		}
	}
	return out
}

// TestReadinessStarterConfigNotReady: the configuration `cemark init`
// writes states nothing the manufacturer must state, so a release from it
// is not ready, and each open item says where to fix it.
func TestReadinessStarterConfigNotReady(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/gateway\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := initdraft.Starter(context.Background(), root, initdraft.StarterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("cemark.yaml", data)
	if err != nil {
		t.Fatalf("the starter config does not load: %v", err)
	}
	cfg.Product.Version = "1.0.0"
	ev := evidenceFor(t, root, cfg, &checks.Report{}, conformity.Inputs{}, false)
	open := openTitles(ev.Readiness("v1.0.0", checks.SeverityHigh))
	for _, title := range []string{
		"Manufacturer input complete",
		"Technical documentation complete (Annex VII)",
		"Every Annex I point evidenced, stated or justified not applicable",
		"Conformity route settled (Art. 32)",
		"EU declaration of conformity: manufacturer fields filled (Annex V)",
		"Art. 14 reporting set up",
	} {
		if _, ok := open[title]; !ok {
			t.Errorf("%q holds for the starter config", title)
		}
	}
	details := strings.Join(open["Technical documentation complete (Annex VII)"], "\n")
	for _, want := range []string{"Annex VII 1(a)", "Annex VII 1(d)", "Annex VII 2(a)", "Annex VII 2(b)", "Annex VII 2(c)", "Annex VII 3", "Annex VII 5", "docs/cra/"} {
		if !strings.Contains(details, want) {
			t.Errorf("Annex VII detail lacks %q:\n%s", want, details)
		}
	}
	if d := strings.Join(open["Every Annex I point evidenced, stated or justified not applicable"], "\n"); !strings.Contains(d, "risk_assessment.I-1") ||
		!strings.Contains(d, "Annex I Part I (2)(a) (not assessed): a vulnerability scan of the product's SBOM is needed") {
		t.Errorf("Annex I detail:\n%s", d)
	}
	var b strings.Builder
	if err := WriteReadiness(&b, ev, "v1.0.0", checks.SeverityHigh, false); err == nil || !strings.Contains(b.String(), "not ready") {
		t.Errorf("WriteReadiness: %v\n%s", err, b.String())
	}
}

// completeConfig states every fact a release needs.
func completeConfig() *config.Config {
	d := func(s string) *config.Date { v, _ := config.ParseDate(s); return &v }
	yes, no := true, false
	ra := map[string]config.Requirement{}
	for _, id := range config.AnnexIPointIDs() {
		ra[id] = config.Requirement{Applicable: &yes, Measures: "Measures for " + id + ", tested in the release test plan."}
	}
	ra["I-2g"] = config.Requirement{Applicable: &no, Justification: "The gateway processes no personal or other user data."}
	return &config.Config{
		Product: config.Product{Name: "acme-gateway", Version: "1.4.0", Type: "software", TypeDesignation: "AG-1",
			Description: "HTTP gateway.", IntendedPurpose: "Relays commands to home automation hubs.", Class: config.ClassDefault,
			OpenSource: &no, Licence: "Apache-2.0", FirstPlacedOnMarket: d("2028-01-10"), Hardware: &no,
			Support:        config.Support{End: d("2033-01-10"), Rationale: "Hubs are used for five years.", Type: "Security updates, free of charge"},
			DeclarationURL: "https://acme.example/doc"},
		Manufacturer: config.Manufacturer{Name: "Acme ApS", Address: "Nørregade 1, 1165 København K", Email: "cra@acme.example"},
		Security:     config.Security{Contact: "security@acme.example", CVDPolicy: "https://acme.example/security"},
		Updates: config.Updates{Mechanism: "container image", Automatic: &yes, OptOut: "AUTO_UPDATE=false",
			Notification: "in-app banner", Postpone: "snooze for 7 days"},
		Advisories:     config.Advisories{GitHub: true},
		RiskAssessment: ra,
		Conformity: config.Conformity{Procedure: config.ProcedureModuleA,
			SignedDeclaration: config.SignedDeclaration{Location: "docs/cra/signed/doc-1.4.0.pdf", SHA256: strings.Repeat("a", 64)}},
		Reporting: config.Reporting{MemberState: "DK", CSIRT: "CFCS", Contact: "psirt@acme.example"},
		Docs:      config.Docs{Architecture: "Two services behind one port.", Production: "Reviewed, reproducible builds."},
	}
}

// cleanReport is a check run with no finding against any point, one check
// per point the checks touch, and the shipped artefact verified.
func cleanReport() *checks.Report {
	r := &checks.Report{Facts: checks.Facts{UpdateSigning: &checks.UpdateSigning{
		Artifacts: []checks.ArtifactVerdict{{Path: "dist/gateway.tar.gz", SHA256: "ab", Verdict: "verified"}}}}}
	for _, p := range conformity.Points() {
		if p.Uncovered == "" && p.ID != "I-2a" {
			continue
		}
		id := "CEM-T-" + strings.NewReplacer("-", "").Replace(p.ID)
		r.Results = append(r.Results, checks.Result{Meta: checks.Meta{ID: id, CRA: []string{p.Clause}}, Outcome: checks.Pass,
			Findings: []checks.Finding{{Check: id, Outcome: checks.Pass, Message: "clean"}}})
	}
	return r
}

// TestReadinessCompleteConfigReady: with every fact stated, the manual
// regions written, clean checks and a clean vulnerability scan of the SBOM
// (the only evidence for Annex I Part I (2)(a)), the release is ready.
func TestReadinessCompleteConfigReady(t *testing.T) {
	root := t.TempDir()
	scan := &vulnscan.Summary{Ran: true, DBFresh: true, SBOMSHA256: strings.Repeat("c", 64)}
	ev := evidenceFor(t, root, completeConfig(), cleanReport(), conformity.Inputs{VulnScan: scan}, true)
	if open := openTitles(ev.Readiness("v1.4.0", checks.SeverityHigh)); len(open) != 0 {
		t.Fatalf("not ready:\n%v", open)
	}
	var b strings.Builder
	if err := WriteReadiness(&b, ev, "v1.4.0", checks.SeverityHigh, false); err != nil || !strings.Contains(b.String(), "ready: every item") {
		t.Errorf("WriteReadiness: %v\n%s", err, b.String())
	}

	// Without the scan, (2)(a) rests on a sentence: not ready, in the
	// Annex I checklist and in the risk assessment of Annex VII 3.
	ev = evidenceFor(t, t.TempDir(), completeConfig(), cleanReport(), conformity.Inputs{}, true)
	open := openTitles(ev.Readiness("v1.4.0", checks.SeverityHigh))
	if len(open) != 2 || !strings.Contains(strings.Join(open["Every Annex I point evidenced, stated or justified not applicable"], ""), "a vulnerability scan of the SBOM") ||
		!strings.Contains(strings.Join(open["Technical documentation complete (Annex VII)"], ""), "Annex VII 3") {
		t.Errorf("without a scan: %v", open)
	}
}

// TestReadinessRules: each rule of the checklist on its own.
func TestReadinessRules(t *testing.T) {
	scan := &vulnscan.Summary{Ran: true, DBFresh: true, SBOMSHA256: strings.Repeat("c", 64)}
	no := false
	cases := []struct {
		name, title, detail string
		mod                 func(*config.Config, *checks.Report)
	}{
		{"Part II is never not applicable", "Every Annex I point evidenced, stated or justified not applicable", "Annex I Part II (2)",
			func(c *config.Config, _ *checks.Report) {
				c.RiskAssessment["II-2"] = config.Requirement{Applicable: &no, Justification: "We do not fix."}
			}},
		{"a non-applicability needs a justification (Art. 13(4))", "Every Annex I point evidenced, stated or justified not applicable", "risk_assessment.I-2g.justification",
			func(c *config.Config, _ *checks.Report) {
				c.RiskAssessment["I-2g"] = config.Requirement{Applicable: &no}
			}},
		{"a failing finding at or above --fail-on", "No failing finding at severity high or above", "CEM-T-I2b",
			func(_ *config.Config, r *checks.Report) {
				r.Results[1].Outcome = checks.Fail
				r.Results[1].Findings = []checks.Finding{{Check: "CEM-T-I2b", Outcome: checks.Fail, Severity: checks.SeverityHigh, Message: "root"}}
			}},
		{"the declaration's manufacturer fields", "EU declaration of conformity: manufacturer fields filled (Annex V)", "manufacturer.address",
			func(c *config.Config, _ *checks.Report) { c.Manufacturer.Address = "" }},
		{"Art. 14 set up", "Art. 14 reporting set up", "reporting.csirt",
			func(c *config.Config, _ *checks.Report) { c.Reporting.CSIRT = "" }},
		{"a notified body for Module H", "Conformity route settled (Art. 32)", "conformity.notified_body",
			func(c *config.Config, _ *checks.Report) { c.Conformity.Procedure = config.ProcedureModuleH }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, report := completeConfig(), cleanReport()
			tc.mod(cfg, report)
			ev := evidenceFor(t, t.TempDir(), cfg, report, conformity.Inputs{VulnScan: scan}, true)
			open := openTitles(ev.Readiness("v1.4.0", checks.SeverityHigh))
			if d, ok := open[tc.title]; !ok || !strings.Contains(strings.Join(d, "\n"), tc.detail) {
				t.Errorf("%q: open items %v, want one naming %q", tc.title, open, tc.detail)
			}
		})
	}
}

// TestReadinessSignedKeyOrKeyless: keyless signatures (the CI's identity,
// Sigstore) count as signed evidence as a key's do; unsigned evidence is
// open, with the reason and both ways to sign.
func TestReadinessSignedKeyOrKeyless(t *testing.T) {
	for _, tc := range []struct {
		name    string
		signing attest.Signing
		ready   bool
	}{
		{"key", attest.Signing{Method: attest.SignKey, KeyID: "ab12"}, true},
		{"keyless", attest.Signing{Method: attest.SignKeyless, Identity: "https://github.com/acme/gw/.github/workflows/ci.yml@refs/heads/main",
			Issuer: "https://token.actions.githubusercontent.com"}, true},
		{"unsigned", attest.Signing{Method: attest.SignNone, Reason: "no signing key and no OIDC token"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := &Evidence{Signing: tc.signing, Signed: tc.signing.Method != attest.SignNone}
			it := signedItem(ev)
			if it.Ready != tc.ready || strings.Contains(it.Title, "with a key") && !strings.Contains(it.Title, "keyless") {
				t.Fatalf("%+v", it)
			}
			if !tc.ready {
				d := strings.Join(it.Detail, "")
				for _, want := range []string{"no signing key and no OIDC token", "--key", "--sign keyless", "id-token: write", "aud: sigstore"} {
					if !strings.Contains(d, want) {
						t.Errorf("detail lacks %q: %s", want, d)
					}
				}
			}
		})
	}
}
