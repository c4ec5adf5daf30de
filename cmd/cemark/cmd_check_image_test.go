package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
)

// `cemark check` and `cemark ports` read an image source's configuration
// as `cemark run` does, without making an SBOM: its exposed ports reach the
// inventory and the port checks, its user the root-user check.
func TestCheckFeedsImageConfigurationToChecks(t *testing.T) {
	root := checkTree(t)
	ociDir, _ := writeOCILayout(t, filepath.Join(t.TempDir(), "image-oci"), []string{"6379/tcp"}, "")

	code, out, errOut := cli(t, nil, "check", root, "--format", "json", "--source", "oci-dir:"+ociDir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var rep checks.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var rootUser, redis bool
	for _, f := range rep.Findings() {
		if f.Check == "CEM-DEF-001" && f.Outcome == checks.Fail {
			rootUser = true
		}
		if strings.HasPrefix(f.Check, "CEM-PORT-") && strings.Contains(f.Message, "6379") {
			redis = true
		}
	}
	if !rootUser {
		t.Error("the image's empty User (root) gave no CEM-DEF-001 failure")
	}
	if !redis {
		t.Error("the image's exposed port 6379 gave no port finding")
	}
	if _, err := os.Stat(filepath.Join(root, ".cemark")); !os.IsNotExist(err) {
		t.Errorf("check wrote an evidence directory (err %v): it makes no SBOM and no evidence", err)
	}

	// Without --source, the image is not read: no image finding.
	if _, out, _ := cli(t, nil, "check", root, "--format", "json", "--checks", "CEM-DEF-001"); strings.Contains(out, "image configuration") {
		t.Errorf("without --source the image was judged:\n%s", out)
	}

	// cemark.yaml's sources are the default, as in cemark run; relative
	// paths are relative to the product root.
	cfg := "product: {name: demo}\nsources: [\"dir:.\", \"oci-dir:img\"]\n"
	writeOCILayout(t, filepath.Join(root, "img"), []string{"6379/tcp"}, "app")
	if err := os.WriteFile(filepath.Join(root, "cemark.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cli(t, nil, "ports", root, "--json")
	if code != 0 {
		t.Fatalf("ports: exit %d\n%s", code, errOut)
	}
	var inv checks.Inventory
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatal(err)
	}
	if !hasImagePort(inv, 6379) {
		t.Errorf("ports: the configured image's port 6379 is not in the inventory: %+v", inv.Interfaces)
	}
	// --source replaces the configured sources: dir:. leaves the image out.
	if code, out, errOut := cli(t, nil, "ports", root, "--source", "dir:."); code != 0 || strings.Contains(out, "6379") {
		t.Errorf("ports --source dir:.: exit %d, the image was read\n%s%s", code, out, errOut)
	}
}

// A bad image source is a usage error (exit 2) naming the file.
func TestCheckBadImageSourceNamesFile(t *testing.T) {
	root := checkTree(t)
	if err := os.WriteFile(filepath.Join(root, "garbage.tar"), []byte("not an image\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ cmd, src, name string }{
		{"check", "oci-dir:" + filepath.Join(root, "no-such-layout"), "no-such-layout"},
		{"check", "docker-archive:garbage.tar", "garbage.tar"},
		{"ports", "oci-archive:missing.tar", "missing.tar"},
	} {
		t.Run(tc.cmd+" "+tc.src, func(t *testing.T) {
			code, _, errOut := cli(t, nil, tc.cmd, root, "--source", tc.src)
			if code != 2 || !strings.Contains(errOut, tc.name) {
				t.Errorf("exit %d, stderr %q; want 2 naming %s", code, errOut, tc.name)
			}
		})
	}
}
