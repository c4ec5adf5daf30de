package failure

import (
	"errors"
	"fmt"
	"testing"
)

type typed struct{}

func (typed) Error() string      { return "typed" }
func (typed) FailureKind() error { return ErrUsage }

func TestKindOf(t *testing.T) {
	base := errors.New("boom")
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"nil", nil, nil},
		{"no kind", base, nil},
		{"usage", Usage(base), ErrUsage},
		{"wrapped", fmt.Errorf("load: %w", Usage(base)), ErrUsage},
		{"outermost wins", NotConformant(Verification(base)), ErrNotConformant},
		{"joined", errors.Join(base, Verification(base)), ErrVerification},
		{"typed error of another package", fmt.Errorf("config: %w", typed{}), ErrUsage},
	}
	for _, tc := range cases {
		if got := KindOf(tc.err); got != tc.want {
			t.Errorf("%s: KindOf(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
	if Usage(nil) != nil {
		t.Error("Usage(nil) is not nil")
	}
	if err := Usage(base); !errors.Is(err, base) || !errors.Is(err, ErrUsage) || errors.Is(err, ErrNotConformant) {
		t.Error("errors.Is does not see the cause and the kind")
	}
}
