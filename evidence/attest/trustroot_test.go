package attest

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/tuf"

	"github.com/cemark/cemark/evidence/attest/sigstoretest"
)

// TestTrustedRootFromTUF: without --trusted-root the root comes from a TUF
// repository through sigstore-go's client and is cached, so that a later
// run verifies with the repository out of reach.
func TestTrustedRootFromTUF(t *testing.T) {
	ctx := context.Background()
	fake := sigstoretest.New(t)
	dir := t.TempDir()
	sts, art := sampleBundle(t, dir)
	paths, _ := signKeyless(t, fake, dir, sts[len(sts)-1:])
	repo, rootJSON := sigstoretest.TUFRepository(t, fake.TrustedRoot(t))
	opts := &tuf.Options{Root: rootJSON, RepositoryBaseURL: repo.URL, CachePath: filepath.Join(dir, "tuf-cache"), DisableConsistentSnapshot: true}

	if _, src, err := LoadTrustedRoot(ctx, "", opts); err != nil || !strings.HasPrefix(src, "TUF "+repo.URL) {
		t.Fatalf("online: %q %v", src, err)
	}
	repo.Close()
	_, src, err := LoadTrustedRoot(ctx, "", opts)
	if err != nil || !strings.HasPrefix(src, "TUF cache") {
		t.Fatalf("offline: %q %v, want the cached root", src, err)
	}
	rep, err := Verify(ctx, VerifyOptions{Attestations: paths, Subjects: []string{art}, TUF: opts, Identities: pinned(testIdentity, sigstoretest.GitHubIssuer)})
	if err != nil || !rep.Verified || !strings.HasPrefix(rep.TrustedRoot, "TUF cache") {
		t.Fatalf("offline verify: %v %+v", err, rep)
	}

	// Nothing cached and nothing reachable: the error says what to do.
	empty := *opts
	empty.CachePath = filepath.Join(dir, "empty-cache")
	_, _, err = LoadTrustedRoot(ctx, "", &empty)
	if !errors.Is(err, ErrTrustedRoot) || !strings.Contains(err.Error(), "pass --trusted-root FILE") {
		t.Errorf("err = %v", err)
	}
	_, _, err = LoadTrustedRoot(ctx, filepath.Join(dir, "missing.json"), nil)
	if !errors.Is(err, ErrTrustedRoot) {
		t.Errorf("missing file: %v", err)
	}
}
