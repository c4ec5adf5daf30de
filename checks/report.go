package checks

// ReportSchemaVersion is the version of report.json's schema
// (checks/schema/report.schema.json). Bump it on any change of shape.
const ReportSchemaVersion = "1.3.0"

// Report is the result of a check run: one Result per check that ran, the
// facts the families gathered, and files that could not be read.
type Report struct {
	SchemaVersion string  `json:"schema_version"`
	Tool          Tool    `json:"tool"`
	Product       Product `json:"product"`
	// ConfigFile is the configuration file the run read, relative to the
	// product root ("" when there was none). Findings about waivers point at it.
	ConfigFile string      `json:"config_file,omitempty"`
	Results    []Result    `json:"results"`
	Facts      Facts       `json:"facts"`
	FileErrors []FileError `json:"file_errors,omitempty"`
	Summary    Summary     `json:"summary"`
}

// Tool names the generator.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Product identifies what was checked.
type Product struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// Result is one check's run: its metadata, overall outcome and findings.
type Result struct {
	Meta
	// Outcome is the worst of the findings' outcomes (fail > error > warn >
	// waived > info > pass > not-applicable); pass when there are none.
	Outcome  Outcome   `json:"outcome"`
	Error    string    `json:"error,omitempty"`
	Findings []Finding `json:"findings"`
}

// Summary counts findings by outcome.
type Summary struct {
	Checks        int `json:"checks"`
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	Warn          int `json:"warn"`
	Info          int `json:"info"`
	Waived        int `json:"waived"`
	NotApplicable int `json:"not_applicable"`
	Error         int `json:"error"`
	// CheckOutcomes counts the checks by their result's outcome (a check
	// with no finding is "pass"), where the counts above are of findings.
	CheckOutcomes map[Outcome]int `json:"check_outcomes,omitempty"`
	// Baseline counts the findings the baseline held (Finding.Baseline).
	Baseline int `json:"baseline,omitempty"`
}

// Findings returns every finding of every result, in report order.
func (r *Report) Findings() []Finding {
	var out []Finding
	for _, res := range r.Results {
		out = append(out, res.Findings...)
	}
	return out
}
