package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
)

func TestResultSHA256(t *testing.T) {
	hexSum := func(b []byte) string {
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:])
	}
	cdxDoc, spdxDoc := []byte(`{"bomFormat":"CycloneDX"}`), []byte(`{"spdxVersion":"SPDX-2.3"}`)
	made := WithDocuments(cdxDoc, spdxDoc)
	encoded := &Result{CycloneDX: cdxDoc, spdx: encodeDocument(func() ([]byte, error) { return spdxDoc, nil })}
	for _, r := range []*Result{made, encoded} {
		for range 2 { // worked out once, the same every time
			cdx, spdx, err := r.SHA256()
			if err != nil || cdx != hexSum(cdxDoc) || spdx != hexSum(spdxDoc) || r.CycloneDXSHA256() != cdx {
				t.Errorf("SHA256() = %s, %s, %v; want %s, %s", cdx, spdx, err, hexSum(cdxDoc), hexSum(spdxDoc))
			}
		}
		if b, err := r.SPDX(); err != nil || string(b) != string(spdxDoc) {
			t.Errorf("SPDX() = %s, %v", b, err)
		}
	}
}

// TestResultSPDXFailed: an SPDX document that could not be encoded says
// why to every user of it, and its digest is not made up; CycloneDX's is
// still known.
func TestResultSPDXFailed(t *testing.T) {
	failed := errors.New("sbom: encode SPDX: broken")
	r := &Result{CycloneDX: []byte(`{}`), spdx: encodeDocument(func() ([]byte, error) { return nil, failed })}
	if _, err := r.SPDX(); !errors.Is(err, failed) {
		t.Errorf("SPDX() error = %v, want %v", err, failed)
	}
	if cdx, spdx, err := r.SHA256(); !errors.Is(err, failed) || spdx != "" || cdx == "" {
		t.Errorf("SHA256() = %q, %q, %v; want the CycloneDX digest, none for SPDX, and %v", cdx, spdx, err, failed)
	}
}

// TestSealID: the placeholder's UUID becomes one derived from the
// document's digest, in place; a placeholder missing or there twice is an
// error, and a zero UUID outside the placeholder is left alone.
func TestSealID(t *testing.T) {
	placeholder := `"serialNumber": "urn:uuid:` + zeroUUID + `"`
	doc := `{"a": "` + zeroUUID + `", ` + placeholder + `}`
	sum := sha256.Sum256([]byte(doc))
	got, err := sealID([]byte(doc), placeholder)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a": "` + zeroUUID + `", "serialNumber": "urn:uuid:` + uuidFromHash(sum[:]) + `"}`
	if string(got) != want {
		t.Errorf("sealed:\n got %s\nwant %s", got, want)
	}
	for name, doc := range map[string]string{
		"missing": `{"a": "` + zeroUUID + `"}`,
		"twice":   `{` + placeholder + `, ` + placeholder + `}`,
		"cut":     placeholder[:len(placeholder)-1],
	} {
		if _, err := sealID([]byte(doc), placeholder); err == nil {
			t.Errorf("%s: sealed, want an error", name)
		}
	}
}

// spdxOf is res's SPDX document, failing the test when it could not be
// encoded.
func spdxOf(t testing.TB, res *Result) []byte {
	t.Helper()
	b, err := res.SPDX()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
