package defaults

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/cemark/cemark/checks"
)

// TestWarmTreeGivesTheSameFacts: the facts collected after WarmTree (the
// pipeline's order: the tree first, the images when the SBOM is made) are
// those collected in one go, for a tree whose configuration files and
// images both hold bcrypt hashes of defaults.
func TestWarmTreeGivesTheSameFacts(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("application.yaml", "staticPasswords:\n- email: admin@example.com\n  hash: \""+hashAt(t, "password", bcrypt.MinCost)+"\"\n")
	write("Dockerfile", "FROM alpine:3.20\nENV ADMIN_PASSWORD=changeme\nUSER app\n")
	write("compose.yaml", "services:\n  app:\n    image: example/app\n    environment:\n      DB_PASSWORD: secret\n")
	images := []checks.ImageConfig{{Source: "registry:example/app", Name: "example/app",
		Env: []string{"ADMIN_HASH=" + hashAt(t, "admin", bcrypt.MinCost), "PATH=/usr/bin"}}}

	collectOn := func(warm bool) *Facts {
		t.Helper()
		tgt, err := checks.NewTarget(context.Background(), dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if warm {
			if err := WarmTree(context.Background(), tgt); err != nil {
				t.Fatal(err)
			}
		}
		tgt.Images = images // what the SBOM stage adds
		f, err := Collect(context.Background(), tgt)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	cold, warmed := collectOn(false), collectOn(true)
	if diff := cmp.Diff(cold, warmed, cmp.AllowUnexported(Setting{})); diff != "" {
		t.Errorf("facts after WarmTree differ from facts collected in one go (-cold +warmed):\n%s", diff)
	}
	marked := map[string]bool{}
	for _, s := range cold.Settings {
		if s.DefaultHash != nil {
			marked[s.DefaultHash.Password] = true
		}
	}
	if !marked["password"] || !marked["admin"] {
		t.Errorf("default hashes found: %v, want the configuration file's (password) and the image's (admin)", marked)
	}
	// Both hashes and both plain-text defaults (Dockerfile, compose file).
	if n := len(evalDefaultPassword(warmed)); n != 4 {
		t.Errorf("CEM-DEF-008 after WarmTree: %d findings, want 4", n)
	}
}

// TestMarkDefaultHashesTakesKnownVerdicts: a hash tested ahead is not
// compared again, and its comparisons still count against the budget.
func TestMarkDefaultHashesTakesKnownVerdicts(t *testing.T) {
	// Not a hash of "admin": only the known verdict can say it is.
	h := hashAt(t, "not-a-default", bcrypt.MinCost)
	ss := []Setting{{Origin: OriginConfigFile, Path: "app.yaml", Line: 1, Key: "users.hash", Value: h, Raw: h, Shipped: true}}
	un, tested := markDefaultHashes(ss, hashVerdicts{h: {password: "admin", compared: 2}})
	if un != (UntestedHashes{}) {
		t.Errorf("untested = %+v, want none", un)
	}
	if got := ss[0].DefaultHash; got == nil || got.Password != "admin" {
		t.Errorf("DefaultHash = %+v, want the known verdict (admin)", got)
	}
	if v := tested[h]; v.password != "admin" || v.compared != 2 {
		t.Errorf("verdict returned = %+v, want the known one", v)
	}

	// The budget counts a known verdict's comparisons: with the budget
	// spent by known hashes, the next hash is not tested.
	known := hashVerdicts{}
	var many []Setting
	for i := 0; i*len(hashedDefaultPasswords)<<bcrypt.MinCost <= bcryptBudget; i++ {
		v := fmt.Sprintf("$2a$04$%053d", i)
		known[v] = hashVerdict{compared: len(hashedDefaultPasswords)}
		many = append(many, Setting{Path: "app.yaml", Line: i + 1, Key: "k", Value: v, Raw: v})
	}
	if un, _ := markDefaultHashes(many, known); un.OverLimit == 0 {
		t.Errorf("untested = %+v, want the hashes beyond the budget counted although their verdicts were known", un)
	}
}
