package defaults

import (
	"github.com/cemark/cemark/checks"
	"strconv"

	"regexp"
	"strings"
	"unicode"
)

// credentialKind is what a setting holds, judged from its key and value.
type credentialKind int

const (
	notCredential credentialKind = iota
	literalCredential
	defaultPassword
)

// credentialWords mark a key that names a credential, matched against the
// key's words (DB_PASSWORD, dbPassword, db.password → DB PASSWORD).
var credentialWords = map[string]bool{
	"PASSWORD": true, "PASSWD": true, "PASS": true, "PWD": true, "PASSPHRASE": true,
	"SECRET": true, "TOKEN": true, "APIKEY": true, "CREDENTIAL": true, "CREDENTIALS": true,
	"REQUIREPASS": true, "MASTERAUTH": true, // redis.conf
}

// credentialPairs are two-word credential names.
var credentialPairs = map[string]bool{
	"API KEY": true, "PRIVATE KEY": true, "ACCESS KEY": true, "SECRET KEY": true,
	"AUTH KEY": true, "SIGNING KEY": true, "ENCRYPTION KEY": true, "MASTER KEY": true,
	"CLIENT SECRET": true,
}

// notValueWords end keys that name something about a credential, not the
// credential itself: POSTGRES_PASSWORD_FILE, TOKEN_TTL, AWS_ACCESS_KEY_ID.
var notValueWords = map[string]bool{
	"FILE": true, "PATH": true, "DIR": true, "LENGTH": true, "LEN": true, "TTL": true,
	"TIMEOUT": true, "EXPIRY": true, "EXPIRES": true, "EXPIRATION": true, "LIFETIME": true,
	"MIN": true, "MAX": true, "POLICY": true, "ENABLED": true, "ENABLE": true, "REQUIRED": true,
	"HEADER": true, "NAME": true, "TYPE": true, "URL": true, "URI": true, "ENDPOINT": true,
	"HOST": true, "PORT": true, "ALGORITHM": true, "ALG": true, "FORMAT": true, "LOCATION": true,
	"REF": true, "ID": true, "USER": true, "USERNAME": true, "PREFIX": true, "KEY_ID": true,
	"HASH": true, "HASHER": true, "HASHERS": true, "VALIDATORS": true, "RESET": true, "FIELD": true,
	"PARAM": true, "STORE": true, "BACKEND": true, "PROVIDER": true, "MODE": true, "METHOD": true,
	"CMD": true, "COMMAND": true, "SOURCE": true, "VERSION": true, "COUNT": true, "ATTEMPTS": true,
	"SIZE": true, "EXPIRE": true, "AGE": true, "ROTATION": true, "SECONDS": true, "DAYS": true,
	"CHECK": true, "VERIFY": true, "VALIDATION": true, "ISSUER": true, "AUDIENCE": true, "SCOPE": true,
	"SCOPES": true, "INTERVAL": true, "PERIOD": true, "LIMIT": true, "RETRIES": true, "DELAY": true,
	"THROUGH": true, "LOCATIONS": true, "DIRECTORY": true, "KEYS": true,
}

// keyWords splits a key into upper-case words: "spring.datasource.password"
// → [SPRING DATASOURCE PASSWORD], "dbPassword" → [DB PASSWORD].
func keyWords(key string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToUpper(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && unicode.IsLower(rs[i-1]):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

// isCredentialKey reports whether a key names a credential value.
func isCredentialKey(key string) bool {
	w := keyWords(key)
	if len(w) == 0 {
		return false
	}
	// The shell's working directory, not a password.
	if len(w) == 1 && (w[0] == "PWD" || w[0] == "OLDPWD") {
		return false
	}
	if notValueWords[w[len(w)-1]] {
		return false
	}
	for i, x := range w {
		if credentialWords[x] {
			return true
		}
		if i+1 < len(w) && credentialPairs[x+" "+w[i+1]] {
			return true
		}
		// APIKEY written as one word with a suffix: MYAPIKEY, x-api-key
		if strings.HasSuffix(x, "PASSWORD") || strings.HasSuffix(x, "APIKEY") || strings.HasSuffix(x, "SECRET") || strings.HasSuffix(x, "TOKEN") {
			return true
		}
	}
	return false
}

// defaultPasswords are well-known default and top-list passwords, lower case.
var defaultPasswords = map[string]bool{
	"admin": true, "administrator": true, "password": true, "passw0rd": true, "p@ssw0rd": true,
	"password1": true, "password123": true, "changeme": true, "change_me": true, "change-me": true,
	"changeit": true, "root": true, "toor": true, "123456": true, "12345678": true, "123456789": true,
	"1234": true, "12345": true, "default": true, "secret": true, "guest": true, "letmein": true,
	"qwerty": true, "admin123": true, "admin1234": true, "pass": true, "test": true, "test123": true,
	"welcome": true, "welcome1": true, "master": true, "postgres": true, "mysql": true,
	"raspberry": true, "ubnt": true, "alpine": true, "support": true, "user": true, "demo": true,
	"foobared": true, "mypassword": true, "mysecret": true, "s3cr3t": true, "abc123": true,
}

// changeMeMarkers are values that ask to be changed: if they ship, they are
// a universal default password all the same.
var changeMeMarkers = []string{"changeme", "change_me", "change-me", "changeit", "change-it", "change_it", "changethis", "replaceme", "replace_me", "replace-me", "please-change"}

var (
	// ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:default} (Spring), $VAR, $(VAR)
	rePlaceholderWhole = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_.\-]*)(?:(:?-|:?\?|:?\+|:)(.*))?\}$`)
	reDollarVar        = regexp.MustCompile(`^\$[A-Za-z_][A-Za-z0-9_]*$`)
	reDollarParen      = regexp.MustCompile(`^\$\([A-Za-z_][A-Za-z0-9_.\-]*\)$`)
	reTemplate         = regexp.MustCompile(`^(<[^<>]+>|\{\{.*\}\}|%\([A-Za-z0-9_]+\)s|@[A-Za-z0-9_]+@|__[A-Z0-9_]+__|#\{.*\}|\{[A-Za-z0-9_]+\})$`)
	reMaskOnly         = regexp.MustCompile(`^(\*+|x+|X+|\.+|•+|-+)$`)
	// scheme://user:password@host
	reURLPassword = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*:([^@\s/]+)@`)
)

// references are value prefixes that point at a secret kept elsewhere.
var references = []string{"/run/secrets/", "/var/run/secrets/", "file:", "vault:", "secret://", "secretsmanager:", "arn:aws:secretsmanager", "ref+", "env:", "op://", "azurekeyvault", "gcp:secretmanager", "sm://"}

// classifyValue judges a credential key's value. raw is the value as
// written (before expansion), value what the product sees.
func classifyValue(raw, value string) credentialKind {
	v := unquote(strings.TrimSpace(raw))
	if v == "" {
		v = unquote(strings.TrimSpace(value))
	}
	// A placeholder with a default is judged on its default: that is what
	// ships when the operator sets nothing.
	if m := rePlaceholderWhole.FindStringSubmatch(v); m != nil {
		if (m[2] == ":-" || m[2] == "-" || m[2] == ":") && m[3] != "" {
			return classifyLiteral(m[3])
		}
		return notCredential
	}
	if isBcryptHash(v) {
		// A fixed password hash is a fixed login in every installation.
		// Its salt may begin with a letter ("$2a$10$Xk…"), which the
		// variable rules below would take for "$Xk": judged before them,
		// the verdict does not hang on the salt.
		return literalCredential
	}
	if strings.ContainsAny(v, "$") && (strings.Contains(v, "${") || strings.Contains(v, "$(") || reDollarVarInside.MatchString(v)) {
		// Partly templated ("prefix-${X}") or expanded from an ARG that is
		// judged on its own line.
		return notCredential
	}
	return classifyLiteral(v)
}

var reDollarVarInside = regexp.MustCompile(`\$[A-Za-z_]`)

func classifyLiteral(v string) credentialKind {
	v = unquote(strings.TrimSpace(v))
	if v == "" || reDollarVar.MatchString(v) || reDollarParen.MatchString(v) || reTemplate.MatchString(v) || reMaskOnly.MatchString(v) {
		return notCredential
	}
	if isPathValue(v) || isProse(v) {
		return notCredential
	}
	if len(v) <= 2 && strings.Trim(v, "0123456789") == "" {
		// A flag or a count (SKIP_TOKEN_CHECK=1), not a credential.
		return notCredential
	}
	lower := strings.ToLower(v)
	switch lower {
	case "true", "false", "yes", "no", "on", "off", "none", "null", "nil", "~", "undefined", "required", "optional", "disabled", "enabled":
		return notCredential
	}
	for _, p := range references {
		if strings.HasPrefix(lower, p) {
			return notCredential
		}
	}
	if defaultPasswords[lower] {
		return defaultPassword
	}
	for _, m := range changeMeMarkers {
		if strings.Contains(lower, m) {
			return defaultPassword
		}
	}
	return literalCredential
}

// urlPassword returns the password of a URL with user info in value
// (postgres://app:s3cret@db/app) and whether there is a literal one.
func urlPassword(value string) (string, bool) {
	m := reURLPassword.FindStringSubmatch(value)
	if m == nil {
		return "", false
	}
	return m[1], true
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// mask is what the report shows instead of a secret.
const mask = "****"

// maskedSnippet renders "KEY=****": the key, never the value.
func maskedSnippet(prefix, key, sep string) string {
	return prefix + key + sep + mask
}

// maskLine masks what looks like a secret in a line of code or a command
// (the runner masks every snippet again) and keeps snippets short.
func maskLine(s string) string {
	// A line of more than a few hundred bytes is not shown: masking a cut
	// line could miss a secret whose end was cut off, and masking
	// megabytes of a hostile line costs time for nothing.
	const max = 200
	if len(s) > 4*max {
		return "(line of " + strconv.Itoa(len(s)) + " bytes, not shown)"
	}
	s = checks.MaskSecrets(s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}

// rePathValue is a value that names a file: a path (/etc/x, ./x, ~/x,
// C:\x, file:…), or a file name with an extension that key and certificate
// files, keystores and configuration use (test-signing-ca.key, tls.pem).
var (
	rePathValue = regexp.MustCompile(`^(?:/|\./|\.\./|~/|[A-Za-z]:\\|file:)[^\s]*$`)
	reFileName  = regexp.MustCompile(`(?i)^[\w.\-/\\~]+\.(?:pem|key|crt|cer|der|p12|pfx|p8|jks|keystore|truststore|pub|asc|gpg|csr|srl|json|ya?ml|txt|conf|cfg|ini|env|properties|xml|toml|secret|token|kdbx)$`)
)

// isPathValue reports a value that is a path or a file name: a key file
// named in a configuration (private_key = test-signing-ca.key) is where the
// credential is kept, not the credential.
func isPathValue(v string) bool {
	return !strings.ContainsAny(v, " \t") && (rePathValue.MatchString(v) || reFileName.MatchString(v))
}

// isProse reports a value of several words that names a credential rather
// than holding one: the prompt of openssl.cnf's challengePassword ("A
// challenge password"), "your secret here", "Enter the API token".
func isProse(v string) bool {
	words := strings.Fields(v)
	if len(words) < 2 {
		return false
	}
	for _, w := range words {
		lw := strings.ToLower(strings.Trim(w, ".,:;!?()'\""))
		for _, c := range []string{"password", "passwd", "passphrase", "secret", "token", "key", "credential", "credentials"} {
			if lw == c {
				return true
			}
		}
	}
	return false
}

// publicSecretKey reports an entry of a Kubernetes Secret that holds no
// secret by its name: a certificate (tls.crt, ca.crt), a public key, a
// user name, a host or port.
func publicSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, suf := range []string{".crt", ".cer", ".pub", "-cert", "_cert", "certificate", "ca.pem", "cert.pem"} {
		if strings.HasSuffix(k, suf) {
			return true
		}
	}
	w := keyWords(key)
	return len(w) > 0 && notValueWords[w[len(w)-1]]
}
