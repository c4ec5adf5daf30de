package gitinfo

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// readIndex decodes the work tree's index with go-git's decoder, which
// checks the file's checksum. A split or sparse index, or one with
// another required extension, is errAskGit: its entries are not all in
// this file.
func (r *repo) readIndex() (*index.Index, error) {
	f, err := os.Open(filepath.Join(r.gitDir, "index"))
	if err != nil {
		// No index yet (a repository without a commit) is git's to
		// describe.
		return nil, errAskGit
	}
	defer f.Close()
	var idx index.Index
	if err := index.NewDecoder(bufio.NewReaderSize(f, 64<<10)).Decode(&idx); err != nil {
		return nil, errAskGit
	}
	return &idx, nil
}

// underPrefix reports whether the index path name is in the folder
// prefix ("" for the whole repository).
func underPrefix(name, prefix string) bool {
	return prefix == "" || strings.HasPrefix(name, prefix+"/")
}

// lsFilesStage is `git ls-files --stage -z --full-name -- .` run in root:
// every entry below root's folder as "<mode> <object> <stage>\t<path>\0",
// byte for byte, in the index's order.
func (r *repo) lsFilesStage() ([]byte, error) {
	idx, err := r.readIndex()
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, e := range idx.Entries {
		if !underPrefix(e.Name, r.prefix) {
			continue
		}
		out = fmt.Appendf(out, "%06o %s %d\t", uint32(e.Mode), e.Hash, e.Stage)
		out = append(out, e.Name...)
		out = append(out, 0)
	}
	return out, nil
}

// trackedMatching is TrackedFiles read from the index: the paths of the
// entries (one per path, conflicts or not) that one of the globs matches
// from the repository's top level, in the index's order, which is sorted.
// Like a pathspec, a glob also matches the paths below a folder it
// matches.
func (r *repo) trackedMatching(globs []string) ([]string, error) {
	idx, err := r.readIndex()
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range idx.Entries {
		if n := len(files); n > 0 && files[n-1] == e.Name {
			continue
		}
		if globMatches(globs, e.Name) {
			files = append(files, e.Name)
		}
	}
	return files, nil
}

// globMatches reports whether one of git's ":(glob)" pathspecs globs
// matches name or a folder above it.
func globMatches(globs []string, name string) bool {
	for _, g := range globs {
		for p := name; ; {
			if ok, _ := doublestar.Match(g, p); ok {
				return true
			}
			i := strings.LastIndexByte(p, '/')
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	return false
}
