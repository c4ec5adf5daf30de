package all

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/failure"
)

// Check hands the image reader the sources cemark run would scan (the
// command line's, else cemark.yaml's) and the checks judge what it read.
func TestCheckReadsImageSources(t *testing.T) {
	root := writeTree(t, map[string]string{
		"cemark.yaml": "product: {name: demo}\nsources: [\"dir:.\", \"oci-dir:configured\"]\n",
	})
	var asked []string
	read := func(_ context.Context, r string, sources []string) ([]checks.ImageConfig, error) {
		if r != root {
			t.Errorf("root %q, want %q", r, root)
		}
		asked = sources
		return []checks.ImageConfig{{Source: sources[len(sources)-1], Name: "demo:1", User: "root"}}, nil
	}
	for _, tc := range []struct {
		name    string
		sources []string
		want    []string
	}{
		{"configured", nil, []string{"dir:.", "oci-dir:configured"}},
		{"command line", []string{"oci-archive:given.tar"}, []string{"oci-archive:given.tar"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Check(context.Background(), Options{Root: root, Checks: []string{"CEM-DEF-001"}, Sources: tc.sources, ReadImages: read})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, asked); diff != "" {
				t.Errorf("sources (-want +got):\n%s", diff)
			}
			var paths []string
			for _, f := range rep.Findings() {
				if f.Check == "CEM-DEF-001" && f.Outcome == checks.Fail {
					paths = append(paths, f.Path)
				}
			}
			if diff := cmp.Diff([]string{"demo:1"}, paths); diff != "" {
				t.Errorf("root-user failures (-want +got):\n%s", diff)
			}
		})
	}

	// A source the reader cannot take is a usage error.
	bad := func(context.Context, string, []string) ([]checks.ImageConfig, error) {
		return nil, errors.New(`source "oci-dir:gone": stat gone: no such file or directory`)
	}
	_, err := Check(context.Background(), Options{Root: root, ReadImages: bad})
	if failure.KindOf(err) != failure.ErrUsage {
		t.Errorf("unreadable image: %v (exit %v), want a usage error", err, failure.KindOf(err))
	}

	// No reader, no images: the configured sources are left alone.
	rep, err := Check(context.Background(), Options{Root: root, Checks: []string{"CEM-DEF-001"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Summary; s.Fail != 0 {
		t.Errorf("without a reader: %+v", s)
	}
}
