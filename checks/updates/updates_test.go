package updates

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	svt "github.com/cemark/cemark/checks/internal/sigverify/sigverifytest"
)

func TestResolveArtifacts(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"dist/app_linux_amd64.tar.gz", "dist/app_linux_amd64.tar.gz.sig", "dist/checksums.txt", "dist/checksums.txt.sigstore.json", "dist/app.pem", "dist/app.deb"} {
		svt.Write(t, root, n, []byte(n))
	}
	got, unmatched := ResolveArtifacts(root, []string{filepath.Join(root, "dist", "app.deb")}, []string{"dist/*", "out/*.zip"})
	var rel []string
	for _, p := range got {
		r, _ := filepath.Rel(root, p)
		rel = append(rel, filepath.ToSlash(r))
	}
	if diff := cmp.Diff([]string{"dist/app.deb", "dist/app_linux_amd64.tar.gz"}, rel); diff != "" {
		t.Errorf("artefacts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"out/*.zip"}, unmatched); diff != "" {
		t.Errorf("unmatched (-want +got):\n%s", diff)
	}
}
