package defaults

import (
	"context"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse"
	"github.com/cemark/cemark/checks/parse/dockerfile"
	"github.com/cemark/cemark/checks/parse/kube"
)

// MemoKey is the Target.Memo key of the family's facts.
const MemoKey = "checks/defaults/facts"

// treeMemoKey is the Target.Memo key of the part of the facts read from
// the tree and the configuration alone (treeFacts).
const treeMemoKey = "checks/defaults/tree"

// Collect gathers the family's facts once per Target: every check of the
// family calls it and gets the same *Facts.
func Collect(ctx context.Context, t *checks.Target) (*Facts, error) {
	return checks.Memoized(t.Memo, MemoKey, func() (*Facts, error) { return collect(ctx, t) })
}

// WarmTree does ahead, on t, the family's work that reads only the tree
// and the configuration: the tree's files are read and scanned, their
// values judged with the known-credential rules, and the bcrypt hashes
// found are tested. Collect then finds it memoized and adds what the later
// pipeline stages give (the images' settings). A pipeline runs it while
// syft catalogues; it reads nothing else, so the facts are the same.
func WarmTree(ctx context.Context, t *checks.Target) error {
	_, err := collectTreeOnce(ctx, t)
	return err
}

// treeFacts are the facts read from the tree and the configuration:
// every field of Facts but the images and their settings, which the
// pipeline adds after the SBOM stage.
type treeFacts struct {
	facts *Facts
	// imagesAt is where in facts.Settings the images' settings go: after
	// the Dockerfiles', manifests' and compose files', before the
	// configuration files' (the order the settings are judged and their
	// bcrypt hashes tested in).
	imagesAt int
	// verdicts are the bcrypt hashes of the tree's settings tested ahead,
	// within the run's budget as if no image set any.
	verdicts hashVerdicts
}

func collectTreeOnce(ctx context.Context, t *checks.Target) (*treeFacts, error) {
	return checks.Memoized(t.Memo, treeMemoKey, func() (*treeFacts, error) { return collectTree(ctx, t) })
}

func collect(ctx context.Context, t *checks.Target) (*Facts, error) {
	tf, err := collectTreeOnce(ctx, t)
	if err != nil {
		return nil, err
	}
	f := *tf.facts
	f.Images = append([]checks.ImageConfig(nil), t.Images...)
	var images []Setting
	for _, img := range t.Images {
		images = append(images, imageSettings(img)...)
	}
	markKnownSecrets(images)
	f.Settings = slices.Concat(tf.facts.Settings[:tf.imagesAt], images, tf.facts.Settings[tf.imagesAt:])
	// The hashes are tested in the settings' order, the images' included,
	// so the budget is spent as it would be without the tests done ahead,
	// whose verdicts only save doing them again.
	f.UntestedHashes, _ = markDefaultHashes(f.Settings, tf.verdicts)
	return &f, nil
}

func collectTree(ctx context.Context, t *checks.Target) (*treeFacts, error) {
	f := &Facts{DevFiles: map[string]bool{}}
	configured := t.Config != nil && len(t.Config.Checks.Dockerfiles) > 0

	dfs, err := dockerfile.Files(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("read Dockerfiles: %w", err)
	}
	f.Dockerfiles = dfs
	for _, df := range dfs {
		// Files named in checks.dockerfiles ship, whatever their name.
		if !configured && checks.DevVariant(df.Path) {
			f.DevFiles[df.Path] = true
		}
		f.Settings = append(f.Settings, dockerfileSettings(df, !f.DevFiles[df.Path])...)
		f.BuildSecrets = append(f.BuildSecrets, dockerfileBuildSecrets(df, !f.DevFiles[df.Path])...)
	}

	mf, err := kube.Load(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("read Kubernetes manifests: %w", err)
	}
	kw, ks, ki := kubeWorkloads(mf)
	f.Workloads = append(f.Workloads, kw...)
	f.Settings = append(f.Settings, ks...)
	f.Deployed = append(f.Deployed, ki...)
	f.Sites = append(f.Sites, kubeVerifySites(mf)...)
	f.ControlPlanes = controlPlanes(mf)

	cw, cs, ci, cb, err := composeWorkloads(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("read compose files: %w", err)
	}
	f.Workloads = append(f.Workloads, cw...)
	f.Settings = append(f.Settings, cs...)
	f.Deployed = append(f.Deployed, ci...)
	f.BuildSecrets = append(f.BuildSecrets, cb...)

	markKnownSecrets(f.Settings)
	imagesAt := len(f.Settings)

	for _, e := range t.Files.List() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		isConfig := configFormat(e.Path) != ""
		lang := sourceLang(e.Path)
		verifyConfig := isVerifyConfigFile(e.Path)
		if !isConfig && lang == "" && !verifyConfig {
			continue
		}
		data, err := t.Files.Read(e.Path)
		if err != nil {
			// The FileIndex records the reason; the run goes on.
			continue
		}
		if isConfig {
			s, err := scanConfig(e.Path, data)
			if err != nil {
				f.Unassessed = append(f.Unassessed, parse.Issue{Path: e.Path, Message: err.Error()})
			}
			f.Settings = append(f.Settings, s...)
		}
		if lang != "" {
			f.Sites = append(f.Sites, scanSource(e.Path, data)...)
		}
		if verifyConfig {
			f.Sites = append(f.Sites, scanVerifyConfig(e.Path, data)...)
		}
	}
	// Test the hashes now, on a copy: which of them the budget reaches
	// is decided when the images' settings are in (collect).
	_, verdicts := markDefaultHashes(slices.Clone(f.Settings), nil)
	return &treeFacts{facts: f, imagesAt: imagesAt, verdicts: verdicts}, nil
}

// stageLabel names a stage in keys and messages: "final" for the final
// stage (stable when stages are renamed or added), else its name or index.
func stageLabel(s *dockerfile.Stage) string {
	switch {
	case s.Final:
		return "final"
	case s.Name != "":
		return s.Name
	}
	return "#" + strconv.Itoa(s.Index)
}

// shippedStages returns the indexes of the stages whose instructions end
// up in a shipped image: the product stages and every stage they are
// built FROM (an ENV in "base" ships when the final stage is FROM base).
func shippedStages(df *dockerfile.File) map[int]bool {
	out := map[int]bool{}
	for i := range df.Stages {
		if !df.Stages[i].Product {
			continue
		}
		cur := &df.Stages[i]
		for hops := 0; cur != nil && !out[cur.Index] && hops <= len(df.Stages); hops++ {
			out[cur.Index] = true
			if cur.From.Stage == "" {
				break
			}
			cur = stageByName(df, cur.From.Stage, cur.Index)
		}
	}
	return out
}

func dockerfileSettings(df *dockerfile.File, ships bool) []Setting {
	var out []Setting
	for _, a := range df.MetaArgs {
		if a.HasValue {
			out = append(out, Setting{Origin: OriginDockerfileArg, Path: df.Path, Line: a.Line, Key: a.Name, Value: a.Value, Raw: a.Raw, Scope: "global"})
		}
	}
	inImage := shippedStages(df)
	for i := range df.Stages {
		s := &df.Stages[i]
		scope := "stage:" + stageLabel(s)
		product := inImage[s.Index]
		for _, a := range s.Args {
			// An ARG NAME without a value that only takes a global default is
			// judged where the default is written.
			if a.HasValue && a.Raw != "" {
				out = append(out, Setting{Origin: OriginDockerfileArg, Path: df.Path, Line: a.Line, Key: a.Name, Value: a.Value, Raw: a.Raw, Scope: scope, Shipped: ships && product})
			}
		}
		for _, e := range s.Env {
			out = append(out, Setting{Origin: OriginDockerfileEnv, Path: df.Path, Line: e.Line, Key: e.Name, Value: e.Value, Raw: e.Raw, Scope: scope, Runtime: ships && product, Shipped: ships && product})
		}
	}
	return out
}

func kubeWorkloads(m *kube.Manifests) ([]Workload, []Setting, []DeployedImage) {
	var ws []Workload
	var ss []Setting
	var imgs []DeployedImage
	for _, w := range m.Workloads {
		objKey := w.Kind + "/" + w.Name
		pod := Workload{Source: "kubernetes", Pod: true, Path: w.Path, Line: w.Line, Name: w.Kind + " " + w.Name, Key: objKey}
		for _, ns := range []struct {
			field string
			b     kube.Bool
		}{{"hostNetwork", w.Pod.HostNetwork}, {"hostPID", w.Pod.HostPID}, {"hostIPC", w.Pod.HostIPC}} {
			if ns.b.True() {
				pod.HostNamespaces = append(pod.HostNamespaces, At{Field: ns.field, Value: "true", Line: ns.b.Line, Column: ns.b.Column})
			}
		}
		// A Docker socket volume is reported where a container mounts it
		// (the container that gets control of the daemon); a socket volume
		// no container mounts is reported at the volume.
		socketVolumes := map[string]kube.Volume{}
		for _, v := range w.Pod.Volumes {
			if isDockerSocket(v.HostPath) {
				socketVolumes[v.Name] = v
			}
		}
		mounted := map[string]bool{}
		for _, c := range w.Pod.Containers {
			for _, vm := range c.VolumeMounts {
				if _, ok := socketVolumes[vm.Name]; ok {
					mounted[vm.Name] = true
				}
			}
		}
		for _, v := range w.Pod.Volumes {
			if _, ok := socketVolumes[v.Name]; ok && !mounted[v.Name] {
				pod.DockerSocket = append(pod.DockerSocket, At{Field: "hostPath", Value: v.HostPath, Line: v.Line})
			}
		}
		if len(pod.HostNamespaces) > 0 || len(pod.DockerSocket) > 0 {
			ws = append(ws, pod)
		}
		psc := w.Pod.SecurityContext
		for _, c := range w.Pod.Containers {
			kind := "container"
			if c.Init {
				kind = "initContainer"
			}
			cw := Workload{Source: "kubernetes", Path: w.Path, Line: c.Line, Name: fmt.Sprintf("%s %s, %s %s", w.Kind, w.Name, kind, c.Name),
				Key: objKey + ":" + kind + ":" + c.Name}
			csc := c.SecurityContext
			pick := func(get func(*kube.SecurityContext) (bool, string, int, int), field string) *At {
				for _, sc := range []*kube.SecurityContext{csc, psc} {
					if sc == nil {
						continue
					}
					if set, val, line, col := get(sc); set {
						return &At{Field: field, Value: val, Line: line, Column: col}
					}
				}
				return nil
			}
			cw.RunAsUser = pick(func(sc *kube.SecurityContext) (bool, string, int, int) {
				return sc.RunAsUser.Set, strconv.FormatInt(sc.RunAsUser.Value, 10), sc.RunAsUser.Line, sc.RunAsUser.Column
			}, "runAsUser")
			cw.RunAsNonRoot = pick(func(sc *kube.SecurityContext) (bool, string, int, int) {
				return sc.RunAsNonRoot.Set, strconv.FormatBool(sc.RunAsNonRoot.Value), sc.RunAsNonRoot.Line, sc.RunAsNonRoot.Column
			}, "runAsNonRoot")
			if csc != nil {
				if csc.Privileged.Set {
					cw.Privileged = &At{Field: "privileged", Value: strconv.FormatBool(csc.Privileged.Value), Line: csc.Privileged.Line, Column: csc.Privileged.Column}
				}
				if csc.AllowPrivilegeEscalation.Set {
					b := csc.AllowPrivilegeEscalation
					cw.AllowPrivilegeEscalation = &At{Field: "allowPrivilegeEscalation", Value: strconv.FormatBool(b.Value), Line: b.Line, Column: b.Column}
				}
				for _, c := range csc.CapabilitiesAdd {
					cw.CapAdd = append(cw.CapAdd, At{Field: "capabilities.add", Value: c.Value, Line: c.Line, Column: c.Column})
				}
			}
			for _, vm := range c.VolumeMounts {
				if v, ok := socketVolumes[vm.Name]; ok {
					cw.DockerSocket = append(cw.DockerSocket, At{Field: "mountPath", Value: v.HostPath, Line: vm.Line, Column: vm.Column,
						Snippet: "- name: " + vm.Name + "  mountPath: " + vm.MountPath})
				}
			}
			ws = append(ws, cw)
			if c.Image.Value != "" {
				imgs = append(imgs, DeployedImage{Path: w.Path, Line: c.Image.Line, Column: c.Image.Column, Ref: c.Image.Value, Where: cw.Name, Key: cw.Key + ":image"})
			}
			for _, e := range c.Env {
				if e.ValueFrom || !e.HasValue {
					continue
				}
				ss = append(ss, Setting{Origin: OriginKubeEnv, Path: w.Path, Line: e.Line, Column: e.Column, Key: e.Name, Value: e.Value, Raw: e.Value,
					Scope: cw.Key, Where: cw.Name, Runtime: true, Shipped: true})
			}
		}
	}
	// Secrets and ConfigMaps committed with their values: a credential in
	// them ships with the manifests like one in an env entry.
	// A Secret's entries are credentials by declaration (base64 data
	// decoded); an entry that holds a whole configuration file
	// (application.properties: |) is read as that file.
	for _, d := range m.Data {
		for _, e := range d.Entries {
			scope := d.Kind + "/" + d.Name + ":" + e.Field
			s := Setting{Origin: OriginKubeData, Path: d.Path, Line: e.Line, Column: e.Column, Key: e.Key, Value: e.Value, Raw: e.Value,
				Scope: scope, Where: d.Kind + " " + d.Name, Runtime: true, Shipped: true}
			embedded := embeddedSettings(s)
			if len(embedded) > 0 {
				ss = append(ss, embedded...)
				continue
			}
			s.InSecret = d.Kind == "Secret"
			ss = append(ss, s)
		}
	}
	return ws, ss, imgs
}

// kubeVerifySites are the places manifests switch verification off: a
// container command (curl -k, sh -c "… --insecure …"), a kubeconfig
// cluster with insecure-skip-tls-verify, an APIService with
// insecureSkipTLSVerify.
func kubeVerifySites(m *kube.Manifests) []Site {
	var out []Site
	for _, w := range m.Workloads {
		for _, c := range w.Pod.Containers {
			argv := append(append([]string(nil), c.Command...), c.Args...)
			for _, h := range verifyOffInArgv(argv) {
				out = append(out, Site{Kind: SiteTLSVerifyOff, Path: w.Path, Line: c.Line, Key: w.Kind + "/" + w.Name + ":container:" + c.Name + ":" + h.key,
					Message: fmt.Sprintf("the command of %s %s, container %s: %s", w.Kind, w.Name, c.Name, h.msg), Snippet: maskLine(strings.Join(argv, " ")), Shipped: true})
			}
		}
	}
	for _, s := range m.TLSSkips {
		what := "the API server's certificate is not checked"
		subject := fmt.Sprintf("kubeconfig cluster %q", s.Where)
		if s.Kind == "APIService" {
			subject, what = "APIService "+s.Name, "the API server does not check the extension server's certificate"
		}
		out = append(out, Site{Kind: SiteTLSVerifyOff, Path: s.Path, Line: s.Line, Column: s.Column, Key: s.Kind + "/" + s.Name + ":" + s.Where + ":" + s.Field,
			Message: fmt.Sprintf("%s sets %s: true: %s", subject, s.Field, what), Snippet: s.Field + ": true", Shipped: true})
	}
	return out
}

// isDockerSocket reports whether a host path is the Docker daemon's socket
// (or the folder holding it).
func isDockerSocket(p string) bool {
	p = strings.TrimSuffix(strings.TrimSpace(p), "/")
	switch p {
	case "/var/run/docker.sock", "/run/docker.sock", "/var/run/docker", "/run/docker", "//var/run/docker.sock", `\\.\pipe\docker_engine`:
		return true
	}
	return false
}

func imageSettings(img checks.ImageConfig) []Setting {
	ref := imageRef(img)
	var out []Setting
	env := append([]string(nil), img.Env...)
	sort.Strings(env)
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		out = append(out, Setting{Origin: OriginImageEnv, Path: ref, Key: k, Value: v, Raw: v, Scope: "image", Runtime: true, Shipped: true})
	}
	return out
}

// imageRef names an image in findings.
func imageRef(img checks.ImageConfig) string {
	if img.Name != "" {
		return img.Name
	}
	return img.Source
}

// markKnownSecrets sets Rule on the settings whose literal value matches a
// known credential format of gitleaks' rules (placeholders, references and
// paths are never given to the rules). The rules are built only when a
// value is given to them.
func markKnownSecrets(ss []Setting) {
	rules := newSecretRules()
	for i := range ss {
		if classifyValue(ss[i].Raw, ss[i].Value) == notCredential {
			continue
		}
		ss[i].Rule = rules.knownRule(ss[i].Key, strings.TrimSpace(unquote(ss[i].Value)))
	}
}

// embeddedFormats map the extension of a ConfigMap or Secret key to the
// format of the file it holds.
var embeddedFormats = map[string]string{
	".yaml": formatYAML, ".yml": formatYAML, ".json": formatYAML,
	".properties": formatKV, ".conf": formatKV, ".ini": formatKV, ".cfg": formatKV, ".toml": formatKV, ".cnf": formatKV,
	".env": formatEnv,
}

// embeddedSettings reads a ConfigMap or Secret entry that holds a whole
// configuration file (a key with a file extension and a multi-line value)
// as that file: each of its keys is judged, at its own line of the
// manifest. It returns nil for a plain value.
func embeddedSettings(s Setting) []Setting {
	format := embeddedFormats[strings.ToLower(path.Ext(s.Key))]
	if format == "" || !strings.Contains(strings.TrimSpace(s.Value), "\n") {
		return nil
	}
	var inner []Setting
	var err error
	if format == formatYAML {
		inner, err = scanYAMLConfig(s.Key, []byte(s.Value))
	} else {
		inner, err = scanConfigFormat(s.Key, []byte(s.Value), format)
	}
	if err != nil {
		return nil
	}
	for i := range inner {
		in := &inner[i]
		// A block scalar starts on the line after its key.
		in.Line += s.Line
		in.Origin, in.Path, in.Scope, in.Where = OriginKubeData, s.Path, s.Scope+":"+s.Key, s.Where+", file "+s.Key
		in.Runtime, in.Shipped = true, true
	}
	return inner
}

// dockerfileBuildSecrets lists the credential-named ARGs of a Dockerfile
// and the ENVs that copy one into the image (BuildKit's
// SecretsUsedInArgOrEnv names the same problem): a value passed with
// --build-arg is kept in the image history and the build provenance.
func dockerfileBuildSecrets(df *dockerfile.File, ships bool) []BuildSecret {
	var out []BuildSecret
	for _, a := range df.MetaArgs {
		if isCredentialKey(a.Name) {
			out = append(out, BuildSecret{Kind: BuildArgDockerfile, Path: df.Path, Line: a.Line, Name: a.Name, Where: "the global scope (before the first FROM)", Key: "global:ARG:" + a.Name})
		}
	}
	inImage := shippedStages(df)
	for i := range df.Stages {
		s := &df.Stages[i]
		label := stageLabel(s)
		shipped := ships && inImage[s.Index]
		args := map[string]bool{}
		for _, a := range s.Args {
			args[a.Name] = true
			if isCredentialKey(a.Name) {
				out = append(out, BuildSecret{Kind: BuildArgDockerfile, Path: df.Path, Line: a.Line, Name: a.Name, Where: stageScopeWord("stage:" + label),
					Key: "stage:" + label + ":ARG:" + a.Name, Shipped: shipped})
			}
		}
		for _, e := range s.Env {
			for name := range args {
				if isCredentialKey(name) && (strings.Contains(e.Raw, "$"+name) || strings.Contains(e.Raw, "${"+name)) {
					out = append(out, BuildSecret{Kind: BuildArgToEnv, Path: df.Path, Line: e.Line, Name: e.Name, Where: stageScopeWord("stage:" + label),
						Key: "stage:" + label + ":ENV:" + e.Name, Shipped: shipped})
					break
				}
			}
		}
	}
	return out
}
