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
