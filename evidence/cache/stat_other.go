//go:build !(linux || darwin || freebsd)

package cache

import "io/fs"

// folderTimesFollowEntries: not every file system here updates a
// folder's times when its entries change (FAT keeps a folder's creation
// time), so RecheckTree walks the whole tree again.
const folderTimesFollowEntries = false

// fileStat is what a stat says beyond fs.FileInfo; elsewhere (Windows)
// the modification time and size stand alone.
type fileStat struct {
	ctime int64
	inode uint64
}

func statOf(fs.FileInfo) fileStat { return fileStat{} }
