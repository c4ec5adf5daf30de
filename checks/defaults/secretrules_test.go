package defaults

import (
	"sync"
	"testing"
)

// The pipeline builds the rule set while syft catalogues
// (PrepareRules) and the checks use it meanwhile or after: both at once
// are safe (go test -race) and give the rules' verdict.
func TestPrepareRulesWhileUsed(t *testing.T) {
	const token = "ghp_" + "0123456789abcdefghijABCDEFGHIJ012345" // a GitHub token's shape
	var wg sync.WaitGroup
	rules := make([]string, 4)
	for i := range rules {
		wg.Go(func() {
			PrepareRules()
			rules[i] = knownSecretRule("token", token)
		})
	}
	wg.Wait()
	for i, r := range rules {
		if r == "" || r != rules[0] {
			t.Fatalf("goroutine %d: rule %q (first: %q)", i, r, rules[0])
		}
	}
}
