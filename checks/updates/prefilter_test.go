package updates

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
)

// lineEvidenceEveryLine is lineEvidence without the keyword prefilter:
// every pattern on every line.
func lineEvidenceEveryLine(p string, data []byte, patterns []linePattern) []checks.UpdaterEvidence {
	var out []checks.UpdaterEvidence
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), checks.MaxFileSize)
	line := 0
	for sc.Scan() {
		line++
		for _, pat := range patterns {
			if pat.re.MatchString(sc.Text()) {
				out = append(out, checks.UpdaterEvidence{Kind: pat.kind, Path: p, Line: line, Confidence: pat.confidence, Detail: pat.detail})
			}
		}
	}
	return out
}

// lineFragments are pieces of lines that match, nearly match or hold a
// keyword without matching.
var lineFragments = []string{
	"from tuf.ngclient import Updater", "import tuf", "import tufx", "from tuf import x", "  from sigstore.verify import Verifier",
	"import sigstore.verify", "VerifyKey(key).verify(msg)", "verify_key.verify(sig)", "x.verify(", "minisign.PublicKey.from_file(p)",
	"minisign.verify", "require('tuf-js')", `from "tuf-js"`, `import x from 'electron-updater'`, "require(\"sigstore\")",
	"from '@sigstore/verify'", "crypto.verify(null, data, key, sig)", "v.verify( 'sha256'", "createVerify('SHA256')",
	`MENDER_ARTIFACT_VERIFY_KEY = "k.pem"`, `  RAUC_KEYRING_FILE ?= "ca.pem"`, `SWUPDATE_SIGNING = "1"`, `SWUPDATE_SIGNING = ""`,
	"print('hello')", "x = 1", "", " ", "\t", "# comment .verify(", "\r", "é", "tuf", "sigstore", "createVerify",
}

func randomSource(r *rand.Rand) []byte {
	var b strings.Builder
	for n := r.IntN(12); n > 0; n-- {
		for k := r.IntN(3); k >= 0; k-- {
			b.WriteString(lineFragments[r.IntN(len(lineFragments))])
		}
		switch r.IntN(4) {
		case 0:
			b.WriteString("\r\n")
		case 1, 2:
			b.WriteString("\n")
		}
	}
	return []byte(b.String())
}

// TestLineEvidenceKeywordsLoseNothing: the prefilter finds what matching
// every line finds, on generated sources and on every pattern's keyword
// list (a keyword missing from a line the pattern matches would show).
func TestLineEvidenceKeywordsLoseNothing(t *testing.T) {
	sets := map[string][]linePattern{"py": scriptPatterns["py"], "js": scriptPatterns["js"], "yocto": yoctoPatterns}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		src := randomSource(r)
		for name, pats := range sets {
			want, got := lineEvidenceEveryLine("f", src, pats), lineEvidence("f", src, pats)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s patterns on %q (-every line +prefiltered):\n%s", name, src, diff)
			}
		}
	}
	for name, pats := range sets {
		for _, pat := range pats {
			if len(pat.keywords) == 0 || len(pat.keywords) > 64 {
				t.Errorf("%s pattern %s: %d keywords", name, pat.re, len(pat.keywords))
			}
		}
		if len(pats) > 64 {
			t.Errorf("%s: %d patterns; lineEvidence keeps one bit per pattern", name, len(pats))
		}
	}
}

func FuzzLineEvidence(f *testing.F) {
	for _, frag := range lineFragments {
		f.Add([]byte(frag + "\n" + frag))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, pats := range [][]linePattern{scriptPatterns["py"], scriptPatterns["js"], yoctoPatterns} {
			if diff := cmp.Diff(lineEvidenceEveryLine("f", src, pats), lineEvidence("f", src, pats)); diff != "" {
				t.Fatalf("(-every line +prefiltered):\n%s", diff)
			}
		}
	})
}

// BenchmarkLineEvidence compares the prefiltered scan with matching every
// line, on a 2 000-line Python module with one match.
func BenchmarkLineEvidence(b *testing.B) {
	var src strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&src, "    result_%d = compute(value_%d, options={'retries': %d})  # keep it simple\n", i, i, i)
		if i == 1000 {
			src.WriteString("from tuf.ngclient import Updater\n")
		}
	}
	data := []byte(src.String())
	for _, impl := range []struct {
		name string
		fn   func(string, []byte, []linePattern) []checks.UpdaterEvidence
	}{{"prefiltered", lineEvidence}, {"every-line", lineEvidenceEveryLine}} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if got := impl.fn("m.py", data, scriptPatterns["py"]); len(got) != 1 || !slices.ContainsFunc(got, func(e checks.UpdaterEvidence) bool { return e.Line == 1002 }) {
					b.Fatalf("%+v", got)
				}
			}
		})
	}
}

// TestGoEvidenceOnlyFromNamedImports: a Go file whose source names none of
// goEvidenceImports gives no evidence, so skipping its parse loses
// nothing. Checked on every Go file of this module, and on files that
// do name one.
func TestGoEvidenceOnlyFromNamedImports(t *testing.T) {
	files, named := 0, 0
	err := filepath.WalkDir(filepath.Join("..", ".."), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		ev, _ := goEvidence(p, data)
		if namesGoEvidenceImport(data) {
			named++
		} else if len(ev) > 0 {
			t.Errorf("%s names no evidence import but gives %+v", p, ev)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 || named == 0 {
		t.Errorf("%d Go files, %d naming an evidence import: the check proves little", files, named)
	}
	for _, src := range []string{
		"package p\nimport \"crypto/ed25519\"\nfunc f(k, m, s []byte) bool { return ed25519.Verify(k, m, s) }\n",
		"package p\nimport su \"github.com/minio/selfupdate\"\nfunc f() { su.Apply(nil, su.Options{Checksum: []byte{1}}) }\n",
		"package p\nimport _ \"github.com/theupdateframework/go-tuf/v2/metadata\"\n",
	} {
		ev, err := goEvidence("f.go", []byte(src))
		if err != nil || len(ev) == 0 || !namesGoEvidenceImport([]byte(src)) {
			t.Errorf("%q: evidence %+v, %v; named %v", src, ev, err, namesGoEvidenceImport([]byte(src)))
		}
	}
}
