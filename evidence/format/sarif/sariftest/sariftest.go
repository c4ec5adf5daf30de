// Package sariftest reads SARIF logs in tests the way a consumer does:
// with its own types, not the encoder's, and only the fields cemark's
// tests look at.
package sariftest

import (
	"encoding/json"
	"testing"
)

// Log is a SARIF 2.1.0 log as read back.
type Log struct {
	Runs []Run `json:"runs"`
}

// Run is one run of a Log.
type Run struct {
	Tool struct {
		Driver struct {
			Rules []struct {
				ID string `json:"id"`
			} `json:"rules"`
		} `json:"driver"`
	} `json:"tool"`
	Invocations []struct {
		Notifications []json.RawMessage `json:"toolExecutionNotifications"`
	} `json:"invocations"`
	Results []Result `json:"results"`
}

// Result is one result of a Run.
type Result struct {
	RuleID       string            `json:"ruleId"`
	RuleIndex    int               `json:"ruleIndex"`
	Level        string            `json:"level"`
	Fingerprints map[string]string `json:"partialFingerprints"`
	Suppressions []struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification"`
	} `json:"suppressions"`
	Locations []struct {
		Physical struct {
			Artifact struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region *struct {
				StartLine int `json:"startLine"`
			} `json:"region"`
		} `json:"physicalLocation"`
	} `json:"locations"`
	Properties map[string]any `json:"properties"`
}

// URI is the result's first location ("" without one).
func (r Result) URI() string {
	if len(r.Locations) == 0 {
		return ""
	}
	return r.Locations[0].Physical.Artifact.URI
}

// Decode reads a SARIF log or fails the test.
func Decode(t testing.TB, b []byte) Log {
	t.Helper()
	var l Log
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatalf("decode SARIF: %v", err)
	}
	if len(l.Runs) == 0 {
		t.Fatal("SARIF log without a run")
	}
	return l
}
