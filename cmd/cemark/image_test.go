package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/cemark/cemark/checks"
)

// An image given as an SBOM source feeds the checks: its configuration's
// exposed ports reach the inventory, its user the root-user check, and its
// manifest digest the attestations' subjects.
func TestRunFeedsImageConfigurationToChecks(t *testing.T) {
	dir := product(t)
	// An OCI layout keeps the manifest, so its digest is the image's own
	// (a docker-archive has no registry manifest to take a digest of).
	ociDir, digest := writeOCILayout(t, filepath.Join(t.TempDir(), "image-oci"), []string{"6379/tcp"}, "") // "" is root

	code, _, stderr := cli(t, nil, "run", dir, "--no-docs", "--source", "dir:.", "--source", "oci-dir:"+ociDir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var inv checks.Inventory
	if err := json.Unmarshal(mustRead(t, filepath.Join(dir, ".cemark", "ports.json")), &inv); err != nil {
		t.Fatal(err)
	}
	if !hasImagePort(inv, 6379) {
		t.Errorf("the image's exposed port 6379 is not in ports.json: %+v", inv.Interfaces)
	}
	var rep checks.Report
	if err := json.Unmarshal(mustRead(t, filepath.Join(dir, ".cemark", "report.json")), &rep); err != nil {
		t.Fatal(err)
	}
	rootUser := false
	for _, f := range rep.Findings() {
		if f.Check == "CEM-DEF-001" && f.Outcome == checks.Fail {
			rootUser = true
		}
	}
	if !rootUser {
		t.Error("the image's empty User (root) gave no CEM-DEF-001 failure")
	}
	if jsonl := string(mustRead(t, filepath.Join(dir, ".cemark", "attestations.intoto.jsonl"))); jsonl == "" {
		t.Fatal("no attestations")
	}
	st := string(mustRead(t, filepath.Join(dir, ".cemark", "conformity.dsse.json")))
	if !strings.Contains(st, "payload") {
		t.Fatal("no envelope")
	}
	var env struct{ Payload []byte }
	if err := json.Unmarshal([]byte(st), &env); err != nil {
		t.Fatal(err)
	}
	var statement struct {
		Subject []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if err := json.Unmarshal(env.Payload, &statement); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range statement.Subject {
		names = append(names, s.Name+"="+s.Digest["sha256"])
		if s.Digest["sha256"] == digest.Hex {
			return
		}
	}
	t.Errorf("the image's manifest digest %s is not among the subjects: %v", digest, names)
}

// writeOCILayout writes a generated image whose configuration exposes
// ports and sets user as an OCI layout under dir (no Docker needed), and
// returns dir and the image's manifest digest.
func writeOCILayout(t *testing.T, dir string, ports []string, user string) (string, v1.Hash) {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.ExposedPorts = map[string]struct{}{}
	for _, p := range ports {
		cf.Config.ExposedPorts[p] = struct{}{}
	}
	cf.Config.User = user
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return dir, digest
}

// hasImagePort tells whether the inventory found port in an image's
// configuration.
func hasImagePort(inv checks.Inventory, port int) bool {
	for _, in := range inv.Interfaces {
		for _, p := range in.Places {
			if in.Port == port && p.Kind == "image-config" {
				return true
			}
		}
	}
	return false
}
