package updates

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/internal/sigverify"
	svt "github.com/cemark/cemark/checks/internal/sigverify/sigverifytest"
	"github.com/cemark/cemark/evidence/config"
)

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

func outcomes(fs []checks.Finding) map[string]checks.Outcome {
	out := map[string]checks.Outcome{}
	for _, f := range fs {
		out[f.Key] = f.Outcome
	}
	return out
}

func TestEvalStatement(t *testing.T) {
	yes, no := true, false
	updater := []checks.UpdaterEvidence{{Kind: KindTUF, Path: "u.go", Confidence: High}}
	cases := []struct {
		name  string
		facts Collected
		want  map[string]checks.Outcome
	}{
		{"nothing stated, no updater", Collected{}, map[string]checks.Outcome{
			"mechanism": checks.Fail, "automatic": checks.Warn, "notification": checks.Warn, "postpone": checks.Warn}},
		{"nothing stated, updater found", Collected{Signing: checks.UpdateSigning{Client: updater}}, map[string]checks.Outcome{
			"mechanism": checks.Warn, "automatic": checks.Warn, "notification": checks.Warn, "postpone": checks.Warn}},
		{"automatic without opt-out", Collected{Statement: config.Updates{Mechanism: "OTA", Automatic: &yes, Notification: "in-app", Postpone: "snooze"}},
			map[string]checks.Outcome{"opt-out": checks.Warn}},
		{"not automatic, unjustified", Collected{Statement: config.Updates{Mechanism: "apt", Automatic: &no, Notification: "DSA mails", Postpone: "apt-mark hold"}},
			map[string]checks.Outcome{"automatic": checks.Warn}},
		{"not automatic, justified", Collected{Statement: config.Updates{Mechanism: "apt", Automatic: &no, Notification: "DSA mails", Postpone: "apt-mark hold"}, AutomaticJustified: true},
			map[string]checks.Outcome{"statement": checks.Pass}},
		// Annex I Part I (2)(c): "… through the notification of available
		// updates to users, and the option to temporarily postpone them".
		{"no way to postpone", Collected{Statement: config.Updates{Mechanism: "OTA via Mender", Automatic: &yes, OptOut: "Settings > Updates", Notification: "in-app"}},
			map[string]checks.Outcome{"postpone": checks.Warn}},
		{"complete", Collected{Statement: config.Updates{Mechanism: "OTA via Mender", Automatic: &yes, OptOut: "Settings > Updates", Notification: "in-app", Postpone: "Settings > Updates > Remind me later"}},
			map[string]checks.Outcome{"statement": checks.Pass}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, outcomes(evalStatement(&tc.facts))); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalArtifactsSeverity(t *testing.T) {
	f := &Collected{Signing: checks.UpdateSigning{Artifacts: []checks.ArtifactVerdict{
		{Path: "a", Verdict: sigverify.VerdictVerified, Method: sigverify.MethodCosignBlob, KeyID: "k"},
		{Path: "b", Verdict: sigverify.VerdictUnverifiable},
		{Path: "c", Verdict: sigverify.VerdictUnsigned},
		{Path: "d", Verdict: sigverify.VerdictBadSignature},
		{Path: "e", Verdict: sigverify.VerdictDigestMismatch},
		{Path: "f", Verdict: sigverify.VerdictIdentityMismatch, Method: sigverify.MethodSigstoreKeyless, KeyID: "someone@example.com"},
	}}}
	got := map[string]string{}
	for _, fd := range evalArtifacts(f) {
		got[fd.Key] = string(fd.Outcome) + "/" + string(fd.Severity)
	}
	want := map[string]string{"a": "pass/info", "b": "warn/", "c": "fail/", "d": "fail/high", "e": "fail/high", "f": "fail/high"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if na := evalArtifacts(&Collected{}); len(na) != 1 || na[0].Outcome != checks.NotApplicable {
		t.Errorf("no artefacts: %+v, want not-applicable", na)
	}
}

// TestChecksEndToEnd runs the family through a Target built from a
// product tree: cemark.yaml keys with fingerprints, shipped artefacts,
// and a fingerprint that does not match.
func TestChecksEndToEnd(t *testing.T) {
	good := svt.NewCosignKey(t)
	stranger := svt.NewCosignKey(t)
	mini := svt.NewMinisignKey(t)
	app := []byte("binary v1")
	tool := []byte("tool v1")

	root := t.TempDir()
	svt.Write(t, root, "keys/cosign.pub", good.PubPEM)
	svt.Write(t, root, "keys/minisign.pub", mini.Pub)
	svt.Write(t, root, "dist/app", app)
	svt.Write(t, root, "dist/app.sig", good.Sign(t, app))
	svt.Write(t, root, "dist/tool", tool)
	svt.Write(t, root, "dist/tool.minisig", mini.SignHashed(tool))
	svt.Write(t, root, "dist/unsigned", []byte("x"))
	svt.Write(t, root, ".github/workflows/release.yml", []byte("jobs:\n  r:\n    steps:\n      - run: cosign sign-blob --key k dist/app\n"))
	yes := true
	cfg := &config.Config{Updates: config.Updates{
		Mechanism: "download from the release page", Automatic: &yes, OptOut: "--no-auto-update", Notification: "release feed", Postpone: "--defer 7d",
		Keys: []config.UpdateKey{
			{Name: "release", Path: "keys/cosign.pub", Fingerprint: "SHA256:" + good.Fingerprint},
			// Declares the stranger's fingerprint for the minisign key file: a mismatch.
			{Name: "mini", Path: "keys/minisign.pub", Fingerprint: stranger.Fingerprint},
		},
		Artifacts: []string{"dist/*", "release/*.zip"},
	}}
	tg, err := checks.NewTarget(context.Background(), root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg.Now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

	type row struct {
		Check, Key string
		Outcome    checks.Outcome
	}
	var got []row
	byCheck := findings(t, tg)
	for _, c := range Checks() {
		for _, f := range byCheck[c.Meta().ID] {
			got = append(got, row{f.Check, f.Key, f.Outcome})
		}
	}
	want := []row{
		{IDPipeline, "cosign/sign-blob", checks.Info},
		{IDArtifacts, `glob:release/*.zip`, checks.Warn},
		{IDArtifacts, "dist/app", checks.Pass},
		{IDArtifacts, "dist/tool", checks.Pass},
		{IDArtifacts, "dist/unsigned", checks.Fail},
		{IDClient, "no-client", checks.Info},
		{IDStatement, "statement", checks.Pass},
		{IDConsistency, "key:keys/cosign.pub", checks.Pass},
		{IDConsistency, "key:keys/minisign.pub", checks.Fail},
		{IDConsistency, "dist/app", checks.Pass},
		{IDConsistency, "dist/tool", checks.Fail},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}

	sheet, err := Facts(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	wantFPs := []string{good.Fingerprint, mini.ID}
	if wantFPs[0] > wantFPs[1] {
		wantFPs[0], wantFPs[1] = wantFPs[1], wantFPs[0]
	}
	if diff := cmp.Diff(wantFPs, sheet.KeyFingerprints); diff != "" {
		t.Errorf("key fingerprints (-want +got):\n%s", diff)
	}
	if sheet.Mechanism != "download from the release page" || len(sheet.Artifacts) != 3 || len(sheet.Pipeline) != 1 {
		t.Errorf("fact sheet: %+v", sheet)
	}
}

// TestRunnerFillsCRA runs the family through checks.Run: findings are
// ordinary findings with the metadata's CRA references, and a bad
// signature keeps its high severity.
func TestRunnerFillsCRA(t *testing.T) {
	key := svt.NewCosignKey(t)
	root := t.TempDir()
	svt.Write(t, root, "keys/release.pub", key.PubPEM)
	svt.Write(t, root, "dist/app", []byte("tampered"))
	svt.Write(t, root, "dist/app.sig", key.Sign(t, []byte("original")))
	cfg := &config.Config{Updates: config.Updates{Keys: []config.UpdateKey{{Path: "keys/release.pub"}}, Artifacts: []string{"dist/app"}}}
	tg, err := checks.NewTarget(context.Background(), root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := checks.NewRegistry(Checks()...)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := checks.Run(context.Background(), reg, tg, checks.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var bad *checks.Finding
	for _, f := range rep.Findings() {
		if f.Check == IDArtifacts && f.Path == "dist/app" {
			f := f
			bad = &f
		}
		if len(f.CRA) == 0 {
			t.Errorf("%s finding %q has no CRA reference", f.Check, f.Message)
		}
	}
	if bad == nil {
		t.Fatal("no finding for dist/app")
	}
	if bad.Outcome != checks.Fail || bad.Severity != checks.SeverityHigh {
		t.Errorf("bad signature: %s/%s, want fail/high", bad.Outcome, bad.Severity)
	}
	if diff := cmp.Diff([]string{"Annex I Part I (2)(c)", "Annex I Part I (2)(f)", "Annex I Part II (7)", "Annex I Part II (8)", "Annex VII 2(b)"}, bad.CRA); diff != "" {
		t.Errorf("CRA (-want +got):\n%s", diff)
	}
}

// findings runs the family's checks over tg, as checks.Run does, and
// returns each check's findings by check ID.
func findings(t testing.TB, tg *checks.Target) map[string][]checks.Finding {
	t.Helper()
	out := map[string][]checks.Finding{}
	for _, c := range Checks() {
		facts, err := c.Collect(context.Background(), tg)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := c.Evaluate(facts)
		if err != nil {
			t.Fatal(err)
		}
		out[c.Meta().ID] = fs
	}
	return out
}
