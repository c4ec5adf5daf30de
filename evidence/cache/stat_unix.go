//go:build linux || darwin || freebsd

package cache

import (
	"io/fs"
	"syscall"
)

// folderTimesFollowEntries: POSIX updates a folder's modification and
// change times whenever an entry is added to it, removed or renamed
// (RecheckTree).
const folderTimesFollowEntries = true

// fileStat is what a stat says beyond fs.FileInfo: the inode change time
// (a content write updates it even when the modification time is set
// back, as tar, cp -p and rsync -t do) and the inode (a file replaced by
// another).
type fileStat struct {
	ctime int64 // nanoseconds since the epoch
	inode uint64
}

func statOf(fi fs.FileInfo) fileStat {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileStat{}
	}
	sec, nsec := ctimeOf(st)
	return fileStat{ctime: sec*1e9 + nsec, inode: uint64(st.Ino)}
}
