package contain

import (
	"io"
	"io/fs"
	"os"

	"github.com/cemark/cemark/checks/input"
)

// The read half of this package is checks/input, where the checks may
// import it; these names keep evidence's callers as they were.

// DefaultMaxFileSize bounds every file cemark reads from a product unless
// cemark.yaml's limits.max_file_size says otherwise (input.DefaultMaxFileSize).
const DefaultMaxFileSize = input.DefaultMaxFileSize

// ErrNotRegular marks a path that is not a regular file (input.ErrNotRegular).
var ErrNotRegular = input.ErrNotRegular

// TooLargeError is a file above its size bound (input.TooLargeError).
type TooLargeError = input.TooLargeError

// Kind names what a file mode is, for messages (input.Kind).
func Kind(m fs.FileMode) string { return input.Kind(m) }

// OpenRegular opens a regular file of at most limit bytes without ever
// blocking on a FIFO (input.OpenRegular).
func OpenRegular(path string, limit int64) (*os.File, fs.FileInfo, error) {
	return input.OpenRegular(path, limit)
}

// ReadRegular reads a regular file of at most limit bytes (input.ReadRegular).
func ReadRegular(path string, limit int64) ([]byte, error) { return input.ReadRegular(path, limit) }

// LimitedReader cuts r off after limit bytes with a *TooLargeError naming
// path (input.LimitedReader).
func LimitedReader(r io.Reader, path string, limit int64) io.Reader {
	return input.LimitedReader(r, path, limit)
}
