package input

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// DefaultMaxFileSize bounds every file cemark reads from a product unless
// cemark.yaml's limits.max_file_size says otherwise: shipped artefacts and
// images are large, but a file above 8 GiB is refused rather than read.
const DefaultMaxFileSize int64 = 8 << 30

// ErrNotRegular marks a path that is not a regular file: a folder, a FIFO,
// a device or a socket. cemark never reads those — a FIFO or /dev/zero
// would block it or feed it forever.
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError is a file above its size bound.
type TooLargeError struct {
	Path  string
	Size  int64 // bytes found (at least Limit+1 when read as a stream)
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is %d bytes, over the bound of %d bytes", e.Path, e.Size, e.Limit)
}

// Kind names what a file mode is, for messages: "a FIFO", "a device".
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a folder"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "a special file"
}

// OpenRegular opens path for reading when it is a regular file of at most
// limit bytes (limit <= 0: no bound). It never blocks on a FIFO: the path
// is checked with Stat, opened without blocking, and checked again on the
// open file (a FIFO swapped in between is caught there). The error wraps
// ErrNotRegular or is a *TooLargeError where that is the reason.
func OpenRegular(path string, limit int64) (*os.File, fs.FileInfo, error) {
	before, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !before.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is %s: %w", path, Kind(before.Mode()), ErrNotRegular)
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, nil, err
	}
	after, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !after.Mode().IsRegular() || !os.SameFile(before, after) {
		f.Close()
		return nil, nil, fmt.Errorf("%s changed while it was opened and is now %s: %w", path, Kind(after.Mode()), ErrNotRegular)
	}
	if limit > 0 && after.Size() > limit {
		f.Close()
		return nil, nil, &TooLargeError{Path: path, Size: after.Size(), Limit: limit}
	}
	return f, after, nil
}

// ReadRegular reads a regular file of at most limit bytes (limit <= 0: no
// bound), as OpenRegular opens it; a file that grows past the bound while
// it is read is refused too.
func ReadRegular(path string, limit int64) ([]byte, error) {
	f, _, err := OpenRegular(path, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if limit > 0 {
		r = io.LimitReader(f, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if limit > 0 && int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}

// LimitedReader reads at most limit bytes of r and then fails with a
// *TooLargeError naming path, so a stream that grows is cut off rather
// than read forever (limit <= 0: r unchanged).
func LimitedReader(r io.Reader, path string, limit int64) io.Reader {
	if limit <= 0 {
		return r
	}
	return &boundedReader{r: r, path: path, left: limit + 1, limit: limit}
}

type boundedReader struct {
	r     io.Reader
	path  string
	left  int64
	limit int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, &TooLargeError{Path: b.path, Size: b.limit + 1, Limit: b.limit}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left <= 0 {
		return n, &TooLargeError{Path: b.path, Size: b.limit + 1, Limit: b.limit}
	}
	return n, err
}
