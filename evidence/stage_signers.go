package evidence

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cemark/cemark/evidence/attest"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/techfile"
)

// This file is the signers the manufacturer states (attestations.signers):
// read in the config stage, named by the technical file, and compared
// with the run's actual signer in the sign stage.

// maxPublicKeySize bounds a stated public key file: a PEM public key is a
// few hundred bytes.
const maxPublicKeySize = 64 << 10

// loadSigners reads the stated signers, each public key by its key ID. A
// key file that is missing, outside the product root or not a public key
// is bad input (exit 2) at its file:line:column (data is the file as
// read), before any work is done.
func loadSigners(root string, cfg *config.Config, cfgPath string, data []byte) ([]techfile.Signer, error) {
	st := cfg.Attestations.Signers
	var out []techfile.Signer
	for _, k := range st.Keyless {
		out = append(out, techfile.Signer{Issuer: k.Issuer, Identity: k.Identity, IdentityRegexp: k.IdentityRegexp})
	}
	var errs config.Errors
	for i, p := range st.Keys {
		s, err := readSignerKey(root, p)
		if err != nil {
			errs = append(errs, config.ErrorAt(cfgPath, data, fmt.Sprintf("attestations.signers.keys[%d]", i),
				fmt.Sprintf("attestations.signers.keys[%d] %q: %v; expected a public key file (PEM, e.g. cemark.pub from cemark keygen), relative to the product root", i, p, err)))
			continue
		}
		out = append(out, s)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func readSignerKey(root, p string) (techfile.Signer, error) {
	rel := filepath.FromSlash(p)
	if !filepath.IsLocal(rel) {
		return techfile.Signer{}, errors.New("not inside the product root")
	}
	f, err := os.Open(filepath.Join(root, rel))
	if errors.Is(err, fs.ErrNotExist) {
		return techfile.Signer{}, errors.New("no such file")
	}
	if err != nil {
		return techfile.Signer{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPublicKeySize+1))
	if err != nil {
		return techfile.Signer{}, err
	}
	if len(data) > maxPublicKeySize {
		return techfile.Signer{}, fmt.Errorf("larger than %d KiB", maxPublicKeySize>>10)
	}
	pub, err := attest.ParsePublicKeyPEM(data)
	if err != nil {
		return techfile.Signer{}, err
	}
	id, err := attest.KeyID(pub)
	if err != nil {
		return techfile.Signer{}, err
	}
	return techfile.Signer{KeyPath: filepath.ToSlash(filepath.Clean(rel)), KeyID: id, KeyType: attest.KeyTypeOf(pub)}, nil
}

// signerNotice says when the run was signed by someone the stated signers
// do not name — a key of another ID, or another certificate identity or
// issuer — naming both. It never fails the run: the evidence stays valid,
// and verifying it with the signer that did sign works; the statement in
// the technical file is what is off.
func signerNotice(stated []techfile.Signer, s attest.Signing) string {
	if len(stated) == 0 || (s.Method != attest.SignKey && s.Method != attest.SignKeyless) {
		return ""
	}
	var names []string
	for _, st := range stated {
		switch {
		case st.KeyPath != "":
			if s.Method == attest.SignKey && st.KeyID == s.KeyID {
				return ""
			}
			names = append(names, fmt.Sprintf("key %s (%s)", short(st.KeyID), st.KeyPath))
		default:
			id := config.KeylessIdentity{Issuer: st.Issuer, Identity: st.Identity, IdentityRegexp: st.IdentityRegexp}
			if s.Method == attest.SignKeyless && id.Matches(s.Issuer, s.Identity) {
				return ""
			}
			who := st.Identity
			if st.IdentityRegexp != "" {
				who = "identities matching " + st.IdentityRegexp
			}
			names = append(names, fmt.Sprintf("%s (issuer %s)", who, st.Issuer))
		}
	}
	actual := fmt.Sprintf("key %s", short(s.KeyID))
	if s.Method == attest.SignKeyless {
		actual = fmt.Sprintf("%s (issuer %s)", s.Identity, s.Issuer)
	}
	return fmt.Sprintf("the statements are signed by %s, which attestations.signers in cemark.yaml does not name (it names %s): "+
		"the technical file tells verifiers to trust those; add this signer there, or sign as one of them", actual, strings.Join(names, "; "))
}
