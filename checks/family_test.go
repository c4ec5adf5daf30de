package checks

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFamilyCheck(t *testing.T) {
	type facts struct{ n int }
	c := NewFamilyCheck(Meta{ID: "CEM-TST-009"},
		func(context.Context, *Target) (*facts, error) { return &facts{n: 2}, nil },
		func(f *facts) []Finding {
			var out []Finding
			for i := 0; i < f.n; i++ {
				out = append(out, Finding{Outcome: Fail, Path: "Dockerfile", Key: "user"})
			}
			return out
		})
	raw, err := c.Collect(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Evaluate(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{Check: "CEM-TST-009", Outcome: Fail, Path: "Dockerfile", Key: "user"},
		{Check: "CEM-TST-009", Outcome: Fail, Path: "Dockerfile", Key: "user#2"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if _, err := c.Evaluate("not facts"); err == nil {
		t.Error("facts of the wrong type accepted")
	}
}
