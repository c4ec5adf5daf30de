package ci

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDetect(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want Environment
	}{
		{"local", map[string]string{"HOME": "/root", "GITHUB_TOKEN": "ghp_secret"}, Environment{Platform: Local}},
		{"github", map[string]string{
			"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/gw",
			"GITHUB_REF": "refs/heads/main", "GITHUB_SHA": "abc", "GITHUB_EVENT_NAME": "push",
			"GITHUB_WORKFLOW_REF": "acme/gw/.github/workflows/ci.yml@refs/heads/main", "GITHUB_RUN_ID": "42",
			"GITHUB_RUN_ATTEMPT": "2", "GITHUB_JOB": "build", "RUNNER_OS": "Linux", "RUNNER_ENVIRONMENT": "github-hosted",
			"GITHUB_TOKEN": "ghp_secret", "INPUT_SIGNING-KEY": "-----BEGIN " + "PRIVATE KEY-----",
		}, Environment{Platform: GitHub, ServerURL: "https://github.com", Repository: "acme/gw", Ref: "refs/heads/main",
			Commit: "abc", EventName: "push", Workflow: "acme/gw/.github/workflows/ci.yml@refs/heads/main", RunID: "42",
			RunAttempt: "2", RunURL: "https://github.com/acme/gw/actions/runs/42/attempts/2", JobName: "build",
			RunnerOS: "Linux", RunnerEnv: "github-hosted"}},
		{"gitlab", map[string]string{
			"GITLAB_CI": "true", "CI_SERVER_URL": "https://gitlab.example.com/", "CI_PROJECT_PATH": "acme/gw",
			"CI_COMMIT_REF_NAME": "main", "CI_COMMIT_SHA": "def", "CI_PIPELINE_SOURCE": "push", "CI_PIPELINE_ID": "7",
			"CI_JOB_URL": "https://gitlab.example.com/acme/gw/-/jobs/9", "CI_JOB_NAME": "cemark", "CI_JOB_TOKEN": "secret",
		}, Environment{Platform: GitLab, ServerURL: "https://gitlab.example.com", Repository: "acme/gw", Ref: "main",
			Commit: "def", EventName: "push", Workflow: ".gitlab-ci.yml", RunID: "7",
			RunURL: "https://gitlab.example.com/acme/gw/-/jobs/9", JobName: "cemark", RunnerEnv: "self-managed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Detect(getenv(tc.env))); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
