package attest

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/ci"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/conformity"
)

var refTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newTestSigner generates a key in the test (never a committed key).
func newTestSigner(t testing.TB, keyType string) (Signer, crypto.Signer) {
	t.Helper()
	priv, err := GenerateKey(keyType)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, priv
}

func writePub(t testing.TB, dir, name string, pub crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func sampleReport() *checks.Report {
	return &checks.Report{
		SchemaVersion: checks.ReportSchemaVersion,
		Tool:          checks.Tool{Name: "cemark", Version: "0.1.0"},
		Product:       checks.Product{Name: "widget", Version: "1.2.3"},
		Results: []checks.Result{
			{Meta: checks.Meta{ID: "CEM-SURF-001", Title: "Undeclared ports", Severity: checks.SeverityHigh, CRA: []string{"Annex I Part I (2)(j)"}}, Outcome: checks.Pass, Findings: []checks.Finding{}},
			{Meta: checks.Meta{ID: "CEM-DEF-001", Title: "Default passwords", Severity: checks.SeverityCritical, CRA: []string{"Annex I Part I (2)(b)"}}, Outcome: checks.Fail,
				Findings: []checks.Finding{{Check: "CEM-DEF-001", Outcome: checks.Fail, Severity: checks.SeverityCritical, Message: "default password in config.yaml", Path: "config.yaml", Line: 3, CRA: []string{"Annex I Part I (2)(b)"}}}},
			{Meta: checks.Meta{ID: "CEM-VULN-001", Title: "Security policy", Severity: checks.SeverityMedium, CRA: []string{"Annex I Part II (5)"}}, Outcome: checks.Warn,
				Findings: []checks.Finding{{Check: "CEM-VULN-001", Outcome: checks.Warn, Severity: checks.SeverityMedium, Message: "no disclosure timeline", CRA: []string{"Annex I Part II (5)"}}}},
		},
		Summary: checks.Summary{Checks: 3, Pass: 1, Fail: 1, Warn: 1},
	}
}

func sampleConfig() *config.Config {
	end := config.Date{Year: 2031, Month: 12, Day: 31}
	return &config.Config{
		Product:      config.Product{Name: "widget", Version: "1.2.3", Class: config.ClassDefault, Support: config.Support{End: &end, Rationale: "expected use of five years"}},
		Manufacturer: config.Manufacturer{Name: "ACME GmbH", Email: "security@acme.example"},
	}
}

type sampleQuality struct {
	Components int            `json:"components"`
	Fields     []sampleQField `json:"fields"`
	Verdict    string         `json:"verdict"`
}

type sampleQField struct {
	Field    string   `json:"field"`
	Standard []string `json:"standard"`
	Required bool     `json:"required"`
	Verdict  string   `json:"verdict"`
}

const sampleCycloneDX = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"left-pad","version":"1.3.0","purl":"pkg:npm/left-pad@1.3.0"}]}`
const sampleSPDX = `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"widget","dataLicense":"CC0-1.0","packages":[]}`

// sampleBundle builds every statement of a run over one artefact file in
// dir and returns statements and the artefact path.
func sampleBundle(t testing.TB, dir string) ([]Statement, string) {
	t.Helper()
	ctx := context.Background()
	art := writeFile(t, filepath.Join(dir, "dist", "widget"), []byte("the widget binary\n"))
	subjects, err := Subjects(ctx, dir, []string{"dist/*"}, nil, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	sts := buildAll(t, subjects)
	return sts, art
}

func buildAll(t testing.TB, subjects []*intotov1.ResourceDescriptor) []Statement {
	t.Helper()
	ctx := context.Background()
	cfg := sampleConfig()
	rep := sampleReport()
	sts, err := BuildStatements(ctx, Input{
		Subjects:      subjects,
		SBOMCycloneDX: []byte(sampleCycloneDX),
		SBOMSPDX:      []byte(sampleSPDX),
		SBOMQuality: sampleQuality{Components: 1, Verdict: "complete", Fields: []sampleQField{
			{Field: "hash-sha512", Standard: []string{"BSI TR-03183-2 5.2.2"}, Required: true, Verdict: "complete"},
		}},
		Report:      rep,
		ConfigFile:  []byte("product:\n  name: widget\n"),
		CI:          ci.Environment{Platform: ci.GitHub, ServerURL: "https://github.com", Repository: "acme/widget", Ref: "refs/heads/main", Commit: "0123456789abcdef0123456789abcdef01234567", Workflow: "acme/widget/.github/workflows/build.yml@refs/heads/main", RunID: "42", RunURL: "https://github.com/acme/widget/actions/runs/42/attempts/1", EventName: "push", RunnerEnv: "github-hosted"},
		Config:      cfg,
		ToolName:    "cemark",
		ToolVersion: "0.1.0",
		Time:        refTime,
	})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := BuildConformityStatement(ctx, ConformityInput{
		Subjects:            subjects,
		Config:              cfg,
		Assessment:          conformity.Assess(cfg, rep),
		Statements:          sts,
		TechnicalFileSHA256: "ab" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
		ToolName:            "cemark",
		ToolVersion:         "0.1.0",
		Time:                refTime,
	})
	if err != nil {
		t.Fatal(err)
	}
	return append(sts, cs)
}

func signAll(t testing.TB, s Signer, sts []Statement) []*Envelope {
	t.Helper()
	var envs []*Envelope
	for _, st := range sts {
		e, err := Sign(context.Background(), s, st)
		if err != nil {
			t.Fatal(err)
		}
		envs = append(envs, e)
	}
	return envs
}

type intotoRD = intotov1.ResourceDescriptor

// keyFixture is one run's statements over an artefact in a fresh folder,
// a test key of keyType and its public key file, for each key type test.
type keyFixture struct {
	dir, artefact, pub string
	sts                []Statement
	signer             Signer
}

func forEachKeyType(t *testing.T, test func(t *testing.T, f keyFixture)) {
	t.Helper()
	for _, kt := range []string{KeyTypeECDSAP256, KeyTypeEd25519} {
		t.Run(kt, func(t *testing.T) {
			f := keyFixture{dir: t.TempDir()}
			f.sts, f.artefact = sampleBundle(t, f.dir)
			f.signer, _ = newTestSigner(t, kt)
			f.pub = writePub(t, f.dir, "cemark.pub", f.signer.Public())
			test(t, f)
		})
	}
}
