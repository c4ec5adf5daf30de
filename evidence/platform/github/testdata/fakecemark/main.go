// Command fakecemark stands in for a released cemark binary in the
// composite action's test: it records its arguments, working folder,
// INPUT_* environment and which OIDC variables it sees as JSON in
// $FAKE_CEMARK_LOG and sets the step outputs the real `cemark action` sets.
// It updates the vulnerability database as `cemark action` does by default:
// it records the database CEMARK_VULN_DB holds before, then writes one. It
// exits with $FAKE_CEMARK_EXIT (a failing finding is 3) when set.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

func main() {
	wd, _ := os.Getwd()
	rec := map[string]any{"args": os.Args[1:], "wd": wd}
	inputs := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "INPUT_") {
			inputs[k] = v
		}
	}
	rec["inputs"] = inputs
	// Which OIDC variables reached the step (keyless signing): never their
	// values, which are credentials.
	oidc := map[string]bool{}
	for _, k := range []string{"ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SIGSTORE_ID_TOKEN"} {
		oidc[k] = os.Getenv(k) != ""
	}
	rec["oidc"] = oidc
	if dir := os.Getenv("CEMARK_VULN_DB"); dir != "" {
		db := filepath.Join(dir, "6", "vulnerability.db")
		before, _ := os.ReadFile(db)
		rec["vuln_db"], rec["vuln_db_before"] = dir, string(before)
		if strings.EqualFold(os.Getenv("INPUT_VULN_DB_UPDATE"), "true") && os.Getenv("INPUT_VULN_DB") == "" {
			if err := os.MkdirAll(filepath.Dir(db), 0o755); err == nil {
				_ = os.WriteFile(db, []byte("database of "+os.Getenv("FAKE_CEMARK_DAY")), 0o644)
			}
		}
	}
	b, _ := json.Marshal(rec)
	if err := os.WriteFile(os.Getenv("FAKE_CEMARK_LOG"), b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := os.OpenFile(os.Getenv("GITHUB_OUTPUT"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer out.Close()
	outputs := map[string]string{"conformity": "incomplete", "sarif": ".cemark/report.sarif", "docs-changed": "false"}
	keys := make([]string, 0, len(outputs))
	for k := range outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(out, "%s=%s\n", k, outputs[k])
	}
	if code, err := strconv.Atoi(os.Getenv("FAKE_CEMARK_EXIT")); err == nil {
		out.Close()
		os.Exit(code)
	}
}
