//go:build !unix

package input

import "os"

// openNonBlocking opens path read-only. Outside Unix there are no FIFOs in
// the file system that an open could block on; the Stat checks around the
// open still refuse anything but a regular file.
func openNonBlocking(path string) (*os.File, error) {
	return os.Open(path)
}
