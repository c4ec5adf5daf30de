package checks

import (
	"bytes"
	"path"
	"regexp"
	"strings"

	"github.com/cemark/cemark/evidence/config"
)

// Where a finding does not count against the product. Test code and
// fixtures, examples, and compose files for development, are in the
// repository but not in what ships: their findings stay in the report as
// info (never failing), with Values["not_shipped"] saying why.
const (
	NotShippedTest = "test code"
	// NotShippedExample is a file under an example(s)/ folder among the
	// test paths: documentation users copy, not test code, so the reason
	// says so (a reader of the report must not take it for a fixture).
	NotShippedExample    = "example"
	NotShippedDevCompose = "development compose file"
)

// testDirSuffix marks Go test-helper packages and test folders by name:
// caddytest/, storagetest/, conformancetests/. Words that merely end in
// "test" (notTestDirs) are not.
var testDirSuffix = regexp.MustCompile(`^[a-z0-9]+tests?$`)

// notTestDirs are English words ending in "test": an attest/ package of a
// supply-chain tool, latest/ docs, superlatives.
var notTestDirs = map[string]bool{"latest": true, "attest": true, "attests": true, "contest": true, "contests": true, "protest": true,
	"detest": true, "greatest": true, "fastest": true, "smartest": true, "shortest": true, "softest": true, "hottest": true,
	"strictest": true, "lightest": true, "tightest": true, "slightest": true, "brightest": true}

// testFile marks test files by each language's convention: x_test.go,
// test_x.py, x_test.py, conftest.py, x.test.ts, x.spec.js, XTest.java.
var testFile = regexp.MustCompile(`(?:_test\.[a-z0-9]+|\.(?:test|spec)\.[a-z0-9]+|^test_[^/]+\.py|^conftest\.py|[a-z0-9]Tests?\.(?:java|kt|cs))$`)

// IsTestPath reports whether rel is test code by the built-in conventions
// (used when checks.test_paths is not set, on top of DefaultTestPaths):
// folders named like Go test packages (caddytest/, *test) and test files
// (*_test.*, *.test.*, *.spec.*, test_*.py, conftest.py).
func IsTestPath(rel string) bool {
	// The expressions run only where their names could match: a folder
	// ending in "test" or "tests", a file name with "test" or "spec" in it
	// (any case). Most paths have neither, and a large product's findings
	// ask for tens of thousands.
	segs := strings.Split(rel, "/")
	for _, s := range segs[:len(segs)-1] {
		if !endsInTest(s) {
			continue
		}
		if l := strings.ToLower(s); !notTestDirs[l] && testDirSuffix.MatchString(l) {
			return true
		}
	}
	base := path.Base(rel)
	return mayBeTestFile(base) && testFile.MatchString(base)
}

// endsInTest reports whether s ends in "test" or "tests", in any case.
func endsInTest(s string) bool {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "s"), "S")
	return len(s) >= 4 && strings.EqualFold(s[len(s)-4:], "test")
}

// mayBeTestFile reports whether base has "test" or "spec" in it, in any
// case: every name testFile matches does.
func mayBeTestFile(base string) bool {
	for i := 0; i+4 <= len(base); i++ {
		if w := base[i : i+4]; strings.EqualFold(w, "test") || strings.EqualFold(w, "spec") {
			return true
		}
	}
	return false
}

// devComposeHeader is the leading comment of a compose file written for
// development or tests: "# quick setups for testing", "# local
// development only", "# not for production".
var devComposeHeader = regexp.MustCompile(`(?i)\b(?:for (?:local )?(?:testing|tests|development|dev)\b|development only|testing only|local development|not (?:meant )?for production|do not use (?:it )?in production)`)

// shipping classifies the paths of one run's findings.
type shipping struct {
	testGlobs       *folderGlobs
	builtinTests    bool // checks.test_paths not set: the conventions of IsTestPath apply too
	productCompose  []string
	read            func(string) ([]byte, error)
	devComposeCache map[string]bool
	// why is notShipped's answer by path: a path holds many findings.
	why map[string]string
}

// newShipping classifies paths by cfg's checks.test_paths and
// checks.product_compose; read reads a compose file's leading comment (nil
// reads nothing).
func newShipping(cfg *config.Config, read func(string) ([]byte, error)) *shipping {
	ship := &shipping{productCompose: cfg.Checks.ProductCompose, read: read, devComposeCache: map[string]bool{}, why: map[string]string{}}
	testGlobs := cfg.Checks.TestPaths
	if len(testGlobs) == 0 {
		testGlobs, ship.builtinTests = DefaultTestPaths, true
	}
	ship.testGlobs = newFolderGlobs(testGlobs)
	return ship
}

// NotShippedBy returns the classifier Run lowers findings by, for a family
// that must choose which of several places a finding points at: why
// findings at a path do not count (NotShippedTest, NotShippedExample,
// NotShippedDevCompose), "" when the path ships. A nil cfg is the
// defaults. The classifier is not safe for concurrent use.
func NotShippedBy(cfg *config.Config, read func(string) ([]byte, error)) func(rel string) string {
	if cfg == nil {
		cfg = &config.Config{}
	}
	return newShipping(cfg, read).notShipped
}

// notShipped says why findings at rel do not count ("" when they do).
func (s *shipping) notShipped(rel string) string {
	if rel == "" {
		return ""
	}
	why, ok := s.why[rel]
	if !ok {
		why = s.classify(rel)
		s.why[rel] = why
	}
	return why
}

func (s *shipping) classify(rel string) string {
	compose := IsComposeFile(rel)
	if compose && Excluded(rel, s.productCompose) {
		return "" // checks.product_compose: it ships, whatever its name or folder
	}
	if compose && s.devCompose(rel) {
		return NotShippedDevCompose
	}
	if s.testGlobs.excluded(rel) || s.builtinTests && IsTestPath(rel) {
		if isExamplePath(rel) {
			return NotShippedExample
		}
		return NotShippedTest
	}
	return ""
}

// isExamplePath reports whether rel is under an example(s)/ folder and is
// not itself a test file (examples/app/main_test.go is test code).
func isExamplePath(rel string) bool {
	if testFile.MatchString(path.Base(rel)) {
		return false
	}
	segs := strings.Split(rel, "/")
	for _, s := range segs[:len(segs)-1] {
		if l := strings.ToLower(s); l == "example" || l == "examples" {
			return true
		}
	}
	return false
}

// devCompose reports whether a compose file is for development or tests:
// named so (docker-compose.dev.yml, compose.test.yaml), an override file
// (compose.override.yml is merged on developers' machines by default), or
// saying so in its leading comment.
func (s *shipping) devCompose(rel string) bool {
	if v, ok := s.devComposeCache[rel]; ok {
		return v
	}
	dev := DevVariant(rel) || IsComposeOverride(rel)
	if !dev && s.read != nil {
		if data, err := s.read(rel); err == nil {
			dev = devComposeHeader.Match(leadingComment(data))
		}
	}
	s.devComposeCache[rel] = dev
	return dev
}

// leadingComment returns the comment lines at the top of a YAML file.
func leadingComment(data []byte) []byte {
	var out []byte
lines:
	for _, line := range bytes.Split(data, []byte("\n")) {
		t := bytes.TrimSpace(line)
		switch {
		case len(t) == 0 || bytes.Equal(t, []byte("---")):
			continue
		case t[0] == '#':
			out = append(append(out, t[1:]...), '\n')
			continue
		}
		break lines
	}
	return out
}
