package cache

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"sync"
)

// The Go linker writes a build ID into every executable, as `go tool
// buildid` reads it: in an ELF note, and near the start of the text of
// Mach-O and PE files. It changes whenever anything that went into the
// build changes.
var buildIDPrefix = []byte("\xff Go build ID: \"")

// buildIDWindow is how much of the executable is searched for it.
const buildIDWindow = 64 << 10

var buildID = sync.OnceValue(readBuildID)

// BuildID identifies the running executable's build: its Go build ID, so
// that a rebuilt cemark — a new version, or a development build with any
// change — never reuses what another build stored. Without one (a binary
// that carries none) it is the executable's size and modification time.
func BuildID() string { return buildID() }

func readBuildID() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown executable: " + err.Error()
	}
	f, err := os.Open(exe)
	if err != nil {
		return "unreadable executable: " + err.Error()
	}
	defer f.Close()
	if id := elfBuildID(f); id != "" {
		return id
	}
	head := make([]byte, buildIDWindow)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if i := bytes.Index(head, buildIDPrefix); i >= 0 {
		rest := head[i+len(buildIDPrefix):]
		if j := bytes.IndexByte(rest, '"'); j > 0 {
			return string(rest[:j])
		}
	}
	fi, err := f.Stat()
	if err != nil {
		return "unreadable executable: " + err.Error()
	}
	return fmt.Sprintf("%s %d %d", exe, fi.Size(), fi.ModTime().UnixNano())
}

// elfBuildID reads the .note.go.buildid note of an ELF executable: name
// size, descriptor size and type (4 bytes each), the name "Go\0\0", then
// the ID. "" for another format.
func elfBuildID(r io.ReaderAt) string {
	ef, err := elf.NewFile(r)
	if err != nil {
		return ""
	}
	sec := ef.Section(".note.go.buildid")
	if sec == nil {
		return ""
	}
	data, err := sec.Data()
	if err != nil || len(data) < 16 {
		return ""
	}
	descSize := ef.ByteOrder.Uint32(data[4:8])
	if ef.ByteOrder.Uint32(data[0:4]) != 4 || !bytes.Equal(data[12:16], []byte("Go\x00\x00")) || uint32(len(data)-16) < descSize {
		return ""
	}
	return string(data[16 : 16+descSize])
}
