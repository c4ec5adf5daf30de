package checks

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// fakeCheck is a check whose steps are plain functions.
type fakeCheck struct {
	meta     Meta
	collect  func(ctx context.Context, t *Target) (any, error)
	evaluate func(facts any) ([]Finding, error)
}

func (c fakeCheck) Meta() Meta { return c.meta }
func (c fakeCheck) Collect(ctx context.Context, t *Target) (any, error) {
	if c.collect == nil {
		return nil, nil
	}
	return c.collect(ctx, t)
}
func (c fakeCheck) Evaluate(f any) ([]Finding, error) {
	if c.evaluate == nil {
		return nil, nil
	}
	return c.evaluate(f)
}

func meta(id string) Meta {
	return Meta{ID: id, Title: "Title of " + id, Severity: SeverityHigh, CRA: []string{"Annex I Part I (2)(b)"},
		Standards: []string{"EN 303 645 5.1"}, Remediation: "Fix it.", Rationale: "Because."}
}

func TestValidCRARef(t *testing.T) {
	t.Parallel()
	good := []string{"Annex I Part I (1)", "Annex I Part I (2)(a)", "Annex I Part I (2)(m)", "Annex I Part II (1)",
		"Annex I Part II (8)", "Annex II 2", "Annex II 8(e)", "Annex VII 2(a)", "Annex VII 3", "Annex VII 8",
		"Art. 13(3)", "Art. 13", "Art. 14(2)(a)", "Annex V 6", "Annex VIII Part I 4.2"}
	bad := []string{"", "Annex I (3)(a)", "Annex I (1)(a)", "Annex I Part I (3)", "Annex I Part I (2)(n)",
		"Annex I Part I (2)", "Annex I Part II (9)", "Annex I Part I 2(b)", "annex I part I (2)(b)", "Art 13(3)",
		"Art. 99", "Annex VII 9", "Annex I Part I (2)(b) ", "3(a)"}
	for _, r := range good {
		if !ValidCRARef(r) {
			t.Errorf("ValidCRARef(%q) = false, want true", r)
		}
	}
	for _, r := range bad {
		if ValidCRARef(r) {
			t.Errorf("ValidCRARef(%q) = true, want false", r)
		}
	}
}

func TestNewRegistry(t *testing.T) {
	t.Parallel()
	noTitle := meta("CEM-TST-003")
	noTitle.Title = " "
	draft := meta("CEM-TST-004")
	draft.CRA = []string{"Annex I (3)(a)"}
	noCRA := meta("CEM-TST-005")
	noCRA.CRA = nil
	badSev := meta("CEM-TST-006")
	badSev.Severity = "severe"
	noRem := meta("CEM-TST-007")
	noRem.Remediation = ""
	tests := []struct {
		name    string
		checks  []Check
		wantErr string
		wantIDs []string
	}{
		{"sorted", []Check{fakeCheck{meta: meta("CEM-TST-002")}, fakeCheck{meta: meta("CEM-TST-001")}}, "", []string{"CEM-TST-001", "CEM-TST-002"}},
		{"duplicate", []Check{fakeCheck{meta: meta("CEM-TST-001")}, fakeCheck{meta: meta("CEM-TST-001")}}, "duplicate check ID CEM-TST-001", nil},
		{"bad id", []Check{fakeCheck{meta: meta("CEM-tst-1")}}, `id "CEM-tst-1" does not match`, nil},
		{"old prefix", []Check{fakeCheck{meta: meta("CRA-SECDEF-001")}}, `does not match`, nil},
		{"no title", []Check{fakeCheck{meta: noTitle}}, "title is empty", nil},
		{"draft numbering", []Check{fakeCheck{meta: draft}}, `"Annex I (3)(a)" is not in the final numbering`, nil},
		{"no CRA", []Check{fakeCheck{meta: noCRA}}, "no CRA reference", nil},
		{"bad severity", []Check{fakeCheck{meta: badSev}}, `severity "severe"`, nil},
		{"no remediation", []Check{fakeCheck{meta: noRem}}, "remediation is empty", nil},
		{"nil", []Check{nil}, "check #0 is nil", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewRegistry(tc.checks...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantIDs, r.IDs()); diff != "" {
				t.Errorf("IDs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRegistrySelect(t *testing.T) {
	t.Parallel()
	r, err := NewRegistry(append(FrameworkChecks(), fakeCheck{meta: meta("CEM-TST-001")}, fakeCheck{meta: meta("CEM-TST-002")})...)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := r.Select([]string{" cem-tst-002", "", "CEM-TST-002"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"CEM-TST-002", "CEM-WVR-001", "CEM-WVR-002"}, sel.IDs()); diff != "" {
		t.Errorf("Select mismatch (-want +got):\n%s", diff)
	}
	if _, ok := sel.Lookup("CEM-TST-001"); ok {
		t.Error("Lookup found a check that was not selected")
	}
	_, err = r.Select([]string{"CEM-TST-001", "CEM-NOPE-001"})
	var unk *UnknownCheckError
	if !errors.As(err, &unk) {
		t.Fatalf("err = %v, want *UnknownCheckError", err)
	}
	if !strings.Contains(err.Error(), "CEM-NOPE-001") || !strings.Contains(err.Error(), "CEM-TST-002") {
		t.Errorf("error %q should name the unknown ID and list the valid ones", err)
	}
}

func TestLoadMeta(t *testing.T) {
	t.Parallel()
	one := "id: CEM-TST-001\ntitle: T\nrationale: R\nseverity: high\ncra: [\"Annex I Part I (2)(j)\"]\nstandards: [\"IEC 62443-4-2 CR 7.7\"]\nremediation: Do X.\n"
	fsys := fstest.MapFS{
		"one.yml":        {Data: []byte(one)},
		"list.yml":       {Data: []byte("- " + strings.ReplaceAll(strings.TrimSpace(one), "\n", "\n  ") + "\n- " + strings.ReplaceAll(strings.TrimSpace(strings.Replace(one, "001", "002", 1)), "\n", "\n  ") + "\n")},
		"unknown.yml":    {Data: []byte(one + "colour: red\n")},
		"draft.yml":      {Data: []byte(strings.Replace(one, "Annex I Part I (2)(j)", "Annex I (3)(h)", 1))},
		"dup.yml":        {Data: []byte("- " + strings.ReplaceAll(strings.TrimSpace(one), "\n", "\n  ") + "\n- " + strings.ReplaceAll(strings.TrimSpace(one), "\n", "\n  ") + "\n")},
		"bad.yml":        {Data: []byte("id: [\n")},
		"scalar.yml":     {Data: []byte("hello\n")},
		"testdata/x.yml": {Data: []byte("not: metadata\n")},
	}
	m, err := LoadMeta(fsys, "one.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := Meta{ID: "CEM-TST-001", Title: "T", Rationale: "R", Severity: SeverityHigh, CRA: []string{"Annex I Part I (2)(j)"},
		Standards: []string{"IEC 62443-4-2 CR 7.7"}, Remediation: "Do X."}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("LoadMeta mismatch (-want +got):\n%s", diff)
	}
	ms, err := LoadMetas(fsys, "list.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[1].ID != "CEM-TST-002" {
		t.Errorf("LoadMetas = %+v", ms)
	}
	if _, err := LoadMeta(fsys, "list.yml"); err == nil || !strings.Contains(err.Error(), "holds 2 checks") {
		t.Errorf("LoadMeta(list) err = %v", err)
	}
	for file, want := range map[string]string{
		"unknown.yml": "field colour not found",
		"draft.yml":   "not in the final numbering",
		"dup.yml":     "duplicate check ID",
		"bad.yml":     "parse check metadata bad.yml",
		"scalar.yml":  "want a mapping",
		"missing.yml": "read check metadata missing.yml",
	} {
		if _, err := LoadMetas(fsys, file); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), file) {
			t.Errorf("LoadMetas(%s) err = %v, want it to name the file and contain %q", file, err, want)
		}
	}
	if got := MustLoadMetaID(fsys, "list.yml", "CEM-TST-002"); got.ID != "CEM-TST-002" {
		t.Errorf("MustLoadMetaID = %v", got.ID)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustLoadMeta on a broken file did not panic")
			}
		}()
		MustLoadMeta(fsys, "unknown.yml")
	}()
	files, err := MetaFiles(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if contains(files, "testdata/x.yml") || !contains(files, "one.yml") {
		t.Errorf("MetaFiles = %v", files)
	}
}

func TestFrameworkChecksValid(t *testing.T) {
	t.Parallel()
	if _, err := NewRegistry(FrameworkChecks()...); err != nil {
		t.Fatal(err)
	}
	ms, err := LoadCatalogue(FrameworkMetaFS())
	if err != nil || len(ms) != 2 {
		t.Fatalf("LoadCatalogue = %v, %v", ms, err)
	}
}
