// Package evidencetest checks, for tests, that an evidence directory and a
// technical file belong to one run: run.json lists exactly the files
// present with their digests, the conformity statement pins the technical
// file on disk, and no staged or temporary file is left anywhere.
package evidencetest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cemark/cemark/evidence/contain"
)

// Check returns the digest of the technical file in docsDir (relative to
// root, slash-separated) after checking the pair, or an error saying what
// is out of step.
func Check(root, evDir, docsDir string) (string, error) {
	if left := Leftovers(root); len(left) > 0 {
		return "", fmt.Errorf("left behind: %v", left)
	}
	data, err := os.ReadFile(filepath.Join(evDir, "run.json"))
	if err != nil {
		return "", fmt.Errorf("no run.json: %w", err)
	}
	var rec struct {
		Outputs []struct {
			Name   string `json:"name"`
			SHA256 string `json:"sha256"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return "", fmt.Errorf("run.json: %w", err)
	}
	listed := map[string]string{"run.json": "", contain.Marker: ""}
	for _, o := range rec.Outputs {
		listed[o.Name] = o.SHA256
	}
	entries, err := os.ReadDir(evDir)
	if err != nil {
		return "", err
	}
	present := map[string]bool{}
	for _, e := range entries {
		present[e.Name()] = true
		want, ok := listed[e.Name()]
		if !ok {
			return "", fmt.Errorf("%s is in the evidence directory but not in run.json", e.Name())
		}
		if want == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(evDir, e.Name()))
		if err != nil {
			return "", err
		}
		if got := sha256Hex(b); got != want {
			return "", fmt.Errorf("%s has sha256 %s, run.json says %s", e.Name(), got, want)
		}
	}
	for name := range listed {
		if !present[name] {
			return "", fmt.Errorf("run.json lists %s, which is missing", name)
		}
	}
	docs, err := TechFileDigest(root, docsDir)
	if err != nil {
		return "", err
	}
	pinned, err := pinnedDigest(filepath.Join(evDir, "conformity.dsse.json"))
	if err != nil {
		return "", err
	}
	if pinned != docs {
		return "", fmt.Errorf("the conformity statement pins technical file %s, but %s on disk is %s", pinned, docsDir, docs)
	}
	return docs, nil
}

// TechFileDigest is the digest the conformity statement pins: each file's
// content digest and path, sorted by path.
func TechFileDigest(root, docsDir string) (string, error) {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(docsDir)))
	if err != nil {
		return "", err
	}
	var lines []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(docsDir), e.Name()))
		if err != nil {
			return "", err
		}
		lines = append(lines, fmt.Sprintf("%s  %s\n", sha256Hex(b), path.Join(docsDir, e.Name())))
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][66:] < lines[j][66:] })
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func pinnedDigest(envelope string) (string, error) {
	data, err := os.ReadFile(envelope)
	if err != nil {
		return "", err
	}
	var env struct {
		Payload string `json:"payload"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return "", err
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return "", err
	}
	var st struct {
		Predicate struct {
			Evidence struct {
				TechnicalFile *struct {
					SHA256 string `json:"sha256"`
				} `json:"technicalFile"`
			} `json:"evidence"`
		} `json:"predicate"`
	}
	if err := json.Unmarshal(payload, &st); err != nil {
		return "", err
	}
	if st.Predicate.Evidence.TechnicalFile == nil {
		return "", fmt.Errorf("the conformity statement pins no technical file")
	}
	return st.Predicate.Evidence.TechnicalFile.SHA256, nil
}

// Leftovers lists staged, moved-aside and temporary files and the journal
// anywhere below root (.git included).
func Leftovers(root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if strings.HasSuffix(name, ".cemark-stage") || strings.HasSuffix(name, ".cemark-old") ||
			strings.Contains(name, ".tmp-") || strings.HasSuffix(name, "cemark.journal") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
