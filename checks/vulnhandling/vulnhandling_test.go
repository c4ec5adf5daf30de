package vulnhandling

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/config"
)

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func target(t *testing.T, root string, cfg *config.Config) *checks.Target {
	t.Helper()
	if cfg == nil {
		cfg = &config.Config{}
	}
	tg, err := checks.NewTarget(context.Background(), root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg.Now = now
	return tg
}

type row struct {
	Key     string
	Outcome checks.Outcome
}

// run collects and evaluates one check of the family.
func run(t *testing.T, id string, tg *checks.Target) []row {
	t.Helper()
	for _, c := range Checks() {
		if c.Meta().ID != id {
			continue
		}
		facts, err := c.Collect(context.Background(), tg)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := c.Evaluate(facts)
		if err != nil {
			t.Fatal(err)
		}
		var out []row
		for _, f := range fs {
			if f.Check != id {
				t.Errorf("finding of %s carries check %s", id, f.Check)
			}
			out = append(out, row{f.Key, f.Outcome})
		}
		return out
	}
	t.Fatalf("no check %s", id)
	return nil
}

func TestMeta(t *testing.T) {
	metas, err := checks.LoadCatalogue(MetaFS())
	if err != nil {
		t.Fatal(err)
	}
	cs := Checks()
	if len(cs) != len(metas) {
		t.Fatalf("%d checks, %d metadata files", len(cs), len(metas))
	}
	if _, err := checks.NewRegistry(cs...); err != nil {
		t.Fatal(err)
	}
}

func TestPolicy(t *testing.T) {
	cases := []struct {
		dir      string
		want     []row
		channels []string
		timeline string
	}{
		{"policy-valid", []row{{"policy", checks.Pass}}, []string{ChannelGitHubPVR, "mailto:security@acme.example"}, "within 3 working days"},
		{"policy-github", []row{{"policy", checks.Pass}}, []string{ChannelGitHubPVR, "https://github.com/acme/gateway/security/advisories/new"}, "coordinated disclosure"},
		{"policy-docs", []row{{"policy", checks.Pass}}, []string{"mailto:security@acme.example"}, "within 30 days"},
		{"policy-no-channel", []row{{"channel", checks.Fail}}, nil, "within 14 days"},
		{"policy-no-timeline", []row{{"timeline", checks.Warn}}, []string{"mailto:security@acme.example"}, ""},
		{"policy-none", []row{{"no-policy", checks.Fail}}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			tg := target(t, filepath.Join("testdata", tc.dir), nil)
			if diff := cmp.Diff(tc.want, run(t, IDPolicy, tg)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			sheet, err := Facts(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.channels, sheet.ReportingChannel); diff != "" {
				t.Errorf("channels (-want +got):\n%s", diff)
			}
			if sheet.DisclosureWindow != tc.timeline {
				t.Errorf("timeline %q, want %q", sheet.DisclosureWindow, tc.timeline)
			}
		})
	}
	t.Run("policy URL in config", func(t *testing.T) {
		tg := target(t, filepath.Join("testdata", "policy-none"), &config.Config{Security: config.Security{CVDPolicy: "https://acme.example/cvd"}})
		if diff := cmp.Diff([]row{{"policy-url", checks.Warn}}, run(t, IDPolicy, tg)); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
}

func TestSecurityTxt(t *testing.T) {
	cases := []struct {
		dir  string
		want []row
	}{
		{"sectxt-valid", []row{{"valid", checks.Pass}}},
		{"sectxt-expired", []row{{"expires", checks.Fail}}},
		{"sectxt-no-contact", []row{{"contact", checks.Fail}, {"policy", checks.Warn}}},
		{"sectxt-mismatch", []row{{"valid", checks.Pass}}},
		{"policy-none", []row{{"absent", checks.Info}}},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			tg := target(t, filepath.Join("testdata", tc.dir), nil)
			if diff := cmp.Diff(tc.want, run(t, IDSecurityTxt, tg)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
	st := ParseSecurityTxt("security.txt", []byte("Contact: a@b.example\nExpires: 2027-01-01T00:00:00Z\nExpires: 2027-02-01T00:00:00Z\nPolicy: x\n"), nil, now)
	if pr := st.Problems(now); len(pr) != 1 || pr[0].Key != "expires" || !pr[0].Fail || pr[0].Line != 2 {
		t.Errorf("two Expires: %+v", pr)
	}
	st = ParseSecurityTxt("security.txt", []byte("Contact: a@b.example\nExpires: 2030-01-01T00:00:00Z\nPolicy: x\n"), nil, now)
	if pr := st.Problems(now); len(pr) != 1 || pr[0].Fail {
		t.Errorf("far Expires should only warn: %+v", pr)
	}
	st = ParseSecurityTxt("security.txt", []byte("Contact: a@b.example\nExpires: next year\n"), nil, now)
	if pr := st.Problems(now); len(pr) != 2 || !pr[0].Fail {
		t.Errorf("bad Expires: %+v", pr)
	}
}

// TestSignedSecurityTxt signs security.txt at run time with a generated
// OpenPGP key and verifies it with the key given as --update-key.
func TestSignedSecurityTxt(t *testing.T) {
	// Keys and signatures are made "before" the run's reference time, as
	// they would be in real life: a key created after now is not valid yet.
	pgpCfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return now.Add(-24 * time.Hour) }}
	signer, err := openpgp.NewEntity("security", "", "security@acme.example", pgpCfg)
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := openpgp.NewEntity("stranger", "", "x@other.example", pgpCfg)
	if err != nil {
		t.Fatal(err)
	}
	body := "Contact: mailto:security@acme.example\nExpires: 2027-06-30T23:59:59Z\nPolicy: https://acme.example/SECURITY.md\n"
	sign := func(text string) []byte {
		var buf bytes.Buffer
		w, err := clearsign.Encode(&buf, signer.PrivateKey, pgpCfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(text)); err != nil {
			t.Fatal(err)
		}
		w.Close()
		return buf.Bytes()
	}
	pubKey := func(e *openpgp.Entity) []byte {
		var buf bytes.Buffer
		w, _ := armor.Encode(&buf, openpgp.PublicKeyType, nil)
		if err := e.Serialize(w); err != nil {
			t.Fatal(err)
		}
		w.Close()
		return buf.Bytes()
	}
	signed := sign(body)
	tamperedSig := bytes.Replace(signed, []byte("2027-06-30"), []byte("2029-06-30"), 1)

	cases := []struct {
		name string
		file []byte
		key  []byte
		want []row
	}{
		{"verified", signed, pubKey(signer), []row{{"signature", checks.Pass}, {"valid", checks.Pass}}},
		{"no key given", signed, nil, []row{{"signature", checks.Info}, {"valid", checks.Pass}}},
		{"other key", signed, pubKey(stranger), []row{{"signature", checks.Info}, {"valid", checks.Pass}}},
		{"tampered after signing", tamperedSig, pubKey(signer), []row{{"expires", checks.Warn}, {"signature", checks.Fail}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, filepath.Join(root, ".well-known", "security.txt"), tc.file)
			tg := target(t, root, nil)
			if tc.key != nil {
				kp := filepath.Join(t.TempDir(), "security.asc")
				writeFile(t, kp, tc.key)
				tg.UpdateKeys = []string{kp}
			}
			if diff := cmp.Diff(tc.want, run(t, IDSecurityTxt, tg)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			f, _ := CollectFacts(context.Background(), tg)
			if got := f.SecurityTxt.ContactLine; got < 4 {
				t.Errorf("Contact line %d: should count the armour header lines", got)
			}
		})
	}
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestContact(t *testing.T) {
	cases := []struct {
		name, dir, contact string
		want               []row
	}{
		{"same everywhere (case, mailto)", "sectxt-valid", "Security@ACME.example", []row{{"contact", checks.Pass}}},
		{"not configured", "sectxt-valid", "", []row{{"contact", checks.Fail}}},
		{"differs from policy and security.txt", "sectxt-valid", "mailto:psirt@acme.example", []row{{"policy", checks.Fail}, {"security.txt", checks.Fail}}},
		{"security.txt names another address", "sectxt-mismatch", "mailto:security@acme.example", []row{{"security.txt", checks.Fail}}},
		{"GitHub reporting URL", "policy-github", "https://github.com/acme/gateway/security/advisories/new/", []row{{"contact", checks.Pass}}},
		{"PVR in words matches the advisories URL", "policy-valid", "https://github.com/acme/gateway/security/advisories/new", []row{{"contact", checks.Pass}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := target(t, filepath.Join("testdata", tc.dir), &config.Config{Security: config.Security{Contact: tc.contact}})
			if diff := cmp.Diff(tc.want, run(t, IDContact, tg)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
	// The mismatch message names both values.
	f := &Collected{Contact: "mailto:psirt@acme.example", SecurityTxt: &SecurityTxt{Path: ".well-known/security.txt", Contacts: []string{"mailto:security@acme.example"}}}
	got := evalContact(f)
	if len(got) != 1 || got[0].Message != "cemark.yaml security.contact is mailto:psirt@acme.example, but .well-known/security.txt's Contact is mailto:security@acme.example" {
		t.Errorf("message: %+v", got)
	}
}

func date(s string) *config.Date {
	d, err := config.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

func TestSupport(t *testing.T) {
	cases := []struct {
		name  string
		facts Collected
		want  []row
	}{
		{"no end date", Collected{}, []row{{"end", checks.Fail}}},
		{"five years from placing", Collected{FirstPlaced: date("2026-01-15"), Support: config.Support{End: date("2031-01-15")}}, []row{{"length", checks.Pass}}},
		{"four years, no rationale", Collected{FirstPlaced: date("2026-01-15"), Support: config.Support{End: date("2030-01-15")}}, []row{{"length", checks.Fail}}},
		{"four years, rationale", Collected{FirstPlaced: date("2026-01-15"), Support: config.Support{End: date("2030-01-15"), Rationale: "seasonal event hardware used for three years"}}, []row{{"length", checks.Pass}}},
		{"ended", Collected{FirstPlaced: date("2018-01-01"), Support: config.Support{End: date("2026-10-31")}}, []row{{"ended", checks.Fail}}},
		{"less than a year left", Collected{FirstPlaced: date("2021-06-01"), Support: config.Support{End: date("2027-06-01")}}, []row{{"ending", checks.Warn}}},
		{"start unknown", Collected{Support: config.Support{End: date("2032-01-01")}}, []row{{"start-unknown", checks.Warn}}},
		{"first release tag", Collected{FirstTag: "v0.1.0", FirstTagTime: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC), Support: config.Support{End: date("2029-02-01")}}, []row{{"length", checks.Fail}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.facts.Now = now
			var got []row
			for _, f := range evalSupport(&tc.facts) {
				got = append(got, row{f.Key, f.Outcome})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSBOM(t *testing.T) {
	cases := []struct {
		name string
		sbom *checks.SBOMInfo
		want checks.Outcome
	}{
		{"stage did not run", nil, checks.NotApplicable},
		{"empty, nothing declared", &checks.SBOMInfo{CycloneDXPath: "sbom.cdx.json"}, checks.Warn},
		{"empty, dependencies declared", &checks.SBOMInfo{CycloneDXPath: "sbom.cdx.json", DeclaredDirect: 2}, checks.Fail},
		{"top level missing", &checks.SBOMInfo{Components: 40, TopLevel: []string{"a@1"}, DeclaredDirect: 3}, checks.Warn},
		{"covers", &checks.SBOMInfo{Components: 40, TopLevel: []string{"a@1", "b@2", "c@3"}, DeclaredDirect: 3}, checks.Pass},
		// syft recorded no dependency graph: the finding names the graph, not a short SBOM.
		{"no dependency graph", &checks.SBOMInfo{Components: 2017, DeclaredDirect: 57}, checks.Warn},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := evalSBOM(&Collected{SBOM: tc.sbom})
			if len(got) != 1 || got[0].Outcome != tc.want {
				t.Errorf("got %+v, want one %s finding", got, tc.want)
			}
			if tc.name == "no dependency graph" && (!strings.Contains(got[0].Message, "records no dependency graph") || strings.Contains(got[0].Message, "may be missing") || got[0].Key != "dependency-graph") {
				t.Errorf("message %q (key %s): want it to name the missing dependency graph", got[0].Message, got[0].Key)
			}
		})
	}
}

func TestAdvisories(t *testing.T) {
	emptyRoot := t.TempDir()
	if err := os.MkdirAll(filepath.Join(emptyRoot, "advisories"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, root string
		adv        config.Advisories
		want       []row
	}{
		{"none declared", "testdata/policy-none", config.Advisories{}, []row{{"none", checks.Warn}}},
		{"GitHub", "testdata/policy-none", config.Advisories{GitHub: true}, []row{{"github", checks.Pass}}},
		{"CSAF local, valid", "testdata/csaf", config.Advisories{CSAF: ".well-known/csaf/provider-metadata.json"}, []row{{"csaf", checks.Pass}}},
		{"CSAF local, invalid", "testdata/csaf-bad", config.Advisories{CSAF: "provider-metadata.json"}, []row{{"csaf", checks.Fail}}},
		{"CSAF local, missing", "testdata/policy-none", config.Advisories{CSAF: "provider-metadata.json"}, []row{{"csaf", checks.Fail}}},
		{"CSAF URL", "testdata/policy-none", config.Advisories{CSAF: "https://acme.example/.well-known/csaf/provider-metadata.json"}, []row{{"csaf", checks.Pass}}},
		{"folder with advisories", "testdata/advisories", config.Advisories{Folder: "advisories"}, []row{{"folder", checks.Pass}}},
		{"empty folder", emptyRoot, config.Advisories{Folder: "advisories"}, []row{{"folder", checks.Fail}}},
		{"missing folder", "testdata/policy-none", config.Advisories{Folder: "advisories"}, []row{{"folder", checks.Fail}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := target(t, tc.root, &config.Config{Advisories: tc.adv})
			if diff := cmp.Diff(tc.want, run(t, IDAdvisories, tg)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
	if p := checkCSAF("testdata/csaf-bad/provider-metadata.json"); len(p) != 3 {
		t.Errorf("CSAF problems: %v, want canonical_url, metadata_version and publisher", p)
	}
}

// TestSupportFromFirstTag: without first_placed_on_market, the support
// period is measured from the first release tag the run gives the family
// (evidence/gitinfo reads it from git and is tested there).
func TestSupportFromFirstTag(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "README.md"), []byte("product\n"))
	tg := target(t, root, &config.Config{Product: config.Product{Support: config.Support{End: date("2029-02-01")}}})
	tg.FirstRelease = func() (string, time.Time, bool) {
		return "v0.1.0", time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC), true
	}
	if diff := cmp.Diff([]row{{"length", checks.Fail}}, run(t, IDSupport, tg)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	sheet, err := Facts(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	if sheet.SupportStart != "2024-03-01" || sheet.SupportStartSource != "first release tag v0.1.0" || sheet.SupportEnd != "2029-02-01" {
		t.Errorf("sheet: start %q (%s), end %q", sheet.SupportStart, sheet.SupportStartSource, sheet.SupportEnd)
	}
}

// TestNoFirstTagNoStart: without a first release tag (no repository, no
// tag, or no one asked git) the support period's start is not invented.
func TestNoFirstTagNoStart(t *testing.T) {
	for name, first := range map[string]func() (string, time.Time, bool){
		"not asked": nil,
		"no tag":    func() (string, time.Time, bool) { return "", time.Time{}, false },
	} {
		t.Run(name, func(t *testing.T) {
			tg := target(t, t.TempDir(), &config.Config{Product: config.Product{Support: config.Support{End: date("2029-02-01")}}})
			tg.FirstRelease = first
			sheet, err := Facts(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			if sheet.SupportStart != "" || sheet.SupportStartSource != "" {
				t.Errorf("support start %q (%s) without a first release tag", sheet.SupportStart, sheet.SupportStartSource)
			}
		})
	}
}

func FuzzParseSecurityTxt(f *testing.F) {
	f.Add([]byte("Contact: mailto:a@b.example\nExpires: 2027-01-01T00:00:00Z\n"))
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: x\n-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n"))
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\n- -x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st := ParseSecurityTxt("security.txt", data, nil, now)
		_ = st.Problems(now)
		_ = ParsePolicy("SECURITY.md", data)
	})
}
