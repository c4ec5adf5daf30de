package table

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/format/internal/fixture"
	"github.com/cemark/cemark/evidence/format/internal/golden"
)

func TestEncode(t *testing.T) {
	for name, rep := range map[string]*checks.Report{"full": fixture.Report(), "empty": fixture.Empty()} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, rep); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), "\x1b") {
				t.Error("escape codes in plain text")
			}
			golden.Check(t, buf.Bytes())
		})
	}
}
