package defaults

import (
	"sync"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"
)

// Rule sets are built by the judgements that need them, one while syft
// catalogues (the tree's settings) and maybe one in the checks stage (the
// images'): building and using several at once is safe (go test -race:
// gitleaks' logger is silenced once) and gives the rules' verdict.
func TestSecretRulesAtOnce(t *testing.T) {
	const token = "ghp_" + "0123456789abcdefghijABCDEFGHIJ012345" // a GitHub token's shape
	var wg sync.WaitGroup
	rules := make([]string, 4)
	for i := range rules {
		wg.Go(func() {
			rules[i] = newSecretRules().knownRule("token", token)
		})
	}
	wg.Wait()
	for i, r := range rules {
		if r == "" || r != rules[0] {
			t.Fatalf("goroutine %d: rule %q (first: %q)", i, r, rules[0])
		}
	}
}

// TestSecretRulesBuiltOnlyWhenAsked: values shorter than any known token
// format are not given to the rules, and do not build them.
func TestSecretRulesBuiltOnlyWhenAsked(t *testing.T) {
	r := &secretRules{detector: func() *detect.Detector {
		t.Error("rules built for values none of which is given to them")
		return nil
	}}
	for _, v := range []string{"", "short", "   fifteen chars   "} {
		r.knownRule("token", v)
	}
}
