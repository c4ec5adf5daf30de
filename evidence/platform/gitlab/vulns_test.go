package gitlab

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/failure"
	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

// TestVulnerabilityDatabaseInTheProject: GitLab caches folders of the
// project only, so the component's database lies inside the product when
// the product is the project: it is read from there, never catalogued as a
// part of the product, and the job log lists the KEV-listed vulnerability
// (log4j-core) first among the failing findings.
func TestVulnerabilityDatabaseInTheProject(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "vulns", "testdata", "product"))); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "product")
	db := vulndbtest.Install(t, filepath.Join(dir, ".cemark-cache", "grype-db"), vulndbtest.Options{})
	// Whatever else the cache folder holds is not the product either.
	for name, content := range map[string]string{"package.json": `{"name": "not-the-product", "version": "1.0.0"}`, "Dockerfile": "FROM scratch\nEXPOSE 23\n"} {
		if err := os.WriteFile(filepath.Join(db, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	var log bytes.Buffer
	env := ciEnv(dir, map[string]string{"CEMARK_DOCS": "off", "CEMARK_FAIL_ON": "high",
		"CEMARK_VULN_DB": ".cemark-cache/grype-db", "CEMARK_VULN_DB_UPDATE": "false"})
	err := Run(context.Background(), Deps{Getenv: env, Log: &log})
	if failure.KindOf(err) != failure.ErrNotConformant {
		t.Fatalf("failure %v (%v): want not conformant (exit 3) for the failing vulnerabilities\n%s", failure.KindOf(err), err, log.String())
	}
	text := log.String()
	failing := text[strings.Index(text, "Failing"):]
	first := strings.SplitN(strings.TrimSpace(strings.SplitN(failing, "\n", 2)[1]), "\n", 2)[0]
	if !strings.Contains(first, "CEM-VULN-001") || !strings.Contains(failing[:400], "CVE-2021-44228") {
		t.Errorf("the KEV-listed vulnerability is not first in the job log:\n%s", failing)
	}
	sbom, err := os.ReadFile(filepath.Join(dir, ".cemark", "sbom.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sbom, []byte("not-the-product")) || bytes.Contains(sbom, []byte(".cemark-cache")) {
		t.Error("the vulnerability database's folder is catalogued as a part of the product")
	}
	report, err := os.ReadFile(filepath.Join(dir, ".cemark", "report.json"))
	if err != nil || bytes.Contains(report, []byte(".cemark-cache")) {
		t.Errorf("the checks read the vulnerability database's folder (%v)", err)
	}
}
