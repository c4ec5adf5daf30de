package evidence

import (
	"bytes"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/format"
)

// reportEncoders lists the evidence files made from the check report, one
// encoder per format (evidence/format/*).
func reportEncoders() map[string]func(*checks.Report) ([]byte, error) {
	out := map[string]func(*checks.Report) ([]byte, error){}
	for _, f := range format.All() {
		if f.FileName == "" {
			continue
		}
		enc := f.Encode
		out[f.FileName] = func(r *checks.Report) ([]byte, error) {
			var buf bytes.Buffer
			if err := enc(&buf, r); err != nil {
				return nil, err
			}
			return buf.Bytes(), nil
		}
	}
	return out
}
