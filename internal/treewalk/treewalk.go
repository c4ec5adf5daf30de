// Package treewalk lists the entries under a folder once, with what lstat
// says of each, for the scans that each walked the product tree before:
// the stage cache's fingerprint of a tree outside git and the checks' file
// index take one listing (a tree of 50 000 files cost 0.3 s of processor
// time per walk).
package treewalk

import (
	"context"
	"io/fs"
	"path/filepath"
)

// Entry is one entry that is not a folder: a file, a symbolic link (not
// followed) or a special file.
type Entry struct {
	// Rel is the slash-separated path relative to the root.
	Rel  string
	Info fs.FileInfo
}

// Error is an entry the walk could not read: a folder it could not list,
// or an entry that vanished or could not be stat'ed.
type Error struct {
	Rel string
	Err error
}

// Listing is what Walk found, in filepath.WalkDir's order (lexical within
// each folder).
type Listing struct {
	// Root is the folder walked, as given to Walk.
	Root    string
	Entries []Entry
	Errors  []Error
	// Dirs are the folders listed, the root first (Rel "."), each with
	// what lstat said of it just before it was listed: a folder whose
	// times are unchanged since holds the same names (POSIX updates them
	// whenever an entry is added, removed or renamed).
	Dirs []Entry
}

// Walk lists every entry under root but the folders for which skip
// returns true (with everything below them; skip may be nil). The folders
// above a folder are asked first. It fails only when ctx ends or root
// itself cannot be read (that error as it is); anything else it cannot
// read is in Errors.
func Walk(ctx context.Context, root string, skip func(rel string) bool) (*Listing, error) {
	l := &Listing{Root: root}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		r, relErr := filepath.Rel(root, p)
		if relErr != nil {
			return relErr
		}
		rel := filepath.ToSlash(r)
		if err != nil {
			if rel == "." {
				return err
			}
			l.Errors = append(l.Errors, Error{Rel: rel, Err: err})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if rel != "." && skip != nil && skip(rel) {
				return fs.SkipDir
			}
			// WalkDir lists a folder after this call: its lstat is from
			// before the listing.
			info, err := d.Info()
			if err != nil {
				l.Errors = append(l.Errors, Error{Rel: rel, Err: err})
				return fs.SkipDir
			}
			l.Dirs = append(l.Dirs, Entry{Rel: rel, Info: info})
			return nil
		}
		info, err := d.Info()
		if err != nil {
			l.Errors = append(l.Errors, Error{Rel: rel, Err: err})
			return nil
		}
		l.Entries = append(l.Entries, Entry{Rel: rel, Info: info})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Abs is an entry's path: the root joined with rel.
func (l *Listing) Abs(rel string) string {
	return filepath.Join(l.Root, filepath.FromSlash(rel))
}
