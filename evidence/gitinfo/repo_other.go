//go:build !unix

package gitinfo

// inProcessSupported: git's ownership rule on Windows compares security
// identifiers; every fact goes to git there.
const inProcessSupported = false

func ownedByUs(string) bool { return false }

func sameDevice(a, b string) bool { return false }
