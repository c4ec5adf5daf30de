package defaults

import (
	"regexp"
	"strconv"

	"golang.org/x/crypto/bcrypt"
)

// A default password is also shipped as its bcrypt hash: dex's example
// staticPasswords entry (hash: "$2a$10$…", the hash of "password") gives
// every installation the same admin login. The settings the family already
// reads are searched for bcrypt hashes, and each is tested against the most
// common default passwords. bcrypt is slow on purpose, so the work is
// bounded: a tree full of hashes cannot make a run slow.
const (
	// maxBcryptCost skips hashes of a higher cost: one comparison at cost
	// 12 takes about a quarter of a second, and doubles with each step.
	maxBcryptCost = 12
	// bcryptBudget bounds a run's bcrypt work, in units of one comparison
	// at cost c costing 2^c: the work of 16 comparisons at cost 10, about
	// one second of one core at the worst. A hash whose comparisons
	// against every default could overrun what is left is not tested (not
	// assessed, said so); a typical tree has no hash or one.
	bcryptBudget = 16 << 10
	// bcryptBudgetCost10 is the budget said in comparisons at cost 10,
	// as the metadata states it.
	bcryptBudgetCost10 = bcryptBudget >> 10
)

// hashedDefaultPasswords are the defaults a bcrypt hash is tested against,
// most common first (a match ends a hash's comparisons): the first of
// defaultPasswords people ship as hashes (the metadata names them).
var hashedDefaultPasswords = []string{"password", "admin", "changeme", "secret", "123456"}

// reBcrypt is a bcrypt hash in the modular crypt format: $2a$, $2b$ or $2y$,
// a two-digit cost, and 53 characters of salt and hash in bcrypt's base64.
var reBcrypt = regexp.MustCompile(`\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}`)

// DefaultHash is a bcrypt hash in a setting's value that is the hash of a
// well-known default password.
type DefaultHash struct {
	// Password is the default password the hash verifies: public, from
	// the family's list, never the product's own secret.
	Password string
	// Prefix is the hash's algorithm and cost ("$2a$10$"), what a
	// message may show of it.
	Prefix string
}

// UntestedHashes counts the bcrypt hashes a run did not test, and where the
// first of them was written.
type UntestedHashes struct {
	OverCost, OverLimit int
	Path                string
	Line                int
}

// bcryptHashes returns the bcrypt hashes in a value, in order.
func bcryptHashes(v string) []string {
	var out []string
	for _, m := range reBcrypt.FindAllStringIndex(v, -1) {
		// A longer run of base64 is not a bcrypt hash.
		if m[1] < len(v) && isBcryptBase64(v[m[1]]) {
			continue
		}
		out = append(out, v[m[0]:m[1]])
	}
	return out
}

// isBcryptHash reports whether v is one bcrypt hash and nothing else.
func isBcryptHash(v string) bool {
	hashes := bcryptHashes(v)
	return len(hashes) == 1 && hashes[0] == v
}

func isBcryptBase64(c byte) bool {
	return c == '.' || c == '/' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// hashVerdict is what testing one bcrypt hash found: the default password
// it verifies ("" for none) and the comparisons that took.
type hashVerdict struct {
	password string
	compared int
}

// hashVerdicts are bcrypt hashes already tested, by hash.
type hashVerdicts map[string]hashVerdict

// markDefaultHashes sets DefaultHash on the settings whose value holds a
// bcrypt hash of one of hashedDefaultPasswords, in the order of ss, and
// counts the hashes it did not test. A hash written twice is tested once.
// A hash in known is not compared again: its verdict is taken, and it
// counts against the budget as if it had been. It returns the verdicts of
// the hashes it tested.
func markDefaultHashes(ss []Setting, known hashVerdicts) (UntestedHashes, hashVerdicts) {
	var un UntestedHashes
	tested := hashVerdicts{}
	skipped := map[string]bool{}
	spent := 0
	for i := range ss {
		hashes := bcryptHashes(ss[i].Value)
		if len(hashes) == 0 && ss[i].Raw != ss[i].Value {
			hashes = bcryptHashes(ss[i].Raw)
		}
		for _, h := range hashes {
			v, done := tested[h]
			if !done && !skipped[h] {
				cost, _ := strconv.Atoi(h[4:6])
				switch {
				case cost > maxBcryptCost:
					un.OverCost++
				case spent+len(hashedDefaultPasswords)<<cost > bcryptBudget:
					un.OverLimit++
				default:
					var ok bool
					if v, ok = known[h]; !ok {
						v.password, v.compared = defaultOfHash(h)
					}
					spent += v.compared << cost
					tested[h] = v
					done = true
				}
				if !done {
					skipped[h] = true
					if un.Path == "" {
						un.Path, un.Line = ss[i].Path, ss[i].Line
					}
				}
			}
			if v.password != "" && ss[i].DefaultHash == nil {
				ss[i].DefaultHash = &DefaultHash{Password: v.password, Prefix: h[:7]}
			}
		}
	}
	return un, tested
}

// defaultOfHash returns the default password a bcrypt hash verifies ("" for
// none) and how many comparisons it took.
func defaultOfHash(hash string) (string, int) {
	for i, pw := range hashedDefaultPasswords {
		if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil {
			return pw, i + 1
		}
	}
	return "", len(hashedDefaultPasswords)
}
