package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/evidence/cache"
	"github.com/cemark/cemark/evidence/contain"
	"github.com/cemark/cemark/evidence/evidencedir"
	"github.com/cemark/cemark/evidence/vulns/vulndbtest"
)

// cachedStages are the stages that reuse their outputs.
var cachedStages = []string{"sbom", "vulns", "checks", "attest", "sign"}

// cacheProduct is a git repository with packages of four ecosystems
// (evidence/vulns/testdata/product), a Dockerfile, a .gitignore and
// cemark.yaml, committed at a fixed time.
func cacheProduct(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("vulns", "testdata", "product"))); err != nil {
		t.Fatal(err)
	}
	for rel, content := range map[string]string{
		"cemark.yaml": "product: {name: gateway, version: 1.4.0}\nmanufacturer: {name: Example ApS}\n" + yaml,
		"Dockerfile":  "FROM alpine:3.20\nUSER app\nEXPOSE 8080\n",
		".gitignore":  "ignored/\n.cemark/\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "init")
	return dir
}

// settle waits until files just written are no longer racy (cache.Tree):
// a run on a tree changed within the last two seconds keeps nothing.
func settle() { time.Sleep(2100 * time.Millisecond) }

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-11-01T12:00:00Z", "GIT_COMMITTER_DATE=2026-11-01T12:00:00Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// cacheEnv signs with a fresh Ed25519 key (its signatures are
// deterministic, so a signed run can be compared byte for byte) and scans
// with the test vulnerability database in db.
func cacheEnv(t *testing.T, db string) func(string) string {
	t.Helper()
	env, _ := cacheEnvKey(t, db)
	return env
}

// cacheEnvKey is cacheEnv and the file of its key's public half (PEM),
// for cemark verify.
func cacheEnvKey(t *testing.T, db string) (env func(string) string, pubFile string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	pubFile = filepath.Join(t.TempDir(), "cemark.pub")
	if err := os.WriteFile(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	return func(k string) string {
		switch k {
		case "CEMARK_SIGNING_KEY":
			return key
		case "CEMARK_VULN_DB":
			return db
		}
		return ""
	}, pubFile
}

func reusedStages(ev *Evidence) []string {
	var out []string
	for _, s := range ev.Record.Stages {
		if s.Reused {
			out = append(out, s.Name)
		}
	}
	return out
}

// evidenceAndDocs reads the evidence directory (but run.json, which
// records timings) and the technical file.
func evidenceAndDocs(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, sub := range []string{".cemark", filepath.Join("docs", "cra")} {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() == evidencedir.RunRecord {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sameFiles reports each file (evidenceAndDocs) that one of the runs
// compared wrote and the other did not, or wrote with other bytes.
func sameFiles(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	for name, b := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: %s is missing", what, name)
		} else if !bytes.Equal(b, g) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s was not written before", what, name)
		}
	}
}

func mustRunOpts(t *testing.T, o Options) *Evidence {
	t.Helper()
	ev, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestStageCacheHitIsByteIdentical: an unchanged re-run reuses every
// cached stage and writes exactly the bytes a run without the cache
// writes — signatures included (Ed25519 signs deterministically) — and
// run.json says which stages were reused.
func TestStageCacheHitIsByteIdentical(t *testing.T) {
	dir := cacheProduct(t, "")
	opts := Options{Root: dir, Getenv: cacheEnv(t, vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{}))}
	settle()
	first := mustRunOpts(t, opts)
	if r := reusedStages(first); len(r) != 0 {
		t.Fatalf("the first run reused %v", r)
	}
	if first.Vulns == nil || !first.Vulns.Assessed || first.Signing.Method != "key" {
		t.Fatalf("the run is not scanned and signed: %+v %+v", first.Vulns, first.Signing)
	}
	warm := mustRunOpts(t, opts)
	if r := reusedStages(warm); !slices.Equal(r, cachedStages) {
		t.Fatalf("an unchanged re-run reused %v, want %v", r, cachedStages)
	}
	var rec RunRecord
	if err := json.Unmarshal(mustReadFile(t, filepath.Join(dir, ".cemark", "run.json")), &rec); err != nil {
		t.Fatal(err)
	}
	for _, s := range rec.Stages {
		if want := slices.Contains(cachedStages, s.Name); s.Reused != want {
			t.Errorf("run.json: stage %s reused %v, want %v", s.Name, s.Reused, want)
		}
	}
	reused := evidenceAndDocs(t, dir)
	// The checks stage keeps report.json's own bytes: the report is
	// encoded once, for the file and the cache entry.
	sum := sha256.Sum256(reused[filepath.Join(".cemark", evidencedir.Report)])
	if _, err := os.Stat(filepath.Join(dir, ".git", "cemark-cache", "blobs", hex.EncodeToString(sum[:]))); err != nil {
		t.Errorf("the cache holds no blob of report.json's bytes: %v", err)
	}

	opts.NoCache = true
	cold := mustRunOpts(t, opts)
	if r := reusedStages(cold); len(r) != 0 {
		t.Fatalf("--no-cache reused %v", r)
	}
	sameFiles(t, "the re-run against a cold run", evidenceAndDocs(t, dir), reused)
}

// TestStageCacheNeverServesStale: each input a stage declares, changed,
// makes the stage run again, and the evidence shows the change.
func TestStageCacheNeverServesStale(t *testing.T) {
	db := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	now := time.Now().UTC()
	tomorrow := now.Add(24 * time.Hour).Format(time.DateOnly)
	cases := []struct {
		name string
		// yaml is added to cemark.yaml before the first run.
		yaml string
		// change is made between the two runs, and opts changed.
		change func(t *testing.T, dir string, o *Options)
		// rerun are stages that must run again.
		rerun []string
		// shows checks the second run's evidence.
		shows func(t *testing.T, ev *Evidence)
	}{
		{
			name: "a changed tracked file",
			change: func(t *testing.T, dir string, _ *Options) {
				appendFile(t, filepath.Join(dir, "go.mod"), "\nrequire example.com/extra v1.0.0\n")
			},
			rerun: []string{"sbom", "vulns", "checks", "attest", "sign"},
			shows: func(t *testing.T, ev *Evidence) { wantComponent(t, ev, "example.com/extra") },
		},
		{
			name: "an untracked file",
			change: func(t *testing.T, dir string, _ *Options) {
				writeFile(t, filepath.Join(dir, "deploy", "compose.yaml"), "services:\n  cache:\n    image: redis:7\n    ports: [\"6379:6379\"]\n")
			},
			rerun: []string{"sbom", "checks"},
			shows: func(t *testing.T, ev *Evidence) { wantPort(t, ev, 6379) },
		},
		{
			name: "an ignored file",
			change: func(t *testing.T, dir string, _ *Options) {
				writeFile(t, filepath.Join(dir, "ignored", "Dockerfile"), "FROM alpine:3.20\nUSER app\nEXPOSE 5432\n")
			},
			rerun: []string{"sbom", "checks"},
			shows: func(t *testing.T, ev *Evidence) { wantPort(t, ev, 5432) },
		},
		{
			name: "a file rewritten within a second, same size",
			change: func(t *testing.T, dir string, _ *Options) {
				p := filepath.Join(dir, "Dockerfile")
				b := mustReadFile(t, p)
				fi, _ := os.Stat(p)
				writeFile(t, p, strings.Replace(string(b), "EXPOSE 8080", "EXPOSE 8081", 1))
				// Same size, and the modification time set back: git's
				// racily-clean case; the content is digested.
				os.Chtimes(p, fi.ModTime(), fi.ModTime())
			},
			rerun: []string{"sbom", "checks"},
			shows: func(t *testing.T, ev *Evidence) { wantPort(t, ev, 8081) },
		},
		{
			name: "cemark.yaml",
			change: func(t *testing.T, dir string, _ *Options) {
				writeFile(t, filepath.Join(dir, "cemark.yaml"), "product: {name: gateway, version: 1.5.0}\nmanufacturer: {name: Example ApS}\n")
			},
			rerun: cachedStages,
			shows: func(t *testing.T, ev *Evidence) {
				if ev.Report.Product.Version != "1.5.0" || !bytes.Contains(ev.SBOM.CycloneDX, []byte(`"version": "1.5.0"`)) {
					t.Errorf("the new version is not in the evidence: report %q", ev.Report.Product.Version)
				}
			},
		},
		{
			name:   "a flag",
			change: func(_ *testing.T, _ string, o *Options) { o.Checks = []string{"CEM-PORT-001"} },
			rerun:  []string{"checks", "attest", "sign"},
			shows: func(t *testing.T, ev *Evidence) {
				if len(ev.Report.Results) != 3 { // CEM-PORT-001 and the waiver checks
					t.Errorf("--checks did not select: %d results", len(ev.Report.Results))
				}
			},
		},
		{
			name: "the vulnerability database",
			change: func(t *testing.T, _ string, o *Options) {
				other := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{Synthetic: 3})
				o.VulnDB = other
			},
			rerun: []string{"vulns", "checks", "attest", "sign"},
			shows: func(t *testing.T, ev *Evidence) {
				if ev.Vulns.DB == nil || ev.Vulns.DB.Checksum == "" {
					t.Errorf("no database in the scan: %+v", ev.Vulns.DB)
				}
			},
		},
		{
			name: "the date, for a waiver's expiry",
			yaml: "waivers:\n  - {check: CEM-DEF-001, path: Dockerfile, justification: reviewed, approved_by: A. Person, expires: " + tomorrow + "}\n",
			change: func(_ *testing.T, _ string, o *Options) {
				o.Now = func() time.Time { return now.Add(48 * time.Hour) }
			},
			rerun: []string{"checks", "attest", "sign"},
			shows: func(t *testing.T, ev *Evidence) {
				for _, r := range ev.Report.Results {
					if r.ID == checks.WaiverCheckID && r.Outcome == checks.Fail {
						return
					}
				}
				t.Error("the waiver expired and CEM-WVR-001 does not fail")
			},
		},
	}
	// Every product first, then one wait until none is racy.
	dirs := make([]string, len(cases))
	for i, tc := range cases {
		dirs[i] = cacheProduct(t, tc.yaml)
	}
	settle()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := dirs[i]
			opts := Options{Root: dir, Getenv: cacheEnv(t, db), Now: func() time.Time { return now }}
			if ev := mustRunOpts(t, opts); !slices.Contains(reusedStages(mustRunOpts(t, opts)), "sbom") {
				t.Fatalf("the cache was not filled (first run reused %v)", reusedStages(ev))
			}
			tc.change(t, dir, &opts)
			ev := mustRunOpts(t, opts)
			reused := reusedStages(ev)
			for _, s := range tc.rerun {
				if slices.Contains(reused, s) {
					t.Errorf("stage %s was reused after the change (reused: %v)", s, reused)
				}
			}
			tc.shows(t, ev)
		})
	}
}

// TestStageCacheOutsideGit: without git the tree is fingerprinted file by
// file; the cache lives hidden beside the evidence directory and no scan
// reads it.
func TestStageCacheOutsideGit(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"cemark.yaml": "product: {name: widget, version: 1.0.0}\n",
		"go.mod":      "module example.com/widget\n\ngo 1.22\n",
		"Dockerfile":  "FROM alpine:3.20\nUSER app\nEXPOSE 8080\n",
	})
	opts := Options{Root: dir, Getenv: func(string) string { return "" }, Stages: RunStages.Without(StageVulns)}
	settle()
	mustRunOpts(t, opts)
	cacheDir := filepath.Join(dir, "."+evidencedir.CacheFolder)
	if fi, err := os.Stat(cacheDir); err != nil || !fi.IsDir() {
		t.Fatalf("no cache beside the evidence directory: %v", err)
	}
	if ev := mustRunOpts(t, opts); !slices.Contains(reusedStages(ev), "sbom") {
		t.Fatalf("an unchanged tree did not reuse the SBOM: %v", reusedStages(ev))
	}
	appendFile(t, filepath.Join(dir, "Dockerfile"), "EXPOSE 9090\n")
	ev := mustRunOpts(t, opts)
	if r := reusedStages(ev); slices.Contains(r, "sbom") || slices.Contains(r, "checks") {
		t.Errorf("a changed file outside git was not noticed: reused %v", r)
	}
	wantPort(t, ev, 9090)
	if ev.target == nil {
		t.Fatal("the checks did not walk the tree")
	}
	for _, f := range ev.target.Files.List() {
		if strings.HasPrefix(f.Path, "."+evidencedir.CacheFolder) {
			t.Errorf("the checks read the cache: %s", f.Path)
		}
	}
}

// TestChecksTakeTheFingerprintsListing: outside git the checks' file index
// is made from the listing the cache's fingerprint walked, and it is the
// index a run without the cache walks for itself: the same files, the
// configured exclusion and cemark's own folders left out, the same report.
func TestChecksTakeTheFingerprintsListing(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"cemark.yaml":         "product: {name: widget, version: 1.0.0}\nexclude: [legacy]\n",
		"go.mod":              "module example.com/widget\n\ngo 1.22\n",
		"Dockerfile":          "FROM alpine:3.20\nUSER app\nEXPOSE 8080\n",
		"legacy/Dockerfile":   "FROM alpine:3.20\nEXPOSE 7070\n",
		"deploy/compose.yaml": "services:\n  web:\n    image: nginx\n    ports: [\"9090:80\"]\n",
	})
	opts := Options{Root: dir, Getenv: func(string) string { return "" }, Stages: RunStages.Without(StageVulns)}
	mustRunOpts(t, opts) // the technical file exists from here on: the runs compared find it alike
	uncached := opts
	uncached.NoCache = true
	without := mustRunOpts(t, uncached)
	want := evidenceAndDocs(t, dir)
	with := mustRunOpts(t, opts)
	sameFiles(t, "the checks on the fingerprint's listing", want, evidenceAndDocs(t, dir))
	if !slices.Equal(with.target.Files.List(), without.target.Files.List()) {
		t.Errorf("file index from the listing:\n%v\nwalked:\n%v", with.target.Files.List(), without.target.Files.List())
	}
	for _, f := range with.target.Files.List() {
		if strings.HasPrefix(f.Path, "legacy/") || strings.HasPrefix(f.Path, ".cemark") || strings.HasPrefix(f.Path, "docs/cra/") {
			t.Errorf("the index holds %s", f.Path)
		}
	}
	wantPort(t, with, 9090)
}

func mustReadFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, p, content string) {
	t.Helper()
	writeFile(t, p, string(mustReadFile(t, p))+content)
}

func wantComponent(t *testing.T, ev *Evidence, name string) {
	t.Helper()
	for _, c := range ev.SBOM.Components {
		if c.Name == name {
			return
		}
	}
	t.Errorf("the SBOM has no component %s", name)
}

func wantPort(t *testing.T, ev *Evidence, port int) {
	t.Helper()
	if inv := ev.Report.Facts.Inventory; inv != nil {
		for _, i := range inv.Interfaces {
			if i.Port == port {
				return
			}
		}
	}
	t.Errorf("the inventory has no port %d", port)
}

// changeAt is a Progress that changes a tracked file of the product when
// a stage starts, as an editor or a build running beside cemark would.
type changeAt struct {
	silentProgress
	stage, file string
}

func (c changeAt) StageStarted(stage string) {
	if stage == c.stage {
		_ = os.WriteFile(c.file, []byte("FROM alpine:3.21\nUSER app\nEXPOSE 9090\n"), 0o644)
	}
}

// TestStageCacheKeepsNothingFromATreeThatChanged: outputs made while the
// tree changed belong to neither state, so a run during which a file
// changed keeps no entry keyed by the tree — whether the change came while
// a stage read it (the SBOM) or just before the stages after the last one
// that reads it started (the tree's second fingerprint overlaps those). A
// run with no change keeps every stage (the control).
func TestStageCacheKeepsNothingFromATreeThatChanged(t *testing.T) {
	db := vulndbtest.Install(t, t.TempDir(), vulndbtest.Options{})
	manifests := func(dir string) (n int) {
		for _, st := range []string{"sbom", "vulns", "checks", "attest"} {
			entries, _ := os.ReadDir(filepath.Join(dir, ".git", "cemark-cache", st))
			n += len(entries)
		}
		return n
	}
	for _, stage := range []string{"", "sbom", "checks"} {
		t.Run("change at "+stage, func(t *testing.T) {
			dir := cacheProduct(t, "")
			settle()
			opts := Options{Root: dir, Getenv: cacheEnv(t, db)}
			if stage != "" {
				opts.Progress = changeAt{stage: stage, file: filepath.Join(dir, "Dockerfile")}
			}
			mustRunOpts(t, opts)
			got := manifests(dir)
			if stage == "" && got != 4 {
				t.Fatalf("an undisturbed run kept %d entries of the tree's stages, want 4", got)
			}
			if stage != "" && got != 0 {
				t.Fatalf("a run whose tree changed at %s kept %d entries", stage, got)
			}
		})
	}
}

// TestRacyTreeWritesNoBlobs: once the tree's first fingerprint says it is
// racy nothing keyed by it will be kept, so its stages' outputs are not
// even made, nor written to the store (and no second fingerprint is
// taken); an entry keyed by content (a licence text) still is. On a
// settled tree the outputs are made and stored in the background, and
// flushCache waits for them.
func TestRacyTreeWritesNoBlobs(t *testing.T) {
	done := make(chan struct{})
	close(done)
	dir := filepath.Join(t.TempDir(), "cache")
	r := &runState{p: &stageProgress{Progress: silentProgress{}},
		cache: &stageCache{store: cache.Open(dir), treeDone: done, tree: &cache.Tree{Racy: true}, outside: &cache.Tree{}}}
	var made atomic.Int32
	report := func() (cache.Entry, error) {
		made.Add(1)
		return cache.Entry{"report.json": []byte("{}")}, nil
	}
	r.keep(StageChecks, "k1", report)
	r.cache.keeping.Wait()
	if made.Load() != 0 || len(r.cache.pending) != 0 {
		t.Fatalf("a racy tree's stage output was made (%d) or is pending: %+v", made.Load(), r.cache.pending)
	}
	if _, err := os.Stat(filepath.Join(dir, "blobs")); !os.IsNotExist(err) {
		t.Fatalf("a racy tree's stage output was written to the store (%v)", err)
	}
	r.keepEntry(&pendingEntry{stage: licenceStage, key: "k2", byContent: true}, cache.Entry{"licence": []byte("MIT")})
	if len(r.cache.pending) != 1 {
		t.Fatalf("an entry keyed by content was not kept: %+v", r.cache.pending)
	}
	r.startRecheck(context.Background())
	if r.cache.recheckDone != nil {
		t.Error("a racy tree was fingerprinted a second time")
	}
	r.cache.tree.Racy = false
	r.cache.recheckDone = done // the second fingerprint: the same tree
	r.keep(StageChecks, "k1", report)
	r.keep(StageSign, "k3", func() (cache.Entry, error) { return nil, errors.New("cannot encode") })
	r.flushCache(context.Background())
	if made.Load() != 1 || len(r.cache.pending) != 3 || r.cache.pending[1].files == nil {
		t.Fatalf("a settled tree's stage output was made %d times, pending %+v", made.Load(), r.cache.pending)
	}
	if r.cache.pending[2].files != nil {
		t.Fatalf("an entry that could not be made names blobs: %+v", r.cache.pending[2])
	}
	if _, ok := r.cache.store.Get(string(StageChecks), "k1"); !ok {
		t.Error("the kept entry is not in the store after flushCache")
	}
	if _, ok := r.cache.store.Get(string(StageSign), "k3"); ok {
		t.Error("an entry that could not be made is in the store")
	}
}

// TestFingerprintLeavesOutTheCommit: the tree's second fingerprint runs
// while the last stages do, the write stage's commit included, so the
// folders the commit makes beside the evidence directory are not part of
// the tree. Were they, a run on an unchanged tree whose commit began
// before the fingerprint ended would keep nothing, and the next run would
// reuse nothing. A file anywhere else still changes the fingerprint. In
// git and outside it (there the second fingerprint lists again the
// folders whose times changed: the product root did).
func TestFingerprintLeavesOutTheCommit(t *testing.T) {
	ctx := context.Background()
	for _, inRepo := range []bool{true, false} {
		t.Run(fmt.Sprintf("inRepo=%v", inRepo), func(t *testing.T) {
			dir := cacheProduct(t, "")
			out := filepath.Join(dir, ".cemark")
			r := &runState{ev: &Evidence{Root: dir}, inRepo: inRepo,
				plan: &runPlan{bounds: contain.Bounds{Product: dir, Boundary: dir}, outDir: out, own: []string{".cemark", "docs/cra"}}}
			first, err := cache.TreeFingerprint(ctx, dir, "", inRepo, r.plan.fingerprintSkips())
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			close(done)
			r.cache = &stageCache{treeDone: done, tree: &first}
			fingerprint := func() string {
				t.Helper()
				tree, err := r.recheckTree(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return tree.Digest
			}
			before := first.Digest
			if fingerprint() != before {
				t.Fatal("an unchanged tree's second fingerprint differs from its first")
			}
			for _, d := range evidencedir.WorkDirs(out) {
				writeFile(t, filepath.Join(d, "report.json"), "{}\n")
			}
			if fingerprint() != before {
				t.Error("the commit's staging and aside folders changed the tree's fingerprint")
			}
			writeFile(t, filepath.Join(dir, "notes.txt"), "a file of the product\n")
			if fingerprint() == before {
				t.Error("a new file of the product left the fingerprint as it was: the test tests nothing")
			}
		})
	}
}
