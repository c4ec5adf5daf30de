package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/exitcode"
)

// TestKeygenAttestVerify runs the three commands end to end, checks exit
// codes, and that the private key shows up in no output or file.
func TestKeygenAttestVerify(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	getenv := func(string) string { return "" }
	cli := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv})
		return code, out.String(), errb.String()
	}
	var outputs []string
	must := func(want int, args ...string) string {
		t.Helper()
		code, out, errs := cli(args...)
		outputs = append(outputs, out, errs)
		if code != want {
			t.Fatalf("cemark %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errs)
		}
		return out + errs
	}

	must(exitcode.OK, "keygen", "--output-prefix", "keys/release")
	must(exitcode.OK, "keygen", "--type", "ed25519", "--output-prefix", "other")
	must(exitcode.ToolError, "keygen", "--output-prefix", "keys/release")
	must(exitcode.ToolError, "keygen", "--output-prefix", ".cemark/k")
	must(exitcode.Usage, "keygen", "--type", "rsa")

	if err := os.MkdirAll("dist", 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile("dist/app.tar.gz", []byte("app"), 0o644)
	os.WriteFile("dist/other.bin", []byte("other"), 0o644)
	os.WriteFile("pentest.json", []byte(`{"tester":"ACME Labs","result":"no critical finding"}`), 0o644)

	must(exitcode.OK, "attest", "--key", "keys/release.key", "--subject", "dist/*.tar.gz",
		"--predicate-type", "https://example.com/pentest/v1", "--predicate", "pentest.json", "-o", "pentest.dsse.json")
	must(exitcode.Usage, "attest", "--subject", "dist/*", "--predicate-type", "x", "--predicate", "pentest.json")
	if out := must(exitcode.Usage, "attest", "--key", "keys/release.key", "--subject", "dist/*", "--predicate-type", "pentest", "--predicate", "pentest.json"); !strings.Contains(out, "not an absolute URI") {
		t.Errorf("bad predicate type output:\n%s", out)
	}
	must(exitcode.ToolError, "attest", "--key", "keys/release.key", "--subject", "nope/*",
		"--predicate-type", "https://example.com/pentest/v1", "--predicate", "pentest.json")

	out := must(exitcode.OK, "verify", "--key", "keys/release.pub", "--subject", "dist/app.tar.gz",
		"--require", "https://example.com/pentest/v1", "pentest.dsse.json")
	if !strings.Contains(out, "Verified") || !strings.Contains(out, "dist/app.tar.gz") {
		t.Errorf("verify output:\n%s", out)
	}
	out = must(exitcode.VerificationFailed, "verify", "--key", "other.pub", "pentest.dsse.json")
	if !strings.Contains(out, "no valid signature by a trusted key") {
		t.Errorf("wrong-key output:\n%s", out)
	}
	must(exitcode.VerificationFailed, "verify", "--json", "--key", "keys/release.pub", "--subject", "dist/other.bin", "pentest.dsse.json")
	must(exitcode.Usage, "verify", "pentest.dsse.json")
	os.WriteFile("bad-policy.yaml", []byte("rules:\n  no_not_met: true\n"), 0o644)
	if out := must(exitcode.Usage, "verify", "--key", "keys/release.pub", "--policy", "bad-policy.yaml", "pentest.dsse.json"); !strings.Contains(out, "bad-policy.yaml") {
		t.Errorf("bad policy output does not name the file:\n%s", out)
	}
	must(exitcode.Usage, "verify", "--key", "keys/release.pub", "--policy", "missing-policy.yaml", "pentest.dsse.json")
	must(exitcode.ToolError, "verify", "--key", "keys/release.pub", "missing.jsonl")

	// The key through CEMARK_SIGNING_KEY, as in CI.
	keyPEM, _ := os.ReadFile("keys/release.key")
	getenv = func(k string) string {
		if k == "CEMARK_SIGNING_KEY" {
			return string(keyPEM)
		}
		return ""
	}
	outputs = append(outputs, must(exitcode.OK, "attest", "--subject", "dist/*", "--predicate-type", "https://example.com/x/v1", "--predicate", "pentest.json"))

	block, _ := pem.Decode(keyPEM)
	secrets := []string{string(keyPEM), base64.StdEncoding.EncodeToString(block.Bytes), strings.Split(string(keyPEM), "\n")[1]}
	_ = filepath.Walk(".", func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.HasSuffix(p, ".key") {
			b, _ := os.ReadFile(p)
			outputs = append(outputs, string(b))
		}
		return nil
	})
	for i, o := range outputs {
		for _, s := range secrets {
			if strings.Contains(o, s) {
				t.Errorf("output %d contains the private key", i)
			}
		}
	}
}
