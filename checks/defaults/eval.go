package defaults

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse/dockerfile"
)

func fail(path string, line, col int, key, msg, snippet string) checks.Finding {
	return checks.Finding{Outcome: checks.Fail, Path: path, Line: line, Column: col, Key: key, Message: msg, Snippet: snippet}
}

// ---- CEM-DEF-001 container runs as root ----

func evalRootUser(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, df := range f.Dockerfiles {
		for i := range df.Stages {
			s := &df.Stages[i]
			if !s.Product || f.DevFiles[df.Path] {
				continue
			}
			label := stageLabel(s)
			key := "stage:" + label + ":user"
			u, from := effectiveUser(df, s)
			switch {
			case u == nil:
				if baseRunsNonRoot(from) {
					continue
				}
				out = append(out, fail(df.Path, s.From.Line, 0, key,
					fmt.Sprintf("the %s sets no USER: the container runs as root unless the base image %s sets another user", stageWord(s), baseName(from)),
					"FROM "+from.Raw))
			case u.Unresolved:
				out = append(out, checks.Finding{Outcome: checks.Warn, Severity: checks.SeverityLow, Path: df.Path, Line: u.Line, Key: key,
					Message: fmt.Sprintf("USER %s in the %s is set at build time; cemark cannot tell whether the container runs as root", u.Raw, stageWord(s)),
					Snippet: "USER " + u.Raw})
			case u.IsRoot():
				out = append(out, fail(df.Path, u.Line, 0, key,
					fmt.Sprintf("the %s sets USER %s: the container runs as root", stageWord(s), u.Value), "USER "+u.Raw))
			}
		}
	}
	for _, w := range f.Workloads {
		switch {
		case w.Source == "compose":
			if w.User != nil && isRootUser(w.User.Value) {
				out = append(out, fail(w.pathOf(w.User), w.User.Line, w.User.Column, w.Key+":user",
					fmt.Sprintf("%s runs as user %q: root", w.Name, w.User.Value), "user: "+w.User.Value))
			}
		case w.Source == "kubernetes" && !w.Pod:
			if w.RunAsUser != nil && w.RunAsUser.Value == "0" {
				out = append(out, fail(w.pathOf(w.RunAsUser), w.RunAsUser.Line, w.RunAsUser.Column, w.Key+":user",
					fmt.Sprintf("%s sets runAsUser: 0: it runs as root", w.Name), "runAsUser: 0"))
				continue
			}
			if w.RunAsUser != nil {
				if n, err := strconv.ParseInt(w.RunAsUser.Value, 10, 64); err == nil && n > 0 {
					continue
				}
			}
			if w.RunAsNonRoot != nil && w.RunAsNonRoot.Value == "true" {
				continue
			}
			out = append(out, fail(w.Path, w.Line, w.Column, w.Key+":user",
				fmt.Sprintf("%s sets neither runAsNonRoot: true nor a non-zero runAsUser (pod or container securityContext): it runs as the image's user, often root", w.Name), ""))
		}
	}
	for _, img := range f.Images {
		if img.User == "" || isRootUser(img.User) {
			who := "no user"
			if img.User != "" {
				who = "user " + strconv.Quote(img.User)
			}
			out = append(out, fail(imageRef(img), 0, 0, "image:user",
				fmt.Sprintf("the image configuration sets %s: containers of this image run as root", who), ""))
		}
	}
	return out
}

// stageWord names a shipped stage: "final stage", `product stage "debug"`.
func stageWord(s *dockerfile.Stage) string {
	if s.Final {
		return "final stage"
	}
	return "product stage " + strconv.Quote(stageLabel(s))
}

// effectiveUser follows FROM <earlier stage> until a stage sets USER, and
// returns that user (nil when none does) and the last FROM followed.
func effectiveUser(df *dockerfile.File, s *dockerfile.Stage) (*dockerfile.User, dockerfile.From) {
	cur := s
	for hops := 0; hops <= len(df.Stages); hops++ {
		if u := cur.User(); u != nil {
			return u, cur.From
		}
		if cur.From.Stage == "" {
			return nil, cur.From
		}
		next := stageByName(df, cur.From.Stage, cur.Index)
		if next == nil {
			return nil, cur.From
		}
		cur = next
	}
	return nil, cur.From
}

func stageByName(df *dockerfile.File, name string, before int) *dockerfile.Stage {
	for i := before - 1; i >= 0; i-- {
		if strings.EqualFold(df.Stages[i].Name, name) {
			return &df.Stages[i]
		}
	}
	return nil
}

// baseRunsNonRoot reports base images known to default to a non-root
// user: distroless and Chainguard ":nonroot" tags and "-nonroot" variants.
func baseRunsNonRoot(from dockerfile.From) bool {
	return strings.Contains(strings.ToLower(from.Tag), "nonroot") || strings.HasSuffix(strings.ToLower(from.Image), "-nonroot")
}

// baseName names a base image briefly (digests are long and say nothing
// to a reader).
func baseName(from dockerfile.From) string {
	switch {
	case from.Scratch:
		return "scratch"
	case from.Image == "":
		return from.Raw
	case from.Tag != "":
		return from.Image + ":" + from.Tag
	}
	return from.Image
}

// isRootUser reports whether user[:group] names root.
func isRootUser(v string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(v), ":")
	return name == "root" || name == "0"
}

// ---- CEM-DEF-002 privileged ----

func evalPrivileged(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, w := range f.Workloads {
		if w.Privileged != nil && w.Privileged.Value == "true" {
			out = append(out, fail(w.pathOf(w.Privileged), w.Privileged.Line, w.Privileged.Column, w.Key+":privileged",
				fmt.Sprintf("%s runs privileged: it has every capability and the host's devices", w.Name), "privileged: true"))
		}
	}
	return out
}

// ---- CEM-DEF-003 dangerous capabilities ----

var dangerousCaps = map[string]string{
	"ALL":        "every capability",
	"SYS_ADMIN":  "mount, namespaces and most of root's power",
	"NET_ADMIN":  "control of the network configuration",
	"SYS_MODULE": "loading kernel modules",
	"SYS_PTRACE": "tracing and injecting into other processes",
}

func evalCapabilities(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, w := range f.Workloads {
		for _, c := range w.CapAdd {
			name := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(c.Value)), "CAP_")
			what, ok := dangerousCaps[name]
			if !ok {
				continue
			}
			out = append(out, fail(w.pathOf(&c), c.Line, c.Column, w.Key+":cap:"+name,
				fmt.Sprintf("%s adds the capability %s (%s)", w.Name, name, what), c.Field+": "+c.Value))
		}
	}
	return out
}

// ---- CEM-DEF-004 host namespaces ----

func evalHostNamespaces(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, w := range f.Workloads {
		for _, ns := range w.HostNamespaces {
			out = append(out, fail(w.pathOf(&ns), ns.Line, ns.Column, w.Key+":"+ns.Field,
				fmt.Sprintf("%s shares the host's %s namespace (%s: %s)", w.Name, namespaceWord(ns.Field), ns.Field, ns.Value), ns.Field+": "+ns.Value))
		}
	}
	return out
}

func namespaceWord(field string) string {
	switch field {
	case "hostNetwork", "network_mode":
		return "network"
	case "hostPID", "pid":
		return "process"
	case "hostIPC", "ipc":
		return "IPC"
	case "userns_mode":
		return "user"
	}
	return field
}

// ---- CEM-DEF-005 Docker socket ----

func evalDockerSocket(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, w := range f.Workloads {
		for _, m := range w.DockerSocket {
			snippet := m.Field + ": " + m.Value
			if m.Snippet != "" {
				snippet = m.Snippet
			}
			out = append(out, fail(w.pathOf(&m), m.Line, m.Column, w.Key+":docker-socket",
				fmt.Sprintf("%s mounts the Docker socket %s: control of the Docker daemon is root on the host", w.Name, m.Value), snippet))
		}
	}
	return out
}

// ---- CEM-DEF-006 privilege escalation ----

func evalPrivilegeEscalation(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, w := range f.Workloads {
		if w.Source != "kubernetes" || w.Pod {
			continue
		}
		ape := w.AllowPrivilegeEscalation
		switch {
		case ape == nil:
			out = append(out, fail(w.Path, w.Line, w.Column, w.Key+":allowPrivilegeEscalation",
				fmt.Sprintf("%s does not set allowPrivilegeEscalation: false; Kubernetes allows privilege escalation by default", w.Name), ""))
		case ape.Value != "false":
			out = append(out, fail(w.pathOf(ape), ape.Line, ape.Column, w.Key+":allowPrivilegeEscalation",
				fmt.Sprintf("%s sets allowPrivilegeEscalation: %s", w.Name, ape.Value), "allowPrivilegeEscalation: "+ape.Value))
		}
	}
	return out
}

// ---- CEM-DEF-007 / CEM-DEF-008 credentials ----

// credential judges a setting: its kind and whether the credential sits in
// a URL's user info rather than in a credential-named key.
func credential(s Setting) (credentialKind, bool) {
	if s.Rule != "" {
		return literalCredential, false
	}
	if isCredentialKey(s.Key) || s.InSecret && !publicSecretKey(s.Key) {
		if k := classifyValue(s.Raw, s.Value); k != notCredential {
			return k, false
		}
	}
	if pw, ok := urlPassword(s.Value); ok {
		if k := classifyValue(pw, pw); k != notCredential {
			return k, true
		}
	}
	return notCredential, false
}

func evalCredential(f *Facts) []checks.Finding {
	out := evalCredentials(f, literalCredential)
	// A configuration file that could not be parsed was not assessed:
	// say so for that file rather than pass silently.
	for _, is := range f.Unassessed {
		out = append(out, checks.Finding{Outcome: checks.Warn, Severity: checks.SeverityLow, Path: is.Path, Line: is.Line, Key: "unassessed",
			Message: "configuration file not assessed for hard-coded credentials: " + is.Message})
	}
	return out
}

func evalDefaultPassword(f *Facts) []checks.Finding {
	out := evalCredentials(f, defaultPassword)
	for _, s := range f.Settings {
		h := s.DefaultHash
		if h == nil {
			continue
		}
		// The hash is shown by its algorithm and cost only; the password is
		// the public default of the family's list, not the product's secret.
		// No colon after the password: the runner's masking would take it
		// for "password: value" and hide the fix.
		msg := fmt.Sprintf("%s holds a bcrypt hash (%s…) of the well-known default password %q, the same login in every installation;"+
			" remove the entry, or replace it with the hash of a password each installation sets", settingSubject(s), h.Prefix, h.Password)
		fd := checks.Finding{Outcome: checks.Fail, Path: s.Path, Line: s.Line, Column: s.Column, Key: settingKey(s) + ":bcrypt", Message: msg, Snippet: settingSnippet(s)}
		lowerUnshipped(&fd, s)
		out = append(out, fd)
	}
	if un := f.UntestedHashes; un.OverCost+un.OverLimit > 0 {
		var why []string
		if un.OverCost > 0 {
			why = append(why, fmt.Sprintf("%d of a cost above %d", un.OverCost, maxBcryptCost))
		}
		if un.OverLimit > 0 {
			why = append(why, fmt.Sprintf("%d beyond a run's budget of %d comparisons at cost 10", un.OverLimit, bcryptBudgetCost10))
		}
		what := fmt.Sprintf("%d bcrypt hashes (the first here)", un.OverCost+un.OverLimit)
		if un.OverCost+un.OverLimit == 1 {
			what = "a bcrypt hash"
		}
		out = append(out, checks.Finding{Outcome: checks.Info, Severity: checks.SeverityInfo, Path: un.Path, Line: un.Line, Key: "bcrypt:untested",
			Message: fmt.Sprintf("%s not assessed against default passwords: %s", what, strings.Join(why, ", "))})
	}
	return out
}

func evalCredentials(f *Facts, want credentialKind) []checks.Finding {
	var out []checks.Finding
	for _, s := range f.Settings {
		kind, inURL := credential(s)
		if kind != want || want == literalCredential && s.DefaultHash != nil {
			// A hash of a default password is reported as such (CEM-DEF-008).
			continue
		}
		what := "a hard-coded credential"
		if want == defaultPassword {
			what = "a well-known default password"
		}
		if inURL {
			what += " in a URL"
		}
		if s.Rule != "" {
			what += " in a known format (gitleaks rule " + s.Rule + ")"
		}
		msg := fmt.Sprintf("%s holds %s (value not shown)", settingSubject(s), what)
		fd := checks.Finding{Outcome: checks.Fail, Path: s.Path, Line: s.Line, Column: s.Column, Key: settingKey(s), Message: msg, Snippet: settingSnippet(s)}
		if s.Rule != "" {
			fd.Values = map[string]string{"rule": s.Rule}
		}
		lowerUnshipped(&fd, s)
		out = append(out, fd)
	}
	return out
}

// lowerUnshipped makes a credential finding a warning when the setting does
// not reach what ships.
func lowerUnshipped(fd *checks.Finding, s Setting) {
	if !s.Shipped {
		fd.Outcome, fd.Severity = checks.Warn, checks.SeverityLow
		fd.Message += "; it does not ship in the image, but the value is in the repository and the build cache"
	}
}

// settingSubject names a setting for messages: "ENV DB_PASSWORD in the
// final stage", "environment variable DEBUG of compose service app".
func settingSubject(s Setting) string {
	switch s.Origin {
	// Never start with "ENV KEY …": that reads as a Dockerfile line and the
	// runner's masking would hide the rest of the message.
	case OriginDockerfileEnv:
		return "the ENV " + s.Key + " of the " + stageScopeWord(s.Scope)
	case OriginDockerfileArg:
		if s.Scope == "global" {
			return "the ARG " + s.Key + " before the first FROM"
		}
		return "the ARG " + s.Key + " of the " + stageScopeWord(s.Scope)
	case OriginComposeEnv:
		return "the environment variable " + s.Key + " of compose " + s.Where
	case OriginComposeArg:
		return "the build argument " + s.Key + " of compose " + s.Where
	case OriginKubeEnv:
		return "the env variable " + s.Key + " of " + s.Where
	case OriginKubeData:
		return "the key " + s.Key + " of " + s.Where
	case OriginImageEnv:
		return "the image's environment variable " + s.Key
	}
	return "the setting " + s.Key
}

func stageScopeWord(scope string) string {
	l := strings.TrimPrefix(scope, "stage:")
	if l == "final" {
		return "final stage"
	}
	return "stage " + strconv.Quote(l)
}

// settingKey is the stable identity of a setting finding.
func settingKey(s Setting) string {
	switch s.Origin {
	case OriginDockerfileEnv:
		return s.Scope + ":ENV:" + s.Key
	case OriginDockerfileArg:
		return s.Scope + ":ARG:" + s.Key
	case OriginComposeEnv, OriginKubeEnv:
		return s.Scope + ":env:" + s.Key
	case OriginComposeArg:
		return s.Scope + ":build-arg:" + s.Key
	case OriginKubeData:
		return s.Scope + ":" + s.Key
	case OriginImageEnv:
		return "image:env:" + s.Key
	}
	return s.Key
}

// settingSnippet shows the setting with its value masked.
func settingSnippet(s Setting) string {
	switch s.Origin {
	case OriginDockerfileEnv:
		return maskedSnippet("ENV ", s.Key, "=")
	case OriginDockerfileArg:
		return maskedSnippet("ARG ", s.Key, "=")
	case OriginComposeEnv, OriginComposeArg:
		return maskedSnippet("", s.Key, ": ")
	case OriginKubeEnv:
		return "- name: " + s.Key + "  value: " + mask
	case OriginKubeData:
		return maskedSnippet("", s.Key, ": ")
	case OriginImageEnv:
		return maskedSnippet("", s.Key, "=")
	}
	return maskedSnippet("", s.Key, " = ")
}

// ---- CEM-DEF-009 TLS verification off ----

func evalTLSVerifyOff(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, s := range f.Sites {
		if s.Kind != SiteTLSVerifyOff {
			continue
		}
		fd := fail(s.Path, s.Line, s.Column, s.Key, s.Message, s.Snippet)
		if s.Conditional {
			fd.Outcome, fd.Severity = checks.Warn, checks.SeverityMedium
		}
		out = append(out, fd)
	}
	for _, df := range f.Dockerfiles {
		for i := range df.Stages {
			st := &df.Stages[i]
			for _, r := range st.Run {
				for _, h := range verifyOffInShell(r.Command) {
					out = append(out, fail(df.Path, r.Line, 0, "stage:"+stageLabel(st)+":RUN:"+h.key,
						h.msg+" (RUN in the "+stageScopeWord("stage:"+stageLabel(st))+")", runSnippet(r.Command)))
				}
			}
		}
	}
	for _, s := range f.Settings {
		key := strings.ToUpper(s.Key)
		val := strings.ToLower(strings.TrimSpace(unquote(s.Value)))
		// Environment settings, and .env files, which hold the same; keys
		// of other configuration files are not environment variables.
		envLike := s.Origin != OriginConfigFile || configFormat(s.Path) == formatEnv
		if h, ok := verifyOffEnvValue(s.Key, s.Value); ok && envLike {
			out = append(out, fail(s.Path, s.Line, s.Column, settingKey(s),
				fmt.Sprintf("%s=%s %s (%s)", s.Key, maskLine(strings.TrimSpace(unquote(s.Value))), h.msg, settingSubject(s)), maskedSnippetValue(s)))
			continue
		}
		if (strings.HasSuffix(key, "SSLMODE") && val == "disable") || reSSLModeDisable.MatchString(s.Value) {
			out = append(out, fail(s.Path, s.Line, s.Column, settingKey(s)+":sslmode",
				fmt.Sprintf("%s turns database TLS off (sslmode=disable)", settingSubject(s)), settingSnippet(s)))
		}
	}
	return out
}

// maskedSnippetValue shows a non-secret flag setting with its value.
func maskedSnippetValue(s Setting) string {
	return strings.Replace(settingSnippet(s), mask, strings.TrimSpace(s.Value), 1)
}

func runSnippet(cmd string) string {
	first, _, _ := strings.Cut(cmd, "\n")
	return "RUN " + maskLine(strings.TrimSpace(first))
}

// ---- CEM-DEF-010 debug mode ----

func debugSetting(key, val string) bool {
	key = strings.ToUpper(key)
	val = strings.ToLower(strings.TrimSpace(unquote(val)))
	switch {
	case key == "DEBUG" || strings.HasSuffix(key, "_DEBUG") && !strings.HasSuffix(key, "LOG_DEBUG"):
		return val == "true" || val == "1" || val == "yes" || val == "on"
	case key == "GIN_MODE":
		return val == "debug"
	case key == "NODE_ENV" || key == "FLASK_ENV" || key == "RAILS_ENV" || key == "APP_ENV" || key == "ASPNETCORE_ENVIRONMENT":
		return val == "development" || val == "dev"
	}
	return false
}

func evalDebugMode(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, s := range f.Sites {
		if s.Kind == SiteDebug {
			out = append(out, fail(s.Path, s.Line, s.Column, s.Key, s.Message, s.Snippet))
		}
	}
	for _, s := range f.Settings {
		if !s.Runtime || !debugSetting(s.Key, s.Value) {
			continue
		}
		out = append(out, fail(s.Path, s.Line, s.Column, settingKey(s),
			fmt.Sprintf("%s=%s switches debug/development mode on in what ships (%s)", s.Key, strings.TrimSpace(unquote(s.Value)), settingSubject(s)), maskedSnippetValue(s)))
	}
	return out
}

// ---- CEM-DEF-011 remote code at build ----

func evalRemoteCode(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, df := range f.Dockerfiles {
		for i := range df.Stages {
			st := &df.Stages[i]
			label := stageLabel(st)
			for _, r := range st.Run {
				if k, ok := pipesToShell(r.Command); ok {
					out = append(out, fail(df.Path, r.Line, 0, "stage:"+label+":RUN:"+k,
						fmt.Sprintf("RUN in the %s pipes a download into %s without checking it", stageScopeWord("stage:"+label), strings.SplitN(k, "|", 2)[1]), runSnippet(r.Command)))
				}
			}
			for _, c := range st.Copies {
				if c.Keyword != "ADD" || c.Checksum != "" || len(c.URLs) == 0 {
					continue
				}
				for _, u := range c.URLs {
					out = append(out, fail(df.Path, c.Line, 0, "stage:"+label+":ADD:"+maskLine(u),
						fmt.Sprintf("ADD in the %s fetches %s without --checksum", stageScopeWord("stage:"+label), maskLine(u)), "ADD "+maskLine(u)))
				}
			}
		}
	}
	return out
}

// ---- CEM-DEF-012 unpinned base image ----

func evalUnpinnedBase(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, df := range f.Dockerfiles {
		for i := range df.Stages {
			st := &df.Stages[i]
			fr := st.From
			if fr.Scratch || fr.Stage != "" {
				continue
			}
			key := "stage:" + stageLabel(st) + ":from"
			where := stageScopeWord("stage:" + stageLabel(st))
			snip := "FROM " + fr.Raw
			switch {
			case fr.Unresolved:
				out = append(out, checks.Finding{Outcome: checks.Warn, Severity: checks.SeverityLow, Path: df.Path, Line: fr.Line, Key: key, Snippet: snip,
					Message: fmt.Sprintf("the base image of the %s (%s) comes from a build argument without a default; cemark cannot tell whether it is pinned", where, fr.Raw)})
			case fr.Digest != "":
			case fr.Tag == "" || movingTag(fr.Tag):
				tag := "no tag (latest)"
				if fr.Tag != "" {
					tag = movingTagWords(fr.Tag)
				}
				out = append(out, fail(df.Path, fr.Line, 0, key,
					fmt.Sprintf("the base image %s of the %s has %s: it changes without notice; pin a version and a digest", fr.Image, where, tag), snip))
			default:
				out = append(out, checks.Finding{Outcome: checks.Info, Severity: checks.SeverityInfo, Path: df.Path, Line: fr.Line, Key: key, Snippet: snip,
					Message: fmt.Sprintf("the base image %s:%s of the %s is pinned by tag, not by digest; a tag can be moved, pinning by digest is best", fr.Image, fr.Tag, where)})
			}
		}
	}
	return out
}

// movingTag reports whether an image tag names "whatever is newest"
// rather than a version: latest, and a variant's latest (postgresql-latest,
// alpine_latest). Other channel names (stable, edge, nightly, main) are
// conventions of some projects only; they stay tags, whose finding says a
// tag can move.
func movingTag(tag string) bool {
	t := strings.ToLower(tag)
	return t == "latest" || strings.HasSuffix(t, "-latest") || strings.HasSuffix(t, "_latest")
}

// movingTagWords names a moving tag in a message.
func movingTagWords(tag string) string {
	if tag == "latest" {
		return "the tag latest"
	}
	return "the moving tag " + tag + " (a latest)"
}

// ---- CEM-DEF-013 deployed image not pinned ----

func evalUnpinnedImage(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, d := range f.Deployed {
		ref := strings.TrimSpace(d.Ref)
		if ref == "" || strings.ContainsAny(ref, "${}") || strings.HasSuffix(ref, ":") || strings.HasSuffix(ref, "@") {
			// Set at deploy time (image: app:${VERSION}): the operator pins it.
			continue
		}
		image, tag, digest := dockerfile.SplitImage(ref)
		snip := "image: " + ref
		switch {
		case digest != "":
		case tag == "" || movingTag(tag):
			what := "no tag (latest)"
			if tag != "" {
				what = movingTagWords(tag)
			}
			out = append(out, fail(d.Path, d.Line, d.Column, d.Key,
				fmt.Sprintf("%s runs the image %s with %s: each pull can run different code; pin a version and a digest", d.Where, image, what), snip))
		default:
			out = append(out, checks.Finding{Outcome: checks.Info, Severity: checks.SeverityInfo, Path: d.Path, Line: d.Line, Column: d.Column, Key: d.Key, Snippet: snip,
				Message: fmt.Sprintf("%s runs %s:%s, pinned by tag, not by digest; a tag can be moved, pinning by digest is best", d.Where, image, tag)})
		}
	}
	return out
}

// ---- CEM-DEF-014 secret passed as a build argument ----

func evalBuildSecret(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, b := range f.BuildSecrets {
		var msg, snip string
		switch b.Kind {
		case BuildArgToEnv:
			msg = fmt.Sprintf("the ENV %s of the %s copies a credential-named build argument into the image's environment: every container and every copy of the image carries it", b.Name, b.Where)
			snip = "ENV " + b.Name + "=$…"
		case BuildArgCompose:
			msg = fmt.Sprintf("the build argument %s of %s passes a credential to the build: its value is kept in the image history and the build provenance", b.Name, b.Where)
			snip = "args: " + b.Name
		default:
			msg = fmt.Sprintf("the ARG %s of %s takes a credential as a build argument: a value given with --build-arg is kept in the image history and the build provenance", b.Name, b.Where)
			snip = "ARG " + b.Name
		}
		fd := fail(b.Path, b.Line, b.Column, b.Key, msg, snip)
		switch {
		case b.Shipped:
		case strings.HasPrefix(b.Key, "global:"):
			fd.Outcome, fd.Severity = checks.Warn, checks.SeverityLow
			fd.Message += "; before the first FROM it reaches only FROM lines, but the value stays in the build provenance"
		default:
			fd.Outcome, fd.Severity = checks.Warn, checks.SeverityLow
			fd.Message += "; the stage does not ship, but the value stays in the build cache and provenance"
		}
		out = append(out, fd)
	}
	return out
}
