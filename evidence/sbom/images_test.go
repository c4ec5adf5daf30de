package sbom

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Images reads the same image facts Generate reports, from every image
// kind, without cataloguing; dir: sources are skipped.
func TestImagesReadsWhatGenerateReports(t *testing.T) {
	root := t.TempDir()
	dockerArchive, ociDir, ociArchive := writeImageFixtures(t, root)
	ctx := context.Background()

	got, err := Images(ctx, root, []string{"dir:.", KindDockerArchive + ":" + dockerArchive, KindOCIDir + ":" + ociDir, KindOCIArchive + ":" + filepath.Join(root, ociArchive)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d images, want 3: %+v", len(got), got)
	}
	for _, img := range got {
		if diff := cmp.Diff([]string{"1883/tcp", "8080/tcp"}, img.ExposedPorts); diff != "" {
			t.Errorf("%s ports (-want +got):\n%s", img.Source, diff)
		}
		if img.User != "1000:1000" || len(img.Env) != 2 || img.Labels["org.opencontainers.image.title"] != "gateway" {
			t.Errorf("%s: %+v", img.Source, img)
		}
	}
	if got[0].Name != fixtureTag {
		t.Errorf("docker-archive name %q, want its tag %q", got[0].Name, fixtureTag)
	}

	// The very facts the SBOM stage hands the checks in cemark run.
	res, err := Generate(ctx, Config{Root: root, Sources: []string{KindOCIDir + ":" + ociDir}, Created: testCreated})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res.Images, got[1:2]); diff != "" {
		t.Errorf("Images differs from Generate's (-generate +images):\n%s", diff)
	}
}

// A bad image source is an error naming it; nothing is read.
func TestImagesBadSourceNamesIt(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "garbage.tar"), []byte("not an image\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{
		"oci-dir:missing-layout",
		"docker-archive:missing.tar",
		"docker-archive:garbage.tar",
		"oci-archive:garbage.tar",
		"oci-dir:garbage.tar", // a file where a directory is wanted
		"registry:example.com/app",
	} {
		t.Run(src, func(t *testing.T) {
			imgs, err := Images(context.Background(), root, []string{src})
			if err == nil {
				t.Fatalf("no error; images %+v", imgs)
			}
			_, name, _ := strings.Cut(src, ":")
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name %s", err, name)
			}
		})
	}
}
