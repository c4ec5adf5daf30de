// Package cache keeps what pipeline stages made, under a key that is the
// digest of everything the stage read: a later run whose stage has the same
// inputs takes the outputs instead of making them again — the same bytes,
// since every stage is deterministic.
//
// A Store is a folder (evidencedir.CacheDir: in the repository's .git, or
// hidden beside the evidence directory, never inside it) of content-
// addressed blobs and one small manifest per stage and key naming them:
//
//	blobs/<sha256>                  a stored output
//	<stage>/<key>.json              {"files": {"name": "<sha256>", …}}
//
// Writes are atomic (evidencedir.WriteFileAtomic) and the manifest is
// written last, so a reader sees a whole entry or none; every blob is
// checked against its digest when read, so a damaged or half-pruned entry
// is a miss, never wrong bytes. Entries are never changed, only added and
// pruned (Prune, under the run lock).
package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cemark/cemark/evidence/evidencedir"
)

// formatVersion changes whenever what a stage stores, or how keys are
// made, changes: old entries are then never read.
const formatVersion = "cemark-stage-cache/1"

// Key is the hex SHA-256 of a stage's inputs.
type Key string

// KeyBuilder digests a stage's inputs, each named, in the order added.
type KeyBuilder struct {
	h hash.Hash
}

// NewKey starts the key of stage.
func NewKey(stage string) *KeyBuilder {
	k := &KeyBuilder{h: sha256.New()}
	return k.Add("format", formatVersion).Add("stage", stage)
}

// Add adds one named input. Names and values are length-prefixed, so no
// two different lists of inputs digest alike.
func (k *KeyBuilder) Add(name, value string) *KeyBuilder {
	return k.AddBytes(name, []byte(value))
}

// AddBytes adds one named input given as bytes.
func (k *KeyBuilder) AddBytes(name string, value []byte) *KeyBuilder {
	var n [8]byte
	for _, b := range [][]byte{[]byte(name), value} {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		k.h.Write(n[:])
		k.h.Write(b)
	}
	return k
}

// AddJSON adds one named input as its JSON encoding.
func (k *KeyBuilder) AddJSON(name string, v any) *KeyBuilder {
	b, err := json.Marshal(v)
	if err != nil {
		// Inputs are plain data; a value that does not encode is a bug,
		// and its error text keeps the key distinct from any real value.
		b = []byte("unencodable: " + err.Error())
	}
	return k.AddBytes(name, b)
}

// Sum is the key.
func (k *KeyBuilder) Sum() Key { return Key(hex.EncodeToString(k.h.Sum(nil))) }

// Entry is a stage's stored outputs: named files.
type Entry map[string][]byte

// Store is a cache folder.
type Store struct {
	dir string
}

// Open returns the store in dir; the folder is made when the first entry is stored.
func Open(dir string) *Store { return &Store{dir: dir} }

type manifest struct {
	Format string            `json:"format"`
	Files  map[string]string `json:"files"`
}

func (s *Store) manifestPath(stage string, k Key) string {
	return filepath.Join(s.dir, stage, string(k)+".json")
}

func (s *Store) blobPath(sum string) string { return filepath.Join(s.dir, "blobs", sum) }

// Holds reports whether the store has any entry of stage: a cheap guess,
// before a key is known, whether the stage is likely to be reused.
func (s *Store) Holds(stage string) bool {
	names, err := os.ReadDir(filepath.Join(s.dir, stage))
	return err == nil && len(names) > 0
}

// Get returns the entry of stage under k, and whether there was a whole,
// undamaged one.
func (s *Store) Get(stage string, k Key) (Entry, bool) {
	path := s.manifestPath(stage, k)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var m manifest
	if json.Unmarshal(data, &m) != nil || m.Format != formatVersion {
		return nil, false
	}
	e := Entry{}
	for name, sum := range m.Files {
		b, err := os.ReadFile(s.blobPath(sum))
		if err != nil || digest(b) != sum {
			return nil, false
		}
		e[name] = b
	}
	// The most recently used entries are the ones Prune keeps.
	now := time.Now()
	_ = os.Chtimes(path, now, now)
	return e, true
}

// PutBlobs stores the blobs of an entry and returns what its manifest
// names; the entry becomes visible with PutManifest, blobs first. A run
// writes its outputs when it makes them, and so need not hold them in
// memory until it knows whether to keep them. Blobs no manifest names are removed by Prune. Nothing the cache writes
// is synced: a blob lost in a crash fails its digest, a manifest lost or
// torn does not parse, and either is a miss.
func (s *Store) PutBlobs(stage string, e Entry) (map[string]string, error) {
	if err := os.MkdirAll(filepath.Join(s.dir, "blobs"), 0o755); err != nil {
		return nil, err
	}
	files := make(map[string]string, len(e))
	for name, b := range e {
		sum := digest(b)
		files[name] = sum
		p := s.blobPath(sum)
		if fi, err := os.Stat(p); err == nil && fi.Size() == int64(len(b)) {
			continue // content-addressed: already there
		}
		if err := evidencedir.WriteFileAtomicVolatile(p, b, 0o644); err != nil {
			return nil, fmt.Errorf("store %s output %s: %w", stage, name, err)
		}
	}
	return files, nil
}

// PutManifest makes the entry of stage under k visible: files maps each
// output's name to its blob's digest (PutBlobs).
func (s *Store) PutManifest(stage string, k Key, files map[string]string) error {
	if err := os.MkdirAll(filepath.Join(s.dir, stage), 0o755); err != nil {
		return err
	}
	data, err := json.Marshal(manifest{Format: formatVersion, Files: files})
	if err != nil {
		return err
	}
	return evidencedir.WriteFileAtomicVolatile(s.manifestPath(stage, k), data, 0o644)
}

// Prune keeps the keep most recently used entries of each stage, removes
// the blobs no kept entry names and the temporary files of writes that
// never finished. Run it under the run lock: a concurrent reader at worst
// misses.
func (s *Store) Prune(keep int) error {
	stages, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	used := map[string]bool{}
	var errs []error
	for _, st := range stages {
		if !st.IsDir() || st.Name() == "blobs" {
			continue
		}
		dir := filepath.Join(s.dir, st.Name())
		entries, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		type aged struct {
			path string
			mod  time.Time
		}
		var list []aged
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			fi, err := e.Info()
			if err != nil {
				continue
			}
			if !strings.HasSuffix(e.Name(), ".json") {
				removeStale(p, fi, &errs)
				continue
			}
			list = append(list, aged{p, fi.ModTime()})
		}
		sort.Slice(list, func(i, j int) bool { return list[i].mod.After(list[j].mod) })
		for i, a := range list {
			if i >= keep {
				if err := os.Remove(a.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
				}
				continue
			}
			var m manifest
			if data, err := os.ReadFile(a.path); err == nil && json.Unmarshal(data, &m) == nil {
				for _, sum := range m.Files {
					used[sum] = true
				}
			}
		}
	}
	blobs, err := os.ReadDir(filepath.Join(s.dir, "blobs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, err)
	}
	for _, b := range blobs {
		p := filepath.Join(s.dir, "blobs", b.Name())
		if used[b.Name()] {
			continue
		}
		fi, err := b.Info()
		if err != nil {
			continue
		}
		if strings.HasPrefix(b.Name(), ".") {
			removeStale(p, fi, &errs)
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeStale removes a temporary file a write left more than an hour ago
// (a younger one may belong to a write in progress).
func removeStale(p string, fi fs.FileInfo, errs *[]error) {
	if time.Since(fi.ModTime()) < time.Hour {
		return
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		*errs = append(*errs, err)
	}
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
