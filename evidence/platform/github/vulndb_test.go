package github

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/cemark/cemark/evidence"
)

// TestVulnDBInputs: vuln-db is read as --vuln-db, relative to the
// workspace (or absolute: a runner's own grype cache); vuln-db-update is
// --vuln-db-update, true unless it says false.
func TestVulnDBInputs(t *testing.T) {
	ws := t.TempDir()
	own := filepath.Join(t.TempDir(), "grype")
	for _, tc := range []struct {
		inputs map[string]string
		db     string
		update bool
	}{
		{map[string]string{}, "", true},
		{map[string]string{"INPUT_VULN_DB": "caches/grype", "INPUT_VULN_DB_UPDATE": "false"}, filepath.Join(ws, "caches", "grype"), false},
		{map[string]string{"INPUT_VULN_DB": own, "INPUT_VULN_DB_UPDATE": "True"}, own, true},
	} {
		env := map[string]string{"GITHUB_WORKSPACE": ws, "INPUT_FAIL_ON": "high"}
		for k, v := range tc.inputs {
			env[k] = v
		}
		getenv := func(k string) string { return env[k] }
		var got evidence.Options
		stop := errors.New("stop")
		err := Run(context.Background(), Deps{Actions: NewActions(&bytes.Buffer{}, getenv), Getenv: getenv,
			Run: func(_ context.Context, o evidence.Options) (*evidence.Evidence, error) { got = o; return nil, stop }})
		if !errors.Is(err, stop) {
			t.Fatalf("%v: %v", tc.inputs, err)
		}
		if got.VulnDB != tc.db || got.VulnDBUpdate != tc.update {
			t.Errorf("%v: --vuln-db %q, --vuln-db-update %v; want %q, %v", tc.inputs, got.VulnDB, got.VulnDBUpdate, tc.db, tc.update)
		}
	}
}
