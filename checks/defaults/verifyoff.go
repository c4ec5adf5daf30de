package defaults

import (
	"path"
	"regexp"
	"strings"
)

// Verification switched off: the settings, command-line options and
// configuration-file lines by which build tools, package managers and
// runtimes stop checking TLS certificates or package signatures. Each
// family of tools is one table row, written from the tool's documentation;
// the same rule is found wherever it is written — Dockerfile ENV/ARG/RUN,
// compose and Kubernetes env, container commands, shell scripts and the
// tools' own configuration files.

// verifyHit is one place where verification is switched off.
type verifyHit struct {
	key string // stable identity, e.g. "curl:insecure"
	msg string // what it does, for a person
}

const (
	certNotChecked = "the server's certificate is not checked"
	sigNotChecked  = "package signatures are not checked"
)

// envRule turns verification off through an environment variable.
type envRule struct {
	off func(value string) bool
	msg string
}

func valueIn(vals ...string) func(string) bool {
	return func(v string) bool {
		for _, x := range vals {
			if v == x {
				return true
			}
		}
		return false
	}
}

func anyValue(v string) bool { return true }
func nonEmpty(v string) bool { return v != "" }

var falsy = valueIn("false", "0", "no", "off")
var truthy = valueIn("true", "1", "yes", "on")

// verifyOffEnv are the environment variables that switch verification
// off, by upper-case name, with the values that do.
var verifyOffEnv = map[string]envRule{
	"NODE_TLS_REJECT_UNAUTHORIZED":      {valueIn("0"), "turns certificate verification off for the whole Node.js process"},
	"PYTHONHTTPSVERIFY":                 {valueIn("0"), "turns certificate verification off for Python's HTTPS clients"},
	"GIT_SSL_NO_VERIFY":                 {anyValue, "makes git skip certificate verification (whatever the value: git only tests that it is set)"},
	"NPM_CONFIG_STRICT_SSL":             {falsy, "turns npm's certificate verification off (strict-ssl=false)"},
	"YARN_STRICT_SSL":                   {falsy, "turns yarn's certificate verification off (strict-ssl=false)"},
	"YARN_ENABLE_STRICT_SSL":            {falsy, "turns yarn's certificate verification off (enableStrictSsl: false)"},
	"PIP_TRUSTED_HOST":                  {nonEmpty, "makes pip trust these hosts without a valid certificate (--trusted-host)"},
	"UV_INSECURE_HOST":                  {nonEmpty, "makes uv trust these hosts without a valid certificate (--allow-insecure-host)"},
	"GOINSECURE":                        {nonEmpty, "makes the go command fetch these modules without certificate checks (GOINSECURE)"},
	"CONDA_SSL_VERIFY":                  {falsy, "turns conda's certificate verification off (ssl_verify: false)"},
	"HELM_KUBEINSECURE_SKIP_TLS_VERIFY": {truthy, "makes helm skip the Kubernetes API server's certificate check"},
}

// verifyOffEnvValue judges one environment variable; name is matched
// case-insensitively (npm reads npm_config_strict_ssl too).
func verifyOffEnvValue(name, value string) (verifyHit, bool) {
	key := strings.ToUpper(strings.TrimSpace(name))
	val := strings.ToLower(strings.TrimSpace(unquote(strings.TrimSpace(value))))
	if r, ok := verifyOffEnv[key]; ok && r.off(val) {
		return verifyHit{key: "env:" + key, msg: r.msg}, true
	}
	if key == "GOFLAGS" && containsWord(val, "-insecure") {
		return verifyHit{key: "env:GOFLAGS", msg: "makes the go command fetch modules over insecure connections (-insecure)"}, true
	}
	for _, p := range jvmInsecure {
		if strings.Contains(val, p) {
			return verifyHit{key: "env:" + key, msg: "makes Maven accept any certificate (" + p + ")"}, true
		}
	}
	return verifyHit{}, false
}

// jvmInsecure are Maven's switches that accept any certificate, as JVM
// properties on a command line or in MAVEN_OPTS.
var jvmInsecure = []string{"-dmaven.wagon.http.ssl.insecure=true", "-dmaven.wagon.http.ssl.allowall=true", "-dmaven.resolver.transport.http.insecure=true"}

func containsWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w || strings.HasPrefix(f, w+"=") {
			return true
		}
	}
	return false
}

// verifyOffInShell finds every place a shell text switches verification
// off: variables set before a command or exported, and the options of
// curl, wget, git, npm/yarn/pnpm, pip/uv, yum/dnf, apk, apt, go,
// kubectl/helm/oc, podman/skopeo/buildah, conda, composer and Maven.
func verifyOffInShell(src string) []lineHit {
	var out []lineHit
	for _, c := range shellCalls(src) {
		for _, a := range c.Assigns {
			if h, ok := verifyOffEnvValue(a.Name, a.Value); ok {
				h.msg = a.Name + "=" + maskLine(a.Value) + " " + h.msg
				out = append(out, lineHit{c.Line, h})
			}
		}
		for _, h := range verifyOffInCall(c.Args) {
			out = append(out, lineHit{c.Line, h})
		}
	}
	return out
}

type lineHit struct {
	line int
	verifyHit
}

// verifyOffInArgv judges a command given as a list of words (a container's
// command and args): the program's options, and the script of sh -c.
func verifyOffInArgv(argv []string) []verifyHit {
	var out []verifyHit
	for _, c := range unwrapCall(shellCall{Line: 1, Args: argv}, 0) {
		for _, a := range c.Assigns {
			if h, ok := verifyOffEnvValue(a.Name, a.Value); ok {
				h.msg = a.Name + "=" + maskLine(a.Value) + " " + h.msg
				out = append(out, h)
			}
		}
		out = append(out, verifyOffInCall(c.Args)...)
	}
	return out
}

// verifyOffInCall judges one command's words.
func verifyOffInCall(args []string) []verifyHit {
	if len(args) == 0 {
		return nil
	}
	prog := strings.ToLower(path.Base(args[0]))
	rest := args[1:]
	if prog == "python" || strings.HasPrefix(prog, "python3") || prog == "python2" {
		// python -m pip …
		if len(rest) >= 2 && rest[0] == "-m" && strings.HasPrefix(rest[1], "pip") {
			prog, rest = "pip", rest[2:]
		}
	}
	var out []verifyHit
	add := func(key, msg string) { out = append(out, verifyHit{key, msg}) }
	has := func(flags ...string) bool {
		for _, w := range rest {
			for _, f := range flags {
				if w == f || strings.HasPrefix(w, f+"=") && !falsy(strings.ToLower(strings.TrimPrefix(w, f+"="))) {
					return true
				}
			}
		}
		return false
	}
	lower := make([]string, len(rest))
	for i, w := range rest {
		lower[i] = strings.ToLower(w)
	}
	switch {
	case prog == "curl":
		for _, w := range rest {
			if w == "--insecure" || w == "--proxy-insecure" || shortFlag(w, 'k') {
				add("curl:insecure", "curl downloads with -k/--insecure: "+certNotChecked)
				break
			}
		}
	case prog == "wget":
		if has("--no-check-certificate") {
			add("wget:no-check-certificate", "wget downloads with --no-check-certificate: "+certNotChecked)
		}
	case prog == "git":
		for i, w := range lower {
			if w == "-c" && i+1 < len(lower) && gitSSLVerifyOff(lower[i+1]) || strings.HasPrefix(w, "-chttp") && gitSSLVerifyOff(w[2:]) {
				add("git:http.sslVerify", "git runs with http.sslVerify=false: "+certNotChecked)
			}
			if w == "config" {
				if k, v := configKV(lower[i+1:]); strings.HasPrefix(k, "http.") && strings.HasSuffix(k, ".sslverify") && falsy(v) {
					add("git:http.sslVerify", "git config sets http.sslVerify false: "+certNotChecked)
				}
			}
		}
	case prog == "npm" || prog == "yarn" || prog == "pnpm" || prog == "npx":
		if k, v := configSetKV(lower); (k == "strict-ssl" || k == "enablestrictssl") && falsy(v) {
			add(prog+":strict-ssl", prog+" config sets "+k+" false: "+certNotChecked)
		}
		for i, w := range lower {
			if w == "--strict-ssl=false" || w == "--no-strict-ssl" || w == "--strict-ssl" && i+1 < len(lower) && falsy(lower[i+1]) {
				add(prog+":strict-ssl", prog+" runs with --strict-ssl=false: "+certNotChecked)
			}
		}
	case strings.HasPrefix(prog, "pip"):
		if has("--trusted-host") {
			add("pip:trusted-host", "pip installs with --trusted-host: that host's certificate is not checked")
		}
		if k, _ := configSetKV(lower); strings.HasSuffix(k, ".trusted-host") {
			add("pip:trusted-host", "pip config sets trusted-host: that host's certificate is not checked")
		}
	case prog == "uv":
		if has("--allow-insecure-host", "--trusted-host") {
			add("uv:allow-insecure-host", "uv runs with --allow-insecure-host: that host's certificate is not checked")
		}
	case prog == "yum" || prog == "dnf" || prog == "microdnf" || prog == "tdnf" || prog == "dnf5":
		for i, w := range lower {
			opt := ""
			switch {
			case strings.HasPrefix(w, "--setopt="):
				opt = strings.TrimPrefix(w, "--setopt=")
			case w == "--setopt" && i+1 < len(lower):
				opt = lower[i+1]
			}
			if k, v, ok := strings.Cut(opt, "="); ok && (k == "sslverify" || strings.HasSuffix(k, ".sslverify")) && falsy(v) {
				add(prog+":sslverify", prog+" runs with sslverify=false: "+certNotChecked)
			}
		}
		if has("--nogpgcheck", "--no-gpgchecks") {
			add(prog+":nogpgcheck", prog+" installs with --nogpgcheck: "+sigNotChecked)
		}
	case prog == "apk":
		if has("--allow-untrusted") {
			add("apk:allow-untrusted", "apk installs with --allow-untrusted: "+sigNotChecked)
		}
	case prog == "apt" || prog == "apt-get" || prog == "aptitude":
		if has("--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes") {
			add("apt:allow-unauthenticated", prog+" installs from unauthenticated or insecure repositories: "+sigNotChecked)
		}
		for i, w := range lower {
			if (w == "-o" || w == "--option") && i+1 < len(lower) && aptOptionOff(lower[i+1]) || strings.HasPrefix(w, "-o") && aptOptionOff(w[2:]) {
				add("apt:option", prog+" runs with "+rest[min(i+1, len(rest)-1)]+": verification is off")
			}
		}
	case prog == "go":
		if len(lower) > 0 && lower[0] == "get" && has("-insecure") {
			add("go:insecure", "go get -insecure fetches modules over insecure connections")
		}
	case prog == "kubectl" || prog == "helm" || prog == "oc":
		if has("--insecure-skip-tls-verify") {
			add(prog+":insecure-skip-tls-verify", prog+" runs with --insecure-skip-tls-verify: the API server's certificate is not checked")
		}
	case prog == "podman" || prog == "skopeo" || prog == "buildah":
		for _, w := range lower {
			if k, v, ok := strings.Cut(w, "="); ok && (k == "--tls-verify" || k == "--src-tls-verify" || k == "--dest-tls-verify") && falsy(v) {
				add(prog+":tls-verify", prog+" runs with "+k+"=false: the registry's certificate is not checked")
				break
			}
		}
	case prog == "conda" || prog == "mamba" || prog == "micromamba":
		for i, w := range lower {
			if w == "--set" && i+2 < len(lower) && lower[i+1] == "ssl_verify" && falsy(lower[i+2]) {
				add(prog+":ssl_verify", prog+" config sets ssl_verify false: "+certNotChecked)
			}
		}
		if has("--insecure") || hasShort(rest, 'k') {
			add(prog+":insecure", prog+" runs with --insecure: "+certNotChecked)
		}
	case prog == "composer":
		if k, v := configKV(afterWord(lower, "config")); k == "disable-tls" && truthy(v) || k == "secure-http" && falsy(v) {
			add("composer:"+k, "composer config sets "+k+": packages are fetched without TLS")
		}
	}
	for i, w := range lower {
		for _, p := range jvmInsecure {
			if w == p {
				add("maven:ssl-insecure", "Maven runs with "+rest[i]+": any certificate is accepted")
			}
		}
	}
	// A configuration line written by echo/printf (echo "sslverify=0" >> /etc/yum.conf).
	if prog == "echo" || prog == "printf" {
		for _, line := range strings.Split(strings.Join(rest, " "), "\\n") {
			if h, ok := verifyOffConfigLine("", strings.TrimSpace(line)); ok {
				out = append(out, h)
			}
		}
	}
	return out
}

// shortFlag reports whether w is a cluster of short options holding c
// (curl -fsSkL).
func shortFlag(w string, c rune) bool {
	if len(w) < 2 || w[0] != '-' || w[1] == '-' {
		return false
	}
	for _, r := range w[1:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return strings.ContainsRune(w[1:], c)
}

func hasShort(words []string, c rune) bool {
	for _, w := range words {
		if shortFlag(w, c) {
			return true
		}
	}
	return false
}

func gitSSLVerifyOff(kv string) bool {
	k, v, ok := strings.Cut(kv, "=")
	return ok && strings.HasPrefix(k, "http.") && strings.HasSuffix(k, ".sslverify") && falsy(v)
}

// configKV reads "[--global|--system|--file F] key value" (git config,
// composer config) or "key=value".
func configKV(words []string) (string, string) {
	var rest []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "--file" || w == "-f" {
			i++
			continue
		}
		if strings.HasPrefix(w, "-") {
			continue
		}
		rest = append(rest, w)
	}
	switch {
	case len(rest) >= 2:
		return rest[0], rest[1]
	case len(rest) == 1:
		if k, v, ok := strings.Cut(rest[0], "="); ok {
			return k, v
		}
	}
	return "", ""
}

// configSetKV reads "config set KEY VALUE" and "config set KEY=VALUE"
// (npm, yarn, pnpm, pip).
func configSetKV(words []string) (string, string) {
	for i := 0; i+1 < len(words); i++ {
		if words[i] == "config" && words[i+1] == "set" {
			return configKV(words[i+2:])
		}
	}
	return "", ""
}

func afterWord(words []string, w string) []string {
	for i, x := range words {
		if x == w {
			return words[i+1:]
		}
	}
	return nil
}

// aptOptionOff reports an apt -o option that switches verification off.
func aptOptionOff(opt string) bool {
	k, v, ok := strings.Cut(opt, "=")
	if !ok {
		return false
	}
	v = strings.Trim(v, `"'`)
	switch {
	case strings.HasSuffix(k, "::verify-peer") || strings.HasSuffix(k, "::verify-host"):
		return falsy(v)
	case strings.HasSuffix(k, "::allowinsecurerepositories") || strings.HasSuffix(k, "::allowunauthenticated") || strings.HasSuffix(k, "::allowdowngradetoinsecurerepositories"):
		return truthy(v)
	}
	return false
}

// configRule is a line of a tool's own configuration file that switches
// verification off.
type configRule struct {
	files func(rel string) bool
	line  *regexp.Regexp
	key   string
	msg   string
}

func baseIn(names ...string) func(string) bool {
	return func(rel string) bool {
		b := strings.ToLower(path.Base(rel))
		for _, n := range names {
			if b == n {
				return true
			}
		}
		return false
	}
}

func yumConfig(rel string) bool {
	b := strings.ToLower(path.Base(rel))
	return b == "yum.conf" || b == "dnf.conf" || strings.HasSuffix(b, ".repo")
}

func aptConfig(rel string) bool {
	return path.Base(rel) == "apt.conf" || strings.Contains(rel, "apt.conf.d/")
}

func aptSources(rel string) bool {
	return path.Base(rel) == "sources.list" || strings.Contains(rel, "sources.list.d/") && strings.HasSuffix(rel, ".list")
}

var verifyOffConfig = []configRule{
	{baseIn(".npmrc", "npmrc"), regexp.MustCompile(`^strict-ssl\s*=\s*(?:false|0)\b`), "npmrc:strict-ssl", "npm configuration sets strict-ssl=false: " + certNotChecked},
	{baseIn(".yarnrc"), regexp.MustCompile(`^strict-ssl\s+"?(?:false|0)\b`), "yarnrc:strict-ssl", "yarn configuration sets strict-ssl false: " + certNotChecked},
	{baseIn(".yarnrc.yml", ".yarnrc.yaml"), regexp.MustCompile(`^enableStrictSsl\s*:\s*(?:false|0)\b`), "yarnrc:enableStrictSsl", "yarn configuration sets enableStrictSsl: false: " + certNotChecked},
	{baseIn("pip.conf", "pip.ini"), regexp.MustCompile(`^trusted-host\s*[=:]\s*\S`), "pip.conf:trusted-host", "pip configuration trusts hosts without a valid certificate (trusted-host)"},
	{baseIn(".curlrc", "curlrc", "_curlrc"), regexp.MustCompile(`^(?:-k|--insecure|insecure)\s*$`), "curlrc:insecure", "curl configuration sets insecure: " + certNotChecked},
	{baseIn(".wgetrc", "wgetrc"), regexp.MustCompile(`(?i)^check[-_]?certificate\s*=\s*(?:off|no|0|false)\b`), "wgetrc:check_certificate", "wget configuration sets check_certificate = off: " + certNotChecked},
	{yumConfig, regexp.MustCompile(`(?i)^sslverify\s*=\s*(?:0|false|no|off)\b`), "yum:sslverify", "package manager configuration sets sslverify=0: " + certNotChecked},
	{yumConfig, regexp.MustCompile(`(?i)^gpgcheck\s*=\s*(?:0|false|no|off)\b`), "yum:gpgcheck", "package manager configuration sets gpgcheck=0: " + sigNotChecked},
	{baseIn(".gitconfig", "gitconfig"), regexp.MustCompile(`(?i)^sslverify\s*=\s*(?:false|0|no|off)\b`), "gitconfig:sslVerify", "git configuration sets sslVerify = false: " + certNotChecked},
	{baseIn(".condarc", "condarc"), regexp.MustCompile(`(?i)^ssl_verify\s*:\s*(?:false|no|0)\b`), "condarc:ssl_verify", "conda configuration sets ssl_verify: false: " + certNotChecked},
	{baseIn("composer.json"), regexp.MustCompile(`"(?:disable-tls"\s*:\s*true|secure-http"\s*:\s*false)`), "composer:tls", "composer configuration turns TLS off (disable-tls or secure-http false)"},
	{aptConfig, regexp.MustCompile(`(?i)(?:Verify-(?:Peer|Host)\s+"?(?:false|0)|AllowInsecureRepositories\s+"?(?:true|1)|AllowUnauthenticated\s+"?(?:true|1))`), "apt.conf:verify", "apt configuration switches verification off"},
	{aptSources, regexp.MustCompile(`^deb(?:-src)?\s+\[[^\]]*\btrusted=yes\b`), "sources.list:trusted", "an apt source is marked trusted=yes: " + sigNotChecked},
	{baseIn(".gemrc", "gemrc"), regexp.MustCompile(`^:ssl_verify_mode:\s*0\b`), "gemrc:ssl_verify_mode", "RubyGems configuration sets ssl_verify_mode: 0: " + certNotChecked},
}

// isVerifyConfigFile reports whether rel is a tool configuration file the
// rules read.
func isVerifyConfigFile(rel string) bool {
	for _, r := range verifyOffConfig {
		if r.files(rel) {
			return true
		}
	}
	return false
}

// verifyOffConfigLine judges one trimmed line of the configuration file
// rel; rel "" tries every rule (a line written by echo in a RUN).
func verifyOffConfigLine(rel, line string) (verifyHit, bool) {
	line = strings.Trim(line, `"'`)
	for _, r := range verifyOffConfig {
		if rel != "" && !r.files(rel) {
			continue
		}
		if rel == "" && (r.key == "curlrc:insecure" || r.key == "composer:tls") {
			continue // too short or too JSON-bound to judge out of their files
		}
		if r.line.MatchString(line) {
			return verifyHit{r.key, r.msg}, true
		}
	}
	return verifyHit{}, false
}

// scanVerifyConfig returns the sites of a tool configuration file.
func scanVerifyConfig(rel string, data []byte) []Site {
	var out []Site
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			continue
		}
		if h, ok := verifyOffConfigLine(rel, t); ok {
			out = append(out, Site{Kind: SiteTLSVerifyOff, Path: rel, Line: i + 1, Column: len(line) - len(strings.TrimLeft(line, " \t")) + 1,
				Key: h.key, Message: h.msg, Snippet: maskLine(t), Shipped: true})
		}
	}
	return out
}
