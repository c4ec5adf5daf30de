package attest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGoldenStatements pins every statement of a sample run: the payloads
// must stay byte-identical for the same input (shown indented for review).
func TestGoldenStatements(t *testing.T) {
	sts, _ := sampleBundle(t, t.TempDir())
	for _, st := range sts {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, st.Payload, "", "  "); err != nil {
			t.Fatal(err)
		}
		pretty.WriteByte('\n')
		path := filepath.Join("testdata", "golden", st.Name+".json")
		if *update {
			t.Logf("updating %s", path)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestGoldenStatements -update)", err)
		}
		if d := cmp.Diff(string(want), pretty.String()); d != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", st.Name, d)
		}
	}
}
