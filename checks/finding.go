package checks

// Finding is one judgement of one check at one place.
type Finding struct {
	Check    string   `json:"check"`
	Outcome  Outcome  `json:"outcome"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Path     string   `json:"path,omitempty"` // slash-separated, relative to the product root
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	EndLine  int      `json:"end_line,omitempty"`
	// Snippet is the offending source with secrets masked.
	Snippet   string   `json:"snippet,omitempty"`
	CRA       []string `json:"cra"`
	Standards []string `json:"standards,omitempty"`
	// Key identifies the finding across commits (no line numbers): e.g. the
	// port "tcp/22" or the variable name. Fingerprints hash check+path+key.
	Key string `json:"key,omitempty"`
	// Waiver is set when Outcome is Waived (or the waiver has expired).
	Waiver *WaiverRef `json:"waiver,omitempty"`
	// Values carries structured facts about the finding (never secrets).
	Values map[string]string `json:"values,omitempty"`
	// Baseline is true for a finding the baseline already held (an
	// existing finding): its outcome is kept and it is shown everywhere,
	// but it does not count for --fail-on (see Baseline).
	Baseline bool `json:"baseline,omitempty"`
}

// WaiverRef says which waiver accepted a finding.
type WaiverRef struct {
	Source        string `json:"source"` // "cemark.yaml" or "inline"
	Justification string `json:"justification"`
	ApprovedBy    string `json:"approved_by,omitempty"`
	Expires       string `json:"expires,omitempty"`
	Path          string `json:"path,omitempty"` // the glob, for config waivers
	Line          int    `json:"line,omitempty"` // the comment's line, for inline waivers
}

// Failing reports whether the finding counts against the product.
func (f Finding) Failing() bool { return f.Outcome == Fail }

// FailsGate reports whether the finding fails a CI gate (--fail-on): a
// failing finding the baseline does not hold.
func (f Finding) FailsGate() bool { return f.Failing() && !f.Baseline }
