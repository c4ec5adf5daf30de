package attest

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/evidence/gitinfo"
)

// Image is a container image given as a source, attested by its manifest
// digest ("sha256:<hex>").
type Image struct {
	Name           string
	ManifestDigest string
}

var (
	hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)
	gitSHA    = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)
)

// Subjects lists what the statements are about, sorted by name and
// deduplicated:
//   - every file matching a glob (relative to root, "**" allowed), named by
//     its slash path relative to root, with sha256 and sha512 digests;
//   - every image, by manifest digest;
//   - when neither names anything, the repository's commit as a gitCommit
//     digest (commit is the full hex object name), named
//     "git+<remote>@<commit>" after the canonical web address of the git
//     remote (gitinfo.CanonicalRemote of remote, as gitinfo.Remote reads
//     it), else after product (the product's name). Never after the folder: a clone's folder name differs between
//     a laptop and a CI runner (/github/workspace, /builds/group/project),
//     and the statements must not.
//
// A glob matching no file is an error naming the glob.
func Subjects(ctx context.Context, root string, globs []string, images []Image, commit, remote, product string) ([]*intotov1.ResourceDescriptor, error) {
	byName := map[string]*intotov1.ResourceDescriptor{}
	fsys := os.DirFS(root)
	for _, g := range globs {
		pattern := filepath.ToSlash(strings.TrimPrefix(g, "./"))
		if !doublestar.ValidatePattern(pattern) {
			return nil, fmt.Errorf("subject glob %q is not a valid pattern", g)
		}
		matches, err := doublestar.Glob(fsys, pattern, doublestar.WithFilesOnly(), doublestar.WithNoFollow())
		if err != nil {
			return nil, fmt.Errorf("subject glob %q: %w", g, err)
		}
		sort.Strings(matches)
		if len(matches) == 0 {
			return nil, fmt.Errorf("subject glob %q matches no file under %s", g, root)
		}
		for _, m := range matches {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if _, ok := byName[m]; ok {
				continue
			}
			rd, err := FileSubject(filepath.Join(root, filepath.FromSlash(m)), m)
			if err != nil {
				return nil, err
			}
			byName[m] = rd
		}
	}
	for _, img := range images {
		alg, hexd, ok := strings.Cut(img.ManifestDigest, ":")
		if !ok || alg != "sha256" || !hexSHA256.MatchString(hexd) {
			return nil, fmt.Errorf("image %q: manifest digest %q is not sha256:<64 hex>", img.Name, img.ManifestDigest)
		}
		name := img.Name
		if name == "" {
			name = img.ManifestDigest
		}
		if prev, ok := byName[name]; ok && prev.GetDigest()["sha256"] != hexd {
			return nil, fmt.Errorf("image %q named twice with different digests", name)
		}
		byName[name] = &intotov1.ResourceDescriptor{Name: name, Digest: map[string]string{"sha256": hexd}}
	}
	if len(byName) == 0 {
		if commit == "" {
			return nil, fmt.Errorf("no subject: name artefacts with --subject, or run inside a git repository so the commit can be attested")
		}
		name := product
		if name == "" {
			name = "product"
		}
		// Name the commit after the repository's web address when it has
		// one, as OpenSSF Scorecard does.
		if canonical := gitinfo.CanonicalRemote(remote); canonical != "" {
			name = CommitSubjectName(canonical, commit)
		}
		rd, err := CommitSubject(name, commit)
		if err != nil {
			return nil, err
		}
		return []*intotov1.ResourceDescriptor{rd}, nil
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*intotov1.ResourceDescriptor, 0, len(names))
	for _, n := range names {
		out = append(out, byName[n])
	}
	return out, nil
}

// CommitSubjectName is the subject name of a commit of a repository
// reached at remote: "git+<remote>@<commit>" (the form OpenSSF Scorecard
// uses). Credentials must already be stripped from remote.
func CommitSubjectName(remote, commit string) string {
	if !strings.HasPrefix(remote, "git+") {
		remote = "git+" + remote
	}
	return remote + "@" + commit
}

// CommitSubject is a subject for a git commit (gitCommit digest).
func CommitSubject(name, commit string) (*intotov1.ResourceDescriptor, error) {
	commit = strings.ToLower(commit)
	if !gitSHA.MatchString(commit) {
		return nil, fmt.Errorf("commit %q is not a full git object name (40 or 64 hex digits)", commit)
	}
	return &intotov1.ResourceDescriptor{Name: name, Digest: map[string]string{"gitCommit": commit}}, nil
}

// FileSubject reads one file and describes it with sha256 and sha512.
func FileSubject(path, name string) (*intotov1.ResourceDescriptor, error) {
	d, err := fileDigests(path)
	if err != nil {
		return nil, err
	}
	return &intotov1.ResourceDescriptor{Name: name, Digest: d}, nil
}

func fileDigests(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read subject: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read subject: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("subject %s is not a regular file", path)
	}
	return digestReader(f, path)
}

func digestReader(r io.Reader, what string) (map[string]string, error) {
	h256, h512 := sha256.New(), sha512.New()
	if _, err := io.Copy(io.MultiWriter(h256, h512), r); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return map[string]string{
		"sha256": hex.EncodeToString(h256.Sum(nil)),
		"sha512": hex.EncodeToString(h512.Sum(nil)),
	}, nil
}

func bytesDigests(b []byte) map[string]string {
	s256 := sha256.Sum256(b)
	s512 := sha512.Sum512(b)
	return map[string]string{"sha256": hex.EncodeToString(s256[:]), "sha512": hex.EncodeToString(s512[:])}
}
