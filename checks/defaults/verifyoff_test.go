package defaults

import (
	"sort"
	"strings"
	"testing"
)

func hitKeys(hs []lineHit) string {
	var ks []string
	for _, h := range hs {
		ks = append(ks, h.key)
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}

// Each tool family's switches, from its documentation: positives name the
// rule, negatives (the safe form, a look-alike) name nothing.
func TestVerifyOffInShell(t *testing.T) {
	for cmd, want := range map[string]string{
		"curl -fsSLk https://x -o f":                          "curl:insecure",
		"curl --proxy-insecure -x p https://x":                "curl:insecure",
		"curl -fsSL --cacert ca.pem https://x":                "",
		"wget -q --no-check-certificate https://x":            "wget:no-check-certificate",
		"git config --global http.sslVerify false":            "git:http.sslVerify",
		"git config --global http.https://h.sslVerify 0":      "git:http.sslVerify",
		"git -c http.sslVerify=false clone https://h/r":       "git:http.sslVerify",
		"git config --global http.sslVerify true":             "",
		"npm config set strict-ssl false":                     "npm:strict-ssl",
		"yarn config set strict-ssl false":                    "yarn:strict-ssl",
		"yarn config set enableStrictSsl false":               "yarn:strict-ssl",
		"pnpm install --strict-ssl=false":                     "pnpm:strict-ssl",
		"npm config set registry https://r":                   "",
		"pip install --trusted-host pypi.org requests":        "pip:trusted-host",
		"python3 -m pip install --trusted-host=h x":           "pip:trusted-host",
		"pip3 config set global.trusted-host h":               "pip:trusted-host",
		"pip install --index-url https://h x":                 "",
		"uv pip install --allow-insecure-host h x":            "uv:allow-insecure-host",
		"yum install -y --setopt=sslverify=false x":           "yum:sslverify",
		"dnf --setopt=epel.sslverify=0 install x":             "dnf:sslverify",
		"dnf install --nogpgcheck x":                          "dnf:nogpgcheck",
		"yum install -y x":                                    "",
		"apk add --allow-untrusted /tmp/x.apk":                "apk:allow-untrusted",
		"apk add --no-cache curl":                             "",
		"apt-get install -y --allow-unauthenticated x":        "apt:allow-unauthenticated",
		"apt-get -o Acquire::https::Verify-Peer=false update": "apt:option",
		"apt-get update":                                      "",
		"go get -insecure example.com/m":                      "go:insecure",
		"kubectl --insecure-skip-tls-verify apply -f x.yaml":  "kubectl:insecure-skip-tls-verify",
		"helm install --insecure-skip-tls-verify r c":         "helm:insecure-skip-tls-verify",
		"skopeo copy --src-tls-verify=false a b":              "skopeo:tls-verify",
		"podman pull --tls-verify=true x":                     "",
		"conda config --set ssl_verify false":                 "conda:ssl_verify",
		"composer config -g secure-http false":                "composer:secure-http",
		"mvn -Dmaven.wagon.http.ssl.insecure=true package":    "maven:ssl-insecure",
		// Variables set for one command, exported, or through env.
		"GIT_SSL_NO_VERIFY=1 git clone https://h/r":                   "env:GIT_SSL_NO_VERIFY",
		"export NODE_TLS_REJECT_UNAUTHORIZED=0\nnode app.js":          "env:NODE_TLS_REJECT_UNAUTHORIZED",
		"env PIP_TRUSTED_HOST=h pip install x":                        "env:PIP_TRUSTED_HOST",
		"export GOINSECURE=example.com GOFLAGS=-insecure":             "env:GOFLAGS env:GOINSECURE",
		"export NPM_CONFIG_STRICT_SSL=true":                           "",
		"export PYTHONHTTPSVERIFY=1":                                  "",
		"sudo -E sh -c 'curl -k https://x | tar x'":                   "curl:insecure",
		"echo 'sslverify=0' >> /etc/yum.conf":                         "yum:sslverify",
		"echo \"strict-ssl=false\" > ~/.npmrc":                        "npmrc:strict-ssl",
		"echo curl -k":                                                "",
		"# curl -k https://x\napk add curl":                           "",
		"if [ -n \"$X\" ]; then\n  wget --no-check-certificate x\nfi": "wget:no-check-certificate",
		// A script the parser refuses still has its commands read.
		"curl -k https://x {{ broken": "curl:insecure",
	} {
		if got := hitKeys(verifyOffInShell(cmd)); got != want {
			t.Errorf("verifyOffInShell(%q) = %q, want %q", cmd, got, want)
		}
	}
}

func TestVerifyOffConfigFiles(t *testing.T) {
	for _, c := range []struct{ path, body, want string }{
		{".npmrc", "registry=https://r\nstrict-ssl=false\n", "npmrc:strict-ssl"},
		{".npmrc", "# strict-ssl=false\nstrict-ssl=true\n", ""},
		{".yarnrc", "strict-ssl false\n", "yarnrc:strict-ssl"},
		{".yarnrc.yml", "enableStrictSsl: false\n", "yarnrc:enableStrictSsl"},
		{"etc/pip.conf", "[global]\ntrusted-host = pypi.org\n", "pip.conf:trusted-host"},
		{".curlrc", "insecure\n", "curlrc:insecure"},
		{".wgetrc", "check_certificate = off\n", "wgetrc:check_certificate"},
		{"etc/wgetrc", "check-certificate = off\n", "wgetrc:check_certificate"}, // wgetrc ignores case, - and _
		{"etc/yum.repos.d/x.repo", "[x]\nbaseurl=https://h\nsslverify=0\ngpgcheck=0\n", "yum:gpgcheck yum:sslverify"},
		{"etc/yum.repos.d/x.repo", "[x]\ngpgcheck=1\nsslverify=1\n", ""},
		{".gitconfig", "[http]\n\tsslVerify = false\n", "gitconfig:sslVerify"},
		{".condarc", "ssl_verify: false\n", "condarc:ssl_verify"},
		{"composer.json", "{\"config\": {\"secure-http\": false}}\n", "composer:tls"},
		{"etc/apt/apt.conf.d/99x", "Acquire::https::Verify-Peer \"false\";\n", "apt.conf:verify"},
		{"etc/apt/sources.list.d/x.list", "deb [trusted=yes] http://h/ stable main\n", "sources.list:trusted"},
		{".gemrc", ":ssl_verify_mode: 0\n", "gemrc:ssl_verify_mode"},
	} {
		var got []string
		for _, s := range scanVerifyConfig(c.path, []byte(c.body)) {
			got = append(got, s.Key)
		}
		sort.Strings(got)
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s %q: %q, want %q", c.path, c.body, strings.Join(got, " "), c.want)
		}
		if !isVerifyConfigFile(c.path) {
			t.Errorf("%s is not read as a configuration file", c.path)
		}
	}
}
