package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// `cemark action` picks the platform from the environment and refuses to
// run outside a CI step with a usage error (exit 2) that says why.
func TestActionCommandOutsideCI(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"github without a workspace", map[string]string{"GITHUB_ACTIONS": "true"}, "GITHUB_WORKSPACE is not set"},
		{"gitlab without a project dir", map[string]string{"GITLAB_CI": "true"}, "CI_PROJECT_DIR is not set"},
		{"neither", nil, "neither is set; elsewhere use `cemark run`"},
		{"gitlab-ci-local", map[string]string{"GITLAB_CI": "false", "CI": "true"}, "run it with --variable GITLAB_CI=true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"action"}, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
				getenv: func(k string) string { return tt.env[k] }})
			if code != 2 || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut.String(), tt.want)
			}
		})
	}
}
