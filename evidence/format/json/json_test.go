package json

import (
	"bytes"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/format/internal/fixture"
	"github.com/cemark/cemark/evidence/format/internal/golden"
)

func TestEncode(t *testing.T) {
	for name, rep := range map[string]*checks.Report{"full": fixture.Report(), "empty": fixture.Empty()} {
		t.Run(name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := Encode(&a, rep); err != nil {
				t.Fatal(err)
			}
			if err := Encode(&b, rep); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two encodings differ")
			}
			if m, err := Marshal(rep); err != nil || !bytes.Equal(m, a.Bytes()) {
				t.Errorf("Marshal differs from Encode (%v)", err)
			}
			if !bytes.HasSuffix(a.Bytes(), []byte("}\n")) {
				t.Error("no trailing newline")
			}
			if err := checks.ValidateReportJSON(a.Bytes()); err != nil {
				t.Error(err)
			}
			golden.Check(t, a.Bytes())
		})
	}
}
