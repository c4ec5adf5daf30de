package attest

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
)

// ErrTrustedRoot says no Sigstore trusted root could be had: not from the
// file given, not from TUF, not from TUF's cache.
var ErrTrustedRoot = errors.New("no Sigstore trusted root")

// maxTrustedRootSize bounds a trusted_root.json read from disk; the
// public-good one is about 10 KB.
const maxTrustedRootSize = 4 << 20

// LoadTrustedRoot returns the Sigstore trusted root keyless signatures are
// verified against, and says where it came from. A path wins: the file
// (trusted_root.json) is read and nothing else is consulted — the way to
// verify offline and against a private Sigstore instance. Without one,
// sigstore-go's TUF client fetches the public-good root (tufOpts nil) or
// the repository tufOpts names, and caches it; when the repository cannot
// be reached, the cached copy is used as long as its TUF metadata has not
// expired, so a later run verifies offline.
func LoadTrustedRoot(ctx context.Context, path string, tufOpts *tuf.Options) (*root.TrustedRoot, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	if path != "" {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %v", ErrTrustedRoot, err)
		}
		if fi.Size() > maxTrustedRootSize {
			return nil, "", fmt.Errorf("%w: %s is %d bytes, more than a trusted root holds (%d)", ErrTrustedRoot, path, fi.Size(), maxTrustedRootSize)
		}
		tr, err := root.NewTrustedRootFromPath(path)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %s: %v", ErrTrustedRoot, path, err)
		}
		return tr, path, nil
	}
	opts := tuf.DefaultOptions()
	if tufOpts != nil {
		c := *tufOpts
		opts = &c
	}
	opts = opts.WithContext(ctx)
	tr, err := trustedRootFromTUF(opts)
	if err == nil {
		return tr, "TUF " + opts.RepositoryBaseURL + " (cached in " + opts.CachePath + ")", nil
	}
	// Offline: the cache, while its metadata is still valid.
	cached := *opts
	cached.ForceCache = true
	if tr, cerr := trustedRootFromTUF(&cached); cerr == nil {
		return tr, "TUF cache " + opts.CachePath + " (" + opts.RepositoryBaseURL + " could not be reached)", nil
	}
	return nil, "", fmt.Errorf("%w: the TUF repository %s could not be reached and %s holds no valid copy (%v): pass --trusted-root FILE (a trusted_root.json), or run once with network access to cache it",
		ErrTrustedRoot, opts.RepositoryBaseURL, opts.CachePath, err)
}

func trustedRootFromTUF(opts *tuf.Options) (*root.TrustedRoot, error) {
	c, err := tuf.New(opts)
	if err != nil {
		return nil, err
	}
	return root.GetTrustedRoot(c)
}
