package gitinfo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// TreeState is what git knows of the work tree under root, for the stage
// cache's fingerprint: the index (`git ls-files --stage`: mode, blob digest
// and path of every tracked file) and the paths that differ from it
// (`git status --porcelain=v2`: modified, untracked and ignored files, every
// one listed). Paths are relative to the repository's top level and
// NUL-separated. The index is read in-process when it can be (see
// openRepo), byte for byte what ls-files prints; the status is git's,
// read without its optional index refresh, so cemark writes nothing into
// .git.
func TreeState(ctx context.Context, root string) (index, status []byte, err error) {
	r, err := openRepo(root)
	if err == nil {
		index, err = r.lsFilesStage()
	}
	if err != nil {
		if index, err = gitRaw(ctx, root, "ls-files", "--stage", "-z", "--full-name", "--", "."); err != nil {
			return nil, nil, err
		}
	}
	status, err = gitRaw(ctx, root, "--no-optional-locks", "status", "--porcelain=v2", "-z",
		"--untracked-files=all", "--ignored=traditional", "--", ".")
	return index, status, err
}

// gitRaw runs git in root like git, and returns its output untrimmed.
func gitRaw(ctx context.Context, root string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", root}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_PAGER=cat")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("git %s in %s: %w", strings.Join(args, " "), root, ctxErr)
		}
		return nil, fmt.Errorf("git %s in %s: %s: %w", strings.Join(args, " "), root, firstLine(strings.TrimSpace(stderr.String())), err)
	}
	return stdout.Bytes(), nil
}
