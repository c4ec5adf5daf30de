// Package defaults holds cemark's secure-by-default checks (CEM-DEF-…):
// containers running as root or privileged, dangerous capabilities, shared
// host namespaces, the Docker socket, privilege escalation, hard-coded and
// default credentials, TLS verification turned off, debug modes, remote
// code fetched at build without integrity, and unpinned base images.
//
// TLS and signature verification switched off (CEM-DEF-009) is one family
// of rules (verifyoff.go), read wherever it is written: environment
// settings, shell commands parsed with mvdan.cc/sh (RUN, scripts, container
// commands) and the tools' own configuration files. Known credential
// formats come from gitleaks' maintained rules (secretrules.go).
//
// Every check shares one collect step (facts.go, collect.go), run once per
// Target through Target.Memo on top of the shared parsers in checks/parse,
// and has its own pure evaluation over those facts (eval.go). Metadata
// lives in meta/<ID>.yml beside the code.
//
// Decisions that shape precision (each has corpus cases):
//
//   - Runtime properties (root user, debug settings, ENV credentials as
//     failures) count only in the stages that ship: the final stage,
//     checks.product_stages, the stages compose services build with
//     build.target (not dev/test-named ones; compose.ProductTargets), and
//     the stages those are built FROM. Build-time problems (curl | sh, ADD without
//     --checksum, unpinned FROM, curl -k, GIT_SSL_NO_VERIFY) count in every
//     stage and name it.
//   - Dockerfiles named as development or test variants (Dockerfile.dev,
//     .devcontainer/) do not ship, unless checks.dockerfiles names them.
//     Development compose files are judged, and the runner reports their
//     findings as info (checks.product_compose names those that ship).
//   - USER is expanded from ARG/ENV defaults; a USER no default resolves is
//     a warning. Base images tagged "nonroot" run as non-root. In
//     Kubernetes a non-zero runAsUser or runAsNonRoot: true, on the pod or
//     the container, is enough. A compose service without user: is left to
//     the image (the Dockerfile check judges it).
//   - Placeholders (${X}, $X, $(X), <x>, {{x}}, ****, secret references)
//     are not credentials; a placeholder with a literal default is judged
//     on its default, since that is what ships when nobody sets it. Values
//     asking to be changed ("change-me-in-prod") ship as universal default
//     passwords and are reported as such (CEM-DEF-008). A credential in a
//     stage that does not ship is a warning. Values are never printed.
//   - A bcrypt hash in a setting is tested against the five most common
//     default passwords, within bounds that keep a run fast (bcrypt.go);
//     a match is reported as that default password (CEM-DEF-008), naming
//     the default and showing the hash by its algorithm and cost only.
//   - Templates of configuration (.env.example, *.sample, *.dist,
//     *.template) and developer env files (.env.development, .env.local,
//     .env.test) are not read.
//   - CEM-DEF-011 judges Dockerfile RUN and ADD only: an install.sh that
//     users run is distribution, not the product's build.
//   - Test and example folders are not special here: the runner reports
//     their findings as info (checks.test_paths).
//   - Values that are paths or file names, and prose naming a credential,
//     are never credentials; a committed Kubernetes Secret's entries are,
//     by declaration.
package defaults

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/cemark/cemark/checks"
)

//go:embed meta/*.yml
var metaFS embed.FS

// Check IDs of the family. They are stable: never renamed or reused.
const (
	IDRootUser            = "CEM-DEF-001"
	IDPrivileged          = "CEM-DEF-002"
	IDCapabilities        = "CEM-DEF-003"
	IDHostNamespaces      = "CEM-DEF-004"
	IDDockerSocket        = "CEM-DEF-005"
	IDPrivilegeEscalation = "CEM-DEF-006"
	IDCredential          = "CEM-DEF-007"
	IDDefaultPassword     = "CEM-DEF-008"
	IDTLSVerifyOff        = "CEM-DEF-009"
	IDDebugMode           = "CEM-DEF-010"
	IDRemoteCode          = "CEM-DEF-011"
	IDUnpinnedBase        = "CEM-DEF-012"
	IDUnpinnedImage       = "CEM-DEF-013"
	IDBuildSecret         = "CEM-DEF-014"
	IDControlPlane        = "CEM-DEF-015"
)

// evaluators maps each check to its pure evaluation. Order is the
// catalogue order.
var evaluators = []checks.Evaluator[*Facts]{
	{ID: IDRootUser, Eval: evalRootUser},
	{ID: IDPrivileged, Eval: evalPrivileged},
	{ID: IDCapabilities, Eval: evalCapabilities},
	{ID: IDHostNamespaces, Eval: evalHostNamespaces},
	{ID: IDDockerSocket, Eval: evalDockerSocket},
	{ID: IDPrivilegeEscalation, Eval: evalPrivilegeEscalation},
	{ID: IDCredential, Eval: evalCredential},
	{ID: IDDefaultPassword, Eval: evalDefaultPassword},
	{ID: IDTLSVerifyOff, Eval: evalTLSVerifyOff},
	{ID: IDDebugMode, Eval: evalDebugMode},
	{ID: IDRemoteCode, Eval: evalRemoteCode},
	{ID: IDUnpinnedBase, Eval: evalUnpinnedBase},
	{ID: IDUnpinnedImage, Eval: evalUnpinnedImage},
	{ID: IDBuildSecret, Eval: evalBuildSecret},
	{ID: IDControlPlane, Eval: evalControlPlane},
}

// Checks returns the family's checks in ID order.
func Checks() []checks.Check {
	sorted := make([]checks.Evaluator[*Facts], len(evaluators))
	for i, e := range evaluators {
		eval := e.Eval
		// Sorted before keys are numbered, so the numbering is stable.
		sorted[i] = checks.Evaluator[*Facts]{ID: e.ID, Eval: func(f *Facts) []checks.Finding {
			fs := eval(f)
			sortFindings(fs)
			return fs
		}}
	}
	return checks.FamilyChecks(metaFS, Collect, sorted)
}

// MetaFS is the family's embedded metadata (meta/<ID>.yml), for the
// catalogue in checks/all.
func MetaFS() fs.FS { return metaFS }

// Metas reads the embedded metadata files, keyed by check ID.
func Metas() (map[string]checks.Meta, error) {
	names, err := fs.Glob(metaFS, "meta/*.yml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := map[string]checks.Meta{}
	for _, n := range names {
		m, err := checks.LoadMeta(metaFS, n)
		if err != nil {
			return nil, err
		}
		if "meta/"+m.ID+".yml" != n {
			return nil, fmt.Errorf("check metadata %s: id %q does not match the file name", n, m.ID)
		}
		out[m.ID] = m
	}
	return out, nil
}

// check is one check of the family: shared facts, its own evaluation.
func sortFindings(fs []checks.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Key < b.Key
	})
}
