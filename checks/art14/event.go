package art14

import (
	"regexp"
	"time"

	"github.com/cemark/cemark/evidence/config"
)

// Kinds of event: the two triggers of Art. 14.
const (
	// KindVulnerability is an actively exploited vulnerability in the
	// product (Art. 14(1), (2); Art. 3(42)).
	KindVulnerability = "vulnerability"
	// KindIncident is a severe incident having an impact on the security
	// of the product (Art. 14(3), (4), (5)).
	KindIncident = "incident"
)

// Statuses of an event. Only an open event has running deadlines.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Stage is one of the three reports of Art. 14(2) and (4), named as on the
// command line.
type Stage string

const (
	EarlyWarning Stage = "early-warning"
	Notification Stage = "notification"
	Final        Stage = "final"
)

// Stages are the three stages in order.
func Stages() []Stage { return []Stage{EarlyWarning, Notification, Final} }

// ParseStage reads a stage name as the command line gives it.
func ParseStage(s string) (Stage, bool) {
	for _, st := range Stages() {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// Title is how a person names the stage.
func (s Stage) Title() string {
	switch s {
	case EarlyWarning:
		return "early warning"
	case Notification:
		return "notification"
	case Final:
		return "final report"
	}
	return string(s)
}

// Key is the stage's key under submissions: in event.yaml.
func (s Stage) Key() string {
	switch s {
	case EarlyWarning:
		return "early_warning"
	case Notification:
		return "notification"
	}
	return "final"
}

// EventFile is the name of an event's file inside its folder.
const EventFile = "event.yaml"

// ReportsDir is the folder of the events, inside the technical file's
// folder (docs.dir, default docs/cra).
const ReportsDir = "reports"

// Event is one reportable event, as docs/cra/reports/<id>/event.yaml holds
// it. Field order is the order of the file. Times are instants (RFC 3339);
// cemark shows them in UTC.
type Event struct {
	// ID is the event's folder name (not a key of the file).
	ID string `yaml:"-" json:"id"`
	// Path is event.yaml's slash path relative to the product root.
	Path string `yaml:"-" json:"path"`

	Kind  string `yaml:"kind" json:"kind"`
	Title string `yaml:"title" json:"title"`
	// AwareAt is when the manufacturer became aware: every clock of Art. 14
	// but the vulnerability final report runs from it. A person states it;
	// cemark never infers it.
	AwareAt time.Time `yaml:"aware_at" json:"aware_at"`
	Status  string    `yaml:"status,omitempty" json:"status"`

	// ProductVersions are the versions of the product affected.
	ProductVersions []string `yaml:"product_versions,omitempty" json:"product_versions,omitempty"`
	// Vulnerabilities are the IDs (CVE, GHSA, OSV …) the event is about.
	Vulnerabilities []string `yaml:"vulnerabilities,omitempty" json:"vulnerabilities,omitempty"`
	// Components are the package URLs of the affected components, as the
	// SBOM names them.
	Components []string `yaml:"components,omitempty" json:"components,omitempty"`

	// MemberState and CSIRT are where the reports go (Art. 14(7)): copied
	// from cemark.yaml reporting: when the event is opened, so the record
	// keeps what applied then.
	MemberState string `yaml:"member_state,omitempty" json:"member_state,omitempty"`
	CSIRT       string `yaml:"csirt,omitempty" json:"csirt,omitempty"`

	// CorrectiveMeasureAvailableAt is when a corrective or mitigating
	// measure became available: the vulnerability final report is due 14
	// days later (Art. 14(2)(c)).
	CorrectiveMeasureAvailableAt *time.Time `yaml:"corrective_measure_available_at,omitempty" json:"corrective_measure_available_at,omitempty"`
	// FixedVersions are the product versions that carry the fix.
	FixedVersions []string `yaml:"fixed_versions,omitempty" json:"fixed_versions,omitempty"`

	Submissions Submissions `yaml:"submissions,omitempty" json:"submissions"`
	// References are public pages about the event (advisories, CVE records).
	References []string `yaml:"references,omitempty" json:"references,omitempty"`
}

// Submissions records, per stage, that a person submitted the report.
type Submissions struct {
	EarlyWarning *Submission `yaml:"early_warning,omitempty" json:"early_warning,omitempty"`
	Notification *Submission `yaml:"notification,omitempty" json:"notification,omitempty"`
	Final        *Submission `yaml:"final,omitempty" json:"final,omitempty"`
}

// Of returns the submission of a stage (nil: not marked submitted).
func (s Submissions) Of(st Stage) *Submission {
	switch st {
	case EarlyWarning:
		return s.EarlyWarning
	case Notification:
		return s.Notification
	case Final:
		return s.Final
	}
	return nil
}

// Submission is a person's record that a report was submitted.
type Submission struct {
	SubmittedAt time.Time `yaml:"submitted_at" json:"submitted_at"`
	By          string    `yaml:"by" json:"by"`
	// Reference is what the platform or the CSIRT gave back, if anything.
	Reference string `yaml:"reference,omitempty" json:"reference,omitempty"`
}

// Open reports whether the event is open (an empty status is open).
func (e Event) Open() bool { return e.Status == "" || e.Status == StatusOpen }

var (
	// VulnIDPattern is the shape of a vulnerability ID (CVE-…, GHSA-…).
	VulnIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*-\S+$`)
	// PURLPattern is the shape of a package URL.
	PURLPattern = regexp.MustCompile(`^pkg:[A-Za-z.+-][A-Za-z0-9.+-]*/\S+$`)
	urlPattern  = regexp.MustCompile(`^https?://\S+$`)
	// IDPattern is the shape of an event ID: its folder's name.
	IDPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*$`)
)

const timeWant = "a time in RFC 3339 with its offset, e.g. 2026-11-05T09:30:00Z"

// EventRules are event.yaml's rules beyond the Go types, by rule path
// (for config.LoadStrict and config.ParseStrict).
func EventRules(p string) config.Rule {
	switch p {
	case "kind":
		return config.Rule{Required: true, Enum: []string{KindVulnerability, KindIncident}}
	case "title":
		return config.Rule{Required: true, NonBlank: true, Want: "what happened, in a few words"}
	case "aware_at":
		return config.Rule{Required: true, Want: timeWant}
	case "status":
		return config.Rule{Enum: []string{StatusOpen, StatusClosed}}
	case "member_state":
		return config.Rule{Enum: config.MemberStates(), Want: "the ISO 3166-1 alpha-2 code of an EU Member State, e.g. DK"}
	case "product_versions[]", "fixed_versions[]", "csirt":
		return config.Rule{NonBlank: true, Want: "a value"}
	case "vulnerabilities[]":
		return config.Rule{Pattern: VulnIDPattern, Want: "a vulnerability ID such as CVE-2026-1234 or GHSA-abcd-efgh-ijkl"}
	case "components[]":
		return config.Rule{Pattern: PURLPattern, Want: "a package URL such as pkg:golang/example.com/lib@v1.2.3"}
	case "references[]":
		return config.Rule{Pattern: urlPattern, Want: "an http(s) URL"}
	case "corrective_measure_available_at":
		return config.Rule{Want: timeWant}
	case "submissions.early_warning.submitted_at", "submissions.notification.submitted_at", "submissions.final.submitted_at":
		return config.Rule{Required: true, Want: timeWant}
	case "submissions.early_warning.by", "submissions.notification.by", "submissions.final.by":
		return config.Rule{Required: true, NonBlank: true, Want: "who submitted the report"}
	}
	return config.Rule{}
}
