package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
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

	must(exitOK, "keygen", "--output-prefix", "keys/release")
	must(exitOK, "keygen", "--type", "ed25519", "--output-prefix", "other")
	must(exitBroke, "keygen", "--output-prefix", "keys/release")
	must(exitBroke, "keygen", "--output-prefix", ".cemark/k")
	must(exitUsage, "keygen", "--type", "rsa")

	if err := os.MkdirAll("dist", 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile("dist/app.tar.gz", []byte("app"), 0o644)
	os.WriteFile("dist/other.bin", []byte("other"), 0o644)
	os.WriteFile("pentest.json", []byte(`{"tester":"ACME Labs","result":"no critical finding"}`), 0o644)

	must(exitOK, "attest", "--key", "keys/release.key", "--subject", "dist/*.tar.gz",
		"--predicate-type", "https://example.com/pentest/v1", "--predicate", "pentest.json", "-o", "pentest.dsse.json")
	must(exitUsage, "attest", "--subject", "dist/*", "--predicate-type", "x", "--predicate", "pentest.json")
	if out := must(exitUsage, "attest", "--key", "keys/release.key", "--subject", "dist/*", "--predicate-type", "pentest", "--predicate", "pentest.json"); !strings.Contains(out, "not an absolute URI") {
		t.Errorf("bad predicate type output:\n%s", out)
	}
	must(exitBroke, "attest", "--key", "keys/release.key", "--subject", "nope/*",
		"--predicate-type", "https://example.com/pentest/v1", "--predicate", "pentest.json")

	out := must(exitOK, "verify", "--key", "keys/release.pub", "--subject", "dist/app.tar.gz",
		"--require", "https://example.com/pentest/v1", "pentest.dsse.json")
	if !strings.Contains(out, "Verified") || !strings.Contains(out, "dist/app.tar.gz") {
		t.Errorf("verify output:\n%s", out)
	}
	out = must(exitVerification, "verify", "--key", "other.pub", "pentest.dsse.json")
	if !strings.Contains(out, "no valid signature by a trusted key") {
		t.Errorf("wrong-key output:\n%s", out)
	}
	must(exitVerification, "verify", "--json", "--key", "keys/release.pub", "--subject", "dist/other.bin", "pentest.dsse.json")
	must(exitUsage, "verify", "pentest.dsse.json")
	os.WriteFile("bad-policy.yaml", []byte("rules:\n  no_not_met: true\n"), 0o644)
	if out := must(exitUsage, "verify", "--key", "keys/release.pub", "--policy", "bad-policy.yaml", "pentest.dsse.json"); !strings.Contains(out, "bad-policy.yaml") {
		t.Errorf("bad policy output does not name the file:\n%s", out)
	}
	must(exitUsage, "verify", "--key", "keys/release.pub", "--policy", "missing-policy.yaml", "pentest.dsse.json")
	must(exitBroke, "verify", "--key", "keys/release.pub", "missing.jsonl")

	// The key through CEMARK_SIGNING_KEY, as in CI.
	keyPEM, _ := os.ReadFile("keys/release.key")
	getenv = func(k string) string {
		if k == "CEMARK_SIGNING_KEY" {
			return string(keyPEM)
		}
		return ""
	}
	outputs = append(outputs, must(exitOK, "attest", "--subject", "dist/*", "--predicate-type", "https://example.com/x/v1", "--predicate", "pentest.json"))

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

// hugeAttestation makes a sparse file of size bytes that starts like a
// DSSE envelope, and a key pair.
func hugeAttestation(tb testing.TB, size int64) (dir, file string) {
	tb.Helper()
	dir = tb.TempDir()
	if code, _, errs := cliIn(dir, "keygen", "--output-prefix", filepath.Join(dir, "k")); code != exitOK {
		tb.Fatalf("keygen: exit %d\n%s", code, errs)
	}
	file = filepath.Join(dir, "huge.dsse.json")
	f, err := os.Create(file)
	if err != nil {
		tb.Fatal(err)
	}
	f.WriteString(`{"payloadType":"application/vnd.in-toto+json","payload":"`)
	if err := f.Truncate(size); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return dir, file
}

func cliIn(dir string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// TestVerifyRefusesOversizedInput: an attestation file above --max-size
// fails verification (exit 4) unread.
func TestVerifyRefusesOversizedInput(t *testing.T) {
	dir, file := hugeAttestation(t, 2<<20)
	code, out, errs := cliIn(dir, "verify", "--key", filepath.Join(dir, "k.pub"), "--max-size", "1MiB", file)
	if code != exitVerification || !strings.Contains(out, "over the bound of 1048576 bytes") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := cliIn(dir, "verify", "--key", filepath.Join(dir, "k.pub"), "--max-size", "lots", file); code != exitUsage {
		t.Fatalf("bad --max-size: exit %d\n%s", code, errs)
	}
}

// BenchmarkVerifyHugeFile verifies a 1 GiB attestation file with the
// default bound: it must fail (exit 4) without reading it. Reported:
// ns/op and the bytes allocated per verification (alloc-MiB/op). For the
// process's peak memory, run the built binary under /usr/bin/time -v.
func BenchmarkVerifyHugeFile(b *testing.B) {
	dir, file := hugeAttestation(b, 1<<30)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		if code, out, _ := cliIn(dir, "verify", "--key", filepath.Join(dir, "k.pub"), file); code != exitVerification {
			b.Fatalf("exit %d\n%s", code, out)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "alloc-MiB/op")
}
