package checks

import (
	"regexp"
	"strings"
)

// Mask replaces a secret value in output.
const Mask = "****"

// secretWords are the key fragments that mark a value as secret. Matching
// is case-insensitive and on substrings, so DB_PASSWORD, apiKey and
// client_secret are all caught; over-masking a harmless value is the
// accepted price of never printing a real one.
const secretWords = `(?:password|passwd|passphrase|pwd|secret|token|api[_.-]?key|private[_.-]?key|access[_.-]?key|signing[_.-]?key|encryption[_.-]?key|credentials?|auth|bearer|session[_.-]?key|cookie|pass|pw)`

const keyChars = `[A-Za-z0-9_.\-]*`

// quotedValue is a double- or single-quoted string on one line.
// placeholderValue is ${…} as a whole, spaces included.
const placeholderValue = `\$\{[^}\r\n]*\}`

const quotedValue = `"(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*'`

var (
	// PEM private key blocks, whole.
	pemKey = regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`)
	// Kubernetes-style env entries: name: DB_PASSWORD / value: …, on one
	// line (flow) or two (block).
	nameValue = regexp.MustCompile(`(?i)(["']?name["']?\s*:\s*["']?` + keyChars + secretWords + keyChars + `["']?[\s,]+-?\s*["']?value["']?\s*:\s*)(` + quotedValue + `|[^\r\n,}]*)`)
	// KEY: VALUE (YAML, JSON, headers): the value runs to the end of the line.
	// A colon counts only when followed by white space or after a quoted
	// key ("key":"v"), so ${VAR:-default} and scheme:// are not keys.
	colonAssign = regexp.MustCompile(`(?i)((?:["']` + keyChars + secretWords + keyChars + `["'][ \t]*:|` + keyChars + secretWords + keyChars + `[ \t]*:(?:[ \t]|$))[ \t]*)(` + placeholderValue + `|` + quotedValue + `|[^\r\n]*)`)
	// KEY=VALUE, KEY = VALUE, key => value, ?token=…&: the value ends at
	// white space, a quote or a separator.
	equalsAssign = regexp.MustCompile(`(?i)(["']?` + keyChars + secretWords + keyChars + `["']?[ \t]*(?:=>|:=|=)[ \t]*)(` + placeholderValue + `|` + quotedValue + `|[^\s"'&;,)}\]]*)`)
	// --password VALUE on a command line.
	flagSpace = regexp.MustCompile(`(?i)(\s--?` + keyChars + secretWords + keyChars + `[ \t]+)(` + quotedValue + `|[^\s-][^\s]*)`)
	// Dockerfile's legacy "ENV KEY VALUE" form.
	dockerEnv = regexp.MustCompile(`(?im)(^[ \t]*(?:ENV|ARG)[ \t]+` + keyChars + secretWords + keyChars + `[ \t]+)([^=\r\n][^\r\n]*)`)
	// scheme://user:password@host
	urlUserinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)([^\s@/]+)(@)`)
	// Token formats recognisable without a key.
	knownTokens = regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_\-]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9\-]{10,}|sk_live_[A-Za-z0-9]{16,}|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})\b`)

	shellVar    = regexp.MustCompile(`^\$[A-Za-z_][A-Za-z0-9_]*$`)
	bracedVar   = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?+])(.*))?\}$`)
	templateVar = regexp.MustCompile(`^\{\{.*\}\}$`)
)

// MaskSecrets replaces the values of secret-looking keys (passwords,
// tokens, API keys, private keys, credentials, auth headers) in KEY=VALUE,
// KEY: VALUE, "key": "value", Kubernetes name/value pairs, command-line
// flags and Dockerfile ENV lines, user:password in URLs, PEM private keys
// and well-known token formats with "****". Placeholders (${VAR}, $VAR,
// {{ .Values.x }}) are kept since they are not secrets; a default inside
// ${VAR:-default} is masked. Every snippet goes through it before output.
func MaskSecrets(s string) string {
	if s == "" {
		return s
	}
	// Cheap guards keep the regular expressions off the common case: most
	// snippets hold no secret-looking word at all.
	lower := strings.ToLower(s)
	if strings.Contains(s, "PRIVATE KEY-----") {
		s = pemKey.ReplaceAllString(s, "-----BEGIN ${1}PRIVATE KEY-----"+Mask+"-----END ${1}PRIVATE KEY-----")
		lower = strings.ToLower(s)
	}
	if hasSecretWord(lower) {
		if strings.Contains(lower, "name") {
			s = maskValues(nameValue, s)
		}
		if strings.Contains(s, ":") {
			s = maskValues(colonAssign, s)
		}
		if strings.Contains(s, "=") {
			s = maskValues(equalsAssign, s)
		}
		if strings.Contains(s, "-") {
			s = maskValues(flagSpace, s)
		}
		if strings.Contains(lower, "env") || strings.Contains(lower, "arg") {
			s = maskValues(dockerEnv, s)
		}
	}
	if strings.Contains(s, "://") {
		s = replaceGroup(urlUserinfo, s, 2, func(sub []string) string { return maskValue(sub[2]) })
	}
	if hasTokenPrefix(s) {
		s = knownTokens.ReplaceAllString(s, Mask)
	}
	return s
}

// secretStems are lower-case fragments every secretWords match contains.
var secretStems = []string{"pass", "pw", "secret", "token", "key", "credential", "auth", "bearer", "cookie"}

func hasSecretWord(lower string) bool {
	for _, w := range secretStems {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

func hasTokenPrefix(s string) bool {
	for _, p := range []string{"gh", "github_pat_", "glpat-", "AKIA", "ASIA", "xox", "sk_live_", "eyJ"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// maskValues masks group 2 of each match of re whose group 1 names a
// secret, keeping group 1.
func maskValues(re *regexp.Regexp, s string) string {
	return replaceGroup(re, s, 2, func(sub []string) string {
		if !secretKey(sub[1]) {
			return sub[2]
		}
		return maskValue(sub[2])
	})
}

// replaceGroup replaces submatch g of every match of re with repl's result,
// in one pass over s.
func replaceGroup(re *regexp.Regexp, s string, g int, repl func(sub []string) string) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		sub := make([]string, len(m)/2)
		for i := range sub {
			if m[2*i] >= 0 {
				sub[i] = s[m[2*i]:m[2*i+1]]
			}
		}
		start, end := m[2*g], m[2*g+1]
		if start < 0 {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(repl(sub))
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// tokenRe finds the identifiers in a matched key prefix.
var tokenRe = regexp.MustCompile(`[A-Za-z0-9_.\-]+`)

// secretKey decides on the identifiers of a match: the regular expressions
// match generously on substrings, and this drops what is not a secret
// (the shell's PWD, authors, "bypass", "compass").
func secretKey(prefix string) bool {
	for _, tok := range tokenRe.FindAllString(prefix, -1) {
		if IsSecretKey(tok) {
			return true
		}
	}
	return false
}

// IsSecretKey reports whether a variable or key name holds a secret
// (DB_PASSWORD, apiKey, client_secret, GITHUB_TOKEN, PGPASS …). Check
// families use it to decide that a value must never be printed.
func IsSecretKey(name string) bool {
	segs := keySegments(name)
	if len(segs) == 0 {
		return false
	}
	whole := strings.Join(segs, "")
	for _, w := range []string{"password", "passwd", "passphrase", "secret", "token", "credential", "apikey", "privatekey", "accesskey", "signingkey", "encryptionkey", "sessionkey", "bearer", "cookie", "authorization"} {
		if strings.Contains(whole, w) {
			return true
		}
	}
	if whole == "pwd" || whole == "oldpwd" {
		return false
	}
	for _, s := range segs {
		switch {
		case s == "pass", s == "pwd", s == "auth", s == "pw",
			strings.HasSuffix(s, "pass") && len(s) <= 6 && s != "bypass", // pgpass, dbpass
			strings.HasSuffix(s, "pwd"):
			return true
		}
	}
	return false
}

// keySegments splits a key on separators and camelCase, lowercased.
func keySegments(name string) []string {
	var segs []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			segs = append(segs, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			flush()
		case r >= 'A' && r <= 'Z' && i > 0 && rs[i-1] >= 'a' && rs[i-1] <= 'z':
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return segs
}

// maskValue masks one value, keeping its quotes and placeholders.
func maskValue(v string) string {
	trimmed := strings.TrimRight(v, " \t")
	trail := v[len(trimmed):]
	if trimmed == "" {
		return v
	}
	quote := ""
	inner := trimmed
	if len(trimmed) >= 2 && (trimmed[0] == '"' || trimmed[0] == '\'') && trimmed[len(trimmed)-1] == trimmed[0] {
		quote = trimmed[:1]
		inner = trimmed[1 : len(trimmed)-1]
	}
	if inner == "" {
		return v
	}
	return quote + maskInner(inner) + quote + trail
}

func maskInner(v string) string {
	if shellVar.MatchString(v) || templateVar.MatchString(v) {
		return v
	}
	if m := bracedVar.FindStringSubmatch(v); m != nil {
		// ${VAR}, ${VAR:?message} keep; a default value may be a secret.
		if m[2] == "" || strings.Contains(m[2], "?") || m[3] == "" {
			return v
		}
		return "${" + m[1] + m[2] + maskInner(m[3]) + "}"
	}
	return Mask
}
