package updates

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	svt "github.com/cemark/cemark/checks/internal/sigverify/sigverifytest"
	"github.com/cemark/cemark/evidence/attest/sigstoretest"
	"github.com/cemark/cemark/evidence/config"
)

// The family end to end on keyless Sigstore bundles: each artefact's
// verdict (checks/internal/sigverify) becomes a finding with its outcome
// and severity, from a cemark.yaml as a manufacturer writes it.

// TestKeylessEndToEnd runs the family from cemark.yaml: updates.trusted_root
// is a path relative to the product root, and each artefact's verdict
// becomes a finding with its outcome and severity.
func TestKeylessEndToEnd(t *testing.T) {
	trusted := svt.NewVirtualSigstore(t)
	stranger := svt.NewVirtualSigstore(t)
	app, tool, lib := []byte("app v1"), []byte("tool v1"), []byte("lib v1")

	dir := t.TempDir()
	svt.Write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	svt.Write(t, dir, "dist/app", app)
	svt.Write(t, dir, "dist/app.sigstore.json", svt.KeylessBundle(t, trusted, app))
	svt.Write(t, dir, "dist/tool", []byte("tool v1, altered after signing"))
	svt.Write(t, dir, "dist/tool.sigstore.json", svt.KeylessBundle(t, trusted, tool))
	svt.Write(t, dir, "dist/lib", lib)
	svt.Write(t, dir, "dist/lib.bundle", svt.KeylessBundle(t, stranger, lib))

	type row struct {
		Key      string
		Outcome  checks.Outcome
		Severity checks.Severity
		KeyID    string
	}
	run := func(t *testing.T, trustedRoot string) []row {
		t.Helper()
		cfg := &config.Config{Updates: config.Updates{Artifacts: []string{"dist/*"}, TrustedRoot: trustedRoot}}
		tg, err := checks.NewTarget(context.Background(), dir, cfg)
		if err != nil {
			t.Fatal(err)
		}
		tg.Now = time.Now()
		var rows []row
		for _, f := range findings(t, tg)[IDArtifacts] {
			rows = append(rows, row{f.Key, f.Outcome, f.Severity, f.Values["key_id"]})
		}
		return rows
	}

	t.Run("trusted root configured", func(t *testing.T) {
		want := []row{
			{"dist/app", checks.Warn, checks.SeverityMedium, svt.Identity}, // verified, signer not pinned
			{"dist/lib", checks.Warn, "", ""},
			{"dist/tool", checks.Fail, checks.SeverityHigh, ""},
		}
		if diff := cmp.Diff(want, run(t, "sigstore/trusted_root.json")); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
	t.Run("no trusted root configured", func(t *testing.T) {
		want := []row{
			{"dist/app", checks.Warn, "", ""},
			{"dist/lib", checks.Warn, "", ""},
			// The signature is checked against the bundle's own
			// certificate even without a trusted root.
			{"dist/tool", checks.Fail, checks.SeverityHigh, ""},
		}
		if diff := cmp.Diff(want, run(t, "")); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
}

// TestKeylessIsNotComparedWithDeclaredFingerprints: a keyless signature
// names an identity, not a key, so CEM-UPD-005 has nothing to compare it
// with and the fact sheet lists no fingerprint for it.
func TestKeylessIsNotComparedWithDeclaredFingerprints(t *testing.T) {
	trusted := svt.NewVirtualSigstore(t)
	app := []byte("app v1")
	dir := t.TempDir()
	svt.Write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	svt.Write(t, dir, "dist/app", app)
	svt.Write(t, dir, "dist/app.sigstore.json", svt.KeylessBundle(t, trusted, app))
	cfg := &config.Config{Updates: config.Updates{Artifacts: []string{"dist/*"}, TrustedRoot: "sigstore/trusted_root.json",
		Keys: []config.UpdateKey{{Name: "release", Fingerprint: strings.Repeat("ab", 32)}}}}
	tg, err := checks.NewTarget(context.Background(), dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg.Now = time.Now()
	facts, err := Facts(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	if len(facts.KeyFingerprints) != 0 {
		t.Errorf("identity listed as a key fingerprint: %v", facts.KeyFingerprints)
	}
	for _, f := range findings(t, tg)[IDConsistency] {
		if f.Outcome == checks.Fail {
			t.Errorf("keyless artefact fails the fingerprint consistency check: %s", f.Message)
		}
	}
}

// TestKeylessIdentityPinningEndToEnd runs the family from a cemark.yaml
// read by the real loader: a message-signature bundle, a DSSE bundle and a
// keylessly signed checksums file, with and without pinned identities.
func TestKeylessIdentityPinningEndToEnd(t *testing.T) {
	trusted := svt.NewVirtualSigstore(t)
	app, tool, lib := []byte("app v1"), []byte("tool v1"), []byte("lib v1")
	const ciIdentity = "https://github.com/example/app/.github/workflows/release.yml@refs/tags/v1.0.0"
	const ciIssuer = "https://token.actions.githubusercontent.com"
	sums := []byte(svt.SHA256Hex(lib) + "  lib\n")

	dir := t.TempDir()
	svt.Write(t, dir, "sigstore/trusted_root.json", sigstoretest.VirtualTrustedRoot(t, trusted))
	svt.Write(t, dir, "dist/app", app)
	svt.Write(t, dir, "dist/app.sigstore.json", svt.KeylessBundle(t, trusted, app)) // release@example.com
	svt.Write(t, dir, "dist/tool", tool)
	svt.Write(t, dir, "dist/tool.sigstore.json", svt.KeylessDSSEBundle(t, trusted, svt.InTotoStatement(t, map[string][]byte{"tool": tool}),
		svt.DSSEOptions{Identity: ciIdentity, Issuer: ciIssuer}))
	svt.Write(t, dir, "dist/lib", lib)
	svt.Write(t, dir, "dist/checksums.txt", sums)
	svt.Write(t, dir, "dist/checksums.txt.sigstore.json", svt.KeylessDSSEBundle(t, trusted, svt.InTotoStatement(t, map[string][]byte{"checksums.txt": sums}),
		svt.DSSEOptions{Identity: ciIdentity, Issuer: ciIssuer}))

	type row struct {
		Key      string
		Outcome  checks.Outcome
		Severity checks.Severity
		Pinned   string
	}
	run := func(t *testing.T, yaml string) ([]row, []checks.Finding, []checks.Finding) {
		t.Helper()
		cfg, err := config.Parse("cemark.yaml", []byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		tg, err := checks.NewTarget(context.Background(), dir, cfg)
		if err != nil {
			t.Fatal(err)
		}
		tg.Now = time.Now()
		byCheck := findings(t, tg)
		artefacts, consistency := byCheck[IDArtifacts], byCheck[IDConsistency]
		var rows []row
		for _, f := range artefacts {
			rows = append(rows, row{f.Key, f.Outcome, f.Severity, f.Values["identity_pinned"]})
		}
		return rows, artefacts, consistency
	}
	const base = "updates:\n  artifacts: [dist/*]\n  trusted_root: sigstore/trusted_root.json\n" +
		"  keys: [{name: release, fingerprint: " + "\"abababababababababababababababababababababababababababababababab\"}]\n"

	t.Run("nothing pinned", func(t *testing.T) {
		rows, fs, consistency := run(t, base)
		want := []row{
			// Verified, but by a signer nobody pinned: a gap, so a warning.
			{"dist/app", checks.Warn, checks.SeverityMedium, "false"},
			{"dist/lib", checks.Warn, checks.SeverityMedium, "false"},
			{"dist/tool", checks.Warn, checks.SeverityMedium, "false"},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
		for _, f := range fs {
			for _, s := range []string{"NOT PINNED", "keyless_identities: [{issuer: "} {
				if !strings.Contains(f.Message, s) {
					t.Errorf("%s: message %q does not say %q", f.Key, f.Message, s)
				}
			}
		}
		if !strings.Contains(fs[0].Message, `{issuer: "`+svt.Issuer+`", identity: "`+svt.Identity+`"}`) {
			t.Errorf("message does not show how to pin the found identity: %s", fs[0].Message)
		}
		for _, f := range consistency {
			if f.Outcome == checks.Fail {
				t.Errorf("keyless artefact compared with key fingerprints: %s", f.Message)
			}
		}
	})
	t.Run("pinned", func(t *testing.T) {
		yaml := base + "  keyless_identities:\n" +
			"    - {issuer: " + svt.Issuer + ", identity: " + svt.Identity + "}\n" +
			"    - issuer: " + ciIssuer + "\n" +
			"      identity_regexp: 'https://github\\.com/example/lib/\\.github/workflows/release\\.yml@refs/tags/v.+'\n"
		rows, fs, _ := run(t, yaml)
		want := []row{
			{"dist/app", checks.Pass, checks.SeverityInfo, "true"},
			{"dist/lib", checks.Fail, checks.SeverityHigh, "false"},
			{"dist/tool", checks.Fail, checks.SeverityHigh, "false"},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
		for _, f := range fs[1:] {
			for _, s := range []string{"UNEXPECTED SIGNER", ciIdentity, ciIssuer} {
				if !strings.Contains(f.Message, s) {
					t.Errorf("%s: message %q does not name %q", f.Key, f.Message, s)
				}
			}
			if f.Values["identity"] != ciIdentity || f.Values["issuer"] != ciIssuer {
				t.Errorf("%s: values %v", f.Key, f.Values)
			}
		}
		if got := fs[0].Values["pinned_by"]; got != "updates.keyless_identities[0]" {
			t.Errorf("dist/app pinned_by = %q", got)
		}
	})
	t.Run("pinned by regexp", func(t *testing.T) {
		yaml := base + "  keyless_identities:\n" +
			"    - issuer: " + ciIssuer + "\n" +
			"      identity_regexp: 'https://github\\.com/example/app/\\.github/workflows/release\\.yml@refs/tags/v.+'\n"
		rows, _, _ := run(t, yaml)
		want := []row{
			{"dist/app", checks.Fail, checks.SeverityHigh, "false"}, // release@example.com is not the CI identity
			{"dist/lib", checks.Pass, checks.SeverityInfo, "true"},
			{"dist/tool", checks.Pass, checks.SeverityInfo, "true"},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
}
