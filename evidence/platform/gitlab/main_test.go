package gitlab

import (
	"os"
	"testing"

	"github.com/cemark/cemark/evidence/sbom"
)

// TestMain removes what the image sources of the tests unpacked in the
// temporary folder (stereoscope's process-wide folders).
func TestMain(m *testing.M) { os.Exit(sbom.RunTests(m)) }
