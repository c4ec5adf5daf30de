package attest

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	intotov1 "github.com/in-toto/attestation/go/v1"

	"github.com/cemark/cemark/evidence/contain"
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
	return SubjectsWithin(ctx, root, globs, images, commit, remote, product, ReadLimits{})
}

// ReadLimits bound what SubjectsWithin reads.
type ReadLimits struct {
	// MaxFileSize refuses a subject file above it (0: no bound).
	MaxFileSize int64
	// Skipped, when set, is told of each match that is not read: not a
	// regular file (a FIFO, a device, a socket), or a symbolic link that
	// leads outside root.
	Skipped func(path, reason string)
}

// SubjectsWithin is Subjects with bounds on the files it reads. Only
// regular files inside root are read, each opened without blocking
// (contain.OpenRegular); any other match is skipped and reported.
func SubjectsWithin(ctx context.Context, root string, globs []string, images []Image, commit, remote, product string, lim ReadLimits) ([]*intotov1.ResourceDescriptor, error) {
	byName := map[string]*intotov1.ResourceDescriptor{}
	fsys := os.DirFS(root)
	skip := func(path, reason string) {
		if lim.Skipped != nil {
			lim.Skipped(path, reason)
		}
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", root, err)
	}
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
		read := 0
		for _, m := range matches {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if _, ok := byName[m]; ok {
				read++
				continue
			}
			p := filepath.Join(root, filepath.FromSlash(m))
			if real, err := filepath.EvalSymlinks(p); err != nil || !contain.Within(realRoot, real) {
				skip(m, "a symbolic link that leads outside the product root")
				continue
			}
			d, err := fileDigests(p, lim.MaxFileSize)
			if errors.Is(err, contain.ErrNotRegular) {
				skip(m, "not a regular file")
				continue
			}
			if err != nil {
				return nil, err
			}
			byName[m] = &intotov1.ResourceDescriptor{Name: m, Digest: d}
			read++
		}
		if read == 0 {
			return nil, fmt.Errorf("subject glob %q matches no regular file under %s", g, root)
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
	d, err := fileDigests(path, 0)
	if err != nil {
		return nil, err
	}
	return &intotov1.ResourceDescriptor{Name: name, Digest: d}, nil
}

// fileDigests hashes a regular file of at most limit bytes (0: no bound);
// it never blocks on a FIFO (contain.OpenRegular).
func fileDigests(path string, limit int64) (map[string]string, error) {
	f, _, err := contain.OpenRegular(path, limit)
	if err != nil {
		return nil, fmt.Errorf("read subject: %w", err)
	}
	defer f.Close()
	return digestReader(contain.LimitedReader(f, path, limit), path)
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
