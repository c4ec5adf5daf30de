package defaults

import (
	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse"
	"github.com/cemark/cemark/checks/parse/dockerfile"
)

// Facts is what the family's checks judge, gathered once per run. It never
// holds a judgement: the eval_*.go functions decide.
type Facts struct {
	// Dockerfiles are the parsed Dockerfiles (checks/parse/dockerfile).
	Dockerfiles []*dockerfile.File
	// DevFiles are Dockerfiles and compose files named as development,
	// test or debug variants (Dockerfile.dev, compose.test.yaml): what they
	// build or run does not ship. Build-time checks still judge them.
	DevFiles map[string]bool
	// Workloads are the containers compose files and Kubernetes manifests
	// deploy, with their security settings.
	Workloads []Workload
	// Images are the configurations of images given as SBOM sources.
	Images []checks.ImageConfig
	// Deployed are the images compose services and Kubernetes containers
	// run (not those compose builds).
	Deployed []DeployedImage
	// BuildSecrets are credential-named build arguments: Dockerfile ARGs,
	// ENVs that copy one into the image, compose build.args.
	BuildSecrets []BuildSecret
	// ControlPlanes are Kubernetes control-plane components the tree
	// ships (static pods, KubeletConfiguration).
	ControlPlanes []ControlPlane
	// Settings are key/value pairs from every place that configures the
	// product: Dockerfile ENV/ARG, compose and Kubernetes env, image env,
	// configuration files. Values may be secrets: never print them.
	Settings []Setting
	// Sites are source-code and script lines of interest (TLS verification
	// turned off, debug switches) found by the text and AST scanners.
	Sites []Site
	// Unassessed are configuration files the credential scan could not
	// parse (YAML over the limits, broken syntax): not assessed, said so.
	Unassessed []parse.Issue
	// UntestedHashes counts the bcrypt hashes in settings that were not
	// tested against default passwords (over the cost or count bounds).
	UntestedHashes UntestedHashes
}

// At is one value of a manifest with where it was written.
type At struct {
	Field  string // the field as written: "privileged", "network_mode", "hostPID" …
	Path   string // the file, when it is not the workload's (compose override files)
	Value  string // the value as a string: "true", "host", "0", "SYS_ADMIN"
	Line   int
	Column int
	// Snippet is the line as written when Field: Value is not it (a
	// volumeMount whose mountPath differs from the host path it mounts).
	Snippet string
}

// Workload is a container that a compose file or Kubernetes manifest
// deploys. Kubernetes values are the effective ones (container level over
// pod level).
type Workload struct {
	Source string // "compose" | "kubernetes"
	// Pod is true for a Kubernetes pod-level entry (host namespaces, host
	// volumes); container entries carry the container's settings.
	Pod    bool
	Path   string
	Line   int
	Column int
	// Name is what a person calls it: "service web", "Deployment api, container app".
	Name string
	// Key is its stable identity, without line numbers: "service:web",
	// "Deployment/api:container:app".
	Key string

	User                     *At // compose user:
	RunAsUser                *At // k8s runAsUser (container, else pod)
	RunAsNonRoot             *At // k8s runAsNonRoot (container, else pod)
	Privileged               *At
	AllowPrivilegeEscalation *At // k8s only
	CapAdd                   []At
	// HostNamespaces holds hostNetwork/hostPID/hostIPC: true and compose
	// network_mode/pid/ipc: host (and userns_mode: host).
	HostNamespaces []At
	// DockerSocket holds the mounts of the Docker socket (compose volumes,
	// k8s hostPath volumes mounted by the container).
	DockerSocket []At
}

// pathOf returns the file a value was written in.
func (w Workload) pathOf(a *At) string {
	if a != nil && a.Path != "" {
		return a.Path
	}
	return w.Path
}

// DeployedImage is an image reference a compose service or a Kubernetes
// container runs.
type DeployedImage struct {
	Path   string
	Line   int
	Column int
	Ref    string // as the product sees it (compose-interpolated)
	Where  string // "service web", "Deployment api, container app"
	Key    string // "service:web:image", "Deployment/api:container:app:image"
}

// Build secret kinds.
const (
	BuildArgDockerfile = "dockerfile-arg"      // ARG GITHUB_TOKEN
	BuildArgToEnv      = "dockerfile-env-copy" // ENV GITHUB_TOKEN=$GITHUB_TOKEN
	BuildArgCompose    = "compose-build-arg"   // build: args: NPM_TOKEN: ${NPM_TOKEN}
)

// BuildSecret is a credential passed to a build as a build argument.
type BuildSecret struct {
	Kind   string
	Path   string
	Line   int
	Column int
	Name   string
	Where  string // "final stage", `stage "builder"`, "compose service app"
	Key    string
	// Shipped is true when the argument reaches a stage that ships (its
	// value is then in the shipped image's history).
	Shipped bool
}

// Setting origins.
const (
	OriginDockerfileEnv = "dockerfile-env"
	OriginDockerfileArg = "dockerfile-arg"
	OriginComposeEnv    = "compose-env"
	OriginComposeArg    = "compose-build-arg"
	OriginKubeEnv       = "k8s-env"
	OriginKubeData      = "k8s-data" // Secret data/stringData, ConfigMap data
	OriginImageEnv      = "image-env"
	OriginConfigFile    = "config-file"
)

// Setting is one key/value pair configuring the product.
type Setting struct {
	Origin string
	Path   string // file, or image reference for image-env
	Line   int
	Column int
	Key    string // the key as written: DB_PASSWORD, spring.datasource.password
	// Value is the value as the product sees it (ARG/ENV expanded,
	// compose-interpolated with an empty environment). Never print it.
	Value string
	// Raw is the value as written, for telling placeholders apart.
	Raw string
	// Scope says where in the file: "stage:final", "stage:builder",
	// "service:web", "Deployment/api:container:app"; empty for flat files.
	Scope string
	// Where says the same for a person: "Deployment api, container app".
	Where string
	// Runtime is true when the setting is in the running product's
	// environment (ENV of a shipped stage, compose/k8s env, image env).
	Runtime bool
	// Shipped is false for settings that do not reach what ships: ENV/ARG
	// of build stages that are not product stages, ARGs before FROM.
	Shipped bool
	// InSecret is true for an entry of a committed Kubernetes Secret: its
	// value is a credential by the object's own declaration, whatever the
	// key is called.
	InSecret bool
	// Rule is the gitleaks rule a literal value matches, a known
	// credential format ("github-pat", "aws-access-token"); "" for none.
	Rule string
	// DefaultHash is set when the value holds a bcrypt hash of a
	// well-known default password (bcrypt.go).
	DefaultHash *DefaultHash
}

// Site kinds.
const (
	SiteTLSVerifyOff = "tls-verify-off"
	SiteDebug        = "debug"
	SiteRemoteCode   = "remote-code"
)

// Site is one place in source code, a script or a RUN instruction that a
// scanner found.
type Site struct {
	Kind    string
	Path    string
	Line    int
	Column  int
	Key     string // stable identity: "go:InsecureSkipVerify", "curl:-k"
	Message string // what was found, for a person
	Snippet string // the line, secrets masked
	Stage   string // Dockerfile stage for RUN sites ("final", "builder", "#0")
	Shipped bool   // false for RUN of a non-product stage
	// Conditional is true when the code runs only under a condition (an
	// if statement, a case arm): verification is off when an option says
	// so, which needs a person to check it is not the shipped default. The
	// message names the option when the condition is one (an operator
	// opt-in the user information must warn about).
	Conditional bool
}
