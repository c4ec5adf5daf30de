// Package readfile reads whole regular files, many of them: the checks
// read tens of thousands on a large tree. os.Open registers every file
// with the runtime's poller and sets it non-blocking — two more system
// calls a file, about half the cost of reading a small one — which a file
// read at once, start to end, does not need.
package readfile

import (
	"errors"
	"io"
	"io/fs"
)

// Read returns the first limit+1 bytes of the file at path (all of it
// when it is no larger), in a buffer sized for sizeHint bytes: the size a
// walk saw; a file grown since then grows the buffer.
func Read(path string, sizeHint, limit int64) ([]byte, error) {
	f, err := open(path)
	if err != nil {
		return nil, pathError("open", path, err)
	}
	defer f.Close()
	// Room to see the end of the file without a second allocation.
	buf := make([]byte, 0, min(max(sizeHint, 0), limit+1)+512)
	for int64(len(buf)) <= limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := buf[len(buf):min(cap(buf), len(buf)+int(limit+1-int64(len(buf))))]
		n, err := f.Read(room)
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, pathError("read", path, err)
		}
	}
	return buf, nil
}

// pathError names path in err, unless err does already (os.File's do).
func pathError(op, path string, err error) error {
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return err
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}
