//go:build !(linux || darwin || freebsd)

package cache

import "io/fs"

// fileStat is what a stat says beyond fs.FileInfo; elsewhere (Windows)
// the modification time and size stand alone.
type fileStat struct {
	ctime int64
	inode uint64
}

func statOf(fs.FileInfo) fileStat { return fileStat{} }
