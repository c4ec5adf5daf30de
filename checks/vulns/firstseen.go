package vulns

import (
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/vulnscan"
)

// FirstSeen gives each match the day it was first reported, so that the
// time a vulnerability stays open is visible (Annex I Part II (2): "without
// delay"): the earliest first_seen value of a CEM-VULN-001 finding with the
// same key (vulnerability and package, not version) in the earlier reports
// — the previous run's report.json, the baseline —, else today
// (YYYY-MM-DD, the run's reference day). A nil report is skipped (no
// previous run). It is pure: the result maps Match.Key() to the day.
func FirstSeen(matches []vulnscan.Match, today string, earlierReports ...*checks.Report) map[string]string {
	earlier := map[string]string{}
	for _, prev := range earlierReports {
		if prev == nil {
			continue
		}
		for _, f := range prev.Findings() {
			if f.Check != IDKnown {
				continue
			}
			key := f.Key
			// The runner numbers repeated keys ("…#2"); the identity is the key.
			if i := strings.LastIndex(key, "#"); i > 0 {
				key = key[:i]
			}
			d := f.Values["first_seen"]
			if key == "" || !isDay(d) {
				continue
			}
			if cur, ok := earlier[key]; !ok || d < cur {
				earlier[key] = d
			}
		}
	}
	out := make(map[string]string, len(matches))
	for _, m := range matches {
		k := m.Key()
		if d, ok := earlier[k]; ok && d <= today {
			out[k] = d
			continue
		}
		out[k] = today
	}
	return out
}

// isDay accepts YYYY-MM-DD only, so a hand-edited report cannot put
// anything else into the evidence.
func isDay(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i, c := range s {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
