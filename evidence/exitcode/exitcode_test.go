package exitcode

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cemark/cemark/checks/input"
)

func TestOf(t *testing.T) {
	base := errors.New("boom")
	cases := []struct {
		err  error
		want int
	}{
		{nil, OK},
		{base, ToolError},
		{Wrap(Usage, base), Usage},
		{fmt.Errorf("load: %w", Wrap(Usage, base)), Usage},
		{Wrap(NotConformant, Wrap(VerificationFailed, base)), NotConformant},
		{fmt.Errorf("check: %w", input.Usage(base)), Usage},
	}
	for _, tc := range cases {
		if got := Of(tc.err); got != tc.want {
			t.Errorf("Of(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	if Wrap(Usage, nil) != nil {
		t.Error("Wrap(nil) is not nil")
	}
	if !errors.Is(Wrap(Usage, base), base) {
		t.Error("Wrap hides the cause")
	}
}

// TestREADMETable: the README's exit-code table lists exactly the codes
// defined here.
func TestREADMETable(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(data), "### Exit codes")
	if !ok {
		t.Fatal("README has no exit-code section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	var got []int
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		for _, c := range strings.Split(cells[1], ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(c)); err == nil {
				got = append(got, n)
			}
		}
	}
	want := []int{OK, ToolError, Usage, NotConformant, VerificationFailed, Interrupted, Terminated}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("README exit codes %v, defined %v", got, want)
	}
}
