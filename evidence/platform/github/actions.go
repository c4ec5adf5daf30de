// Package github runs cemark as a GitHub Action: it reads the step's
// inputs, runs the evidence pipeline, publishes outputs, annotations and a
// job summary, and keeps the technical file current through the Git Data
// API (a pull request, a commit, or a check gate).
package github

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

// Level is an annotation's level.
type Level string

// Annotation levels, as GitHub names them.
const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
	LevelNotice  Level = "notice"
)

// Annotation is one message attached to a file and line of the commit.
type Annotation struct {
	Level   Level
	File    string // relative to the repository root, slash-separated
	Line    int
	Title   string
	Message string
}

// Actions is the part of the runner cemark talks to. It hides
// go-githubactions, whose writers panic when the runner's files or stdout
// cannot be written: every method here returns an error instead.
type Actions interface {
	GetInput(name string) string
	AddMask(secret string) error
	SetOutput(name, value string) error
	AddStepSummary(markdown string) error
	Annotate(a Annotation) error
	Log(level Level, msg string) error
	Getenv(key string) string
}

// NewActions wraps go-githubactions: w receives workflow commands (the
// step's stdout), getenv reads the runner's environment.
func NewActions(w io.Writer, getenv func(string) string) Actions {
	return runnerActions{a: githubactions.New(githubactions.WithWriter(w), githubactions.WithGetenv(getenv)), getenv: getenv}
}

type runnerActions struct {
	a      *githubactions.Action
	getenv func(string) string
}

// guard turns a panic of go-githubactions into an error.
func guard(what string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %v", what, r)
		}
	}()
	f()
	return nil
}

// GetInput reads INPUT_<NAME>, as the runner sets it for JavaScript and
// Docker actions (hyphens kept), else INPUT_<NAME> with hyphens as
// underscores, as action.yml's composite step passes it: a name with a
// hyphen is no shell variable, and not every shell hands one on.
func (r runnerActions) GetInput(name string) string {
	if v := r.a.GetInput(name); v != "" {
		return v
	}
	return r.a.GetInput(strings.ReplaceAll(name, "-", "_"))
}
func (r runnerActions) Getenv(key string) string { return r.getenv(key) }

func (r runnerActions) AddMask(secret string) error {
	return guard("mask a secret", func() { r.a.AddMask(secret) })
}

func (r runnerActions) SetOutput(name, value string) error {
	if r.getenv("GITHUB_OUTPUT") == "" {
		return fmt.Errorf("set output %s: GITHUB_OUTPUT is not set (not running as a GitHub Action step?)", name)
	}
	return guard("set output "+name, func() { r.a.SetOutput(name, value) })
}

func (r runnerActions) AddStepSummary(markdown string) error {
	if r.getenv("GITHUB_STEP_SUMMARY") == "" {
		return nil // older runners and act have no job summary
	}
	return guard("write the job summary", func() { r.a.AddStepSummary(markdown) })
}

func (r runnerActions) Annotate(an Annotation) error {
	fields := map[string]string{}
	if an.File != "" {
		fields["file"] = an.File
		if an.Line > 0 {
			fields["line"] = strconv.Itoa(an.Line)
		}
	}
	if an.Title != "" {
		fields["title"] = an.Title
	}
	a := r.a.WithFieldsMap(fields)
	return guard("annotate", func() {
		// The message goes through %s so that a finding's text is never
		// read as a format string.
		switch an.Level {
		case LevelError:
			a.Errorf("%s", an.Message)
		case LevelWarning:
			a.Warningf("%s", an.Message)
		default:
			a.Noticef("%s", an.Message)
		}
	})
}

func (r runnerActions) Log(level Level, msg string) error {
	return r.Annotate(Annotation{Level: level, Message: msg})
}
