package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureDir is the gateway product, shared with scripts/image-smoke.
const fixtureDir = "../../testdata/products/gateway"

// product copies the gateway fixture into a fresh git repository with a
// fixed commit time, so the run's reference time is reproducible.
func product(t *testing.T) string {
	t.Helper()
	return gitProduct(t, fixtureDir, nil)
}

// gitProduct copies src, and extra files (name to content), into a fresh
// git repository with one commit at a fixed time.
func gitProduct(t *testing.T, src string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitInit(t, dir)
	return dir
}

// cli runs cemark in-process with its own streams and environment.
func cli(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return vars[k] }
	code = run(context.Background(), args, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv})
	return code, out.String(), errb.String()
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = b
		}
		return nil
	})
	return out
}

func TestRunWritesEvidenceAndTechnicalFileDeterministically(t *testing.T) {
	dir := product(t)
	code, stdout, stderr := cli(t, nil, "run", dir, "--json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var summary map[string]any
	if err := json.Unmarshal([]byte(stdout), &summary); err != nil {
		t.Fatalf("--json summary is not JSON: %v\n%s", err, stdout)
	}
	for _, want := range []string{"sbom.cdx.json", "sbom.spdx.json", "sbom-quality.json", "report.json", "report.sarif",
		"codequality.json", "ports.json", "conformity.json", "attestations.intoto.jsonl", "conformity.dsse.json", "run.json"} {
		if _, err := os.Stat(filepath.Join(dir, ".cemark", want)); err != nil {
			t.Errorf("evidence file %s missing: %v", want, err)
		}
	}
	if !strings.Contains(stderr, "UNSIGNED") {
		t.Errorf("no notice that the statements are unsigned:\n%s", stderr)
	}
	for _, banned := range []string{"is compliant", "complies with", "CRA compliant"} {
		if strings.Contains(strings.ToLower(stderr), strings.ToLower(banned)) {
			t.Errorf("summary declares compliance (%q):\n%s", banned, stderr)
		}
	}
	first := readDir(t, filepath.Join(dir, ".cemark"))
	firstDocs := readDir(t, filepath.Join(dir, "docs", "cra"))

	if code, _, stderr := cli(t, nil, "run", dir); code != exitOK {
		t.Fatalf("second run: exit %d\n%s", code, stderr)
	}
	second := readDir(t, filepath.Join(dir, ".cemark"))
	for name, b := range first {
		if name == "run.json" { // records stage timings
			continue
		}
		if !bytes.Equal(b, second[name]) {
			t.Errorf("%s differs between two runs on the same inputs", name)
		}
	}
	for name, b := range firstDocs {
		if !bytes.Equal(b, readDir(t, filepath.Join(dir, "docs", "cra"))[name]) {
			t.Errorf("technical file %s differs between two runs", name)
		}
	}
	if code, out, stderr := cli(t, nil, "docs", dir, "--check"); code != exitOK {
		t.Errorf("docs --check right after a run: exit %d\n%s%s", code, out, stderr)
	}
}

func TestRunBadConfigNamesFileLineColumn(t *testing.T) {
	dir := product(t)
	cfg := filepath.Join(dir, "cemark.yaml")
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, bytes.Replace(b, []byte("  version: 1.4.0"), []byte("  verison: 1.4.0"), 1), 0o644)
	code, _, stderr := cli(t, nil, "run", dir)
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\n%s", code, exitUsage, stderr)
	}
	if !strings.Contains(stderr, "cemark.yaml:3:3") || !strings.Contains(stderr, `"verison"`) {
		t.Errorf("message does not name file:line:column and the key:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".cemark")); !os.IsNotExist(err) {
		t.Errorf("a failed run wrote evidence")
	}
}

func TestRunFailOnExitsThreeAndKeepsEvidence(t *testing.T) {
	dir := product(t)
	// An undeclared risky port makes a failing finding.
	os.WriteFile(filepath.Join(dir, "Dockerfile.debug"), []byte("FROM debian:12@sha256:0000000000000000000000000000000000000000000000000000000000000003\nEXPOSE 23\nUSER 1000\n"), 0o644)
	code, _, stderr := cli(t, nil, "run", dir, "--fail-on", "high", "--no-docs")
	if code != exitNotConformant {
		t.Fatalf("exit %d, want %d\n%s", code, exitNotConformant, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".cemark", "report.json")); err != nil {
		t.Errorf("evidence not written on a not-conformant run: %v", err)
	}
}

func TestRunSignsWithKeyFromEnvironment(t *testing.T) {
	dir := product(t)
	keyDir := t.TempDir()
	if code, _, stderr := cli(t, nil, "keygen", "--output-prefix", filepath.Join(keyDir, "release")); code != 0 {
		t.Fatalf("keygen: exit %d\n%s", code, stderr)
	}
	pem, err := os.ReadFile(filepath.Join(keyDir, "release.key"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"CEMARK_SIGNING_KEY": string(pem)}
	code, _, stderr := cli(t, vars, "run", dir, "--no-docs")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	ev := readDir(t, filepath.Join(dir, ".cemark"))
	for name, b := range ev {
		if bytes.Contains(b, pem) || bytes.Contains(b, []byte("PRIVATE KEY")) {
			t.Errorf("private key material in %s", name)
		}
	}
	if strings.Contains(stderr, "PRIVATE KEY") {
		t.Error("private key material in the log")
	}
	code, out, stderr := cli(t, nil, "verify", "--key", filepath.Join(keyDir, "release.pub"),
		"--require", "https://cemark.dev/conformity/v2", filepath.Join(dir, ".cemark", "attestations.intoto.jsonl"))
	if code != 0 {
		t.Fatalf("verify: exit %d\n%s%s", code, out, stderr)
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	if code, _, _ := cli(t, nil, "frobnicate"); code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	if code, _, _ := cli(t, nil, "run", "--no-such-flag"); code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
}

func TestInitOffersTheInventoryAndNeverOverwrites(t *testing.T) {
	dir := product(t)
	os.Remove(filepath.Join(dir, "cemark.yaml"))
	code, out, stderr := cli(t, nil, "init", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "cemark.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "port: 8443") {
		t.Errorf("starter file does not offer the detected port 8443 as a draft:\n%s", b)
	}
	if code, _, _ := cli(t, nil, "init", dir); code != exitUsage {
		t.Errorf("second init: exit %d, want %d", code, exitUsage)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "cemark.yaml"))
	if !bytes.Equal(b, after) {
		t.Error("init overwrote an existing cemark.yaml")
	}
}

func TestReleaseReadinessChecklist(t *testing.T) {
	dir := product(t)
	code, _, stderr := cli(t, nil, "run", dir, "--release", "v1.4.0")
	if code != exitNotConformant {
		t.Fatalf("exit %d, want %d (unsigned, no artefacts named)\n%s", code, exitNotConformant, stderr)
	}
	for _, want := range []string{
		"Release readiness for Example Gateway v1.4.0",
		"[ ] Shipped artefacts signed and verified",
		"[ ] Evidence signed (with a key or keylessly)",
		"[x] Support period declared and running",
		"[x] Version matches the release",
		"not ready:",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("checklist lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "\x1b[") {
		t.Error("colour codes in a log (no terminal)")
	}
	if code, _, stderr := cli(t, nil, "run", dir, "--release", "v2.0.0", "--no-docs"); code != exitNotConformant || !strings.Contains(stderr, `the release is "v2.0.0"`) {
		t.Errorf("a release tag that is not the product version is not reported (exit %d):\n%s", code, stderr)
	}
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-11-02T12:00:00Z", "GIT_COMMITTER_DATE=2026-11-02T12:00:00Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// Committing the regenerated technical file, then checking it in a later
// CI run (another run ID, another checkout), finds it current.
func TestCommittedTechnicalFileStaysCurrent(t *testing.T) {
	dir := product(t)
	os.WriteFile(filepath.Join(dir, "cemark.yaml"), bytes.Replace(mustRead(t, filepath.Join(dir, "cemark.yaml")), []byte("  version: 1.4.0\n"), nil, 1), 0o644)
	gitIn(t, dir, "commit", "-q", "-am", "version from git")
	gitIn(t, dir, "tag", "v1.4.0")
	github := func(run string) map[string]string {
		return map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/gateway", "GITHUB_RUN_ID": run,
			"GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_NAME": "push",
			"GITHUB_WORKFLOW_REF": "acme/gateway/.github/workflows/cemark.yml@refs/heads/main"}
	}
	if code, _, stderr := cli(t, github("1"), "run", dir); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	gitIn(t, dir, "add", "docs/cra")
	gitIn(t, dir, "commit", "-q", "-m", "docs: update the technical file")
	vars := github("2")
	vars["GITHUB_REF"] = "refs/pull/7/merge"
	vars["GITHUB_EVENT_NAME"] = "pull_request"
	vars["GITHUB_WORKFLOW_REF"] = "acme/gateway/.github/workflows/cemark.yml@refs/pull/7/merge"
	if code, out, stderr := cli(t, vars, "docs", dir, "--check"); code != 0 {
		t.Fatalf("docs --check after committing the technical file: exit %d\n%s%s", code, out, stderr)
	}
	readme := string(mustRead(t, filepath.Join(dir, "docs", "cra", "README.md")))
	if !strings.Contains(readme, "v1.4.0") {
		t.Errorf("the technical file does not name the tagged version v1.4.0")
	}
}

// The technical file a maintainer generates and commits on a laptop is
// current in CI: another clone of the same commit, in a folder of another
// name, reached over https with a token instead of ssh, on GitHub and on
// GitLab. Only the product, not where cemark runs, may change the file.
func TestTechnicalFileFromALaptopIsCurrentInCI(t *testing.T) {
	for _, tc := range []struct {
		name, laptopRemote, ciRemote, folder string
		vars                                 map[string]string
	}{
		{
			name: "github", laptopRemote: "git@github.com:acme/gateway.git",
			ciRemote: "https://x-access-token:ghs_token@github.com/acme/gateway", folder: "workspace",
			vars: map[string]string{"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/gateway", "GITHUB_RUN_ID": "9",
				"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REF": "refs/pull/7/merge", "GITHUB_EVENT_NAME": "pull_request",
				"GITHUB_WORKFLOW_REF": "acme/gateway/.github/workflows/cemark.yml@refs/pull/7/merge", "RUNNER_ENVIRONMENT": "github-hosted"},
		},
		{
			name: "gitlab", laptopRemote: "ssh://git@gitlab.example.com:2222/acme/gateway.git",
			ciRemote: "https://gitlab-ci-token:glcbt-token@gitlab.example.com/acme/gateway.git", folder: "gateway",
			vars: map[string]string{"CI": "true", "GITLAB_CI": "true", "CI_SERVER_URL": "https://gitlab.example.com",
				"CI_PROJECT_PATH": "acme/gateway", "CI_PROJECT_URL": "https://gitlab.example.com/acme/gateway", "CI_JOB_ID": "1234",
				"CI_JOB_URL": "https://gitlab.example.com/acme/gateway/-/jobs/1234", "CI_PIPELINE_SOURCE": "merge_request_event",
				"CI_COMMIT_REF_NAME": "feature"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			laptop := product(t)
			if err := os.MkdirAll(filepath.Join(laptop, ".github", "workflows"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(laptop, ".github", "workflows", "cemark.yml"), []byte("on: push\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			gitIn(t, laptop, "add", ".github")
			gitIn(t, laptop, "commit", "-q", "-m", "ci")
			gitIn(t, laptop, "remote", "add", "origin", tc.laptopRemote)
			if code, _, stderr := cli(t, nil, "run", laptop); code != 0 {
				t.Fatalf("run on the laptop: exit %d\n%s", code, stderr)
			}
			gitIn(t, laptop, "add", "docs/cra")
			gitIn(t, laptop, "commit", "-q", "-m", "docs: the technical file")
			design := string(mustRead(t, filepath.Join(laptop, "docs", "cra", "02-design-development.md")))
			if !strings.Contains(design, "`.github/workflows/cemark.yml`") {
				t.Errorf("the technical file does not list the repository's pipeline .github/workflows/cemark.yml")
			}

			ci := filepath.Join(t.TempDir(), tc.folder)
			gitIn(t, filepath.Dir(ci), "clone", "-q", laptop, ci)
			gitIn(t, ci, "remote", "set-url", "origin", tc.ciRemote)
			if code, out, stderr := cli(t, tc.vars, "run", ci, "--no-docs"); code != 0 {
				t.Fatalf("run in CI: exit %d\n%s%s", code, out, stderr)
			}
			if code, out, stderr := cli(t, tc.vars, "docs", ci, "--check"); code != 0 {
				t.Fatalf("docs --check in CI on the laptop's technical file: exit %d\n%s%s", code, out, stderr)
			}
			statements := string(mustRead(t, filepath.Join(ci, ".cemark", "attestations.intoto.jsonl")))
			for _, secret := range []string{"ghs_token", "glcbt-token"} {
				if strings.Contains(statements, secret) {
					t.Errorf("the statements carry the clone's token %q", secret)
				}
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A bad signing key fails the run before the long stages, and writes nothing.
func TestRunBadKeyFailsFirst(t *testing.T) {
	dir := product(t)
	bad := filepath.Join(t.TempDir(), "bad.key")
	os.WriteFile(bad, []byte("-----BEGIN "+"PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"), 0o600)
	code, _, stderr := cli(t, nil, "run", dir, "--key", bad)
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\n%s", code, exitUsage, stderr)
	}
	if strings.Contains(stderr, "sbom ") {
		t.Errorf("the SBOM stage ran before the key was checked:\n%s", stderr)
	}
	if strings.Contains(stderr, "bm90IGEga2V5") {
		t.Error("key material in the error message")
	}
	if _, err := os.Stat(filepath.Join(dir, ".cemark")); !os.IsNotExist(err) {
		t.Error("evidence written by a run that failed")
	}
}

// TestStatedSignersInTheTechnicalFile: attestations.signers names who
// signs; the technical file shows the key by its key ID and the command
// that verifies a build's evidence, and is the same whoever signed the
// run (a laptop's run with the stated key, another run with another key:
// no key ID or Rekor index of a run is in it). A run signed by a key the
// configuration does not name says so, naming both, and still succeeds.
func TestStatedSignersInTheTechnicalFile(t *testing.T) {
	dir := product(t)
	keys := t.TempDir()
	for _, k := range []string{"release", "other"} {
		if code, _, stderr := cli(t, nil, "keygen", "--output-prefix", filepath.Join(keys, k)); code != 0 {
			t.Fatalf("keygen: exit %d\n%s", code, stderr)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "release.pub"), mustRead(t, filepath.Join(keys, "release.pub")), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "cemark.yaml")
	signers := "attestations:\n  signers:\n    keys: [keys/release.pub]\n    keyless:\n" +
		"      - {issuer: https://token.actions.githubusercontent.com, identity: https://github.com/acme/gateway/.github/workflows/cemark.yml@refs/heads/main}\n"
	if err := os.WriteFile(cfg, append(mustRead(t, cfg), signers...), 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-q", "-m", "signers")

	run := func(key string) string {
		t.Helper()
		vars := map[string]string{"CEMARK_SIGNING_KEY": string(mustRead(t, filepath.Join(keys, key+".key")))}
		code, _, stderr := cli(t, vars, "run", dir)
		if code != 0 {
			t.Fatalf("run signed by %s: exit %d\n%s", key, code, stderr)
		}
		return stderr
	}
	if log := run("release"); strings.Contains(log, "does not name") {
		t.Errorf("the stated key signed, yet:\n%s", log)
	}
	reports := string(mustRead(t, filepath.Join(dir, "docs", "cra", "07-test-reports.md")))
	var rec struct {
		Signing struct {
			KeyID string `json:"key_id"`
		} `json:"signing"`
	}
	if err := json.Unmarshal(mustRead(t, filepath.Join(dir, ".cemark", "run.json")), &rec); err != nil || rec.Signing.KeyID == "" {
		t.Fatalf("run.json signing: %+v %v", rec, err)
	}
	for _, want := range []string{"### Who signs the evidence", "key ID `" + rec.Signing.KeyID + "` (`keys/release.pub`, ecdsa-p256)",
		"`cemark verify --key keys/release.pub .cemark/attestations.intoto.jsonl`",
		"`cemark verify --certificate-identity https://github.com/acme/gateway/.github/workflows/cemark.yml@refs/heads/main --certificate-oidc-issuer https://token.actions.githubusercontent.com .cemark/*.sigstore.json`",
		"`run.json` (`signing`"} {
		if !strings.Contains(reports, want) {
			t.Errorf("07-test-reports.md lacks %q", want)
		}
	}
	gitIn(t, dir, "add", "docs/cra")
	gitIn(t, dir, "commit", "-q", "-m", "docs: the technical file")

	log := run("other")
	if !strings.Contains(log, "does not name") || !strings.Contains(log, "key "+rec.Signing.KeyID[:16]+" (keys/release.pub)") {
		t.Errorf("a run signed by another key gives no notice naming both:\n%s", log)
	}
	st := exec.Command("git", "status", "--porcelain", "--", "docs/cra")
	st.Dir = dir
	if out, err := st.Output(); err != nil || len(out) != 0 {
		t.Errorf("the technical file changed with the signer of the run (%v):\n%s", err, out)
	}

	// A stated key that is not there is a configuration error at its place.
	if err := os.Remove(filepath.Join(dir, "keys", "release.pub")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, nil, "run", dir, "--no-docs"); code != 2 || !strings.Contains(stderr, "cemark.yaml:") || !strings.Contains(stderr, "keys/release.pub") {
		t.Errorf("missing stated key: exit %d\n%s", code, stderr)
	}
}
