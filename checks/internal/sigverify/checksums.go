package sigverify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// A checksum file beside the artefact (SHA256SUMS, checksums.txt …) that
// lists its digest vouches for it only as far as the checksum file's own
// signature, verified with the other methods, does.

// isChecksumFile matches the checksum-file names release tools write:
// SHA256SUMS / SHA512SUMS (Debian, HashiCorp "<name>_SHA256SUMS"),
// checksums.txt and "<name>_checksums.txt" (goreleaser).
func isChecksumFile(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case lower == "sha256sums", lower == "sha512sums", lower == "sha256sums.txt", lower == "sha512sums.txt",
		lower == "checksums.txt", lower == "checksums.sha256", lower == "checksums.sha512":
		return true
	case strings.HasSuffix(lower, "_sha256sums"), strings.HasSuffix(lower, "_sha512sums"),
		strings.HasSuffix(lower, "_checksums.txt"), strings.HasSuffix(lower, "-checksums.txt"):
		return true
	}
	return false
}

// checksumFile is one checksum file, read and its signature verified once
// per Verifier.
type checksumFile struct {
	// entries maps a base name to its hex digest (lower case).
	entries map[string]string
	sig     attempt // verification of the checksum file's own signature
	err     error
}

// checksumAttempts looks for checksum files beside the artefact that list
// it. A checksum file only counts as a signature when its own signature
// verifies; a listed, matching digest in an unsigned file proves integrity
// against corruption, not authenticity.
func (v *Verifier) checksumAttempts(ctx context.Context, artefact, sum256, sum512 string) []attempt {
	dir := filepath.Dir(artefact)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	base := filepath.Base(artefact)
	var out []attempt
	for _, e := range entries {
		if e.IsDir() || !isChecksumFile(e.Name()) {
			continue
		}
		cf := v.checksumFile(ctx, filepath.Join(dir, e.Name()))
		if cf.err != nil {
			continue
		}
		listed, ok := cf.entries[base]
		if !ok {
			continue
		}
		a := attempt{method: MethodChecksums, sigPath: cf.sig.sigPath}
		want := sum256
		if len(listed) == 128 {
			want = sum512
		}
		if listed != want {
			a.verdict = VerdictDigestMismatch
			a.sigPath = v.display(filepath.Join(dir, e.Name()))
			a.detail = fmt.Sprintf("%s lists digest %s, the artefact's is %s", e.Name(), listed, want)
			out = append(out, a)
			continue
		}
		a.verdict, a.keyID, a.signer = cf.sig.verdict, cf.sig.keyID, cf.sig.signer
		switch cf.sig.verdict {
		case VerdictUnsigned:
			a.detail = e.Name() + " lists a matching digest, but the checksum file itself is not signed"
		default:
			a.detail = e.Name() + " lists a matching digest; its signature: " + cf.sig.detail
		}
		out = append(out, a)
	}
	return out
}

func (v *Verifier) checksumFile(ctx context.Context, p string) *checksumFile {
	if cf, ok := v.checksumCache[p]; ok {
		return cf
	}
	cf := &checksumFile{entries: map[string]string{}}
	v.checksumCache[p] = cf
	data, err := readSmall(p)
	if err != nil {
		cf.err = err
		return cf
	}
	cf.entries = parseChecksums(data)
	cf.sig = attempt{verdict: VerdictUnsigned}
	var attempts []attempt
	for _, suffix := range signatureSuffixes {
		if isFile(p + suffix) {
			attempts = append(attempts, v.verifySignatureFile(ctx, p, p+suffix, suffix))
		}
	}
	for _, a := range attempts {
		if verdictRank(a.verdict) > verdictRank(cf.sig.verdict) {
			cf.sig = a
		}
	}
	return cf
}

// parseChecksums reads the sha256sum/sha512sum format ("<hex>  <name>" or
// "<hex> *<name>") and the BSD format ("SHA256 (<name>) = <hex>"). Names
// are reduced to their base name, since release tools list files of one
// folder.
func parseChecksums(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var sum, name string
		if i := strings.Index(line, ") = "); i > 0 && strings.Contains(line[:i], " (") {
			j := strings.Index(line, " (")
			name, sum = line[j+2:i], line[i+4:]
		} else {
			fields := strings.SplitN(line, " ", 2)
			if len(fields) != 2 {
				continue
			}
			sum = fields[0]
			name = strings.TrimLeft(strings.TrimSpace(fields[1]), "*")
		}
		sum = strings.ToLower(strings.TrimSpace(sum))
		if _, err := hex.DecodeString(sum); err != nil || (len(sum) != 64 && len(sum) != 128) {
			continue
		}
		out[path.Base(filepath.ToSlash(name))] = sum
	}
	return out
}
