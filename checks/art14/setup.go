package art14

import "github.com/cemark/cemark/evidence/config"

// ReportingSetup is cemark.yaml reporting:, as stated (not verified), and
// what is missing from it.
type ReportingSetup struct {
	MemberState string   `json:"member_state,omitempty"`
	CSIRT       string   `json:"csirt,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Submitters  []string `json:"submitters,omitempty"`
	AvailableIn []string `json:"available_in,omitempty"`
	// Missing names the reporting: keys not set.
	Missing []string `json:"missing,omitempty"`
}

// Setup reads the reporting set-up from cemark.yaml.
func Setup(cfg *config.Config) ReportingSetup {
	if cfg == nil {
		cfg = &config.Config{}
	}
	r := cfg.Reporting
	s := ReportingSetup{MemberState: r.MemberState, CSIRT: r.CSIRT, Contact: r.Contact, Submitters: r.Submitters, AvailableIn: r.AvailableIn}
	for _, m := range []struct {
		key string
		set bool
	}{
		{"reporting.member_state", r.MemberState != ""},
		{"reporting.csirt", r.CSIRT != ""},
		{"reporting.contact", r.Contact != ""},
		{"reporting.submitters", len(r.Submitters) > 0},
		{"reporting.available_in", len(r.AvailableIn) > 0},
	} {
		if !m.set {
			s.Missing = append(s.Missing, m.key)
		}
	}
	return s
}
