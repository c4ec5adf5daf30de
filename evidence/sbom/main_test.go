package sbom

import (
	"os"
	"testing"
)

// TestMain removes what the image sources of the tests unpacked in the
// temporary folder (stereoscope's process-wide folders).
func TestMain(m *testing.M) { os.Exit(RunTests(m)) }
