package art14

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cemark/cemark/checks/input"
	"github.com/cemark/cemark/evidence/config"
)

// EventsDir is the slash path, relative to the product root, of the folder
// holding one folder per event: <docs.dir>/reports.
func EventsDir(cfg *config.Config) string {
	return path.Join(cfg.DocsDir(), ReportsDir)
}

// LoadEvent reads one event.yaml (rel is its slash path relative to root)
// strictly: a problem is an error naming file:line:column, a usage error
// (exit code 2).
func LoadEvent(root, rel string) (Event, error) {
	var e Event
	if err := config.LoadStrict(filepath.Join(root, filepath.FromSlash(rel)), &e, EventRules); err != nil {
		return Event{}, relativeErrors(err, root)
	}
	e.ID = path.Base(path.Dir(rel))
	e.Path = rel
	e.AwareAt = e.AwareAt.UTC()
	if e.CorrectiveMeasureAvailableAt != nil {
		t := e.CorrectiveMeasureAvailableAt.UTC()
		e.CorrectiveMeasureAvailableAt = &t
	}
	for _, st := range Stages() {
		if s := e.Submissions.Of(st); s != nil {
			s.SubmittedAt = s.SubmittedAt.UTC()
		}
	}
	return e, nil
}

// relativeErrors names files relative to the product root in messages, the
// way a person finds them in the repository.
func relativeErrors(err error, root string) error {
	var es config.Errors
	if !errors.As(err, &es) {
		return err
	}
	for _, e := range es {
		if rel, rerr := filepath.Rel(root, e.File); rerr == nil && !strings.HasPrefix(rel, "..") {
			e.File = filepath.ToSlash(rel)
		}
	}
	return err
}

// LoadEvents reads every event under EventsDir, sorted by ID. A folder
// there without event.yaml is skipped; a folder whose name is not an event
// ID, or an event.yaml with problems, is a usage error (exit 2) naming
// every problem found (config.Errors).
func LoadEvents(root string, cfg *config.Config) ([]Event, error) {
	dir := EventsDir(cfg)
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	var events []Event
	var problems config.Errors
	for _, d := range entries {
		if !d.IsDir() {
			continue
		}
		rel := path.Join(dir, d.Name(), EventFile)
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel))); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if !IDPattern.MatchString(d.Name()) {
			problems = append(problems, &config.Error{File: path.Join(dir, d.Name()),
				Msg: "is not an event ID; expected YYYY-MM-DD-words in lower case, as cemark report open names it"})
			continue
		}
		e, err := LoadEvent(root, rel)
		if err != nil {
			var es config.Errors
			if errors.As(err, &es) {
				problems = append(problems, es...)
				continue
			}
			return nil, err
		}
		events = append(events, e)
	}
	if len(problems) > 0 {
		return events, input.Usage(problems)
	}
	sort.Slice(events, func(i, j int) bool { return events[i].ID < events[j].ID })
	return events, nil
}

// FindEvent reads the event with this ID.
func FindEvent(root string, cfg *config.Config, id string) (Event, error) {
	if !IDPattern.MatchString(id) {
		return Event{}, input.Usage(fmt.Errorf("%q is not an event ID (cemark report status lists them)", id))
	}
	rel := path.Join(EventsDir(cfg), id, EventFile)
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); errors.Is(err, fs.ErrNotExist) {
		return Event{}, input.Usage(fmt.Errorf("no event %s: %s does not exist (cemark report status lists the events)", id, rel))
	}
	return LoadEvent(root, rel)
}
