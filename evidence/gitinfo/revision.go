package gitinfo

import (
	"context"
	"fmt"
	"strconv"
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
