package github

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
)

// fakeGitHub is a small, stateful imitation of the REST endpoints the docs
// updates use. It records every call ("METHOD /path") in order. Trees are
// content-addressed like Git's, so an unchanged tree keeps its SHA.
type fakeGitHub struct {
	t      *testing.T
	mu     sync.Mutex
	calls  []string
	refs   map[string]string            // "heads/main" → commit
	commit map[string]string            // commit → tree
	trees  map[string]map[string]string // tree → path → blob
	blobs  map[string][]byte
	pulls  []fakePull
	// fail answers a call ("METHOD /path") with a status, a message and
	// headers, the given number of times.
	fail  map[string]*fakeFailure
	token string
}

type fakePull struct {
	Number     int
	Head, Base string
	Title      string
	Body       string
}

type fakeFailure struct {
	status  int
	message string
	header  map[string]string
	times   int
}

const apiPrefix = "/api/v3"

func newFakeGitHub(t *testing.T) (*fakeGitHub, *httptest.Server) {
	f := &fakeGitHub{t: t, refs: map[string]string{}, commit: map[string]string{}, trees: map[string]map[string]string{},
		blobs: map[string][]byte{}, fail: map[string]*fakeFailure{}, token: "ghs_faketoken123"}
	// The base commit holds one file outside the technical file.
	base := f.putTree(map[string]string{"main.go": f.putBlob([]byte("package main\n"))})
	f.commit["basecommit0000000000000000000000000000001"] = base
	f.refs["heads/main"] = "basecommit0000000000000000000000000000001"
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv
}

func gitHash(kind string, b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", kind, len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func (f *fakeGitHub) putBlob(b []byte) string {
	sha := gitHash("blob", b)
	f.blobs[sha] = b
	return sha
}

func (f *fakeGitHub) putTree(files map[string]string) string {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&b, "%s %s\n", files[p], p)
	}
	sha := gitHash("tree", []byte(b.String()))
	f.trees[sha] = files
	return sha
}

// treeFiles returns the files of the tree a ref points to.
func (f *fakeGitHub) refFiles(ref string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.trees[f.commit[f.refs[ref]]]
}

func (f *fakeGitHub) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]string(nil), f.calls...)
	f.calls = nil
	return out
}

func (f *fakeGitHub) failNext(call string, status int, message string, times int, header map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[call] = &fakeFailure{status: status, message: message, times: times, header: header}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, apiPrefix)
	call := r.Method + " " + p
	f.calls = append(f.calls, call)
	if got := r.Header.Get("Authorization"); got != "Bearer "+f.token {
		writeJSON(w, 401, map[string]string{"message": "Bad credentials"})
		return
	}
	if fl := f.fail[call]; fl != nil && fl.times > 0 {
		fl.times--
		for k, v := range fl.header {
			w.Header().Set(k, v)
		}
		writeJSON(w, fl.status, map[string]string{"message": fl.message})
		return
	}
	body, _ := io.ReadAll(r.Body)
	const repo = "/repos/acme/widget"
	if !strings.HasPrefix(p, repo+"/") {
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
		return
	}
	p = strings.TrimPrefix(p, repo)
	switch {
	case r.Method == "GET" && strings.HasPrefix(p, "/git/ref/"):
		ref := strings.TrimPrefix(p, "/git/ref/")
		sha, ok := f.refs[ref]
		if !ok {
			writeJSON(w, 404, map[string]string{"message": "Not Found"})
			return
		}
		writeJSON(w, 200, map[string]any{"ref": "refs/" + ref, "object": map[string]string{"sha": sha, "type": "commit"}})
	case r.Method == "GET" && strings.HasPrefix(p, "/git/commits/"):
		sha := strings.TrimPrefix(p, "/git/commits/")
		tree, ok := f.commit[sha]
		if !ok {
			writeJSON(w, 404, map[string]string{"message": "Not Found"})
			return
		}
		writeJSON(w, 200, map[string]any{"sha": sha, "tree": map[string]string{"sha": tree}})
	case r.Method == "POST" && p == "/git/blobs":
		var in struct{ Content, Encoding string }
		if err := json.Unmarshal(body, &in); err != nil {
			f.t.Errorf("POST blobs: %v", err)
		}
		b := []byte(in.Content)
		if in.Encoding == "base64" {
			b, _ = base64.StdEncoding.DecodeString(in.Content)
		}
		writeJSON(w, 201, map[string]string{"sha": f.putBlob(b)})
	case r.Method == "POST" && p == "/git/trees":
		var in struct {
			BaseTree string `json:"base_tree"`
			Tree     []struct{ Path, Mode, Type, SHA string }
		}
		if err := json.Unmarshal(body, &in); err != nil {
			f.t.Errorf("POST trees: %v", err)
		}
		files := map[string]string{}
		for k, v := range f.trees[in.BaseTree] {
			files[k] = v
		}
		for _, e := range in.Tree {
			if e.Mode != "100644" || e.Type != "blob" {
				f.t.Errorf("tree entry %s: mode %s type %s", e.Path, e.Mode, e.Type)
			}
			files[e.Path] = e.SHA
		}
		writeJSON(w, 201, map[string]string{"sha": f.putTree(files)})
	case r.Method == "POST" && p == "/git/commits":
		var in struct {
			Message string
			Tree    string
			Parents []string
		}
		if err := json.Unmarshal(body, &in); err != nil {
			f.t.Errorf("POST commits: %v", err)
		}
		sha := gitHash("commit", []byte(in.Tree+strings.Join(in.Parents, ",")+in.Message+fmt.Sprint(len(f.commit))))
		f.commit[sha] = in.Tree
		writeJSON(w, 201, map[string]any{"sha": sha, "tree": map[string]string{"sha": in.Tree}})
	case r.Method == "POST" && p == "/git/refs":
		var in struct{ Ref, SHA string }
		_ = json.Unmarshal(body, &in)
		ref := strings.TrimPrefix(in.Ref, "refs/")
		if _, ok := f.refs[ref]; ok {
			writeJSON(w, 422, map[string]string{"message": "Reference already exists"})
			return
		}
		f.refs[ref] = in.SHA
		writeJSON(w, 201, map[string]any{"ref": in.Ref, "object": map[string]string{"sha": in.SHA}})
	case r.Method == "PATCH" && strings.HasPrefix(p, "/git/refs/"):
		ref := strings.TrimPrefix(p, "/git/refs/")
		var in struct {
			SHA   string
			Force bool
		}
		_ = json.Unmarshal(body, &in)
		if _, ok := f.refs[ref]; !ok {
			writeJSON(w, 422, map[string]string{"message": "Reference does not exist"})
			return
		}
		f.refs[ref] = in.SHA
		writeJSON(w, 200, map[string]any{"ref": "refs/" + ref, "object": map[string]string{"sha": in.SHA}})
	case r.Method == "GET" && p == "/pulls":
		q := r.URL.Query()
		var out []map[string]any
		for _, pr := range f.pulls {
			if "acme:"+pr.Head == q.Get("head") && pr.Base == q.Get("base") && q.Get("state") == "open" {
				out = append(out, map[string]any{"number": pr.Number, "html_url": fmt.Sprintf("https://github.example/acme/widget/pull/%d", pr.Number)})
			}
		}
		if out == nil {
			out = []map[string]any{}
		}
		writeJSON(w, 200, out)
	case r.Method == "POST" && p == "/pulls":
		var in struct{ Title, Head, Base, Body string }
		_ = json.Unmarshal(body, &in)
		n := 7 + len(f.pulls)
		f.pulls = append(f.pulls, fakePull{Number: n, Head: in.Head, Base: in.Base, Title: in.Title, Body: in.Body})
		writeJSON(w, 201, map[string]any{"number": n, "html_url": fmt.Sprintf("https://github.example/acme/widget/pull/%d", n)})
	case r.Method == "PATCH" && strings.HasPrefix(p, "/pulls/"):
		var in struct{ Title, Body string }
		_ = json.Unmarshal(body, &in)
		for i := range f.pulls {
			if fmt.Sprint(f.pulls[i].Number) == strings.TrimPrefix(p, "/pulls/") {
				f.pulls[i].Title, f.pulls[i].Body = in.Title, in.Body
				writeJSON(w, 200, map[string]any{"number": f.pulls[i].Number, "html_url": fmt.Sprintf("https://github.example/acme/widget/pull/%d", f.pulls[i].Number)})
				return
			}
		}
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
	default:
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
	}
}
