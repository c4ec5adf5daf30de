package vulnhandling

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// firstReleaseTag is the repository's oldest tag by creation date (ties by
// name) and that date in UTC: when product.first_placed_on_market is not
// stated, the support period is measured from it. ok is false outside a
// git repository, without tags, or without git.
//
// It is the family's one git fact, read here with one process rather than
// through evidence/gitinfo: the checks import nothing of evidence but the
// config model.
func firstReleaseTag(ctx context.Context, root string) (tag string, at time.Time, ok bool) {
	// The last --sort key is the primary one.
	cmd := exec.CommandContext(ctx, "git", "-C", root, "for-each-ref", "--count=1", "--sort=refname", "--sort=creatordate",
		"--format=%(creatordate:unix)%09%(refname:short)", "refs/tags")
	// Never prompt, always speak English to this parser, no pager.
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_PAGER=cat")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return "", time.Time{}, false
	}
	secText, name, found := strings.Cut(strings.TrimSpace(out.String()), "\t")
	sec, err := strconv.ParseInt(secText, 10, 64)
	if !found || err != nil || name == "" {
		return "", time.Time{}, false
	}
	return name, time.Unix(sec, 0).UTC(), true
}
