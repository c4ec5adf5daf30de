package checks

import (
	"strings"
	"testing"
)

func TestMaskSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		secret         string // must not appear in the output
	}{
		{"env equals", "ENV DB_PASSWORD=hunter2", "ENV DB_PASSWORD=****", "hunter2"},
		{"env legacy form", "ENV DB_PASSWORD hunter2 more", "ENV DB_PASSWORD ****", "hunter2"},
		{"arg", "ARG API_KEY=sk-123456", "ARG API_KEY=****", "sk-123456"},
		{"quoted double", `PASSWORD="hunter2 two"`, `PASSWORD="****"`, "hunter2"},
		{"quoted single", `export GITHUB_TOKEN='ghx-abc'`, `export GITHUB_TOKEN='****'`, "ghx-abc"},
		{"yaml", "  password: hunter2", "  password: ****", "hunter2"},
		{"yaml spaces", "db_password: correct horse battery", "db_password: ****", "horse"},
		{"yaml quoted", `  client_secret: "s3cr3t"`, `  client_secret: "****"`, "s3cr3t"},
		{"json", `{"apiKey": "abc-123", "user": "bob"}`, `{"apiKey": "****", "user": "bob"}`, "abc-123"},
		{"json private key", `"private_key": "MIIEv"`, `"private_key": "****"`, "MIIEv"},
		{"camel", "accessKey=AKxyz", "accessKey=****", "AKxyz"},
		{"several", "USER=app PASSWORD=p1 TOKEN=t2", "USER=app PASSWORD=**** TOKEN=****", "p1"},
		{"url userinfo", "postgres://app:hunter2@db:5432/x", "postgres://app:****@db:5432/x", "hunter2"},
		{"url in env", "DATABASE_URL=mysql://root:pw0rd@localhost/db", "DATABASE_URL=mysql://root:****@localhost/db", "pw0rd"},
		{"query token", "https://x/api?token=abc123&v=1", "https://x/api?token=****&v=1", "abc123"},
		{"flag equals", "mysql --password=hunter2 -u root", "mysql --password=**** -u root", "hunter2"},
		{"flag space", "docker login --password hunter2 ghcr.io", "docker login --password **** ghcr.io", "hunter2"},
		{"header", `curl -H "Authorization: Bearer abc.def"`, `curl -H "Authorization: ****`, "abc.def"},
		{"k8s block", "- name: DB_PASSWORD\n  value: hunter2", "- name: DB_PASSWORD\n  value: ****", "hunter2"},
		{"k8s flow", "- {name: API_TOKEN, value: \"t0k\"}", "- {name: API_TOKEN, value: \"****\"}", "t0k"},
		{"pgpass", "PGPASS=hunter2", "PGPASS=****", "hunter2"},
		{"db pass", "DB_PASS=hunter2", "DB_PASS=****", "hunter2"},
		{"pwd suffix", "MYSQL_ROOT_PWD=hunter2", "MYSQL_ROOT_PWD=****", "hunter2"},
		{"default in placeholder", "PASSWORD=${PASSWORD:-hunter2}", "PASSWORD=${PASSWORD:-****}", "hunter2"},
		{"pem", "key: |\n-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nnext: 1", "key: |\n-----BEGIN " + "RSA PRIVATE KEY-----****-----END RSA PRIVATE KEY-----\nnext: 1", "MIIEpAIBAAKCAQEA"},
		{"pem truncated", "-----BEGIN " + "PRIVATE KEY-----\nMIIEv", "-----BEGIN " + "PRIVATE KEY-----****-----END PRIVATE KEY-----", "MIIEv"},
		{"github token bare", "echo ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "echo ****", "ghp_0123"},
		{"aws key id bare", "aws AKIAIOSFODNN7EXAMPLE", "aws ****", "AKIAIOSFODNN7EXAMPLE"},
		{"jwt bare", "x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N", "x ****", "eyJhbGci"},
		// Kept as they are.
		{"placeholder braces", "PASSWORD=${DB_PASSWORD}", "PASSWORD=${DB_PASSWORD}", ""},
		{"placeholder plain", "PASSWORD=$DB_PASSWORD", "PASSWORD=$DB_PASSWORD", ""},
		{"placeholder required", "PASSWORD=${DB_PASSWORD:?set it}", "PASSWORD=${DB_PASSWORD:?set it}", ""},
		{"helm template", "password: {{ .Values.password }}", "password: {{ .Values.password }}", ""},
		{"empty", "PASSWORD=", "PASSWORD=", ""},
		{"empty quoted", `password: ""`, `password: ""`, ""},
		{"pwd is the working dir", "PWD=/home/app", "PWD=/home/app", ""},
		{"author", "author: Jane Doe", "author: Jane Doe", ""},
		{"bypass", "bypass: true", "bypass: true", ""},
		{"compass", "compass=north", "compass=north", ""},
		{"not secret", "USER=app PORT=8080", "USER=app PORT=8080", ""},
		{"url without password", "https://example.com/a@b", "https://example.com/a@b", ""},
		{"url placeholder", "postgres://app:${DB_PASSWORD}@db/x", "postgres://app:${DB_PASSWORD}@db/x", ""},
		{"plain text", "Container runs as root", "Container runs as root", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := MaskSecrets(tc.in)
			if got != tc.want {
				t.Errorf("MaskSecrets(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if tc.secret != "" && strings.Contains(got, tc.secret) {
				t.Errorf("secret %q reached the output %q", tc.secret, got)
			}
			if again := MaskSecrets(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestIsSecretKey(t *testing.T) {
	t.Parallel()
	for k, want := range map[string]bool{
		"DB_PASSWORD": true, "apiKey": true, "client_secret": true, "GITHUB_TOKEN": true, "PGPASS": true,
		"auth": true, "AUTH_HEADER": true, "Authorization": true, "MYSQL_PWD": true, "credentials": true,
		"PWD": false, "OLDPWD": false, "author": false, "USER": false, "PORT": false, "bypass": false, "compass": false, "passenger": false,
	} {
		if got := IsSecretKey(k); got != want {
			t.Errorf("IsSecretKey(%q) = %v, want %v", k, got, want)
		}
	}
}

func FuzzMaskSecrets(f *testing.F) {
	for _, s := range []string{"PASSWORD=x", "a: b", "postgres://u:p@h", "${A:-b}", "-----BEGIN " + "PRIVATE KEY-----\nx", "name: TOKEN\nvalue: y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskSecrets(s)
		// Masking must settle: masking twice changes nothing more.
		if again := MaskSecrets(out); again != out {
			t.Errorf("not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}
