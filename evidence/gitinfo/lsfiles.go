package gitinfo

import (
	"context"
	"sort"
	"strings"
)

// TrackedFiles lists the files git tracks anywhere in root's repository
// that match one of the glob pathspecs (git's ":(glob)" magic: "*" within a
// folder, "**" across folders), as slash paths from the repository's top
// level, sorted. Untracked files are left out on purpose: evidence must
// describe what is committed, not what one clone happens to hold.
func TrackedFiles(ctx context.Context, root string, globs ...string) ([]string, error) {
	if r, err := openRepo(root); err == nil {
		if files, err := r.trackedMatching(globs); err == nil {
			return files, nil
		}
	}
	// Else one process from root: "top" makes each pathspec start at the
	// top level, --full-name writes the paths from there.
	args := []string{"ls-files", "-z", "--full-name", "--"}
	for _, g := range globs {
		args = append(args, ":(top,glob)"+g)
	}
	out, err := git(ctx, root, args...)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	return files, nil
}
