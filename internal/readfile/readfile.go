// Package readfile reads whole regular files, many of them: the checks
// read tens of thousands on a large tree. os.Open registers every file
// with the runtime's poller and sets it non-blocking — two more system
// calls a file, about half the cost of reading a small one — which a file
// read at once, start to end, does not need.
package readfile

// Read returns the first limit+1 bytes of the file at path (all of it
// when it is no larger), in a buffer sized for sizeHint bytes: the size a
// walk saw; a file grown since then grows the buffer.
func Read(path string, sizeHint, limit int64) ([]byte, error) {
	return read(path, sizeHint, limit)
}

// bufferFor is a buffer for a file of sizeHint bytes read up to limit+1,
// with room to see the end of the file without a second allocation.
func bufferFor(sizeHint, limit int64) []byte {
	n := min(max(sizeHint, 0), limit+1) + 512
	return make([]byte, 0, n)
}
