package evidence

import (
	"bytes"
	"fmt"

	"github.com/cemark/cemark/evidence/format"
)

// reportFiles encodes the evidence files made from the check report, one
// encoder per format (evidence/format/*). Formats read from the repository
// (SARIF, Code Quality) get the CI report: paths from the repository root,
// every finding on a file that exists.
func reportFiles(ev *Evidence, files map[string][]byte) error {
	ci := ev.CIReport()
	for _, f := range format.All() {
		if f.FileName == "" {
			continue
		}
		r := ev.Report
		if f.RepoRooted {
			r = ci
		}
		var buf bytes.Buffer
		if err := f.Encode(&buf, r); err != nil {
			return fmt.Errorf("encode %s: %w", f.FileName, err)
		}
		files[f.FileName] = buf.Bytes()
	}
	return nil
}
