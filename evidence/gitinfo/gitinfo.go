// Package gitinfo reads facts about the product's repository (tags, the
// HEAD commit and its time, the remote, the index). The simple ones are
// read in-process from git's files whenever that gives git's answer for
// certain (repo.go says when); the rest, and those in any doubt, come
// from the git binary. It keeps no state: every call names the repository
// root and takes a context, so a cancelled run stops a slow git at once.
package gitinfo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/cemark/cemark/evidence/failure"
)

// ErrNoTags is returned by FirstTagTime when the repository has no tag.
var ErrNoTags = errors.New("the repository has no tags")

// SourceDateEpoch is the reproducible-builds variable that fixes the time
// recorded in evidence (https://reproducible-builds.org/specs/source-date-epoch/).
const SourceDateEpoch = "SOURCE_DATE_EPOCH"

// FallbackUnix is the reference time, in Unix seconds, when
// SOURCE_DATE_EPOCH is unset and there is no commit to take a time from:
// the Unix epoch, 1970-01-01T00:00:00Z. A fixed value keeps evidence
// byte-identical across runs; the wall clock never would.
const FallbackUnix int64 = 0

// git runs git -C root args… and returns its trimmed standard output.
func git(ctx context.Context, root string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", root}, args...)...)
	// Never prompt for credentials, always speak English to our parser, and
	// ignore the user's pager and global hooks: output must be machine-read.
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_PAGER=cat")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return "", fmt.Errorf("git %s in %s: %w", strings.Join(args, " "), root, ctxErr)
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s in %s: %s: %w", strings.Join(args, " "), root, firstLine(msg), err)
	}
	return strings.TrimSpace(stdout.String()), nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// IsRepo reports whether root is inside a git work tree (false also when
// git is not installed).
func IsRepo(ctx context.Context, root string) bool {
	if _, err := openRepo(root); err == nil {
		return true
	}
	out, err := git(ctx, root, "rev-parse", "--is-inside-work-tree")
	return err == nil && out == "true"
}

// Describe returns `git describe --tags` for HEAD, e.g. "v1.4.0" or
// "v1.4.0-3-g1a2b3c4". It fails when no tag is reachable.
func Describe(ctx context.Context, root string) (string, error) {
	return git(ctx, root, "describe", "--tags")
}

// Head returns the full commit ID of HEAD.
func Head(ctx context.Context, root string) (string, error) {
	return git(ctx, root, "rev-parse", "--verify", "HEAD^{commit}")
}

// ShortHead returns HEAD's commit ID abbreviated to 12 hex digits, long
// enough to stay unique as the repository grows.
func ShortHead(ctx context.Context, root string) (string, error) {
	return git(ctx, root, "rev-parse", "--verify", "--short=12", "HEAD^{commit}")
}

// CommitTime returns HEAD's committer time in UTC.
func CommitTime(ctx context.Context, root string) (time.Time, error) {
	out, err := git(ctx, root, "show", "-s", "--format=%ct", "HEAD")
	if err != nil {
		return time.Time{}, err
	}
	sec, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("git show -s --format=%%ct HEAD in %s: unexpected output %q", root, out)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// FirstTagTime returns the oldest tag by creator date (the tagger date of
// an annotated tag, the commit date of a lightweight one) — the first
// release, from which a support period is measured. Ties are broken by tag
// name so the answer is stable. ErrNoTags when there is none.
func FirstTagTime(ctx context.Context, root string) (tag string, t time.Time, err error) {
	// Read by git: go-git would load every pack index into memory to find
	// the tags' objects (8 MB more peak memory on a repository of 40 MB of
	// packs), and takes longer than the process.
	// The last --sort key is the primary one.
	out, err := git(ctx, root, "for-each-ref", "--count=1", "--sort=refname", "--sort=creatordate",
		"--format=%(creatordate:unix)%09%(refname:short)", "refs/tags")
	if err != nil {
		return "", time.Time{}, err
	}
	if out == "" {
		return "", time.Time{}, ErrNoTags
	}
	secText, name, ok := strings.Cut(firstLine(out), "\t")
	sec, perr := strconv.ParseInt(secText, 10, 64)
	if !ok || perr != nil {
		return "", time.Time{}, fmt.Errorf("git for-each-ref in %s: unexpected output %q", root, firstLine(out))
	}
	return name, time.Unix(sec, 0).UTC(), nil
}

// Remote returns the URL of the "origin" remote, or of the first remote
// when there is no origin, with any user name, password or token removed
// so that it can be written into evidence.
func Remote(ctx context.Context, root string) (string, error) {
	if r, err := openRepo(root); err == nil {
		if u, err := r.remote(); err == nil {
			return stripCredentials(u), nil
		}
	}
	u, err := git(ctx, root, "remote", "get-url", "origin")
	if err != nil {
		names, lerr := git(ctx, root, "remote")
		if lerr != nil || names == "" {
			return "", fmt.Errorf("no git remote in %s", root)
		}
		if u, err = git(ctx, root, "remote", "get-url", firstLine(names)); err != nil {
			return "", err
		}
	}
	return stripCredentials(u), nil
}

// stripCredentials drops the userinfo of URL-style remotes
// (https://user:token@host/…). scp-style remotes (git@host:path) carry only
// a user name, never a secret, and are kept as they are.
func stripCredentials(remote string) string {
	if !strings.Contains(remote, "://") {
		return remote
	}
	u, err := url.Parse(remote)
	if err != nil {
		// Unparseable: keep only what follows the last '@' of the authority.
		scheme, rest, _ := strings.Cut(remote, "://")
		if i := strings.LastIndexByte(rest, '@'); i >= 0 {
			rest = rest[i+1:]
		}
		return scheme + "://" + rest
	}
	if u.User != nil && u.Scheme != "ssh" {
		u.User = nil
	} else if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// ReferenceTime is the time evidence records: SOURCE_DATE_EPOCH when set
// (an error naming the variable, exit code 2, when it is not a
// non-negative integer),
// else HEAD's commit time, else FallbackUnix (the Unix epoch) — never the
// wall clock, so two runs on the same inputs give the same bytes.
func ReferenceTime(ctx context.Context, root string, getenv func(string) string) (time.Time, error) {
	if t, ok, err := SourceDateEpochTime(getenv); ok || err != nil {
		return t, err
	}
	if t, err := CommitTime(ctx, root); err == nil {
		return t, nil
	}
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	return time.Unix(FallbackUnix, 0).UTC(), nil
}

// RepoPrefix reports whether root is inside a git work tree and, when it
// is, root's folder relative to the repository's top level ("" at the top,
// "services/api" in a monorepo), slash-separated. It is read in-process
// when openRepo can, else from one git process, the one IsRepo would
// run: callers that need both ask this.
func RepoPrefix(ctx context.Context, root string) (prefix string, inRepo bool) {
	if r, err := openRepo(root); err == nil {
		return r.prefix, true
	}
	out, err := git(ctx, root, "rev-parse", "--is-inside-work-tree", "--show-prefix")
	if err != nil {
		return "", false
	}
	inside, p, _ := strings.Cut(out, "\n")
	if strings.TrimSpace(inside) != "true" {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimSpace(p), "/"), true
}

// Ignored asks git whether rel (slash path under root; it need not exist)
// is ignored by the repository's .gitignore files, info/exclude or the
// user's excludes file. known is false when git cannot tell (root is not
// in a work tree, or git is missing).
func Ignored(ctx context.Context, root, rel string) (ignored, known bool) {
	_, err := git(ctx, root, "check-ignore", "-q", "--", rel)
	if err == nil {
		return true, true
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return false, true
	}
	return false, false
}

// SourceDateEpochTime is SOURCE_DATE_EPOCH as a time; ok is false when it
// is unset. A value that is not a non-negative integer is an error naming
// the variable (exit code 2).
func SourceDateEpochTime(getenv func(string) string) (t time.Time, ok bool, err error) {
	if getenv == nil {
		return time.Time{}, false, nil
	}
	v := strings.TrimSpace(getenv(SourceDateEpoch))
	if v == "" {
		return time.Time{}, false, nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec < 0 {
		// A bad environment is the user's to fix: exit code 2.
		return time.Time{}, true, failure.Usage(
			fmt.Errorf("%s=%q: expected a non-negative integer number of seconds since 1970-01-01T00:00:00Z", SourceDateEpoch, v))
	}
	return time.Unix(sec, 0).UTC(), true, nil
}
