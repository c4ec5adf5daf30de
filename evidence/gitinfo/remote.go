package gitinfo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// remote is `git remote get-url origin` read from the repository's
// configuration. It is errAskGit when git could answer otherwise: a
// url.*.insteadOf rule (git rewrites the URL with it), a remote or an
// include in the user's or the system's configuration, no URL for origin
// (git then takes another remote).
func (r *repo) remote() (string, error) {
	if len(r.config.URLs) > 0 {
		return "", errAskGit
	}
	if mentioned, err := userConfigMentions("insteadof", "[remote", "include"); err != nil || mentioned {
		return "", errAskGit
	}
	origin, ok := r.config.Remotes["origin"]
	if !ok || len(origin.URLs) == 0 || origin.URLs[0] == "" {
		return "", errAskGit
	}
	return origin.URLs[0], nil
}

// userConfigFiles are the configuration files git reads besides the
// repository's: the system one (where Debian's and most Linux builds of
// git keep it) and the user's two global ones.
func userConfigFiles() ([]string, error) {
	files := []string{"/etc/gitconfig"}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, err
	}
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		xdg = filepath.Join(home, ".config")
	}
	return append(files, filepath.Join(xdg, "git", "config"), filepath.Join(home, ".gitconfig")), nil
}

// userConfigMentions reports whether a configuration file git reads besides
// the repository's holds one of words (see mentionsAny); errAskGit when
// one cannot be read.
func userConfigMentions(words ...string) (bool, error) {
	files, err := userConfigFiles()
	if err != nil {
		return false, errAskGit
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return false, errAskGit
		}
		if mentionsAny(data, words...) {
			return true, nil
		}
	}
	return false, nil
}
