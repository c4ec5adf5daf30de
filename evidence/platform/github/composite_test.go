package github

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cemark/cemark/evidence/sbom"
)

// The composite action (action.yml) runs here in a simulated GitHub
// runner: its `run:` steps in bash with the env the runner would give
// them, its `uses:` steps by stand-ins (actions/cache/restore and save keep
// the folder in a map; sigstore/cosign-installer puts a cosign on PATH),
// and the release it downloads served by httptest: a cemark binary built
// in the test, checksums.txt, and a Sigstore bundle over checksums.txt
// signed in the test by a certificate for the release workflow's GitHub
// OIDC identity. The cosign on PATH is this test binary (TestMain): it
// verifies the bundle as cosign verify-blob does — the certificate chains
// to the test's Fulcio CA, names the identity and issuer it is asked for,
// and its key signed the blob's SHA-256. The release tags are served by
// `git http-backend`, so the version resolution runs its real git
// ls-remote.

const (
	testRepo     = "cemark/cemark"
	testIssuer   = "https://token.actions.githubusercontent.com"
	fakeCosignOn = "CEMARK_FAKE_COSIGN"
)

func TestMain(m *testing.M) {
	if os.Getenv(fakeCosignOn) == "1" {
		os.Exit(fakeCosign(os.Args[1:]))
	}
	os.Exit(sbom.RunTests(m)) // and remove the image sources' temporary folders
}

// ---------------------------------------------------------------- cosign

// fakeCosign is `cosign verify-blob --new-bundle-format --bundle B
// --certificate-identity I --certificate-oidc-issuer O BLOB` against the
// CA in $CEMARK_FAKE_COSIGN_CA. Each call is appended to
// $CEMARK_FAKE_COSIGN_LOG.
func fakeCosign(args []string) int {
	if f, err := os.OpenFile(os.Getenv("CEMARK_FAKE_COSIGN_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(f, strings.Join(args, " "))
		f.Close()
	}
	if err := fakeVerifyBlob(args); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "Verified OK")
	return 0
}

func fakeVerifyBlob(args []string) error {
	if len(args) == 0 || args[0] != "verify-blob" {
		return fmt.Errorf("fake cosign knows verify-blob only, got %v", args)
	}
	flags := map[string]string{}
	var blob string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--new-bundle-format":
			flags[a] = "true"
		case strings.HasPrefix(a, "--"):
			name, val, ok := strings.Cut(a, "=")
			if !ok {
				if i+1 >= len(args) {
					return fmt.Errorf("%s needs a value", a)
				}
				i++
				val = args[i]
			}
			flags[name] = val
		default:
			blob = a
		}
	}
	for _, f := range []string{"--new-bundle-format", "--bundle", "--certificate-identity", "--certificate-oidc-issuer"} {
		if flags[f] == "" {
			return fmt.Errorf("missing %s", f)
		}
	}
	raw, err := os.ReadFile(flags["--bundle"])
	if err != nil {
		return err
	}
	var b protobundle.Bundle
	if err := protojson.Unmarshal(raw, &b); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	cert, err := x509.ParseCertificate(b.GetVerificationMaterial().GetCertificate().GetRawBytes())
	if err != nil {
		return fmt.Errorf("bundle certificate: %w", err)
	}
	caPEM, err := os.ReadFile(os.Getenv("CEMARK_FAKE_COSIGN_CA"))
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, CurrentTime: cert.NotBefore.Add(time.Minute)}); err != nil {
		return fmt.Errorf("certificate chain: %w", err)
	}
	sum, err := certificate.SummarizeCertificate(cert)
	if err != nil {
		return err
	}
	if sum.SubjectAlternativeName != flags["--certificate-identity"] {
		return fmt.Errorf("none of the expected identities matched: certificate is for %q", sum.SubjectAlternativeName)
	}
	if sum.Issuer != flags["--certificate-oidc-issuer"] {
		return fmt.Errorf("certificate issuer %q is not %q", sum.Issuer, flags["--certificate-oidc-issuer"])
	}
	data, err := os.ReadFile(blob)
	if err != nil {
		return err
	}
	digest := sha256.Sum256(data)
	ms := b.GetMessageSignature()
	if !bytes.Equal(ms.GetMessageDigest().GetDigest(), digest[:]) {
		return errors.New("the blob's digest is not the signed one")
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !ecdsa.VerifyASN1(pub, digest[:], ms.GetSignature()) {
		return errors.New("invalid signature when validating ASN.1 encoded signature")
	}
	return nil
}

// ---------------------------------------------------------------- release

// fulcio is the test's certificate authority for keyless signatures.
type fulcio struct {
	cert  *x509.Certificate
	key   *ecdsa.PrivateKey
	pemCA []byte
}

func newFulcio(t *testing.T) *fulcio {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test fulcio"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &fulcio{cert: cert, key: key, pemCA: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// sign makes a v0.3 Sigstore bundle over blob as `cosign sign-blob
// --new-bundle-format` does: a short-lived certificate for identity
// (a URI SAN) issued by the GitHub OIDC issuer, and a message signature.
func (f *fulcio) sign(t *testing.T, identity string, blob []byte) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(identity)
	if err != nil {
		t.Fatal(err)
	}
	issuerV2, _ := asn1.Marshal(testIssuer)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(10 * time.Minute),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, URIs: []*url.URL{u},
		ExtraExtensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}, Value: []byte(testIssuer)},
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}, Value: issuerV2},
		}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.cert, &key.PublicKey, f.key)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(blob)
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	b := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: der}},
		},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: digest[:]},
			Signature:     sig,
		}},
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fakeRelease serves releases and tags of cemark/cemark as github.com does.
type fakeRelease struct {
	srv   *httptest.Server
	mu    sync.Mutex
	files map[string][]byte // "v1.2.3/checksums.txt" → content
	gets  []string          // release downloads served
}

func (r *fakeRelease) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	p, ok := strings.CutPrefix(req.URL.Path, "/"+testRepo+"/releases/download/")
	if !ok {
		http.NotFound(w, req)
		return
	}
	r.mu.Lock()
	b, found := r.files[p]
	if found {
		r.gets = append(r.gets, p)
	}
	r.mu.Unlock()
	if !found {
		http.NotFound(w, req)
		return
	}
	_, _ = w.Write(b)
}

func (r *fakeRelease) downloads() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.gets...)
}

// hostPlatform is the runner OS and architecture this test can run
// binaries for, as RUNNER_OS / RUNNER_ARCH say it, and the asset suffix.
func hostPlatform(t *testing.T) (runnerOS, runnerArch, goos, goarch string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the simulated runner runs the Linux path")
	}
	switch runtime.GOARCH {
	case "amd64":
		return "Linux", "X64", "linux", "amd64"
	case "arm64":
		return "Linux", "ARM64", "linux", "arm64"
	}
	t.Skipf("no release for %s", runtime.GOARCH)
	return
}

// buildFakeCemark builds testdata/fakecemark for this machine.
func buildFakeCemark(t *testing.T) []byte {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fakecemark")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/fakecemark")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the fake cemark: %v\n%s", err, out)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publish adds release tag to the server: the host's binary (built),
// stand-ins for the other five, checksums.txt and its bundle, signed by
// signer for identity (the release workflow at the tag, unless the test
// forges another).
func (r *fakeRelease) publish(t *testing.T, ca *fulcio, tag string, hostBinary []byte, identity string) {
	t.Helper()
	_, _, goos, goarch := hostPlatform(t)
	var sums strings.Builder
	for _, p := range []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64.exe", "windows_arm64.exe"} {
		name := "cemark_" + strings.TrimPrefix(tag, "v") + "_" + p
		content := []byte("stand-in for " + name)
		if p == goos+"_"+goarch {
			content = hostBinary
		}
		r.files[tag+"/"+name] = content
		sum := sha256.Sum256(content)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	if identity == "" {
		identity = "https://github.com/" + testRepo + "/.github/workflows/release.yml@refs/tags/" + tag
	}
	r.files[tag+"/checksums.txt"] = []byte(sums.String())
	r.files[tag+"/checksums.txt.sigstore.json"] = ca.sign(t, identity, []byte(sums.String()))
}

// newFakeRelease starts the server; tags lists the repository's tags,
// served to git ls-remote through git http-backend.
func newFakeRelease(t *testing.T, tags func(repo string)) *fakeRelease {
	t.Helper()
	r := &fakeRelease{files: map[string][]byte{}}
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	projects := t.TempDir()
	bare := filepath.Join(projects, testRepo+".git")
	work := t.TempDir()
	git(t, work, "init", "-q", "-b", "main")
	tags(work)
	git(t, projects, "clone", "-q", "--bare", work, bare)
	mux := http.NewServeMux()
	mux.Handle("/"+testRepo+".git/", &cgi.Handler{Path: gitPath, Args: []string{"http-backend"},
		Env: []string{"GIT_PROJECT_ROOT=" + projects, "GIT_HTTP_EXPORT_ALL=1"}})
	mux.Handle("/", r)
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

// ---------------------------------------------------------------- runner

// simRunner runs action.yml's steps as a GitHub-hosted runner would.
type simRunner struct {
	t          *testing.T
	action     actionYML
	inputSpecs []inputSpec
	actionPath string
	env        map[string]string // the job's environment
	github     map[string]string // the github context
	inputs     map[string]string // the workflow's `with:`
	cache      map[string]string // actions/cache: key → saved copy
	cosignBin  string            // folder holding `cosign`, for the installer
	stdout     bytes.Buffer
	steps      map[string]map[string]string // step id → outputs
	ran        []string                     // steps run, by id or uses
	failed     bool                         // a step of the job failed
}

func newSimRunner(t *testing.T, rel *fakeRelease, ca *fulcio, inputs map[string]string) *simRunner {
	t.Helper()
	a, specs := readActionYML(t)
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	runnerOS, runnerArch, _, _ := hostPlatform(t)
	tmp := t.TempDir()
	ws := filepath.Join(tmp, "work", "widget", "widget")
	for _, d := range []string{ws, filepath.Join(tmp, "tool"), filepath.Join(tmp, "temp"), filepath.Join(tmp, "cosign")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cosignDir := filepath.Join(tmp, "cosign")
	caFile := filepath.Join(tmp, "fulcio.pem")
	if err := os.WriteFile(caFile, ca.pemCA, 0o644); err != nil {
		t.Fatal(err)
	}
	wrapper := fmt.Sprintf("#!/bin/sh\n%s=1 CEMARK_FAKE_COSIGN_CA=%q exec %q \"$@\"\n", fakeCosignOn, caFile, self)
	if err := os.WriteFile(filepath.Join(cosignDir, "cosign"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &simRunner{t: t, action: a, inputSpecs: specs, actionPath: root, inputs: inputs, cache: map[string]string{}, cosignBin: cosignDir,
		env: map[string]string{
			"PATH": os.Getenv("PATH"), "HOME": tmp, "CI": "true", "GITHUB_ACTIONS": "true",
			"GITHUB_WORKSPACE": ws, "GITHUB_REPOSITORY": "acme/widget", "GITHUB_SERVER_URL": "https://github.com",
			"RUNNER_OS": runnerOS, "RUNNER_ARCH": runnerArch, "RUNNER_TEMP": filepath.Join(tmp, "temp"),
			"RUNNER_TOOL_CACHE": filepath.Join(tmp, "tool"),
			// A mirror of github.com's releases: here the test's server.
			"CEMARK_RELEASES_URL":    rel.srv.URL,
			"CEMARK_FAKE_COSIGN_LOG": filepath.Join(tmp, "cosign.log"),
			"FAKE_CEMARK_LOG":        filepath.Join(tmp, "cemark.json"),
		},
		github: map[string]string{"action_ref": "v1.2.3", "action_repository": testRepo, "token": "ghs_simulated", "workspace": ws},
	}
	return r
}

// cosignCalls are the cosign invocations of the job so far.
func (r *simRunner) cosignCalls() []string {
	b, _ := os.ReadFile(r.env["CEMARK_FAKE_COSIGN_LOG"])
	return strings.Fields(strings.ReplaceAll(string(b), " ", "_"))
}

// cemarkRun is what the released binary saw, or nil when it never ran.
func (r *simRunner) cemarkRun() map[string]any {
	b, err := os.ReadFile(r.env["FAKE_CEMARK_LOG"])
	if err != nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		r.t.Fatal(err)
	}
	return m
}

// job runs the action's steps in a fresh job (new tool cache, new
// temp, same actions/cache) until one fails or stopAfter has run. It
// returns the composite's outputs.
func (r *simRunner) job(stopAfter string) (map[string]string, error) {
	r.t.Helper()
	for _, k := range []string{"RUNNER_TOOL_CACHE", "RUNNER_TEMP"} {
		if err := os.RemoveAll(r.env[k]); err != nil {
			r.t.Fatal(err)
		}
		if err := os.MkdirAll(r.env[k], 0o755); err != nil {
			r.t.Fatal(err)
		}
	}
	_ = os.Remove(r.env["FAKE_CEMARK_LOG"])
	path := r.env["PATH"]
	defer func() { r.env["PATH"] = path }()
	r.steps, r.ran, r.failed = map[string]map[string]string{}, nil, false
	r.stdout.Reset()
	var firstErr error
	for i, s := range r.action.Runs.Steps {
		cond := s.If
		if cond == "" {
			cond = "success()"
		} else if !strings.Contains(cond, "always()") && !strings.Contains(cond, "failure()") {
			cond = "success() && " + cond // as the runner does
		}
		if !truthy(r.eval(cond)) {
			continue
		}
		name := s.ID
		if name == "" {
			name = fmt.Sprintf("step%d", i)
		}
		outputs := map[string]string{}
		var err error
		if s.Uses != "" {
			r.ran = append(r.ran, strings.Split(s.Uses, "@")[0])
			err = r.uses(s, outputs)
		} else {
			r.ran = append(r.ran, name)
			err = r.runScript(s, outputs)
		}
		r.steps[name] = outputs
		if err != nil && firstErr == nil {
			// Later steps run only when their condition says always().
			firstErr, r.failed = fmt.Errorf("step %s: %w", name, err), true
		}
		if stopAfter != "" && s.ID == stopAfter {
			return nil, firstErr
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	outs := map[string]string{}
	for i := 0; i+1 < len(r.action.Outputs.Content); i += 2 {
		var v struct {
			Value string `yaml:"value"`
		}
		_ = r.action.Outputs.Content[i+1].Decode(&v)
		outs[r.action.Outputs.Content[i].Value] = r.interpolate(v.Value)
	}
	return outs, nil
}

// uses runs the stand-in of an action the composite uses.
func (r *simRunner) uses(s actionStep, outputs map[string]string) error {
	with := map[string]string{}
	for k, v := range s.With {
		with[k] = r.interpolate(v)
	}
	action, _, _ := strings.Cut(s.Uses, "@")
	switch action {
	case "actions/cache/restore":
		key := with["key"]
		saved, ok := r.cache[key]
		outputs["cache-hit"] = boolString(ok)
		// Else the restore keys in order, each a prefix: the newest entry
		// that has it (date-keyed entries: the greatest key).
		for _, prefix := range strings.Split(with["restore-keys"], "\n") {
			if prefix = strings.TrimSpace(prefix); ok || prefix == "" {
				continue
			}
			for k, dir := range r.cache {
				if strings.HasPrefix(k, prefix) && (!ok || k > key) {
					key, saved, ok = k, dir, true
				}
			}
		}
		if ok {
			if err := copyTree(saved, with["path"]); err != nil {
				return err
			}
			outputs["cache-matched-key"] = key
		}
	case "actions/cache/save":
		if _, err := os.Stat(with["path"]); err != nil {
			// actions/cache/save warns and saves nothing.
			fmt.Fprintf(&r.stdout, "Warning: Path Validation Error: %s does not exist, hence no cache is being saved.\n", with["path"])
			return nil
		}
		dst := r.t.TempDir()
		if err := copyTree(with["path"], dst); err != nil {
			return err
		}
		r.cache[with["key"]] = dst
	case "sigstore/cosign-installer":
		if !strings.HasPrefix(with["cosign-release"], "v2.") && !strings.HasPrefix(with["cosign-release"], "v3.") {
			return fmt.Errorf("cosign-release %q: pin a cosign release", with["cosign-release"])
		}
		r.env["PATH"] = r.cosignBin + string(os.PathListSeparator) + r.env["PATH"]
	default:
		r.t.Fatalf("the simulated runner has no stand-in for %s: add one", s.Uses)
	}
	return nil
}

// runScript runs a `run:` step as the runner does for `shell: bash`.
func (r *simRunner) runScript(s actionStep, outputs map[string]string) error {
	dir := r.t.TempDir()
	script := filepath.Join(dir, "step.sh")
	if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
		r.t.Fatal(err)
	}
	outFile := filepath.Join(dir, "output")
	if err := os.WriteFile(outFile, nil, 0o644); err != nil {
		r.t.Fatal(err)
	}
	env := map[string]string{}
	for k, v := range r.env {
		env[k] = v
	}
	for k, v := range s.Env {
		env[k] = r.interpolate(v)
	}
	env["GITHUB_OUTPUT"] = outFile
	env["GITHUB_ACTION_PATH"] = r.actionPath
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Env = list
	cmd.Dir = r.env["GITHUB_WORKSPACE"]
	cmd.Stdout = &r.stdout
	cmd.Stderr = &r.stdout
	err := cmd.Run()
	b, rerr := os.ReadFile(outFile)
	if rerr != nil {
		r.t.Fatal(rerr)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			outputs[k] = v
		}
	}
	return err
}

// interpolate replaces every ${{ expr }} in s.
func (r *simRunner) interpolate(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			r.t.Fatalf("unterminated expression in %q", s)
		}
		b.WriteString(s[:i])
		b.WriteString(r.eval(s[i+3 : i+j]))
		s = s[i+j+2:]
	}
}

// eval evaluates the expressions action.yml uses: context properties,
// 'strings', ==, !=, &&, || and success(). Values are strings; "" is false.
func (r *simRunner) eval(expr string) string {
	expr = strings.TrimSpace(expr)
	if e, ok := strings.CutPrefix(expr, "${{"); ok {
		return r.eval(strings.TrimSuffix(e, "}}"))
	}
	for _, op := range []string{"||", "&&", "!=", "=="} {
		if l, rt, ok := strings.Cut(expr, op); ok {
			a, b := r.eval(l), r.eval(rt)
			switch op {
			case "||":
				if truthy(a) {
					return a
				}
				return b
			case "&&":
				if !truthy(a) {
					return a
				}
				return b
			case "!=":
				return boolString(!strings.EqualFold(a, b))
			}
			return boolString(strings.EqualFold(a, b))
		}
	}
	switch {
	case expr == "success()":
		return boolString(!r.failed)
	case expr == "failure()":
		return boolString(r.failed)
	case expr == "always()":
		return "true"
	case strings.HasPrefix(expr, "'"):
		return strings.ReplaceAll(strings.Trim(expr, "'"), "''", "'")
	}
	parts := strings.Split(expr, ".")
	switch parts[0] {
	case "inputs":
		if v, ok := r.inputs[parts[1]]; ok {
			return v
		}
		for _, in := range r.inputSpecs {
			if in.Name == parts[1] {
				return r.interpolate(in.Default)
			}
		}
		r.t.Fatalf("action.yml reads undeclared input %s", parts[1])
	case "github":
		return r.github[parts[1]]
	case "runner":
		return r.env["RUNNER_"+strings.ToUpper(parts[1])]
	case "steps":
		if len(parts) != 4 || parts[2] != "outputs" {
			r.t.Fatalf("expression %q", expr)
		}
		return r.steps[parts[1]][parts[3]]
	}
	r.t.Fatalf("the simulated runner cannot evaluate %q", expr)
	return ""
}

func truthy(s string) bool { return s != "" && s != "false" && s != "0" }

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		info, err := in.Stat()
		if err != nil {
			return err
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, info.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// ---------------------------------------------------------------- tests

// releaseTags makes the repository's tags: releases v1.1.0, v1.2.0,
// v1.2.3 (annotated), v1.10.0, a pre-release v2.0.0-rc.1 and the moving
// major tag v1.
func releaseTags(t *testing.T) (tags func(string), commitOf map[string]string) {
	commitOf = map[string]string{}
	return func(work string) {
		for _, tag := range []string{"v1.1.0", "v1.2.0", "v1.2.3", "v1.10.0", "v2.0.0-rc.1"} {
			git(t, work, "commit", "-q", "--allow-empty", "-m", "release "+tag)
			if tag == "v1.2.3" {
				git(t, work, "tag", "-a", "-m", "cemark "+tag, tag)
			} else {
				git(t, work, "tag", tag)
			}
			commitOf[tag] = git(t, work, "rev-parse", "HEAD")
		}
		git(t, work, "tag", "v1", commitOf["v1.10.0"])
	}, commitOf
}

// TestCompositeActionColdThenWarm runs the action in two jobs: the first
// downloads the release, verifies it with cosign and caches it; the
// second restores it, checks its SHA-256 again and downloads nothing. In
// both, cemark runs with every input passed through env.
func TestCompositeActionColdThenWarm(t *testing.T) {
	tags, _ := releaseTags(t)
	rel := newFakeRelease(t, tags)
	ca := newFulcio(t)
	bin := buildFakeCemark(t)
	rel.publish(t, ca, "v1.2.3", bin, "")
	key := testKeyPEM(t)
	r := newSimRunner(t, rel, ca, map[string]string{
		"path": "services/api", "output-dir": "services/api/out", "signing-key": key, "fail-on": "medium",
		"source": "dir:.\ndocker-archive:dist/image.tar",
	})

	outs, err := r.job("")
	if err != nil {
		t.Fatalf("cold job: %v\n%s", err, r.stdout.String())
	}
	_, _, goos, goarch := hostPlatform(t)
	asset := "cemark_1.2.3_" + goos + "_" + goarch
	wantGets := []string{"v1.2.3/" + asset, "v1.2.3/checksums.txt", "v1.2.3/checksums.txt.sigstore.json"}
	if got := rel.downloads(); strings.Join(got, " ") != strings.Join(wantGets, " ") {
		t.Errorf("downloads = %v, want %v", got, wantGets)
	}
	calls := r.cosignCalls()
	if len(calls) != 1 || !strings.Contains(calls[0], "--certificate-identity_https://github.com/cemark/cemark/.github/workflows/release.yml@refs/tags/v1.2.3") ||
		!strings.Contains(calls[0], "--certificate-oidc-issuer_"+testIssuer) {
		t.Errorf("cosign calls = %v: want one verify-blob for the release workflow's identity", calls)
	}
	wantRan := []string{"resolve", "actions/cache/restore", "sigstore/cosign-installer", "install", "actions/cache/save",
		"vulndb", "actions/cache/restore", "cemark", "actions/cache/save"}
	if strings.Join(r.ran, " ") != strings.Join(wantRan, " ") {
		t.Errorf("cold job ran %v, want %v", r.ran, wantRan)
	}
	if outs["conformity"] != "incomplete" || outs["sarif"] != ".cemark/report.sarif" {
		t.Errorf("composite outputs = %v: want the cemark step's", outs)
	}
	run := r.cemarkRun()
	if run == nil {
		t.Fatalf("cemark did not run:\n%s", r.stdout.String())
	}
	if fmt.Sprint(run["args"]) != "[action]" || run["wd"] != r.env["GITHUB_WORKSPACE"] {
		t.Errorf("cemark ran as %v in %v", run["args"], run["wd"])
	}
	inputs, _ := run["inputs"].(map[string]any)
	for k, v := range map[string]string{
		"INPUT_PATH": "services/api", "INPUT_OUTPUT_DIR": "services/api/out", "INPUT_FAIL_ON": "medium", "INPUT_DOCS": "check",
		"INPUT_SIGNING_KEY": key, "INPUT_GITHUB_TOKEN": "ghs_simulated", "INPUT_SOURCE": "dir:.\ndocker-archive:dist/image.tar",
	} {
		if inputs[k] != v {
			t.Errorf("cemark saw %s = %q, want %q", k, inputs[k], v)
		}
	}
	// What cemark action reads from that environment.
	in, err := ReadInputs(NewActions(&bytes.Buffer{}, func(k string) string { s, _ := inputs[k].(string); return s }))
	if err != nil || in.OutputDir != "services/api/out" || in.SigningKey != strings.TrimSpace(key) || len(in.Sources) != 2 || in.FailOn != "medium" {
		t.Errorf("ReadInputs over the composite's env: output-dir %q, sources %v, fail-on %s, key passed %v; %v",
			in.OutputDir, in.Sources, in.FailOn, in.SigningKey == strings.TrimSpace(key), err)
	}

	// The next job: warm cache, no download, no cosign, checksum again.
	outs, err = r.job("")
	if err != nil {
		t.Fatalf("warm job: %v\n%s", err, r.stdout.String())
	}
	if got := rel.downloads(); len(got) != len(wantGets) {
		t.Errorf("the warm job downloaded %v", got[len(wantGets):])
	}
	if calls := r.cosignCalls(); len(calls) != 1 {
		t.Errorf("the warm job ran cosign: %v", calls)
	}
	wantRan = []string{"resolve", "actions/cache/restore", "install", "vulndb", "actions/cache/restore", "cemark"}
	if strings.Join(r.ran, " ") != strings.Join(wantRan, " ") {
		t.Errorf("warm job ran %v, want %v", r.ran, wantRan)
	}
	if !strings.Contains(r.stdout.String(), "from the cache; SHA-256 checked") || r.cemarkRun() == nil || outs["conformity"] != "incomplete" {
		t.Errorf("warm job:\n%s", r.stdout.String())
	}

	// A cache entry whose binary was swapped is not run.
	for k, dir := range r.cache {
		if err := os.WriteFile(filepath.Join(dir, asset), []byte("#!/bin/sh\necho pwned\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		_ = k
	}
	if _, err := r.job(""); err == nil || r.cemarkRun() != nil {
		t.Fatalf("a tampered cached binary ran:\n%s", r.stdout.String())
	}
	if !strings.Contains(r.stdout.String(), "::error title=cemark setup::"+asset+" has SHA-256") {
		t.Errorf("no error naming the checksum mismatch:\n%s", r.stdout.String())
	}
}

// TestCompositeActionRefusesBadReleases: nothing is run, or cached, when
// the signature or the checksum does not hold.
func TestCompositeActionRefusesBadReleases(t *testing.T) {
	bin := buildFakeCemark(t)
	tags, _ := releaseTags(t)
	tests := []struct {
		name    string
		publish func(t *testing.T, rel *fakeRelease, ca *fulcio)
		wantErr string
	}{
		{name: "signed by another workflow", wantErr: "does not verify for https://github.com/cemark/cemark/.github/workflows/release.yml@refs/tags/v1.2.3",
			publish: func(t *testing.T, rel *fakeRelease, ca *fulcio) {
				rel.publish(t, ca, "v1.2.3", bin, "https://github.com/mallory/cemark/.github/workflows/release.yml@refs/tags/v1.2.3")
			}},
		{name: "signed by another CA", wantErr: "does not verify",
			publish: func(t *testing.T, rel *fakeRelease, _ *fulcio) { rel.publish(t, newFulcio(t), "v1.2.3", bin, "") }},
		{name: "binary replaced after signing", wantErr: "has SHA-256",
			publish: func(t *testing.T, rel *fakeRelease, ca *fulcio) {
				rel.publish(t, ca, "v1.2.3", bin, "")
				_, _, goos, goarch := hostPlatform(t)
				rel.files["v1.2.3/cemark_1.2.3_"+goos+"_"+goarch] = []byte("#!/bin/sh\necho pwned\n")
			}},
		{name: "checksums.txt changed after signing", wantErr: "does not verify",
			publish: func(t *testing.T, rel *fakeRelease, ca *fulcio) {
				rel.publish(t, ca, "v1.2.3", bin, "")
				rel.files["v1.2.3/checksums.txt"] = append(rel.files["v1.2.3/checksums.txt"], "0000  extra\n"...)
			}},
		{name: "no such release", wantErr: "download",
			publish: func(*testing.T, *fakeRelease, *fulcio) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := newFakeRelease(t, tags)
			ca := newFulcio(t)
			tt.publish(t, rel, ca)
			r := newSimRunner(t, rel, ca, nil)
			_, err := r.job("")
			if err == nil {
				t.Fatalf("the job passed:\n%s", r.stdout.String())
			}
			if r.cemarkRun() != nil {
				t.Error("cemark ran")
			}
			if len(r.cache) != 0 {
				t.Error("a release that failed verification was cached")
			}
			if !strings.Contains(r.stdout.String(), tt.wantErr) {
				t.Errorf("log lacks %q:\n%s", tt.wantErr, r.stdout.String())
			}
			entries, _ := os.ReadDir(filepath.Join(r.env["RUNNER_TOOL_CACHE"], "cemark", "v1.2.3"))
			for _, e := range entries {
				files, _ := os.ReadDir(filepath.Join(r.env["RUNNER_TOOL_CACHE"], "cemark", "v1.2.3", e.Name()))
				for _, f := range files {
					if strings.HasPrefix(f.Name(), "cemark_") {
						t.Errorf("an unverified binary was left in the tool cache: %s", f.Name())
					}
				}
			}
		})
	}
}

// TestCompositeActionResolvesVersions: the `version` input or the
// action's own ref, resolved against the repository's tags with git
// ls-remote; the asset and cache key for the runner.
func TestCompositeActionResolvesVersions(t *testing.T) {
	tags, commitOf := releaseTags(t)
	rel := newFakeRelease(t, tags)
	ca := newFulcio(t)
	_, _, goos, goarch := hostPlatform(t)
	tests := []struct {
		name, version, actionRef, actionPath, want, wantErr string
	}{
		{name: "the action's own tag", actionRef: "v1.2.3", want: "v1.2.3"},
		{name: "a release line: its newest stable release", version: "v1", want: "v1.10.0"},
		{name: "a minor line", version: "v1.2", want: "v1.2.3"},
		{name: "latest skips pre-releases", version: "latest", want: "v1.10.0"},
		{name: "a pre-release by its tag", version: "v2.0.0-rc.1", want: "v2.0.0-rc.1"},
		{name: "pinned by commit: the release tag there (annotated)", actionRef: commitOf["v1.2.3"], want: "v1.2.3"},
		{name: "pinned by commit, ref from the action's folder when github.action_ref is empty",
			actionPath: "/home/runner/work/_actions/cemark/cemark/" + commitOf["v1.1.0"], want: "v1.1.0"},
		{name: "a branch is no release", actionRef: "main", wantErr: "no release matches 'main'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSimRunner(t, rel, ca, map[string]string{"version": tt.version})
			r.github["action_ref"] = tt.actionRef
			if tt.actionPath != "" {
				// The runner's checkout folder of the action, as a link to
				// this repository.
				saved := r.actionPath
				link := filepath.Join(t.TempDir(), "_actions", "cemark", "cemark", filepath.Base(tt.actionPath))
				if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(saved, link); err != nil {
					t.Fatal(err)
				}
				r.actionPath = link
			}
			_, err := r.job("resolve")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(r.stdout.String(), tt.wantErr) {
					t.Fatalf("err %v, log:\n%s", err, r.stdout.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, r.stdout.String())
			}
			got := r.steps["resolve"]
			if got["version"] != tt.want || got["repo"] != testRepo ||
				got["asset"] != "cemark_"+strings.TrimPrefix(tt.want, "v")+"_"+goos+"_"+goarch ||
				got["key"] != "cemark-"+tt.want+"-"+goos+"-"+goarch ||
				got["dir"] != filepath.Join(r.env["RUNNER_TOOL_CACHE"], "cemark", tt.want, goarch) {
				t.Errorf("resolve outputs = %v", got)
			}
		})
	}
}

// TestCompositeActionShellSyntax: every script step and
// scripts/action-setup parse in bash, and keep to what macOS's bash 3.2
// understands (`shell: bash` there may be /bin/bash 3.2; on Windows it is
// Git Bash 5). The macOS and Windows branches of resolve run here too,
// with those runners' variables and Windows paths; and the warm-cache
// checksum on a PATH without sha256sum, as on macOS (shasum).
func TestCompositeActionShellSyntax(t *testing.T) {
	a, _ := readActionYML(t)
	setup := filepath.Join("..", "..", "..", "scripts", "action-setup")
	scripts := map[string]string{setup: ""}
	for _, s := range a.Runs.Steps {
		if s.Run != "" {
			scripts["step "+s.ID] = s.Run
		}
	}
	bash32 := []string{"declare -A", "local -A", "mapfile", "readarray", ",,}", "^^}", ";;&", "|&", "coproc", "@Q}", "&>>", "declare -n", "local -n"}
	for name, body := range scripts {
		if body == "" {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			body = string(b)
		}
		cmd := exec.Command("bash", "-n")
		cmd.Stdin = strings.NewReader(body)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: bash -n: %v\n%s", name, err, out)
		}
		for i, line := range strings.Split(body, "\n") {
			code, _, _ := strings.Cut(strings.TrimSpace(line), " #")
			if strings.HasPrefix(code, "#") {
				continue
			}
			for _, c := range bash32 {
				if strings.Contains(code, c) {
					t.Errorf("%s:%d: %q needs bash 4 or later; macOS runners may run bash 3.2", name, i+1, c)
				}
			}
		}
	}

	resolve := func(t *testing.T, env map[string]string) map[string]string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "output")
		if err := os.WriteFile(out, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", setup, "resolve")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GITHUB_OUTPUT=" + out}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("resolve: %v\n%s", err, b)
		}
		b, _ := os.ReadFile(out)
		got := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			k, v, _ := strings.Cut(l, "=")
			got[k] = v
		}
		return got
	}
	t.Run("macOS ARM64", func(t *testing.T) {
		got := resolve(t, map[string]string{"RUNNER_OS": "macOS", "RUNNER_ARCH": "ARM64", "RUNNER_TOOL_CACHE": "/Users/runner/hostedtoolcache",
			"GITHUB_ACTION_PATH": "/Users/runner/work/_actions/cemark/cemark/v1.4.0"})
		want := map[string]string{"repo": testRepo, "version": "v1.4.0", "asset": "cemark_1.4.0_darwin_arm64",
			"dir": "/Users/runner/hostedtoolcache/cemark/v1.4.0/arm64", "key": "cemark-v1.4.0-darwin-arm64"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("Windows X64", func(t *testing.T) {
		got := resolve(t, map[string]string{"RUNNER_OS": "Windows", "RUNNER_ARCH": "X64", "RUNNER_TOOL_CACHE": `C:\hostedtoolcache\windows`,
			"GITHUB_ACTION_PATH": `D:\a\_actions\cemark\cemark\v1.4.0`})
		want := map[string]string{"repo": testRepo, "version": "v1.4.0", "asset": "cemark_1.4.0_windows_amd64.exe",
			"dir": `C:\hostedtoolcache\windows/cemark/v1.4.0/amd64`, "key": "cemark-v1.4.0-windows-amd64"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("macOS checksum with shasum", func(t *testing.T) {
		tools := t.TempDir()
		for _, tool := range []string{"awk", "shasum", "perl"} {
			p, err := exec.LookPath(tool)
			if err != nil {
				t.Skipf("%s is not installed", tool)
			}
			if err := os.Symlink(p, filepath.Join(tools, tool)); err != nil {
				t.Fatal(err)
			}
		}
		dir := t.TempDir()
		asset := "cemark_1.4.0_darwin_arm64"
		content := []byte("a binary")
		sum := sha256.Sum256(content)
		_ = os.WriteFile(filepath.Join(dir, asset), content, 0o755)
		_ = os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(hex.EncodeToString(sum[:])+"  "+asset+"\n"), 0o644)
		out := filepath.Join(t.TempDir(), "output")
		_ = os.WriteFile(out, nil, 0o644)
		bashPath, err := exec.LookPath("bash")
		if err != nil {
			t.Fatal(err)
		}
		run := func() ([]byte, error) {
			cmd := exec.Command(bashPath, setup, "install")
			cmd.Env = []string{"PATH=" + tools, "GITHUB_OUTPUT=" + out, "CEMARK_DIR=" + dir, "CEMARK_ASSET=" + asset,
				"CEMARK_VERSION=v1.4.0", "CEMARK_CACHE_HIT=true", "CEMARK_ACTION_REPO=" + testRepo}
			return cmd.CombinedOutput()
		}
		if b, err := run(); err != nil || !strings.Contains(string(b), "SHA-256 checked") {
			t.Fatalf("install from the cache without sha256sum: %v\n%s", err, b)
		}
		_ = os.WriteFile(filepath.Join(dir, asset), []byte("another binary"), 0o755)
		if b, err := run(); err == nil || !strings.Contains(string(b), "has SHA-256") {
			t.Fatalf("a changed binary passed: %v\n%s", err, b)
		}
	})
}

// TestCompositeActionPassesSigningAndBaseline: the signing and baseline
// inputs reach `cemark action` as INPUT_* variables that ReadInputs turns
// into cemark run's flags, and with `permissions: id-token: write` the
// runner's OIDC request variables (the job's environment) reach the step
// that signs; the setup steps get no input they do not use.
func TestCompositeActionPassesSigningAndBaseline(t *testing.T) {
	tags, _ := releaseTags(t)
	rel := newFakeRelease(t, tags)
	ca := newFulcio(t)
	rel.publish(t, ca, "v1.2.3", buildFakeCemark(t), "")
	inputs := map[string]string{
		"signing": "keyless", "fulcio-url": "https://fulcio.internal.example", "rekor-url": "https://rekor.internal.example",
		"trusted-root": "sigstore/trusted_root.json", "baseline": "baseline/report.json",
	}
	r := newSimRunner(t, rel, ca, inputs)
	// What the runner sets for every step of a job with id-token: write.
	r.env["ACTIONS_ID_TOKEN_REQUEST_URL"] = "https://pipelines.actions.example/oidc/token?api-version=2.0"
	r.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "runner-request-token"
	if _, err := r.job(""); err != nil {
		t.Fatalf("job: %v\n%s", err, r.stdout.String())
	}
	run := r.cemarkRun()
	if run == nil {
		t.Fatalf("cemark did not run:\n%s", r.stdout.String())
	}
	seen, _ := run["inputs"].(map[string]any)
	for name, v := range inputs {
		key := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if seen[key] != v {
			t.Errorf("cemark saw %s = %v, want %q", key, seen[key], v)
		}
	}
	oidc, _ := run["oidc"].(map[string]any)
	if oidc["ACTIONS_ID_TOKEN_REQUEST_URL"] != true || oidc["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] != true {
		t.Errorf("the OIDC request variables did not reach the cemark step: %v", oidc)
	}
	in, err := ReadInputs(NewActions(&bytes.Buffer{}, func(k string) string { s, _ := seen[k].(string); return s }))
	if err != nil {
		t.Fatal(err)
	}
	if in.Signing != "keyless" || in.FulcioURL != inputs["fulcio-url"] || in.RekorURL != inputs["rekor-url"] ||
		in.TrustedRoot != inputs["trusted-root"] || in.Baseline != inputs["baseline"] {
		t.Errorf("ReadInputs over the composite's env: %+v", in)
	}
	// The setup steps see no signing input.
	for _, s := range r.action.Runs.Steps {
		if s.ID == "cemark" {
			continue
		}
		for k := range s.Env {
			if strings.HasPrefix(k, "INPUT_") {
				t.Errorf("step %s gets %s", s.ID, k)
			}
		}
	}
}

// TestCompositeActionCachesTheVulnerabilityDatabase: the database lives in
// the runner's tool cache, outside the workspace (so it is never scanned as
// part of the product, nor uploaded with it), reaches cemark as
// CEMARK_VULN_DB, and is kept between jobs with actions/cache under a key a
// day: the first job of a day restores yesterday's and saves today's,
// also when a failing finding fails the cemark step; later jobs restore
// today's and save nothing. A vuln-db input is the user's folder: no cache.
func TestCompositeActionCachesTheVulnerabilityDatabase(t *testing.T) {
	tags, _ := releaseTags(t)
	rel := newFakeRelease(t, tags)
	ca := newFulcio(t)
	rel.publish(t, ca, "v1.2.3", buildFakeCemark(t), "")
	r := newSimRunner(t, rel, ca, map[string]string{})
	r.env["FAKE_CEMARK_DAY"] = "day 1"
	dbRan := func() string {
		var out []string
		for i, s := range r.ran {
			if s == "vulndb" {
				out = r.ran[i:]
			}
		}
		return strings.Join(out, " ")
	}

	if _, err := r.job(""); err != nil {
		t.Fatalf("first job: %v\n%s", err, r.stdout.String())
	}
	key := r.steps["vulndb"]["key"]
	dir := r.steps["vulndb"]["dir"]
	run := r.cemarkRun()
	if !strings.HasPrefix(key, "cemark-grype-db-v6-"+r.env["RUNNER_OS"]+"-") || run["vuln_db"] != dir || run["vuln_db_before"] != "" ||
		!strings.HasPrefix(dir, r.env["RUNNER_TOOL_CACHE"]) || strings.HasPrefix(dir, r.env["GITHUB_WORKSPACE"]) {
		t.Fatalf("first job: key %q, cemark saw CEMARK_VULN_DB %v (before: %q): want the tool cache's folder", key, run["vuln_db"], run["vuln_db_before"])
	}
	if inputs, _ := run["inputs"].(map[string]any); inputs["INPUT_VULN_DB_UPDATE"] != "true" || inputs["INPUT_VULN_DB"] != "" {
		t.Errorf("cemark saw vuln-db %v, vuln-db-update %v", inputs["INPUT_VULN_DB"], inputs["INPUT_VULN_DB_UPDATE"])
	}
	if got := dbRan(); got != "vulndb actions/cache/restore cemark actions/cache/save" || r.cache[key] == "" {
		t.Errorf("first job: %s; today's cache %q", got, r.cache[key])
	}

	// Later the same day: today's database, nothing saved.
	if _, err := r.job(""); err != nil {
		t.Fatalf("second job: %v\n%s", err, r.stdout.String())
	}
	if got := dbRan(); r.cemarkRun()["vuln_db_before"] != "database of day 1" || got != "vulndb actions/cache/restore cemark" {
		t.Errorf("second job: %s; cemark found %q", got, r.cemarkRun()["vuln_db_before"])
	}

	// The next day (today's entry is yesterday's now), with a failing
	// finding: yesterday's database is restored, updated and saved.
	yesterday := r.steps["vulndb"]["yesterday"]
	r.cache[yesterday] = r.cache[key]
	delete(r.cache, key)
	r.env["FAKE_CEMARK_DAY"], r.env["FAKE_CEMARK_EXIT"] = "day 2", "3"
	if _, err := r.job(""); err == nil {
		t.Fatal("the cemark step's exit 3 did not fail the job")
	}
	if got := dbRan(); r.cemarkRun()["vuln_db_before"] != "database of day 1" || got != "vulndb actions/cache/restore cemark actions/cache/save" {
		t.Errorf("next day: %s; cemark found %q", got, r.cemarkRun()["vuln_db_before"])
	}
	if b, err := os.ReadFile(filepath.Join(r.cache[key], "6", "vulnerability.db")); err != nil || string(b) != "database of day 2" {
		t.Errorf("today's cache holds %q (%v)", b, err)
	}
	delete(r.env, "FAKE_CEMARK_EXIT")

	// The user's own folder: no cache steps; read as --vuln-db.
	r.inputs = map[string]string{"vuln-db": "grype-db", "vuln-db-update": "false"}
	if _, err := r.job(""); err != nil {
		t.Fatalf("vuln-db job: %v\n%s", err, r.stdout.String())
	}
	if got := dbRan(); got != "vulndb cemark" {
		t.Errorf("with vuln-db: %s", got)
	}
	seen, _ := r.cemarkRun()["inputs"].(map[string]any)
	in, err := ReadInputs(NewActions(&bytes.Buffer{}, func(k string) string { s, _ := seen[k].(string); return s }))
	if err != nil || in.VulnDB != "grype-db" || in.VulnDBUpdate {
		t.Errorf("ReadInputs: vuln-db %q, vuln-db-update %v, %v", in.VulnDB, in.VulnDBUpdate, err)
	}
}
