package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/failure"
)

// TestExitCodeTable: each kind of failure the library returns, and its
// typed errors, map to the documented code; the outermost kind wins.
func TestExitCodeTable(t *testing.T) {
	base := errors.New("boom")
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"no kind", base, exitBroke},
		{"usage", failure.Usage(base), exitUsage},
		{"wrapped usage", fmt.Errorf("load: %w", failure.Usage(base)), exitUsage},
		{"config error with position", fmt.Errorf("config: %w", config.Errors{{File: "cemark.yaml", Line: 1, Column: 2, Msg: "bad"}}), exitUsage},
		{"refused path", &contain.PathError{Path: "..", Origin: contain.Flag("--out"), Reason: "leaves the root"}, exitUsage},
		{"not conformant", failure.NotConformant(base), exitNotConformant},
		{"outermost wins", failure.NotConformant(failure.Verification(base)), exitNotConformant},
		{"verification", failure.Verification(base), exitVerification},
		{"lock busy", &evidencedir.BusyError{Path: ".git/cemark.lock"}, exitBroke},
		{"bad command line", usageError{base}, exitUsage},
	}
	for _, tc := range cases {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", tc.name, tc.err, got, tc.want)
		}
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
	want := []int{exitOK, exitBroke, exitUsage, exitNotConformant, exitVerification, exitInterrupted, exitTerminated}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("README exit codes %v, defined %v", got, want)
	}
}
