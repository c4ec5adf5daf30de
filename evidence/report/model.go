package report

import (
	"time"

	"github.com/cemark/cemark/checks/art14"
	"github.com/cemark/cemark/evidence/config"
)

// The event model — events, their deadlines, candidates and the loader — is
// checks/art14, where the CEM-RPT family reads it without importing
// evidence. This package drafts from it; these names keep its API whole.

// Kinds and statuses of an event.
const (
	KindVulnerability = art14.KindVulnerability
	KindIncident      = art14.KindIncident
	StatusOpen        = art14.StatusOpen
	StatusClosed      = art14.StatusClosed
)

// Stage is one of the three reports of Art. 14(2) and (4).
type Stage = art14.Stage

// The three stages.
const (
	EarlyWarning = art14.EarlyWarning
	Notification = art14.Notification
	Final        = art14.Final
)

// ParseStage reads a stage name as the command line gives it.
func ParseStage(s string) (Stage, bool) { return art14.ParseStage(s) }

// EventFile is the name of an event's file.
const EventFile = art14.EventFile

// Event, Submissions and Submission are one event.yaml.
type (
	Event       = art14.Event
	Submissions = art14.Submissions
	Submission  = art14.Submission
)

// IDPattern is the shape of an event ID.
var IDPattern = art14.IDPattern

// ApplicationDate is when Art. 14 starts to apply (art14.ApplicationDate).
var ApplicationDate = art14.ApplicationDate

// SoonWindow is how close a deadline must be for CI to fail on it.
const SoonWindow = art14.SoonWindow

// State is where one deadline stands at a given time.
type State = art14.State

// Deadline is one stage's clock for one event; EventStatus is an event
// with its deadlines.
type (
	Deadline    = art14.Deadline
	EventStatus = art14.EventStatus
)

// Deadlines are the event's three deadlines, judged at now.
func Deadlines(e Event, now time.Time) []Deadline { return art14.Deadlines(e, now) }

// Assess judges every event's deadlines at now.
func Assess(events []Event, now time.Time) []EventStatus { return art14.Assess(events, now) }

// FormatTime writes an instant the way every output of this package does.
func FormatTime(t time.Time) string { return art14.FormatTime(t) }

// FormatLeft says how long is left (or how long ago) in words.
func FormatLeft(d time.Duration) string { return art14.FormatLeft(d) }

// VEX statuses, as CycloneDX, OpenVEX and CSAF share them.
const (
	VEXNotAffected        = art14.VEXNotAffected
	VEXAffected           = art14.VEXAffected
	VEXFixed              = art14.VEXFixed
	VEXUnderInvestigation = art14.VEXUnderInvestigation
)

// Observation is one vulnerability the scan found in one component.
type Observation = art14.Observation

// ReportingSetup is cemark.yaml reporting:, as stated.
type ReportingSetup = art14.ReportingSetup

// Setup reads the reporting set-up from cemark.yaml.
func Setup(cfg *config.Config) ReportingSetup { return art14.Setup(cfg) }

// EventsDir is the slash path of the events' folder: <docs.dir>/reports.
func EventsDir(cfg *config.Config) string { return art14.EventsDir(cfg) }

// LoadEvent reads one event.yaml strictly.
func LoadEvent(root, rel string) (Event, error) { return art14.LoadEvent(root, rel) }

// LoadEvents reads every event, sorted by ID; problems are a usage error.
func LoadEvents(root string, cfg *config.Config) ([]Event, error) {
	return art14.LoadEvents(root, cfg)
}

// FindEvent reads the event with this ID.
func FindEvent(root string, cfg *config.Config, id string) (Event, error) {
	return art14.FindEvent(root, cfg, id)
}
