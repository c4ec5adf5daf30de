// Package ci recognises the CI platform a run happens on and keeps an
// allow-listed set of facts about it. Only the named variables are ever
// read: never a secret, never arbitrary environment values, so the facts
// can go into provenance, the technical file and job summaries.
package ci

import "strings"

// Platform names.
const (
	Local  = "local"
	GitHub = "github"
	GitLab = "gitlab"
)

// Environment is what is known of the build environment.
type Environment struct {
	Platform   string `json:"platform"`
	ServerURL  string `json:"server_url,omitempty"`
	Repository string `json:"repository,omitempty"` // owner/name or group/project
	Ref        string `json:"ref,omitempty"`
	Commit     string `json:"commit,omitempty"`
	EventName  string `json:"event_name,omitempty"`
	Workflow   string `json:"workflow,omitempty"` // workflow ref / pipeline config path
	RunID      string `json:"run_id,omitempty"`
	RunAttempt string `json:"run_attempt,omitempty"`
	RunURL     string `json:"run_url,omitempty"`
	JobName    string `json:"job_name,omitempty"`
	RunnerOS   string `json:"runner_os,omitempty"`
	RunnerEnv  string `json:"runner_environment,omitempty"` // github-hosted | self-hosted | gitlab-hosted | self-managed
}

// Detect reads the allow-listed variables through getenv.
func Detect(getenv func(string) string) Environment {
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		server := strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/")
		if server == "" {
			server = "https://github.com"
		}
		e := Environment{
			Platform:   GitHub,
			ServerURL:  server,
			Repository: getenv("GITHUB_REPOSITORY"),
			Ref:        getenv("GITHUB_REF"),
			Commit:     getenv("GITHUB_SHA"),
			EventName:  getenv("GITHUB_EVENT_NAME"),
			Workflow:   getenv("GITHUB_WORKFLOW_REF"),
			RunID:      getenv("GITHUB_RUN_ID"),
			RunAttempt: getenv("GITHUB_RUN_ATTEMPT"),
			JobName:    getenv("GITHUB_JOB"),
			RunnerOS:   getenv("RUNNER_OS"),
			RunnerEnv:  getenv("RUNNER_ENVIRONMENT"),
		}
		if e.Repository != "" && e.RunID != "" {
			e.RunURL = server + "/" + e.Repository + "/actions/runs/" + e.RunID
			if e.RunAttempt != "" {
				e.RunURL += "/attempts/" + e.RunAttempt
			}
		}
		return e
	case getenv("GITLAB_CI") == "true":
		e := Environment{
			Platform:   GitLab,
			ServerURL:  strings.TrimSuffix(getenv("CI_SERVER_URL"), "/"),
			Repository: getenv("CI_PROJECT_PATH"),
			Ref:        getenv("CI_COMMIT_REF_NAME"),
			Commit:     getenv("CI_COMMIT_SHA"),
			EventName:  getenv("CI_PIPELINE_SOURCE"),
			Workflow:   getenv("CI_CONFIG_PATH"),
			RunID:      getenv("CI_PIPELINE_ID"),
			RunURL:     getenv("CI_JOB_URL"),
			JobName:    getenv("CI_JOB_NAME"),
		}
		if e.Workflow == "" {
			e.Workflow = ".gitlab-ci.yml"
		}
		// GitLab.com's instance runners describe themselves as shared runners.
		if getenv("CI_SERVER_HOST") == "gitlab.com" && strings.Contains(getenv("CI_RUNNER_DESCRIPTION"), "shared-runners") {
			e.RunnerEnv = "gitlab-hosted"
		} else {
			e.RunnerEnv = "self-managed"
		}
		return e
	}
	return Environment{Platform: Local}
}
