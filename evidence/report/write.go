package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
)

// writeInRoot writes data to rel, a slash path relative to root, as one
// atomic replacement (temporary file, sync, rename). It is the only way
// this package writes: rel must stay inside root, also after symbolic
// links are resolved, and missing folders are created.
func writeInRoot(root, rel string, data []byte) error {
	abs, err := inRoot(root, rel)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	if err := evidencedir.WriteFileAtomic(abs, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return nil
}

// inRoot resolves rel against root and refuses any path that leaves it.
func inRoot(root, rel string) (string, error) {
	clean := path.Clean(filepath.ToSlash(rel))
	if rel == "" || path.IsAbs(clean) || filepath.IsAbs(rel) || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", failure.Usage(fmt.Errorf("%s is not a path inside the product root", rel))
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("resolve product root %s: %w", root, err)
	}
	abs := filepath.Join(realRoot, filepath.FromSlash(clean))
	// Judge the longest existing prefix by where it really is.
	existing, rest := abs, ""
	for {
		real, err := filepath.EvalSymlinks(existing)
		if err == nil {
			existing = filepath.Join(real, rest)
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return "", fmt.Errorf("resolve %s: %w", rel, err)
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
	r, err := filepath.Rel(realRoot, existing)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", failure.Usage(fmt.Errorf("%s leads outside the product root %s: refusing to write there", rel, root))
	}
	return existing, nil
}

// EditedError says a file cemark drafted was changed by a person since:
// cemark keeps it.
type EditedError struct{ Path string }

func (e *EditedError) Error() string {
	return e.Path + " was changed since cemark drafted it; cemark never overwrites a person's words: rename or remove it to draft it again"
}

// needsWrite reports whether the draft at rel must be written: false when
// it already holds data, an *EditedError (exit 2) when a person changed it
// since cemark last wrote it. previous holds the sha256 of what cemark
// wrote, by path, from the drafts' attestation.
func needsWrite(root, rel string, data []byte, previous map[string]string) (bool, error) {
	abs, err := inRoot(root, rel)
	if err != nil {
		return false, err
	}
	old, err := os.ReadFile(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("read %s: %w", rel, err)
	case bytes.Equal(old, data):
		return false, nil
	}
	sum := sha256.Sum256(old)
	if previous[rel] != hex.EncodeToString(sum[:]) {
		return false, failure.Usage(&EditedError{Path: rel})
	}
	return true, nil
}

// attestedDigests reads the sha256 of each subject of the attestation at
// rel (none when it does not exist or does not parse: then every existing
// file counts as a person's).
func attestedDigests(root, rel string) map[string]string {
	abs, err := inRoot(root, rel)
	if err != nil {
		return nil
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil
	}
	env, err := attest.ParseEnvelope(data)
	if err != nil {
		return nil
	}
	payload, err := env.DecodePayload()
	if err != nil {
		return nil
	}
	st, err := attest.ParseStatement(payload)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, s := range st.GetSubject() {
		out[s.GetName()] = s.GetDigest()["sha256"]
	}
	return out
}
