package report

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gocsaf/csaf/v3/csaf"
)

// fixedEvent is a vulnerability with its corrective measure marked.
func fixedEvent(t *testing.T) (string, Options, Event) {
	t.Helper()
	root, cfg := fixture(t)
	e := openFixture(t, root, cfg, KindVulnerability)
	e, err := MarkFixed(root, e, ts("2026-11-07T12:00:00Z"), []string{"1.4.1"})
	if err != nil {
		t.Fatal(err)
	}
	return root, Options{Root: root, Config: cfg, Evidence: evidenceFixture(), ToolVersion: "test"}, e
}

func TestAdvisoryPassesSchemaAndLibrary(t *testing.T) {
	root, o, e := fixedEvent(t)
	rel, v, w, err := WriteAdvisory(context.Background(), o, e, "")
	if err != nil {
		t.Fatalf("%v (%+v)", err, v)
	}
	if rel != "advisories/2026-11-05-cve-2026-1234.json" || len(w.Files) != 1 || v.MandatoryTests != nil {
		t.Fatalf("advisory %s %+v %+v", rel, w, v)
	}
	// Read back with gocsaf's strict loader (which validates its model) and
	// judge the file on disk against the CSAF 2.0 schema again.
	adv, err := csaf.LoadAdvisory(filepath.Join(root, rel))
	if err != nil {
		t.Fatalf("gocsaf rejects the advisory: %v", err)
	}
	data, _ := os.ReadFile(filepath.Join(root, rel))
	var doc any
	json.Unmarshal(data, &doc)
	if errs, err := csaf.ValidateCSAF(doc); err != nil || len(errs) > 0 {
		t.Fatalf("schema: %v %v", errs, err)
	}
	if got := string(*adv.Document.Category); got != "csaf_security_advisory" {
		t.Errorf("category %s", got)
	}
	s := string(data)
	for _, want := range []string{`"known_affected"`, `"fixed"`, `"vendor_fix"`, `"pkg:golang/example.com/gateway@1.4.1"`,
		`"pkg:golang/example.com/libfoo@v1.2.3"`, `"default_component_of"`, `"cve": "CVE-2026-1234"`, `"https://www.cve.org/CVERecord?id=CVE-2026-1234"`,
		`"initial_release_date": "2026-11-07T12:00:00Z"`, "Update Example Gateway to version 1.4.1."} {
		if !strings.Contains(s, want) {
			t.Errorf("advisory lacks %s", want)
		}
	}
	// Deterministic: the same event gives the same bytes.
	again, _ := BuildAdvisory(AdvisoryInput{Event: e, Config: o.Config, Evidence: o.Evidence, ToolVersion: "test"})
	if b, _ := EncodeAdvisory(again); string(b) != s {
		t.Error("two advisories of the same event differ")
	}
	if d := attestedDigests(root, w.Attestation); len(d) != 1 || d[rel] == "" {
		t.Errorf("advisory statement subjects %v", d)
	}
}

func TestAdvisoryNeedsAFixAndAPublisher(t *testing.T) {
	root, cfg := fixture(t)
	e := openFixture(t, root, cfg, KindVulnerability)
	cfg.Manufacturer.Website = ""
	_, err := BuildAdvisory(AdvisoryInput{Event: e, Config: cfg})
	if err == nil || !strings.Contains(err.Error(), "cemark report fixed") || !strings.Contains(err.Error(), "manufacturer.website") {
		t.Errorf("error %v", err)
	}
}

// TestAdvisoryPassesMandatoryTests runs the CSAF 2.0 mandatory tests
// (§6.1) of the BSI csaf-validator-lib through gocsaf's remote validator,
// as csaf_validator --validator does, against a local service over the
// library (testdata/csaf-validator-service.mjs). .ci/run installs the
// library and sets CEMARK_CSAF_VALIDATOR_LIB; elsewhere the test skips.
func TestAdvisoryPassesMandatoryTests(t *testing.T) {
	lib := os.Getenv("CEMARK_CSAF_VALIDATOR_LIB")
	node, nodeErr := exec.LookPath("node")
	if lib == "" || nodeErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the CSAF mandatory tests: node and CEMARK_CSAF_VALIDATOR_LIB (set by .ci/run) are needed")
		}
		t.Skip("CSAF mandatory tests need node and CEMARK_CSAF_VALIDATOR_LIB (npm @secvisogram/csaf-validator-lib); .ci/run installs them")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "testdata/csaf-validator-service.mjs", lib)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			port <- strings.TrimSpace(sc.Text())
		}
		close(port)
	}()
	var url string
	select {
	case p, ok := <-port:
		if !ok || p == "" {
			t.Fatal("the validator service did not start")
		}
		url = "http://127.0.0.1:" + p
	case <-time.After(2 * time.Minute):
		t.Fatal("the validator service did not start in 2 minutes")
	}

	_, o, e := fixedEvent(t)
	_, v, _, err := WriteAdvisory(ctx, o, e, url)
	if err != nil {
		t.Fatalf("%v\n%+v", err, v.MandatoryTests)
	}
	if m := v.MandatoryTests; m == nil || !m.Valid || len(m.Failures) > 0 {
		t.Fatalf("mandatory tests: %+v", m)
	}
	// The tests are real: a product ID used but never defined fails 6.1.1.
	adv, _ := BuildAdvisory(AdvisoryInput{Event: e, Config: o.Config, Evidence: o.Evidence})
	bad := csaf.ProductID("CSAFPID-9999")
	*adv.Vulnerabilities[0].ProductStatus.Fixed = append(*adv.Vulnerabilities[0].ProductStatus.Fixed, &bad)
	data, _ := EncodeAdvisory(adv)
	v, err = ValidateAdvisory(ctx, data, url)
	if err != nil || v.MandatoryTests == nil || v.MandatoryTests.Valid || !strings.Contains(strings.Join(v.MandatoryTests.Failures, "\n"), "6_1_1") {
		t.Fatalf("an undefined product ID passed the mandatory tests: %+v %v", v.MandatoryTests, err)
	}
}
