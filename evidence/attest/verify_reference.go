package attest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/cemark/cemark/evidence/contain"
)

// resolveReportFile reads report.json for a report statement that names it
// by digest (report.json above the inline limit) from the folder of the
// attestation file, as the evidence directory holds them side by side, and
// checks it against the statement's SHA-256. A file that differs fails the
// statement: the report beside it is not the one signed. A file that is
// not there leaves the report unread, and a policy rule that needs it says
// so. The report read becomes the predicate the policy sees, as if inline.
func resolveReportFile(res *AttestationResult, attestationFile string, maxSize int64) {
	var p struct {
		ReportFile  *FileReference  `json:"reportFile"`
		SBOMQuality json.RawMessage `json:"sbomQuality,omitempty"`
	}
	if json.Unmarshal(res.predicate, &p) != nil || p.ReportFile == nil {
		return
	}
	fail := func(msg string) { res.OK, res.Error = false, msg }
	name := p.ReportFile.Name
	// A name, never a path: the statement does not choose what is read.
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || filepath.Base(name) != name {
		fail(fmt.Sprintf("the report statement names %q by digest: not a file name", name))
		return
	}
	want := strings.ToLower(p.ReportFile.Digest["sha256"])
	if want == "" {
		fail("the report statement names " + name + " without a sha256 digest")
		return
	}
	path := filepath.Join(filepath.Dir(attestationFile), name)
	data, err := contain.ReadRegular(path, maxSize)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		fail(fmt.Sprintf("%s, named by the report statement: %v", path, err))
		return
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != want {
		fail(fmt.Sprintf("%s is not the report the statement names: sha256 %s, the statement gives %s", path, got, want))
		return
	}
	pred, err := json.Marshal(struct {
		Report      json.RawMessage `json:"report"`
		SBOMQuality json.RawMessage `json:"sbomQuality,omitempty"`
	}{data, p.SBOMQuality})
	if err != nil {
		fail(fmt.Sprintf("%s does not parse: %v", path, err))
		return
	}
	res.predicate = pred
	res.ReportFile = path
}
