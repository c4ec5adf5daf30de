package gitinfo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ProductRevision is the newest commit that changed the product: anything
// below root except the generated paths (the technical file and the
// evidence directory, relative to root). Evidence is made from it rather
// than from HEAD, so that committing the regenerated technical file does
// not make that file stale again (its commit, version and dates would
// otherwise move with every docs commit, and `cemark docs --check` could
// never pass). In a monorepo, root's folder limits what counts.
// Without history for root it falls back to HEAD.
func ProductRevision(ctx context.Context, root string, generated []string) (string, error) {
	args := []string{"log", "-1", "--format=%H", "--", "."}
	for _, g := range generated {
		if g != "" && g != "." {
			args = append(args, ":(exclude)"+g)
		}
	}
	out, err := git(ctx, root, args...)
	if err != nil || out == "" {
		return Head(ctx, root)
	}
	return out, nil
}

// DescribeRevision is `git describe --tags REV`.
func DescribeRevision(ctx context.Context, root, rev string) (string, error) {
	return git(ctx, root, "describe", "--tags", rev)
}

// ShortRevision abbreviates REV to 12 hex digits.
func ShortRevision(ctx context.Context, root, rev string) (string, error) {
	return git(ctx, root, "rev-parse", "--verify", "--short=12", rev+"^{commit}")
}

// RevisionTime is REV's committer time in UTC.
func RevisionTime(ctx context.Context, root, rev string) (time.Time, error) {
	out, err := git(ctx, root, "show", "-s", "--format=%ct", rev)
	if err != nil {
		return time.Time{}, err
	}
	sec, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("git show -s --format=%%ct %s in %s: unexpected output %q", rev, root, out)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// ProductVersion is the version evidence records when none is given:
// `git describe --tags` of the product revision, else its short commit.
func ProductVersion(ctx context.Context, root, rev string) string {
	if v, err := DescribeRevision(ctx, root, rev); err == nil && v != "" {
		return v
	}
	if c, err := ShortRevision(ctx, root, rev); err == nil && c != "" {
		return c
	}
	return ""
}

// Revision is a commit and the facts evidence records about it, read in
// one git process (see ReadProductRevision).
type Revision struct {
	Commit string // full hex
	// Short is Commit abbreviated to 12 hex digits (more when needed to
	// stay unique), as ShortRevision gives it.
	Short string
	Time  time.Time // committer time, UTC
	// Describe is `git describe --tags` of Commit; "" when no tag is
	// reachable or when it was not asked for.
	Describe string
}

// Version is the version evidence records when none is given, as
// ProductVersion says it: Describe, else Short.
func (r Revision) Version() string {
	if r.Describe != "" {
		return r.Describe
	}
	return r.Short
}

// ReadProductRevision is ProductRevision with its short form, its
// committer time and, with describe, `git describe --tags` of it — what
// ProductRevision, RevisionTime and ProductVersion give, from one git log
// instead of four or five git processes. (git runs describe itself, as a
// child; a git older than 2.35, which lacks %(describe:tags), gets a
// separate git describe.) Without history for root it falls back to HEAD,
// which costs a second process. Outside a repository it fails.
func ReadProductRevision(ctx context.Context, root string, generated []string, describe bool) (Revision, error) {
	args := []string{"--", "."}
	for _, g := range generated {
		if g != "" && g != "." {
			args = append(args, ":(exclude)"+g)
		}
	}
	r, err := logRevision(ctx, root, describe, args...)
	if err == nil && r.Commit == "" {
		r, err = logRevision(ctx, root, describe, "HEAD")
	}
	if err == nil && r.Commit == "" {
		err = fmt.Errorf("git log in %s: no commit", root)
	}
	return r, err
}

// revisionFormat is git log's format for a Revision, fields NUL-separated.
const revisionFormat = "%H%x00%h%x00%ct"

// describePlaceholder is git describe --tags as a git log placeholder
// (git 2.35 and later; older versions print it as it is).
const describePlaceholder = "%(describe:tags)"

func logRevision(ctx context.Context, root string, describe bool, args ...string) (Revision, error) {
	format := revisionFormat
	if describe {
		format += "%x00" + describePlaceholder
	}
	out, err := git(ctx, root, append([]string{"log", "-1", "--abbrev=12", "--format=" + format}, args...)...)
	if err != nil || out == "" {
		return Revision{}, err
	}
	fields := strings.Split(out, "\x00")
	if len(fields) < 3 || describe && len(fields) != 4 {
		return Revision{}, fmt.Errorf("git log in %s: unexpected output %q", root, out)
	}
	sec, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil {
		return Revision{}, fmt.Errorf("git log in %s: unexpected commit time %q", root, fields[2])
	}
	r := Revision{Commit: fields[0], Short: fields[1], Time: time.Unix(sec, 0).UTC()}
	if describe {
		r.Describe = fields[3]
		if r.Describe == describePlaceholder {
			r.Describe, _ = DescribeRevision(ctx, root, r.Commit)
		}
	}
	return r, nil
}
