package defaults

import (
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/cemark/cemark/checks"
)

func hashAt(t *testing.T, pw string, cost int) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func TestHashedDefaultPasswordsAreTheFamilys(t *testing.T) {
	if len(hashedDefaultPasswords) > 5 {
		t.Errorf("%d passwords tested against hashes, at most 5 keep the cost bounded", len(hashedDefaultPasswords))
	}
	for _, pw := range hashedDefaultPasswords {
		if !defaultPasswords[pw] {
			t.Errorf("%q is tested against hashes but is not in defaultPasswords", pw)
		}
	}
}

func TestBcryptHashes(t *testing.T) {
	salt := strings.Repeat("a", 22) + strings.Repeat("B", 30) + "."
	for _, c := range []struct {
		in   string
		want int
	}{
		{"$2a$10$" + salt, 1},
		{"$2b$04$" + salt, 1},
		{"admin:$2y$05$" + salt + " # htpasswd", 1},
		{"$2a$10$" + salt + "x", 0},     // a longer run of base64
		{"$2x$10$" + salt, 0},           // not a variant bcrypt writes
		{"$2a$10$" + salt[:52], 0},      // too short
		{"$2a$1$" + salt, 0},            // one-digit cost
		{"$6$rounds=5000$abcdefgh$", 0}, // sha512-crypt
	} {
		if got := len(bcryptHashes(c.in)); got != c.want {
			t.Errorf("bcryptHashes(%q) = %d hashes, want %d", c.in, got, c.want)
		}
	}
}

func TestMarkDefaultHashesBounds(t *testing.T) {
	def := hashAt(t, "password", bcrypt.MinCost)
	var ss []Setting
	add := func(v string) {
		ss = append(ss, Setting{Origin: OriginConfigFile, Path: "app.yaml", Line: len(ss) + 1, Key: "users.hash", Value: v, Raw: v, Shipped: true})
	}
	add(def)
	add(def) // written twice: tested once, reported at both places
	add("$2a$13$" + strings.Repeat("a", 53))
	// The default "password" cost one comparison; each other hash costs
	// one per default. One more than fits in the budget, then "admin":
	// both beyond it, not tested.
	fit := (bcryptBudget - 1<<bcrypt.MinCost) / (len(hashedDefaultPasswords) << bcrypt.MinCost)
	for i := 0; i <= fit; i++ {
		add(hashAt(t, "not-a-default-"+strconv.Itoa(i), bcrypt.MinCost))
	}
	add(hashAt(t, "admin", bcrypt.MinCost)) // beyond the budget: not tested

	un, _ := markDefaultHashes(ss, nil)
	if un.OverCost != 1 || un.OverLimit != 2 || un.Line != 3 {
		t.Errorf("untested = %+v, want 1 over cost, 2 over the limit, first at line 3", un)
	}
	for i, s := range ss {
		wantMarked := i < 2
		if (s.DefaultHash != nil) != wantMarked {
			t.Errorf("setting %d: DefaultHash = %+v, want marked %v", i, s.DefaultHash, wantMarked)
		}
	}
	if h := ss[0].DefaultHash; h == nil || h.Password != "password" || h.Prefix != "$2a$04$" {
		t.Fatalf("DefaultHash = %+v, want password at $2a$04$", h)
	}

	fs := evalDefaultPassword(&Facts{Settings: ss, UntestedHashes: un})
	if len(fs) != 3 {
		t.Fatalf("got %d findings, want 2 matches and 1 notice: %+v", len(fs), fs)
	}
	for _, f := range fs[:2] {
		if f.Outcome != checks.Fail || strings.Contains(f.Message, def) || strings.Contains(f.Snippet, def) || !strings.Contains(f.Message, `"password"`) {
			t.Errorf("finding %+v: want a failure naming the default and not the hash", f)
		}
	}
	if n := fs[2]; n.Outcome != checks.Info || !strings.Contains(n.Message, "3 bcrypt hashes") {
		t.Errorf("notice = %+v, want info counting 3 untested hashes", n)
	}
	// A hash under a credential-named key is not also a hard-coded credential.
	ss[0].Key = "ADMIN_PASSWORD"
	for _, f := range evalCredential(&Facts{Settings: ss[:1]}) {
		t.Errorf("CEM-DEF-007 reports a hash of a default password: %+v", f)
	}
}

// TestDefaultPasswordMetaStatesBounds keeps the bounds the metadata states
// equal to the code's.
func TestDefaultPasswordMetaStatesBounds(t *testing.T) {
	metas, err := Metas()
	if err != nil {
		t.Fatal(err)
	}
	r := strings.Join(strings.Fields(metas[IDDefaultPassword].Rationale), " ")
	want := []string{
		"cost above " + strconv.Itoa(maxBcryptCost),
		"the work of " + strconv.Itoa(bcryptBudgetCost10) + " comparisons at cost 10",
		"(" + strings.Join(hashedDefaultPasswords, ", ") + ")",
	}
	for _, w := range want {
		if !strings.Contains(r, w) {
			t.Errorf("CEM-DEF-008 rationale does not state %q", w)
		}
	}
}
