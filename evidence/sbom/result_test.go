package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestResultSHA256(t *testing.T) {
	hexSum := func(b []byte) string {
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:])
	}
	r := &Result{CycloneDX: []byte(`{"bomFormat":"CycloneDX"}`), SPDX: []byte(`{"spdxVersion":"SPDX-2.3"}`)}
	for range 2 { // worked out once, the same every time
		cdx, spdx := r.SHA256()
		if cdx != hexSum(r.CycloneDX) || spdx != hexSum(r.SPDX) {
			t.Errorf("SHA256() = %s, %s; want %s, %s", cdx, spdx, hexSum(r.CycloneDX), hexSum(r.SPDX))
		}
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
