package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

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
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.ExposedPorts = map[string]struct{}{"6379/tcp": {}}
	cf.Config.User = "" // root
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	// An OCI layout keeps the manifest, so its digest is the image's own
	// (a docker-archive has no registry manifest to take a digest of).
	ociDir := filepath.Join(t.TempDir(), "image-oci")
	p, err := layout.Write(ociDir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()

	code, _, stderr := cli(t, nil, "run", dir, "--no-docs", "--source", "dir:.", "--source", "oci-dir:"+ociDir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var inv checks.Inventory
	if err := json.Unmarshal(mustRead(t, filepath.Join(dir, ".cemark", "ports.json")), &inv); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, in := range inv.Interfaces {
		for _, p := range in.Places {
			if in.Port == 6379 && p.Kind == "image-config" {
				found = true
			}
		}
	}
	if !found {
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
