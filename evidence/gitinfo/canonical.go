package gitinfo

import (
	"net/url"
	"strings"
)

// CanonicalRemote is the one web address of a repository however it was
// cloned: a maintainer's ssh clone (git@host:org/repo.git), a CI runner's
// https clone with a token (https://token@host/org/repo.git) and a mirror
// URL with a trailing slash all give https://host/org/repo. Evidence that
// names the repository uses it, so the same commit makes byte-identical
// statements on a laptop and in CI.
//
// It returns "" for remotes that name no web host — local paths and
// file:// URLs — because such a name would differ from clone to clone.
func CanonicalRemote(remote string) string {
	remote = strings.TrimSpace(remote)
	var host, path, scheme string
	switch {
	case remote == "":
		return ""
	case strings.Contains(remote, "://"):
		u, err := url.Parse(remote)
		if err != nil || u.Host == "" {
			return ""
		}
		switch u.Scheme {
		case "http", "https":
			// The port of a web address is part of it; keep it.
			scheme, host = u.Scheme, u.Host
		case "ssh", "git", "git+ssh", "ssh+git":
			// An ssh or git-daemon port says nothing about the web address.
			scheme, host = "https", u.Hostname()
		default:
			return ""
		}
		path = u.Path
	default:
		// scp-like syntax: [user@]host:path. A colon after a slash, or no
		// colon, is a local path (git's own rule), and so is a Windows
		// drive letter (C:/repos/proj).
		colon := strings.IndexByte(remote, ':')
		if colon <= 1 || strings.Contains(remote[:colon], "/") {
			return ""
		}
		host, path = remote[:colon], remote[colon+1:]
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:]
		}
		scheme = "https"
	}
	host = strings.ToLower(host)
	path = strings.Trim(path, "/")
	path = strings.TrimSuffix(path, ".git")
	if host == "" || path == "" {
		return ""
	}
	return scheme + "://" + host + "/" + path
}
