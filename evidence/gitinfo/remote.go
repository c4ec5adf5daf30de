package gitinfo

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
