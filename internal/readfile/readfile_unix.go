//go:build unix

package readfile

import (
	"io"
	"syscall"
)

// file is an open file read with plain system calls.
type file int

func open(path string) (file, error) {
	for {
		// O_NONBLOCK: a file that became a FIFO since the walk must not
		// block the run; a regular file reads the same with it.
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err != syscall.EINTR {
			return file(fd), err
		}
	}
}

func (f file) Read(b []byte) (int, error) {
	for {
		n, err := syscall.Read(int(f), b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(b) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f file) Close() error { return syscall.Close(int(f)) }
