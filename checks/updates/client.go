package updates

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks"
)

// Updater evidence kinds (checks.UpdaterEvidence.Kind).
const (
	KindTUF             = "go-tuf" // any TUF client (go-tuf, python-tuf, tuf-js)
	KindSigstoreGo      = "sigstore-go"
	KindMinisign        = "minisign"
	KindSignatureVerify = "signature-verify"
	KindSelfUpdate      = "self-update"
	KindMender          = "mender"
	KindRAUC            = "rauc"
	KindSWUpdate        = "swupdate"
)

// Confidence levels.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

// skipSource leaves out tests, vendored code and fixtures: a verify call
// in a test proves nothing about the shipped updater.
func skipSource(p string) bool {
	if strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, ".test.js") || strings.HasSuffix(p, ".spec.js") || strings.HasSuffix(p, ".test.ts") {
		return true
	}
	for _, seg := range strings.Split(path.Dir(p), "/") {
		switch seg {
		case "vendor", "testdata", "node_modules", "test", "tests", "__tests__":
			return true
		}
	}
	base := path.Base(p)
	return strings.HasPrefix(base, "test_")
}

// DetectClient finds evidence that the product verifies what it installs.
// The errors name Go files that name an evidence import (see
// goEvidenceImports) but do not parse.
func DetectClient(ctx context.Context, t *checks.Target) ([]checks.UpdaterEvidence, []string) {
	var out []checks.UpdaterEvidence
	var errs []string
	for _, e := range t.Files.List() {
		if ctx.Err() != nil {
			break
		}
		p := e.Path
		base := path.Base(p)
		var kind string
		switch {
		case skipSource(p):
			continue
		case strings.HasSuffix(p, ".go"):
			kind = "go"
		case strings.HasSuffix(p, ".py"):
			kind = "py"
		case strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".mjs") || strings.HasSuffix(p, ".ts"):
			kind = "js"
		case base == "mender.conf":
			kind = "mender"
		case base == "system.conf":
			kind = "rauc"
		case base == "swupdate.cfg" || strings.Contains(base, "swupdate"):
			kind = "swupdate"
		case strings.HasSuffix(p, ".bb") || strings.HasSuffix(p, ".bbappend") || base == "local.conf":
			kind = "yocto"
		default:
			continue
		}
		data, err := t.Files.Read(p)
		if err != nil {
			continue // unreadable files are recorded by the file index
		}
		switch kind {
		case "go":
			if !namesGoEvidenceImport(data) {
				continue // nothing goEvidence could find: not parsed
			}
			ev, err := goEvidence(p, data)
			if err != nil {
				errs = append(errs, err.Error())
			}
			out = append(out, ev...)
		case "py", "js":
			out = append(out, lineEvidence(p, data, scriptPatterns[kind])...)
		case "mender":
			out = append(out, menderEvidence(p, data)...)
		case "rauc":
			out = append(out, raucEvidence(p, data)...)
		case "swupdate":
			out = append(out, swupdateEvidence(p, data)...)
		case "yocto":
			out = append(out, lineEvidence(p, data, yoctoPatterns)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Kind < out[j].Kind
	})
	return out, errs
}

// goImportKinds maps import paths (prefixes) to the evidence an import gives.
var goImportKinds = []struct {
	prefix, kind, confidence, detail string
}{
	{"github.com/theupdateframework/go-tuf", KindTUF, High, "imports the TUF client go-tuf"},
	{"github.com/sigstore/sigstore-go/pkg/verify", KindSigstoreGo, Medium, "imports sigstore-go's verifier"},
	{"aead.dev/minisign", KindMinisign, Medium, "imports minisign"},
	{"github.com/jedisct1/go-minisign", KindMinisign, Medium, "imports go-minisign"},
}

// selfUpdateLibs are self-update libraries and the option fields that
// make them verify what they install.
var selfUpdateLibs = []struct {
	prefix string
	fields []string // fields of a composite literal that set a verifier
}{
	{"github.com/minio/selfupdate", []string{"Verifier", "Checksum", "PublicKey", "Signature"}},
	{"github.com/inconshreveable/go-update", []string{"Checksum", "PublicKey", "Signature", "Verifier"}},
	{"github.com/rhysd/go-github-selfupdate", []string{"Validator"}},
	{"github.com/creativeprojects/go-selfupdate", []string{"Validator"}},
}

// verifyCalls are standard-library signature verifications: evidence of
// medium confidence, since cemark cannot tell whether the verified bytes
// are a downloaded update.
var verifyCalls = map[string]map[string]bool{
	"crypto/ed25519": {"Verify": true, "VerifyWithOptions": true},
	"crypto/rsa":     {"VerifyPKCS1v15": true, "VerifyPSS": true},
	"crypto/ecdsa":   {"VerifyASN1": true, "Verify": true},
}

// goEvidenceImports are the import paths (or their prefixes) all Go
// evidence comes from: goEvidence finds nothing in a file whose source
// holds none of them, so such a file is not parsed at all.
var goEvidenceImports = func() [][]byte {
	var out [][]byte
	for _, k := range goImportKinds {
		out = append(out, []byte(k.prefix))
	}
	for _, l := range selfUpdateLibs {
		out = append(out, []byte(l.prefix))
	}
	for ip := range verifyCalls {
		out = append(out, []byte(ip))
	}
	return out
}()

func namesGoEvidenceImport(data []byte) bool {
	for _, ip := range goEvidenceImports {
		if bytes.Contains(data, ip) {
			return true
		}
	}
	return false
}

func goEvidence(p string, data []byte) ([]checks.UpdaterEvidence, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, p, data, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []checks.UpdaterEvidence
	// local name -> import path
	imports := map[string]string{}
	for _, imp := range f.Imports {
		ip, _ := strconv.Unquote(imp.Path.Value)
		name := path.Base(ip)
		if strings.HasPrefix(name, "v") && len(name) <= 3 { // .../v2
			name = path.Base(path.Dir(ip))
		}
		if imp.Name != nil {
			name = imp.Name.Name
		}
		imports[name] = ip
		line := fset.Position(imp.Pos()).Line
		for _, k := range goImportKinds {
			if strings.HasPrefix(ip, k.prefix) {
				out = append(out, checks.UpdaterEvidence{Kind: k.kind, Path: p, Line: line, Confidence: k.confidence, Detail: k.detail + " (" + ip + ")"})
			}
		}
	}
	selfUpdateAlias := map[string][]string{}
	for name, ip := range imports {
		for _, lib := range selfUpdateLibs {
			if strings.HasPrefix(ip, lib.prefix) {
				selfUpdateAlias[name] = lib.fields
			}
		}
	}
	sawSelfUpdateVerifier := false
	var selfUpdateUse *checks.UpdaterEvidence
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			sel, ok := x.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			ip := imports[id.Name]
			line := fset.Position(x.Pos()).Line
			if calls, ok := verifyCalls[ip]; ok && calls[sel.Sel.Name] {
				out = append(out, checks.UpdaterEvidence{Kind: KindSignatureVerify, Path: p, Line: line, Confidence: Medium,
					Detail: id.Name + "." + sel.Sel.Name + " call (what it verifies is not known)"})
			}
			if strings.HasPrefix(ip, "github.com/sigstore/sigstore-go/pkg/verify") && sel.Sel.Name == "NewVerifier" {
				out = append(out, checks.UpdaterEvidence{Kind: KindSigstoreGo, Path: p, Line: line, Confidence: High, Detail: "sigstore-go verify.NewVerifier call"})
			}
			if (ip == "aead.dev/minisign" || ip == "github.com/jedisct1/go-minisign") && strings.HasPrefix(sel.Sel.Name, "Verify") {
				out = append(out, checks.UpdaterEvidence{Kind: KindMinisign, Path: p, Line: line, Confidence: High, Detail: "minisign " + sel.Sel.Name + " call"})
			}
			if _, ok := selfUpdateAlias[id.Name]; ok && selfUpdateUse == nil {
				selfUpdateUse = &checks.UpdaterEvidence{Kind: KindSelfUpdate, Path: p, Line: line, Confidence: Low,
					Detail: imports[id.Name] + " " + sel.Sel.Name + " call without a verifier or checksum option in this file"}
			}
		case *ast.CompositeLit:
			sel, ok := x.Type.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			fields, ok := selfUpdateAlias[id.Name]
			if !ok {
				return true
			}
			for _, elt := range x.Elts {
				kv, ok := elt.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				k, ok := kv.Key.(*ast.Ident)
				if !ok {
					continue
				}
				for _, f := range fields {
					if k.Name == f && !isNil(kv.Value) {
						sawSelfUpdateVerifier = true
						out = append(out, checks.UpdaterEvidence{Kind: KindSelfUpdate, Path: p, Line: fset.Position(kv.Pos()).Line, Confidence: High,
							Detail: imports[id.Name] + " " + sel.Sel.Name + "." + f + " is set"})
					}
				}
			}
		}
		return true
	})
	if selfUpdateUse != nil && !sawSelfUpdateVerifier {
		out = append(out, *selfUpdateUse)
	}
	return out, nil
}

func isNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

type linePattern struct {
	re *regexp.Regexp
	// keywords: every line re matches holds one of them. Only lines that
	// hold one are given to re, so a source file without any is read once
	// (a bytes.Index per keyword) and never split into lines.
	keywords                 []string
	kind, confidence, detail string
}

// scriptPatterns are cheap line matches for Python and JavaScript
// updaters; a regular expression cannot see what is verified, so they stay
// at medium confidence unless the library is itself a verifying client.
var scriptPatterns = map[string][]linePattern{
	"py": {
		{regexp.MustCompile(`^\s*(from\s+tuf(\.ngclient)?\s+import|import\s+tuf\b)`), []string{"tuf"}, KindTUF, High, "python-tuf client"},
		{regexp.MustCompile(`^\s*from\s+sigstore\.verify\s+import|^\s*import\s+sigstore\.verify\b`), []string{"sigstore.verify"}, KindSigstoreGo, Medium, "sigstore-python verify"},
		{regexp.MustCompile(`\bVerifyKey\([^)]*\)\.verify\(|\bverify_key\.verify\(`), []string{".verify("}, KindSignatureVerify, Medium, "PyNaCl signature verification"},
		{regexp.MustCompile(`\bminisign\.(PublicKey|verify)`), []string{"minisign."}, KindMinisign, Medium, "minisign (py-minisign)"},
	},
	"js": {
		{regexp.MustCompile(`(require\(|from\s+)['"]tuf-js['"]`), []string{"tuf-js"}, KindTUF, High, "tuf-js client"},
		{regexp.MustCompile(`(require\(|from\s+)['"]electron-updater['"]`), []string{"electron-updater"}, KindSelfUpdate, Medium, "electron-updater (verifies the publisher's code signature on Windows and macOS)"},
		{regexp.MustCompile(`(require\(|from\s+)['"](sigstore|@sigstore/verify)['"]`), []string{"sigstore"}, KindSigstoreGo, Medium, "sigstore-js"},
		{regexp.MustCompile(`\bcrypto\.verify\(|\.verify\(\s*['"]sha(256|384|512)['"]|createVerify\(`), []string{".verify(", "createVerify("}, KindSignatureVerify, Low, "Node.js crypto signature verification"},
	},
}

var yoctoPatterns = []linePattern{
	{regexp.MustCompile(`^\s*MENDER_ARTIFACT_VERIFY_KEY\s*[?:]?=\s*"[^"]+"`), []string{"MENDER_ARTIFACT_VERIFY_KEY"}, KindMender, High, "Mender artifact verify key set in the build"},
	{regexp.MustCompile(`^\s*RAUC_KEYRING_FILE\s*[?:]?=\s*"[^"]+"`), []string{"RAUC_KEYRING_FILE"}, KindRAUC, High, "RAUC keyring set in the build"},
	{regexp.MustCompile(`^\s*SWUPDATE_SIGNING\s*[?:]?=\s*"[^"]+"`), []string{"SWUPDATE_SIGNING"}, KindSWUpdate, High, "SWUpdate image signing enabled in the build"},
}

// lineEvidence reports, line by line (as bufio.Scanner splits lines), the
// patterns that match. Only the lines holding one of a pattern's keywords
// are matched against it.
func lineEvidence(p string, data []byte, patterns []linePattern) []checks.UpdaterEvidence {
	// The start of every line holding a keyword, with the patterns (a bit
	// each) that keyword belongs to.
	candidates := map[int]uint64{}
	for i, pat := range patterns {
		for _, kw := range pat.keywords {
			for from := 0; from < len(data); {
				j := bytes.Index(data[from:], []byte(kw))
				if j < 0 {
					break
				}
				j += from
				candidates[bytes.LastIndexByte(data[:j], '\n')+1] |= 1 << i
				end := bytes.IndexByte(data[j:], '\n')
				if end < 0 {
					break
				}
				from = j + end + 1 // the rest of this line adds nothing
			}
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	starts := make([]int, 0, len(candidates))
	for start := range candidates {
		starts = append(starts, start)
	}
	slices.Sort(starts)
	var out []checks.UpdaterEvidence
	line, counted := 1, 0
	for _, start := range starts {
		line += bytes.Count(data[counted:start], []byte("\n"))
		counted = start
		text := data[start:]
		if end := bytes.IndexByte(text, '\n'); end >= 0 {
			text = text[:end]
		}
		text = bytes.TrimSuffix(text, []byte("\r")) // as bufio.ScanLines does
		for i, pat := range patterns {
			if candidates[start]&(1<<i) != 0 && pat.re.Match(text) {
				out = append(out, checks.UpdaterEvidence{Kind: pat.kind, Path: p, Line: line, Confidence: pat.confidence, Detail: pat.detail})
			}
		}
	}
	return out
}

// lineOf returns the 1-based line of the first occurrence of needle.
func lineOf(data []byte, needle string) int {
	i := bytes.Index(data, []byte(needle))
	if i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// menderEvidence reads mender.conf (JSON): ArtifactVerifyKey (or the newer
// ArtifactVerifyKeys list) makes the client reject unsigned artifacts.
func menderEvidence(p string, data []byte) []checks.UpdaterEvidence {
	var conf map[string]json.RawMessage
	if err := json.Unmarshal(data, &conf); err != nil {
		return nil
	}
	for _, key := range []string{"ArtifactVerifyKey", "ArtifactVerifyKeys"} {
		raw, ok := conf[key]
		if !ok || string(raw) == `""` || string(raw) == "[]" || string(raw) == "null" {
			continue
		}
		return []checks.UpdaterEvidence{{Kind: KindMender, Path: p, Line: lineOf(data, `"`+key+`"`), Confidence: High,
			Detail: "mender.conf " + key + " is set: the client rejects artifacts not signed by that key"}}
	}
	return []checks.UpdaterEvidence{{Kind: KindMender, Path: p, Line: 1, Confidence: Low,
		Detail: "mender.conf without ArtifactVerifyKey: artifacts are installed without a signature check"}}
}

// raucEvidence reads RAUC's system.conf (INI): a [keyring] section with
// path= or directory= is the key RAUC verifies bundles against. Other
// files named system.conf (systemd's) are recognised and ignored.
func raucEvidence(p string, data []byte) []checks.UpdaterEvidence {
	section := ""
	isRAUC := false
	keyLine := 0
	line := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]") {
			section = strings.ToLower(strings.Trim(l, "[]"))
			if section == "keyring" || strings.HasPrefix(section, "slot.") {
				isRAUC = true
			}
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if section == "system" && k == "compatible" {
			isRAUC = true
		}
		if section == "keyring" && (k == "path" || k == "directory") && v != "" && keyLine == 0 {
			keyLine = line
		}
	}
	if !isRAUC {
		return nil
	}
	if keyLine > 0 {
		return []checks.UpdaterEvidence{{Kind: KindRAUC, Path: p, Line: keyLine, Confidence: High, Detail: "RAUC [keyring] set: bundles are verified against it"}}
	}
	return []checks.UpdaterEvidence{{Kind: KindRAUC, Path: p, Line: 1, Confidence: Low, Detail: "RAUC system.conf without a [keyring] path"}}
}

var swupdateKeyFlag = regexp.MustCompile(`\bswupdate\b[^\n]*\s(-k|--key)\s+\S+`)

// swupdateEvidence reads swupdate.cfg (libconfig: public-key-file = "…")
// and start scripts or units that pass -k/--key to swupdate.
func swupdateEvidence(p string, data []byte) []checks.UpdaterEvidence {
	var out []checks.UpdaterEvidence
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if strings.Contains(l, "public-key-file") && strings.Contains(l, "=") {
			out = append(out, checks.UpdaterEvidence{Kind: KindSWUpdate, Path: p, Line: line, Confidence: High, Detail: "SWUpdate public-key-file set: images are verified against it"})
		} else if swupdateKeyFlag.MatchString(l) {
			out = append(out, checks.UpdaterEvidence{Kind: KindSWUpdate, Path: p, Line: line, Confidence: High, Detail: "swupdate started with a public key (-k)"})
		}
	}
	return out
}
