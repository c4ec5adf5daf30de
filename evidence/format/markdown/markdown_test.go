package markdown

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
			out := buf.String()
			if strings.Contains(strings.ReplaceAll(out, "not declare the product compliant", ""), "compliant") {
				t.Errorf("the summary calls the product compliant:\n%s", out)
			}
			golden.Check(t, buf.Bytes())
		})
	}
}

func TestEscapesCells(t *testing.T) {
	rep := fixture.Empty()
	rep.Results[0].Outcome = checks.Fail
	rep.Results[0].Findings = []checks.Finding{{Check: "CEM-DEF-001", Outcome: checks.Fail, Severity: checks.SeverityHigh, Message: "a | b\nc <script>", Path: "x"}}
	var buf bytes.Buffer
	if err := Encode(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `a \| b c &lt;script&gt;`) {
		t.Errorf("cell not escaped:\n%s", buf.String())
	}
}
