package vulnhandling

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/internal/sigverify"
)

// SecurityTxt is a parsed RFC 9116 file.
type SecurityTxt struct {
	Path     string
	Contacts []string // as written, in order
	// ContactLine is the line of the first Contact field.
	ContactLine int
	Expires     []string // as written; RFC 9116 allows exactly one
	ExpiresLine int
	Policy      []string
	// Signed: the file is an OpenPGP cleartext-signed message.
	Signed bool
	// Signature is the verification result of a signed file: "verified by
	// <fingerprint>", "no OpenPGP key given", or why it failed.
	Signature string
	// SignatureOK is true when a signed file verified.
	SignatureOK bool
	// SignatureBad is true when verification ran and failed.
	SignatureBad bool
}

// isSecurityTxtPath matches RFC 9116 locations: /.well-known/security.txt
// (anywhere in the tree, e.g. a web app's public/.well-known/) and the
// legacy /security.txt at the root.
func isSecurityTxtPath(p string) bool {
	if p == "security.txt" {
		return true
	}
	return path.Base(p) == "security.txt" && path.Base(path.Dir(p)) == ".well-known"
}

// ParseSecurityTxt reads an RFC 9116 file. A cleartext-signed file is
// verified with keyring when it holds keys; the fields are read from the
// signed text.
func ParseSecurityTxt(p string, data []byte, keyring openpgp.EntityList, now time.Time) *SecurityTxt {
	st := &SecurityTxt{Path: p}
	body := data
	lineOffset := 0
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN PGP SIGNED MESSAGE-----")) {
		st.Signed = true
		block, _ := clearsign.Decode(data)
		if block == nil {
			st.SignatureBad, st.Signature = true, "the PGP signed message is malformed"
		} else {
			body = block.Plaintext
			// The signed text starts after the armour header, the Hash
			// header(s) and a blank line.
			if i := bytes.Index(data, firstLine(block.Plaintext)); i > 0 {
				lineOffset = bytes.Count(data[:i], []byte("\n"))
			}
			switch {
			case len(keyring) == 0:
				st.Signature = "signed; not verified: no OpenPGP key given (updates.keys of type pgp or --update-key)"
			default:
				// The key is judged when it signed; the file's own freshness
				// is its Expires field.
				signer, err := sigverify.VerifyClearsigned(block, keyring, now)
				switch {
				case err == nil:
					st.SignatureOK = true
					st.Signature = fmt.Sprintf("signature verified with OpenPGP key %X", signer.PrimaryKey.Fingerprint)
				case errors.Is(err, pgperrors.ErrUnknownIssuer):
					st.Signature = "signed by a key that is not among the OpenPGP keys given"
				default:
					st.SignatureBad, st.Signature = true, "signature does not verify: "+err.Error()
				}
			}
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), checks.MaxFileSize)
	line := lineOffset
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, value, ok := strings.Cut(text, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "contact":
			if st.ContactLine == 0 {
				st.ContactLine = line
			}
			st.Contacts = append(st.Contacts, value)
		case "expires":
			if st.ExpiresLine == 0 {
				st.ExpiresLine = line
			}
			st.Expires = append(st.Expires, value)
		case "policy":
			st.Policy = append(st.Policy, value)
		}
	}
	return st
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

// Problem is one RFC 9116 problem of a security.txt.
type Problem struct {
	Key     string // contact | expires | policy | signature
	Message string
	Line    int
	Fail    bool // false: a recommendation (warning)
}

// Problems returns the RFC 9116 problems of the file, judged at now:
// failures (required fields missing or wrong, expired, bad signature) and
// warnings (recommendations).
func (st *SecurityTxt) Problems(now time.Time) []Problem {
	var out []Problem
	if len(st.Contacts) == 0 {
		out = append(out, Problem{"contact", "no Contact field (required by RFC 9116 §2.5.3)", 0, true})
	}
	switch len(st.Expires) {
	case 0:
		out = append(out, Problem{"expires", "no Expires field (required by RFC 9116 §2.5.5)", 0, true})
	case 1:
		exp, err := time.Parse(time.RFC3339, st.Expires[0])
		switch {
		case err != nil:
			out = append(out, Problem{"expires", fmt.Sprintf("Expires %q is not an RFC 3339 date-time (e.g. 2027-06-30T23:59:59Z)", st.Expires[0]), st.ExpiresLine, true})
		case !exp.After(now):
			out = append(out, Problem{"expires", fmt.Sprintf("security.txt expired on %s: reporters are told its contact data is stale", exp.UTC().Format(time.RFC3339)), st.ExpiresLine, true})
		case exp.After(now.AddDate(1, 0, 0)):
			out = append(out, Problem{"expires", fmt.Sprintf("Expires %s is more than a year ahead (RFC 9116 recommends less than a year)", st.Expires[0]), st.ExpiresLine, false})
		}
	default:
		out = append(out, Problem{"expires", fmt.Sprintf("Expires appears %d times (RFC 9116 allows it once)", len(st.Expires)), st.ExpiresLine, true})
	}
	if len(st.Policy) == 0 {
		out = append(out, Problem{"policy", "no Policy field linking to the disclosure policy (recommended by RFC 9116 §2.5.7)", 0, false})
	}
	if st.SignatureBad {
		out = append(out, Problem{"signature", "PGP signature: " + st.Signature, 1, true})
	}
	return out
}
