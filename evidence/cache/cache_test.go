package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestStoreRoundTrip: an entry is visible only once its manifest is
// written, and then gives back the very bytes stored.
func TestStoreRoundTrip(t *testing.T) {
	s := Open(filepath.Join(t.TempDir(), "cache"))
	k := NewKey("sbom").Add("tree", "t1").Sum()
	e := Entry{"a.json": []byte(`{"a":1}`), "b.json": []byte("bee")}
	files, err := s.PutBlobs("sbom", e)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get("sbom", k); ok {
		t.Fatal("an entry without its manifest is visible")
	}
	if s.Holds("sbom") {
		t.Error("Holds before any manifest")
	}
	if err := s.PutManifest("sbom", k, files); err != nil {
		t.Fatal(err)
	}
	got, ok := s.Get("sbom", k)
	if !ok || string(got["a.json"]) != `{"a":1}` || string(got["b.json"]) != "bee" || len(got) != 2 {
		t.Fatalf("Get = %v, %v", got, ok)
	}
	if !s.Holds("sbom") || s.Holds("checks") {
		t.Error("Holds does not say which stages have entries")
	}
	if _, ok := s.Get("sbom", NewKey("sbom").Add("tree", "t2").Sum()); ok {
		t.Error("another key hit")
	}
}

// TestStoreDamageIsAMiss: nothing the cache writes is synced, so after a
// crash a blob may be empty or cut short and a manifest torn: each is a
// miss, never wrong bytes.
func TestStoreDamageIsAMiss(t *testing.T) {
	for name, damage := range map[string]func(t *testing.T, s *Store, files map[string]string, k Key){
		"blob cut short": func(t *testing.T, s *Store, files map[string]string, k Key) {
			if err := os.WriteFile(s.blobPath(files["out"]), []byte("out"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"blob missing": func(t *testing.T, s *Store, files map[string]string, k Key) {
			if err := os.Remove(s.blobPath(files["out"])); err != nil {
				t.Fatal(err)
			}
		},
		"manifest torn": func(t *testing.T, s *Store, files map[string]string, k Key) {
			if err := os.WriteFile(s.manifestPath("checks", k), []byte(`{"format":"cemark-st`), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"manifest empty": func(t *testing.T, s *Store, files map[string]string, k Key) {
			if err := os.WriteFile(s.manifestPath("checks", k), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := Open(t.TempDir())
			k := NewKey("checks").Sum()
			if err := put(s, "checks", k, Entry{"out": []byte("output of the checks")}); err != nil {
				t.Fatal(err)
			}
			files, err := s.PutBlobs("checks", Entry{"out": []byte("output of the checks")})
			if err != nil {
				t.Fatal(err)
			}
			damage(t, s, files, k)
			if e, ok := s.Get("checks", k); ok {
				t.Fatalf("a damaged entry was served: %q", e["out"])
			}
		})
	}
}

// TestStorePrune keeps the most recently used entries of each stage and
// the blobs they name; blobs no kept manifest names (a run that kept
// nothing, an entry pruned) go, and so do temporary files older than an
// hour, but not younger ones (a write in progress).
func TestStorePrune(t *testing.T) {
	s := Open(t.TempDir())
	keys := make([]Key, 3)
	for i := range keys {
		keys[i] = NewKey("sbom").Add("n", string(rune('a'+i))).Sum()
		if err := put(s, "sbom", keys[i], Entry{"doc": []byte{byte('a' + i)}}); err != nil {
			t.Fatal(err)
		}
		// Oldest first: a, b, c.
		when := time.Now().Add(time.Duration(i-3) * time.Minute)
		if err := os.Chtimes(s.manifestPath("sbom", keys[i]), when, when); err != nil {
			t.Fatal(err)
		}
	}
	orphan, err := s.PutBlobs("sbom", Entry{"doc": []byte("never kept")})
	if err != nil {
		t.Fatal(err)
	}
	oldTmp := filepath.Join(s.dir, "blobs", ".x.tmp-1")
	newTmp := filepath.Join(s.dir, "blobs", ".y.tmp-2")
	for _, p := range []string{oldTmp, newTmp} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hourAgo := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(oldTmp, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	if err := s.Prune(2); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get("sbom", keys[0]); ok {
		t.Error("the least recently used entry was kept")
	}
	for _, k := range keys[1:] {
		if _, ok := s.Get("sbom", k); !ok {
			t.Error("a recent entry was pruned")
		}
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	if exists(s.blobPath(orphan["doc"])) {
		t.Error("a blob no manifest names survived")
	}
	if exists(s.blobPath(digest([]byte{'a'}))) {
		t.Error("the pruned entry's blob survived")
	}
	if exists(oldTmp) || !exists(newTmp) {
		t.Errorf("temporary files: old kept %v, new kept %v (want false, true)", exists(oldTmp), exists(newTmp))
	}
}

// put stores e as the entry of stage under k, as a run does: the blobs,
// then the manifest that makes them visible.
func put(s *Store, stage string, k Key, e Entry) error {
	files, err := s.PutBlobs(stage, e)
	if err != nil {
		return err
	}
	return s.PutManifest(stage, k, files)
}

// TestStatLineFormat pins the fingerprint's line for a file and a link to
// the format it was first written with (fmt's), so that fingerprints and
// the cache keys made from them stay the same across builds.
func TestStatLineFormat(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "l")
	if err := os.Symlink("f.txt", link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	f := newFingerprint(dir, nil)
	f.statPath(file, "f.txt")
	f.statPath(link, "l")
	for i, c := range []struct{ abs, name, suffix string }{{file, "f.txt", ""}, {link, "l", " -> f.txt"}} {
		fi, err := os.Lstat(c.abs)
		if err != nil {
			t.Fatal(err)
		}
		st := statOf(fi)
		want := fmt.Sprintf("file %s %v %d %d %d %d", c.name, fi.Mode(), fi.Size(), fi.ModTime().UnixNano(), st.ctime, st.inode) + c.suffix
		if f.lines[i] != want {
			t.Errorf("line %d = %q, want %q", i, f.lines[i], want)
		}
	}
}
