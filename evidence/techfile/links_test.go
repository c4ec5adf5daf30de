package techfile

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cemark/cemark/evidence/config"
	art14 "github.com/cemark/cemark/evidence/report"
)

var (
	codeSpan   = regexp.MustCompile("`[^`\n]*`")
	mdLink     = regexp.MustCompile(`!?\[[^\]\n]*\]\(([^)\s]+)\)`)
	headingRE  = regexp.MustCompile(`^#{1,6}\s+(.+?)\s*#*\s*$`)
	externalRE = regexp.MustCompile(`^[a-z][a-z0-9+.-]*:`)
)

// headingAnchors lists the anchors GitHub and GitLab give a document's headings.
func headingAnchors(doc string) map[string]bool {
	out := map[string]bool{}
	inFence := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		if m := headingRE.FindStringSubmatch(line); m != nil && !inFence {
			out[anchor(m[1])] = true
		}
	}
	return out
}

// brokenLinks lists every relative link or #anchor in the bundle's
// Markdown that does not resolve.
func brokenLinks(t *testing.T, root, dir string) (problems []string, checked int) {
	t.Helper()
	for name, doc := range readBundle(t, dir) {
		if !strings.HasSuffix(name, ".md") {
			continue
		}
		for _, line := range strings.Split(doc, "\n") {
			line = codeSpan.ReplaceAllString(line, "")
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if externalRE.MatchString(target) {
					continue
				}
				checked++
				file, frag, _ := strings.Cut(target, "#")
				full := filepath.Join(dir, name)
				if file != "" {
					full = filepath.Join(dir, filepath.FromSlash(file))
				}
				if rel, err := filepath.Rel(root, full); err != nil || strings.HasPrefix(rel, "..") {
					problems = append(problems, name+": link "+target+" leaves the repository")
					continue
				}
				data, err := os.ReadFile(full)
				if err != nil {
					problems = append(problems, name+": link "+target+" does not resolve")
					continue
				}
				if frag != "" && !headingAnchors(string(data))[frag] {
					problems = append(problems, name+": link "+target+": no heading with that anchor")
				}
			}
		}
	}
	return problems, checked
}

func TestInternalLinksResolve(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]Input{
		"default":       defaultInput(),
		"class-II":      fixtureInput(fixtureConfig(config.ClassImportantClassII)),
		"include-sbom":  func() Input { in := defaultInput(); in.Config.Docs.IncludeSBOM = true; return in }(),
		"empty-config":  {Config: &config.Config{}},
		"hardware":      func() Input { in := defaultInput(); in.Config.Product.Hardware = ptr(true); return in }(),
		"nested-folder": defaultInput(),
	} {
		for _, lang := range []string{"en", "da"} {
			t.Run(name+"/"+lang, func(t *testing.T) {
				t.Parallel()
				root := newRepo(t)
				dir := DefaultDir
				if name == "nested-folder" {
					dir = "compliance/eu/cra"
				}
				writeEventFiles(t, root, in)
				mustRender(t, in, Options{Root: root, Dir: dir, Lang: lang})
				problems, n := brokenLinks(t, root, filepath.Join(root, dir))
				for _, p := range problems {
					t.Error(p)
				}
				if n < 10 {
					t.Errorf("only %d internal links checked: is the link pattern right?", n)
				}
			})
		}
	}
}

func TestLinkCheckerCatchesBrokenLinks(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	writeEventFiles(t, root, defaultInput())
	mustRender(t, defaultInput(), Options{Root: root})
	dir := filepath.Join(root, DefaultDir)
	p := filepath.Join(dir, docIndex)
	writeFile(t, p, readFile(t, p)+"\n[broken](no-such.md) [bad anchor](04-risk-assessment.md#no-such-heading) [out](../../../x.md)\n")
	problems, _ := brokenLinks(t, root, dir)
	if len(problems) != 3 {
		t.Errorf("link checker found %d broken links, want 3: %v", len(problems), problems)
	}
}

// writeEventFiles writes the event.yaml of every Art. 14 event of in, as
// cemark report open would have, so that the technical file's links to
// them resolve.
func writeEventFiles(t *testing.T, root string, in Input) {
	t.Helper()
	for _, e := range append(append([]art14.EventSummary(nil), in.Art14.Open...), in.Art14.Closed...) {
		p := filepath.Join(root, filepath.FromSlash(e.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, "kind: "+e.Kind+"\n")
	}
}
