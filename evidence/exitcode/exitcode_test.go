package exitcode

import (
	"errors"
	"fmt"
	"testing"
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
