package gitinfo

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	gitconfig "github.com/go-git/go-git/v5/config"
)

// A run asks git the same few facts of the product's repository: where
// root sits in it, what the index holds, which files it tracks, the
// remote. Each was a git process. They are read here in-process instead,
// from the files git keeps them in and with go-git's decoders for those
// files (linked into cemark through syft already), whenever that gives
// git's answer for certain. When it might not — a repository located by
// GIT_* variables, a configuration that includes other files or moves the
// work tree, an index format go-git does not read, SHA-256 object IDs,
// files owned by another user, which git's safe.directory rule decides
// on — errAskGit sends the caller to the git process it always ran, so
// the answer never depends on which way it was read (tests compare the
// two ways on real repositories).

// errAskGit is the in-process readers' answer when only git can tell.
var errAskGit = errors.New("ask git")

// repoLocationEnv are the variables with which git finds or reads a
// repository other than by walking up from the current folder, or
// configures it beyond its files.
var repoLocationEnv = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE",
	"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
	"GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_NAMESPACE",
	"GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
	"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM",
}

// repo is a git work tree found in-process, as git would find it from
// root.
type repo struct {
	// top is the work tree's top level, absolute, symbolic links
	// resolved (git rev-parse --show-toplevel).
	top string
	// prefix is root's folder below top, slash-separated, "" at the top
	// (git rev-parse --show-prefix without its trailing slash).
	prefix string
	// gitDir is the work tree's git folder (a linked work tree's own,
	// which holds its HEAD and index); commonDir the one that holds the
	// objects, the refs and the configuration.
	gitDir, commonDir string
	// config is commonDir/config, parsed.
	config *gitconfig.Config
}

// openRepo finds root's repository in-process: the nearest folder at or
// above root holding a .git folder or a .git file naming one (a linked
// work tree, a submodule). It returns errAskGit whenever git's own
// discovery could come to another answer, and also when no repository
// is found: git alone says "not a repository" (it may know a reason
// this walk does not).
func openRepo(root string) (*repo, error) {
	if !inProcessSupported {
		return nil, errAskGit
	}
	for _, v := range repoLocationEnv {
		if _, set := os.LookupEnv(v); set {
			return nil, errAskGit
		}
	}
	// Without git there is no repository to git, and so none here either:
	// the facts must not depend on how they were read.
	if _, err := exec.LookPath("git"); err != nil {
		return nil, errAskGit
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, errAskGit
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, errAskGit
	}
	for _, part := range strings.Split(filepath.ToSlash(abs), "/") {
		if part == ".git" {
			// Inside a git folder: not a work tree, git's to say.
			return nil, errAskGit
		}
	}
	dir := abs
	for {
		dotGit := filepath.Join(dir, ".git")
		fi, err := os.Lstat(dotGit)
		switch {
		case err == nil:
			return openAt(abs, dir, dotGit, fi)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, errAskGit
		}
		parent := filepath.Dir(dir)
		if parent == dir || !sameDevice(dir, parent) {
			// The top of the file system, or of this one: git stops
			// there too, but it is git that says so.
			return nil, errAskGit
		}
		dir = parent
	}
}

// openAt opens the repository whose work tree is top and whose .git entry
// (fi) is dotGit, for root abs below top.
func openAt(abs, top, dotGit string, fi fs.FileInfo) (*repo, error) {
	r := &repo{top: top}
	switch {
	case fi.IsDir():
		r.gitDir = dotGit
	case fi.Mode().IsRegular():
		// A linked work tree or a submodule: "gitdir: <path>".
		data, err := os.ReadFile(dotGit)
		if err != nil {
			return nil, errAskGit
		}
		target, ok := strings.CutPrefix(strings.TrimRight(string(data), "\r\n"), "gitdir: ")
		if !ok || target == "" || strings.ContainsAny(target, "\r\n") {
			return nil, errAskGit
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(top, target)
		}
		r.gitDir = target
		if !ownedByUs(dotGit) {
			return nil, errAskGit
		}
	default:
		return nil, errAskGit
	}
	r.commonDir = r.gitDir
	if data, err := os.ReadFile(filepath.Join(r.gitDir, "commondir")); err == nil {
		c := strings.TrimRight(string(data), "\r\n")
		if !filepath.IsAbs(c) {
			c = filepath.Join(r.gitDir, c)
		}
		r.commonDir = filepath.Clean(c)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, errAskGit
	}
	if !isGitDir(r.gitDir, r.commonDir) || !ownedByUs(top) || !ownedByUs(r.gitDir) {
		return nil, errAskGit
	}
	cfg, err := readRepoConfig(r.commonDir)
	if err != nil {
		return nil, err
	}
	r.config = cfg
	rel, err := filepath.Rel(top, abs)
	if err != nil {
		return nil, errAskGit
	}
	if rel != "." {
		r.prefix = filepath.ToSlash(rel)
	}
	return r, nil
}

// isGitDir is git's test of a git folder (setup.c, is_git_directory): a
// HEAD that is a symbolic ref or a commit ID, and the common folder's
// objects and refs folders.
func isGitDir(gitDir, commonDir string) bool {
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return false
	}
	head = bytes.TrimRight(head, "\r\n")
	if !bytes.HasPrefix(head, []byte("ref: refs/")) && !isHexID(string(head)) {
		return false
	}
	for _, d := range []string{"objects", "refs"} {
		if fi, err := os.Stat(filepath.Join(commonDir, d)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

func isHexID(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// readRepoConfig reads the repository's configuration, and says errAskGit
// when it holds what would change the answers read in-process: an include
// (the included file could say anything), a work tree set elsewhere, a
// bare repository, a repository format or extension (SHA-256 object IDs,
// per-work-tree configuration) beyond the plain SHA-1 one go-git's
// decoders read.
func readRepoConfig(commonDir string) (*gitconfig.Config, error) {
	data, err := os.ReadFile(filepath.Join(commonDir, "config"))
	if err != nil {
		return nil, errAskGit
	}
	if mentionsAny(data, "include") {
		return nil, errAskGit
	}
	cfg, err := gitconfig.ReadConfig(bytes.NewReader(data))
	if err != nil {
		return nil, errAskGit
	}
	core := cfg.Raw.Section("core")
	if core.Options.Get("worktree") != "" || strings.EqualFold(core.Options.Get("bare"), "true") {
		return nil, errAskGit
	}
	switch core.Options.Get("repositoryformatversion") {
	case "", "0":
	case "1":
		if len(cfg.Raw.Section("extensions").Options) > 0 {
			return nil, errAskGit
		}
	default:
		return nil, errAskGit
	}
	return cfg, nil
}

// mentionsAny reports whether data holds one of words, in any case: a
// cheap and safe test, since a word found in a comment only costs a git
// process.
func mentionsAny(data []byte, words ...string) bool {
	lower := bytes.ToLower(data)
	for _, w := range words {
		if bytes.Contains(lower, []byte(w)) {
			return true
		}
	}
	return false
}
