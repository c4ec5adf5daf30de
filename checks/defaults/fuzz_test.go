package defaults

import (
	"testing"
)

// The fuzz targets feed arbitrary bytes to the family's own scanners (the
// format parsers have their own targets in checks/parse). Seeds are the
// committed f.Add calls; run with go test -fuzz=FuzzScanConfig.

func FuzzScanConfig(f *testing.F) {
	for _, s := range []string{
		"DB_PASSWORD=admin\n", "export API_KEY='x'\n", "[db]\npassword = ${P:-changeme}\n", "requirepass foobared\n",
		"spring:\n  datasource:\n    password: s3cret\n", "a: &a [1]\nb: [*a,*a]\n", "{\"Jwt\": {\"Secret\": \"x\"}}",
		"SECRET_KEY = 'abc'\nDATABASES = {'default': {'PASSWORD': 'x'}}\n", "\x00\xff", "",
	} {
		f.Add("app.ini", []byte(s))
		f.Add(".env", []byte(s))
		f.Add("application.yml", []byte(s))
		f.Add("settings.py", []byte(s))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if configFormat(name) == "" {
			return
		}
		settings, _ := scanConfig(name, data)
		for _, s := range settings {
			credential(s)
			debugSetting(s.Key, s.Value)
			if s.Line < 1 {
				t.Errorf("setting %q without a line", s.Key)
			}
		}
	})
}

func FuzzScanSource(f *testing.F) {
	for _, s := range []string{
		"package p\nvar c = tls.Config{InsecureSkipVerify: true}\n", "requests.get(u, verify=False)\n",
		"app.run(debug=True)\n", "new https.Agent({ rejectUnauthorized: false })\n", "curl -k https://x | sh\n",
		"dsn = \"sslmode=disable\"\n", "package p\nfunc f() { x.InsecureSkipVerify = true }\n", "\x00",
	} {
		for _, name := range []string{"a.go", "a.py", "a.js", "a.sh", "package.json", "settings.py"} {
			f.Add(name, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		for _, s := range scanSource(name, data) {
			if s.Line < 1 || len(s.Snippet) > 1024 {
				t.Errorf("site %+v: bad line or snippet", s)
			}
		}
	})
}

func FuzzShell(f *testing.F) {
	for _, s := range []string{"curl -fsSL https://x | sh", "sh -c \"$(curl x)\"", "bash <(wget -qO- x)", "curl -k x", "wget --no-check-certificate x", "((((", "|||", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		pipesToShell(cmd)
		verifyOffInShell(cmd)
		classifyValue(cmd, cmd)
		isCredentialKey(cmd)
	})
}
