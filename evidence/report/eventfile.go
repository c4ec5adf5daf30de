package report

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/checks/art14"
	"github.com/cemark/cemark/evidence/config"
	"github.com/cemark/cemark/evidence/failure"
)

// eventHeader heads a new event.yaml.
const eventHeader = `Art. 14 event opened with cemark report open. Review and commit it like code.
Times are RFC 3339; cemark shows them in UTC. Record what you submit with
cemark report submitted, and the corrective measure with cemark report fixed.`

// OpenOptions is a new event, as the manufacturer states it.
type OpenOptions struct {
	Kind    string
	Title   string
	AwareAt time.Time
	// Vulns are the vulnerability IDs; ProductVersions the affected
	// versions (default: cemark.yaml product.version); Components the
	// affected components' package URLs.
	Vulns           []string
	ProductVersions []string
	Components      []string
	// Now is the reference time: a moment of awareness in its future is
	// refused.
	Now time.Time
}

// NewID names an event readably and deterministically: the UTC day of
// awareness, then the first vulnerability ID, or the kind and the title's
// first words ("2026-11-05-cve-2026-1234", "2026-11-05-incident-build-
// server-compromised"). taken reports IDs in use; a suffix -2, -3 … keeps
// them apart.
func NewID(kind, title string, awareAt time.Time, vulns []string, taken func(string) bool) string {
	slug := ""
	if len(vulns) > 0 {
		slug = slugify(vulns[0], 48)
	}
	if slug == "" {
		slug = kind
		if s := slugify(title, 40); s != "" {
			slug += "-" + s
		}
	}
	base := awareAt.UTC().Format(time.DateOnly) + "-" + slug
	id := base
	for n := 2; taken != nil && taken(id); n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slugify keeps lower-case letters and digits, joined by "-", cut at max
// characters on a word boundary.
func slugify(s string, max int) string {
	s = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > max {
		s = s[:max]
		if i := strings.LastIndex(s, "-"); i > 0 {
			s = s[:i]
		}
	}
	return strings.Trim(s, "-")
}

// OpenEvent checks the statement, names the event and writes its
// event.yaml inside root. The member state and CSIRT are copied from
// cemark.yaml reporting:. An event already open for one of the
// vulnerabilities is an error: mark that one instead.
func OpenEvent(root string, cfg *config.Config, o OpenOptions) (Event, error) {
	if cfg == nil {
		cfg = &config.Config{}
	}
	var problems []string
	if o.Kind != KindVulnerability && o.Kind != KindIncident {
		problems = append(problems, fmt.Sprintf("--kind %q: expected vulnerability or incident", o.Kind))
	}
	if strings.TrimSpace(o.Title) == "" {
		problems = append(problems, "--title is empty: say what happened, in a few words")
	}
	if o.AwareAt.IsZero() {
		problems = append(problems, "--aware-at is required: when you became aware, e.g. 2026-11-05T09:30:00Z")
	} else if !o.Now.IsZero() && o.AwareAt.After(o.Now.Add(time.Minute)) {
		problems = append(problems, fmt.Sprintf("--aware-at %s is in the future (now %s)", FormatTime(o.AwareAt), FormatTime(o.Now)))
	}
	for _, v := range o.Vulns {
		if !art14.VulnIDPattern.MatchString(v) {
			problems = append(problems, fmt.Sprintf("--vuln %q: expected a vulnerability ID such as CVE-2026-1234", v))
		}
	}
	for _, c := range o.Components {
		if !art14.PURLPattern.MatchString(c) {
			problems = append(problems, fmt.Sprintf("--component %q: expected a package URL such as pkg:golang/example.com/lib@v1.2.3", c))
		}
	}
	if len(problems) > 0 {
		return Event{}, failure.Usage(errors.New(strings.Join(problems, "; ")))
	}
	events, err := LoadEvents(root, cfg)
	if err != nil {
		return Event{}, err
	}
	for _, e := range events {
		for _, v := range o.Vulns {
			if e.Open() && slices.Contains(e.Vulnerabilities, v) {
				return Event{}, failure.Usage(fmt.Errorf("event %s is already open for %s: mark its reports there (cemark report submitted %s …)", e.ID, v, e.ID))
			}
		}
	}
	versions := o.ProductVersions
	if len(versions) == 0 && cfg.Product.Version != "" {
		versions = []string{cfg.Product.Version}
	}
	dir := EventsDir(cfg)
	id := NewID(o.Kind, o.Title, o.AwareAt, o.Vulns, func(id string) bool {
		_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(path.Join(dir, id))))
		return !errors.Is(err, fs.ErrNotExist)
	})
	e := Event{
		ID: id, Path: path.Join(dir, id, EventFile),
		Kind: o.Kind, Title: strings.TrimSpace(o.Title), AwareAt: o.AwareAt.UTC(), Status: StatusOpen,
		ProductVersions: versions, Vulnerabilities: o.Vulns, Components: o.Components,
		MemberState: cfg.Reporting.MemberState, CSIRT: cfg.Reporting.CSIRT,
	}
	data, err := encodeNewEvent(e)
	if err != nil {
		return Event{}, err
	}
	if err := writeInRoot(root, e.Path, data); err != nil {
		return Event{}, err
	}
	return e, nil
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

func flowList(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range items {
		n.Content = append(n.Content, scalar(s))
	}
	return n
}

// encodeNewEvent writes a new event.yaml: the header comment, then the
// keys in the file's order.
func encodeNewEvent(e Event) ([]byte, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) { m.Content = append(m.Content, scalar(k), v) }
	add("kind", scalar(e.Kind))
	add("title", scalar(e.Title))
	add("aware_at", scalar(FormatTime(e.AwareAt)))
	add("status", scalar(e.Status))
	add("product_versions", flowList(e.ProductVersions))
	add("vulnerabilities", flowList(e.Vulnerabilities))
	add("components", flowList(e.Components))
	if e.MemberState != "" {
		add("member_state", scalar(e.MemberState))
	}
	if e.CSIRT != "" {
		add("csirt", scalar(e.CSIRT))
	}
	m.Content[0].HeadComment = eventHeader
	return encodeYAML(m)
}

func encodeYAML(m *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{m}}); err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return b.Bytes(), nil
}

// setKey sets key in the mapping m to v, in place when the key exists (its
// comments kept), else appended.
func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.LineComment = m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

// child returns the mapping under key in m, created when missing.
func child(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.MappingNode {
			return m.Content[i+1]
		}
	}
	c := &yaml.Node{Kind: yaml.MappingNode}
	setKey(m, key, c)
	return c
}

// editEvent changes a person's event.yaml in place: the file is read as a
// YAML tree, edit changes the tree, and the result — with the person's
// comments and keys kept — must load strictly before it replaces the file,
// and only if the file did not change in between.
func editEvent(root string, e Event, edit func(m *yaml.Node)) (Event, error) {
	abs, err := inRoot(root, e.Path)
	if err != nil {
		return Event{}, err
	}
	before, err := os.ReadFile(abs)
	if err != nil {
		return Event{}, fmt.Errorf("read %s: %w", e.Path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(before, &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return Event{}, failure.Usage(fmt.Errorf("%s is not a YAML mapping: fix it by hand first", e.Path))
	}
	edit(doc.Content[0])
	after, err := encodeYAML(doc.Content[0])
	if err != nil {
		return Event{}, err
	}
	var check Event
	if err := config.ParseStrict(e.Path, after, &check, art14.EventRules); err != nil {
		return Event{}, err
	}
	now, err := os.ReadFile(abs)
	if err != nil || !bytes.Equal(now, before) {
		return Event{}, fmt.Errorf("%s changed while cemark was editing it: run the command again", e.Path)
	}
	if err := writeInRoot(root, e.Path, after); err != nil {
		return Event{}, err
	}
	return LoadEvent(root, e.Path)
}

// MarkOptions records a submission.
type MarkOptions struct {
	Stage     Stage
	At        time.Time
	By        string
	Reference string
}

// MarkSubmitted records that a person submitted a stage's report. When
// cemark.yaml lists reporting.submitters, By must be one of them.
func MarkSubmitted(root string, cfg *config.Config, e Event, o MarkOptions) (Event, error) {
	if cfg == nil {
		cfg = &config.Config{}
	}
	var problems []string
	if o.At.IsZero() {
		problems = append(problems, "--at is required: when the report was submitted, e.g. 2026-11-05T20:00:00Z")
	} else if o.At.Before(e.AwareAt) {
		problems = append(problems, fmt.Sprintf("--at %s is before the event's aware_at %s", FormatTime(o.At), FormatTime(e.AwareAt)))
	}
	if strings.TrimSpace(o.By) == "" {
		problems = append(problems, "--by is required: who submitted it")
	} else if s := cfg.Reporting.Submitters; len(s) > 0 && !slices.Contains(s, o.By) {
		problems = append(problems, fmt.Sprintf("--by %q is not among reporting.submitters in cemark.yaml (%s)", o.By, strings.Join(s, ", ")))
	}
	if len(problems) > 0 {
		return Event{}, failure.Usage(errors.New(strings.Join(problems, "; ")))
	}
	return editEvent(root, e, func(m *yaml.Node) {
		sub := &yaml.Node{Kind: yaml.MappingNode}
		sub.Content = append(sub.Content, scalar("submitted_at"), scalar(FormatTime(o.At)), scalar("by"), scalar(o.By))
		if o.Reference != "" {
			sub.Content = append(sub.Content, scalar("reference"), scalar(o.Reference))
		}
		setKey(child(m, "submissions"), o.Stage.Key(), sub)
	})
}

// MarkFixed records when a corrective or mitigating measure became
// available, and the versions that carry it: this starts the
// vulnerability final report's 14 days (Art. 14(2)(c)).
func MarkFixed(root string, e Event, at time.Time, fixedVersions []string) (Event, error) {
	if at.IsZero() {
		return Event{}, failure.Usage(errors.New("--at is required: when the corrective or mitigating measure became available"))
	}
	if at.Before(e.AwareAt) {
		return Event{}, failure.Usage(fmt.Errorf("--at %s is before the event's aware_at %s", FormatTime(at), FormatTime(e.AwareAt)))
	}
	return editEvent(root, e, func(m *yaml.Node) {
		setKey(m, "corrective_measure_available_at", scalar(FormatTime(at)))
		if len(fixedVersions) > 0 {
			setKey(m, "fixed_versions", flowList(fixedVersions))
		}
	})
}

// CloseEvent sets the event's status to closed: its deadlines stop
// counting against the product.
func CloseEvent(root string, e Event) (Event, error) {
	return editEvent(root, e, func(m *yaml.Node) { setKey(m, "status", scalar(StatusClosed)) })
}
